"""The writes to a target's owned groups, and the order they go in (pure).

``write_steps`` orders the writes so that no group ever passes its capacity and none is
ever empty: room is made first (deletes), then entries are added, then copies that were
moved are deleted, then a group that ends empty gets the ``127.0.0.1`` placeholder, and
only then is its last entry deleted.

A group whose entries all leave keeps its last one until a successor is in; when the
successors need that last place too (a group at exactly its capacity, or the placeholder
of a fresh group), what fits goes in first, then the last entry leaves, then the rest
comes. Only a group with no place at all beside its last entry (a per-instance cap left
it one) swaps it for its successors in one ``Cover``: no ``Append`` of anyone can land
there meanwhile, so the ``Cover`` overwrites nobody's work.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from whitelist_core.core.entries import MAX_ENTRIES_PER_GROUP, PLACEHOLDER
from whitelist_core.core.values import frozen

Mode = Literal["Append", "Delete", "Cover"]


@frozen
class Step:
    """One write: ``mode`` the ``entries`` of ``group``. A ``Cover`` makes ``entries``
    the whole group, replacing ``replaces`` (what it held)."""

    group: str
    mode: Mode
    entries: tuple[str, ...]
    replaces: tuple[str, ...] = ()


@frozen
class GroupWrite:
    """What changes in one group: ``early`` deletions make room, ``incoming`` is added,
    ``late`` deletions wait for the entries' new homes (moves). ``capacity``: the most
    the group may hold at any moment."""

    group: str
    current: tuple[str, ...]
    incoming: tuple[str, ...] = ()
    early: tuple[str, ...] = ()
    late: tuple[str, ...] = ()
    capacity: int = MAX_ENTRIES_PER_GROUP
    unparsed: int = 0
    """Entries the group holds besides ``current`` (unparsed): they stay and take room."""


_PHASES = 7


def write_steps(writes: Sequence[GroupWrite]) -> tuple[Step, ...]:
    """The writes in the order that keeps every group within capacity and never empty."""
    phases: list[list[Step]] = [[] for _ in range(_PHASES)]
    for write in writes:
        for phase, step in _group_steps(write):
            if step.entries:
                phases[phase].append(step)
    return tuple(step for phase in phases for step in phase)


def _group_steps(write: GroupWrite) -> list[tuple[int, Step]]:
    early, late = list(write.early), list(write.late)
    going = set(early) | set(late)
    last: tuple[str, ...] = ()
    if write.current and not write.unparsed and all(e in going for e in write.current):
        # Everything there now leaves: one entry stays until the group holds its successors.
        last = ((late or early).pop(),)
    placeholder = tuple(e for e in write.incoming if e == PLACEHOLDER)
    incoming = tuple(e for e in write.incoming if e != PLACEHOLDER)
    fits = max(0, write.capacity - write.unparsed - (len(write.current) - len(early)))
    first, rest = incoming[:fits], incoming[fits:]
    name = write.group
    steps = [(0, Step(name, "Delete", tuple(early))), (1, Step(name, "Append", first))]
    if rest and not first:  # no place beside the last entry: swap it in one write
        steps.append((3, Step(name, "Cover", rest, replaces=(*late, *last))))
        return steps
    if rest:  # the last entry makes the room the rest needs
        steps += [(2, Step(name, "Delete", last)), (3, Step(name, "Append", rest))]
        last = ()
    return [
        *steps,
        (4, Step(name, "Delete", tuple(late))),
        (5, Step(name, "Append", placeholder)),
        (6, Step(name, "Delete", last)),
    ]
