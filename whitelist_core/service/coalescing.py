"""Coalescing: the single-event syncs a warm instance serves at once, merged into one run.

Function Compute lets one instance serve several requests at once (``InstanceConcurrency``).
In a scaling storm they all ask for the same thing: look a host up, read the group, append
to it. Like a database's group commit, the first such request to arrive opens a **round**
and gathers for a short window; the requests that arrive meanwhile join it; then the
opener carries out every item of the round as one run, through the batch merge
(``batch.merge``: one lookup per 100 ids, one read per instance, at most one write per
group and mode), and each participant gets back its own item's result.

- The opener gathers only while the instance is serving another invocation
  (``serving``): a lone event, the usual case, runs at once instead of waiting a window
  nobody will join. In a storm the first request runs alone, the ones arriving during its
  run find the instance busy and gather (group commit's leader and followers).
- A round runs under the shortest deadline among its participants: the caller's ``run``
  is given it, and builds the cloud adapters with it.
- Every participant learns the whole round's results, so when one of them failed in a way
  a retry may fix, each can fail too (the platform retries each; writes are commutative
  and idempotent, so nothing is lost or doubled).
- When ``run`` raises, the opener re-raises it and every other participant raises a
  ``TransientCloudError`` caused by it: retrying the invocation is what can help.
- A participant waits at most until its own deadline; past it, it fails (to be retried)
  rather than answer late.

Which requests may join, and under which key (same configuration, same credentials), is
the caller's decision; this module knows nothing of intents. It holds no cloud client and
does no I/O of its own: it only waits.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from whitelist_core.core.values import frozen
from whitelist_core.errors import TransientCloudError

Item = TypeVar("Item")
Result = TypeVar("Result")

ROUND_LIMIT = 1000
"""A round closes early at this many items: its run must still fit one deadline."""


@dataclass
class _Round(Generic[Item, Result]):
    """The items gathered under one key, and, once run, their results (or the failure)."""

    items: list[Item] = field(default_factory=list)
    deadlines: list[float] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)
    results: Sequence[Result] = ()
    error: BaseException | None = None

    def join(self, item: Item, deadline: float, label: str) -> int:
        self.items.append(item)
        self.deadlines.append(deadline)
        self.labels.append(label)
        return len(self.items) - 1


@frozen
class Joined(Generic[Result]):
    """What a participant gets back: its own result, and every result of the round in the
    order of joining (its own at ``index``)."""

    own: Result
    everyone: Sequence[Result]
    index: int


Run = Callable[[Sequence[Item], float, Sequence[str]], Sequence[Result]]
"""Carries out the items of a round as one run, under the deadline given (the shortest of
the round), told the participants' labels (request ids, for the log); one result per item,
in order."""


class Coalescer(Generic[Item, Result]):
    """Merges the items submitted under one key within ``window`` seconds of the first.

    One per process (a warm instance), shared by every thread that serves a request.
    ``clock`` is ``time.monotonic`` (the deadlines' scale); ``sleep`` waits the window.
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._open: dict[Hashable, _Round[Item, Result]] = {}
        self._serving = 0

    @contextmanager
    def serving(self) -> Iterator[None]:
        """Counts one invocation the instance is serving, of any kind, for as long as the
        ``with`` lasts: while there are two or more, an opener gathers for its window."""
        with self._lock:
            self._serving += 1
        try:
            yield
        finally:
            with self._lock:
                self._serving -= 1

    def submit(
        self,
        key: Hashable,
        item: Item,
        *,
        deadline: float,
        window: float,
        run: Run[Item, Result],
        label: str = "",
    ) -> Joined[Result]:
        """Carry out ``item`` in the round open under ``key`` (opening one if none is
        gathering): returns once the round has run, with this item's result. An opener
        waits ``window`` seconds for others only while another invocation is being served
        (``serving``); alone, it runs at once."""
        with self._lock:
            round_ = self._open.get(key)
            opener = round_ is None
            if round_ is None:
                round_ = self._open[key] = _Round()
                window = window if self._serving > 1 else 0.0
            index = round_.join(item, deadline, label)
            if len(round_.items) >= ROUND_LIMIT:
                self._close(key, round_)
        if opener:
            self._lead(key, round_, window, run)
        else:
            self._wait(round_, deadline)
        if round_.error is not None:
            if opener:
                raise round_.error
            raise _failed_with(round_.error) from round_.error
        return Joined(round_.results[index], round_.results, index)

    def gathering(self, key: Hashable) -> int:
        """How many items the round open under ``key`` holds now (0: none is gathering)."""
        with self._lock:
            round_ = self._open.get(key)
            return len(round_.items) if round_ is not None else 0

    def _lead(
        self, key: Hashable, round_: _Round[Item, Result], window: float, run: Run[Item, Result]
    ) -> None:
        if window > 0:  # Gather, but never past the shortest deadline of those here.
            self._sleep(max(0.0, min(window, min(round_.deadlines) - self._clock())))
        with self._lock:
            self._close(key, round_)
        try:
            results = run(list(round_.items), min(round_.deadlines), list(round_.labels))
            if len(results) != len(round_.items):
                raise RuntimeError(f"{len(results)} results for {len(round_.items)} items")
            round_.results = results
        except BaseException as exc:  # noqa: BLE001 - handed to every participant, re-raised by each
            round_.error = exc
        finally:
            round_.done.set()

    def _close(self, key: Hashable, round_: _Round[Item, Result]) -> None:
        """No one joins ``round_`` any more (the caller holds the lock)."""
        if self._open.get(key) is round_:
            del self._open[key]

    def _wait(self, round_: _Round[Item, Result], deadline: float) -> None:
        if not round_.done.wait(max(0.0, deadline - self._clock())):
            raise TransientCloudError(
                "CoalescedRun",
                "DeadlineExceeded",
                "the run this invocation joined did not finish before its deadline",
            )


def _failed_with(error: BaseException) -> TransientCloudError:
    """A participant's own failure for the round's: retrying the invocation may help."""
    if isinstance(error, TransientCloudError):
        action, code = error.action, error.code
    else:
        action, code = "CoalescedRun", type(error).__name__
    return TransientCloudError(
        action, code, f"the run this invocation was merged into failed: {error}"
    )
