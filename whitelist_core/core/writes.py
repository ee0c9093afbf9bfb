"""The writes to a target's owned groups, and the order they go in (pure).

``write_steps`` orders the writes so that no group ever passes its capacity and none is
ever empty: room is made first (deletes), then entries are added, then copies that were
moved are deleted, then a group that ends empty gets the ``127.0.0.1`` placeholder, and
only then is its last entry deleted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from whitelist_core.core.entries import PLACEHOLDER

Mode = Literal["Append", "Delete"]


@dataclass(frozen=True)
class Step:
    """One write: ``mode`` the ``entries`` of ``group``."""

    group: str
    mode: Mode
    entries: tuple[str, ...]


@dataclass(frozen=True)
class GroupWrite:
    """What changes in one group: ``early`` deletions make room, ``incoming`` is added,
    ``late`` deletions wait for the entries' new homes (moves)."""

    group: str
    current: tuple[str, ...]
    incoming: tuple[str, ...] = ()
    early: tuple[str, ...] = ()
    late: tuple[str, ...] = ()


def write_steps(writes: Sequence[GroupWrite]) -> tuple[Step, ...]:
    """The writes in the order that keeps every group within capacity and never empty."""
    phases: list[list[Step]] = [[] for _ in range(5)]
    for write in writes:
        for phase, mode, entries in _group_steps(write):
            if entries:
                phases[phase].append(Step(write.group, mode, entries))
    return tuple(step for phase in phases for step in phase)


def _group_steps(write: GroupWrite) -> list[tuple[int, Mode, tuple[str, ...]]]:
    early, late = list(write.early), list(write.late)
    going = set(early) | set(late)
    last: tuple[str, ...] = ()
    if write.current and all(e in going for e in write.current):
        # Everything there now leaves: one entry stays until the group holds its successors.
        last = ((late or early).pop(),)
    placeholder = tuple(e for e in write.incoming if e == PLACEHOLDER)
    incoming = tuple(e for e in write.incoming if e != PLACEHOLDER)
    return [
        (0, "Delete", tuple(early)),
        (1, "Append", incoming),
        (2, "Delete", tuple(late)),
        (3, "Append", placeholder),
        (4, "Delete", last),
    ]
