"""``service.coalescing.Coalescer``: concurrent submissions under one key share one run,
each gets its own result, the run gets the shortest deadline, and a failed run fails
every participant. Concurrency is shown with events and counts, never with wall-clock
limits: the opener's "window" waits until the test's participants have joined. An opener
gathers only while the instance serves another invocation: the tests that gather hold the
instance ``busy``."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest

from whitelist_core.accounts import OWN
from whitelist_core.config import Config, validate_config
from whitelist_core.entrypoints.coalesced import DEFAULT_COALESCE_MS, may_join, window_seconds
from whitelist_core.errors import PermanentCloudError, TransientCloudError
from whitelist_core.intents import LifecycleAction, ReconcileTargets, SyncInstances
from whitelist_core.service.batch import Item
from whitelist_core.service.coalescing import Coalescer

KEY = ("whitelist.yml", "key-id")


def _wait_for(condition: Callable[[], bool]) -> None:
    event = threading.Event()
    while not condition():
        event.wait(0.001)


def coalescer_gathering(count: int) -> Coalescer[str, str]:
    """A coalescer whose window ends once ``count`` items are in the open round."""
    coalescer: Coalescer[str, str] = Coalescer(clock=lambda: 0.0)
    coalescer._sleep = lambda _seconds: _wait_for(lambda: coalescer.gathering(KEY) >= count)
    return coalescer


@contextmanager
def busy(coalescer: Coalescer[str, str]) -> Iterator[None]:
    """The instance serving two invocations (as in a storm): an opener gathers."""
    with coalescer.serving(), coalescer.serving():
        yield


class Recorder:
    """A run that records what it was given and answers ``item!`` per item."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.runs: list[tuple[list[str], float, list[str]]] = []
        self.error = error

    def __call__(self, items: Sequence[str], deadline: float, labels: Sequence[str]) -> list[str]:
        self.runs.append((list(items), deadline, list(labels)))
        if self.error is not None:
            raise self.error
        return [f"{item}!" for item in items]


def submit_all(
    coalescer: Coalescer[str, str], run: Recorder, count: int, deadlines: Sequence[float] = ()
) -> list[object]:
    """``count`` threads submit ``item-i`` at once; each one's result or exception."""

    def one(i: int) -> object:
        deadline = deadlines[i] if deadlines else 100.0
        try:
            joined = coalescer.submit(
                KEY, f"item-{i}", deadline=deadline, window=1.0, run=run, label=f"req-{i}"
            )
        except Exception as exc:
            return exc
        return (joined.own, list(joined.everyone), joined.index)

    with busy(coalescer), ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


def test_concurrent_submissions_share_one_run_and_each_gets_its_own_result() -> None:
    coalescer = coalescer_gathering(5)
    run = Recorder()

    outcomes = submit_all(coalescer, run, 5)

    assert len(run.runs) == 1
    items, _, labels = run.runs[0]
    assert sorted(items) == [f"item-{i}" for i in range(5)]
    assert sorted(labels) == [f"req-{i}" for i in range(5)]
    for i, outcome in enumerate(outcomes):
        assert isinstance(outcome, tuple)
        own, everyone, index = outcome
        assert own == f"item-{i}!"
        assert everyone[index] == own
        assert sorted(everyone) == sorted(f"item-{k}!" for k in range(5))
    assert coalescer.gathering(KEY) == 0


def test_the_run_gets_the_shortest_deadline_of_its_participants() -> None:
    coalescer = coalescer_gathering(3)
    run = Recorder()

    submit_all(coalescer, run, 3, deadlines=[50.0, 20.0, 90.0])

    assert [deadline for _, deadline, _ in run.runs] == [20.0]


def test_the_window_never_outlasts_the_deadline_of_those_gathered() -> None:
    waited: list[float] = []
    coalescer: Coalescer[str, str] = Coalescer(clock=lambda: 10.0, sleep=waited.append)

    with busy(coalescer):
        coalescer.submit(KEY, "a", deadline=10.25, window=1.0, run=Recorder())
        coalescer.submit(KEY, "b", deadline=5.0, window=1.0, run=Recorder())

    assert waited == [0.25, 0.0]


def test_a_lone_invocation_runs_at_once_without_a_window() -> None:
    waited: list[float] = []
    coalescer: Coalescer[str, str] = Coalescer(clock=lambda: 0.0, sleep=waited.append)
    run = Recorder()

    with coalescer.serving():  # only the invocation itself
        joined = coalescer.submit(KEY, "a", deadline=9.0, window=1.0, run=run)
    coalescer.submit(KEY, "b", deadline=9.0, window=1.0, run=run)  # outside any invocation

    assert waited == []
    assert joined.own == "a!"
    assert [items for items, _, _ in run.runs] == [["a"], ["b"]]


def test_the_instance_is_busy_only_while_another_invocation_is_served() -> None:
    waited: list[float] = []
    coalescer: Coalescer[str, str] = Coalescer(clock=lambda: 0.0, sleep=waited.append)

    with coalescer.serving():
        with coalescer.serving():  # a second invocation, e.g. the timer
            coalescer.submit(KEY, "a", deadline=9.0, window=0.1, run=Recorder())
        coalescer.submit(KEY, "b", deadline=9.0, window=0.1, run=Recorder())

    assert waited == [0.1]


def test_an_invocation_that_raised_is_no_longer_counted_as_served() -> None:
    waited: list[float] = []
    coalescer: Coalescer[str, str] = Coalescer(clock=lambda: 0.0, sleep=waited.append)

    with pytest.raises(RuntimeError), coalescer.serving():
        raise RuntimeError("the other invocation failed")
    with coalescer.serving():  # alone again: runs at once
        coalescer.submit(KEY, "a", deadline=9.0, window=0.1, run=Recorder())

    assert waited == []


def test_a_submission_after_the_run_started_opens_a_new_round() -> None:
    coalescer: Coalescer[str, str] = Coalescer(clock=lambda: 0.0, sleep=lambda _s: None)
    run = Recorder()

    first = coalescer.submit(KEY, "a", deadline=9.0, window=1.0, run=run)
    second = coalescer.submit(KEY, "b", deadline=9.0, window=1.0, run=run)

    assert (first.own, second.own) == ("a!", "b!")
    assert [items for items, _, _ in run.runs] == [["a"], ["b"]]


def test_different_keys_never_share_a_run() -> None:
    coalescer: Coalescer[str, str] = Coalescer(clock=lambda: 0.0, sleep=lambda _s: None)
    run = Recorder()

    coalescer.submit(("one.yml", "k"), "a", deadline=9.0, window=1.0, run=run)
    coalescer.submit(("two.yml", "k"), "b", deadline=9.0, window=1.0, run=run)

    assert len(run.runs) == 2


@pytest.mark.parametrize(
    "error",
    [TransientCloudError("ModifySecurityIps", "LockTimeout", "busy"), RuntimeError("a bug")],
)
def test_a_failed_run_fails_every_participant(error: Exception) -> None:
    coalescer = coalescer_gathering(4)

    outcomes = submit_all(coalescer, Recorder(error), 4)

    assert all(isinstance(o, Exception) for o in outcomes)
    assert sum(o is error for o in outcomes) == 1  # the opener re-raises the run's own
    others = [o for o in outcomes if o is not error]
    assert len(others) == 3
    for other in others:
        assert isinstance(other, TransientCloudError)
        assert other.__cause__ is error
        assert "merged into failed" in other.message


@pytest.mark.parametrize(
    ("error", "kept"),
    [
        # a retryable failure: the participant fails with its action and code
        (TransientCloudError("ModifySecurityIps", "LockTimeout", "busy"),
         ("ModifySecurityIps", "LockTimeout")),
        # any other: still retryable for the participant, named by the error's kind
        (PermanentCloudError("DescribeInstances", "Forbidden.RAM", "denied"),
         ("CoalescedRun", "PermanentCloudError")),
    ],
)  # fmt: skip
def test_a_participant_keeps_the_failed_action_and_code(
    error: Exception, kept: tuple[str, str]
) -> None:
    coalescer = coalescer_gathering(2)

    outcomes = submit_all(coalescer, Recorder(error), 2)

    other = next(o for o in outcomes if o is not error)
    assert isinstance(other, TransientCloudError)
    assert (other.action, other.code) == kept


def test_a_participant_whose_deadline_passes_fails_instead_of_waiting() -> None:
    release = threading.Event()
    coalescer = coalescer_gathering(2)

    def slow(items: Sequence[str], deadline: float, labels: Sequence[str]) -> list[str]:
        release.wait(30)
        return [f"{item}!" for item in items]

    with busy(coalescer), ThreadPoolExecutor(max_workers=2) as pool:
        opener = pool.submit(coalescer.submit, KEY, "a", deadline=9.0, window=1.0, run=slow)
        _wait_for(lambda: coalescer.gathering(KEY) == 1)
        # clock 0.0 and deadline 0.0: nothing left to wait for the shared run.
        late = pool.submit(coalescer.submit, KEY, "b", deadline=0.0, window=1.0, run=slow)
        with pytest.raises(TransientCloudError, match="did not finish before its deadline"):
            late.result(30)
        release.set()
        assert opener.result(30).own == "a!"


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(None, DEFAULT_COALESCE_MS / 1000), ("", DEFAULT_COALESCE_MS / 1000), ("0", 0.0),
     ("250", 0.25), (" 20 ", 0.02), ("-5", DEFAULT_COALESCE_MS / 1000),
     ("soon", DEFAULT_COALESCE_MS / 1000)],
)  # fmt: skip
def test_the_window_comes_from_the_environment(value: str | None, seconds: float) -> None:
    environ = {} if value is None else {"WHITELIST_COALESCE_MS": value}
    assert window_seconds(environ) == seconds


HOOK = LifecycleAction("ash-1", "token")


@pytest.mark.parametrize(
    ("intent", "joins"),
    [
        (SyncInstances(("i-1",)), True),
        (SyncInstances(("i-1",), trigger="http"), True),
        (SyncInstances(("i-1",), trigger="ess"), True),
        (SyncInstances(("i-1",), trigger="ess", lifecycle=HOOK), False),
        (SyncInstances(("i-1",), trigger="cli"), False),
        (ReconcileTargets(region="cn-hangzhou", trigger="eventbridge"), True),
        (ReconcileTargets(region="cn-hangzhou", trigger="cloudmonitor"), True),
        (ReconcileTargets(trigger="timer"), False),
        (ReconcileTargets(trigger="http"), False),
        (ReconcileTargets(trigger="cli"), False),
        (ReconcileTargets(region="cn-hangzhou", trigger="ess"), False),
    ],
)
def test_which_items_may_share_a_run(intent: SyncInstances | ReconcileTargets, joins: bool) -> None:
    assert may_join(Item(intent, dry_run=False), config()) is joins
    assert may_join(Item(intent, dry_run=False, account=OWN), config(member=True)) is joins


def test_another_accounts_events_keep_their_own_run() -> None:
    running = SyncInstances(("i-1",))
    assert not may_join(Item(running, dry_run=False, account="prod"), config(member=True))
    assert not may_join(Item(running, dry_run=False), config(member=True))  # not routed


def config(member: bool = False) -> Config:
    target = {"name": "orders", "instance_id": "r-demoorders01", "group": "ecs_orders",
              "selector": {"vpc_id": "vpc-demo01"}}  # fmt: skip
    role = {"role_arn": "acs:ram::2222222222222222:role/whitelist-sync-member"}
    accounts = {"accounts": {"prod": role}} if member else {}
    return validate_config({"version": 1, "region": "cn-hangzhou", "targets": [target], **accounts})
