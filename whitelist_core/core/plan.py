"""The plan: what to do to one target's owned groups, as frozen data (pure).

A plan is data: frozen, deterministically ordered, comparable with ``==`` and
convertible to JSON. The reconciler executes exactly its ``steps`` (room first, so no
group overflows and none is ever empty). ``planner`` makes plans; this module holds the
values and the entry order they are sorted in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from whitelist_core.core.entries import MAX_ENTRIES_PER_GROUP, quad_number, sort_key
from whitelist_core.core.placement import Layout, group_writes
from whitelist_core.core.values import frozen
from whitelist_core.core.writes import GroupWrite, Step, write_steps
from whitelist_core.ports import Group


# Made by the ten thousand in planning: the standard library's compiled __init__ is
# twice as fast as frozen's (BENCHMARKS.md, figure 4) and worth its 0.5 ms at import.
@dataclass(frozen=True)
class Change:
    """One entry to add, remove, keep, move or drop, why, and the owned group it is in
    (for a move: the group it goes to; ``from_group`` the one it leaves)."""

    entry: str
    reason: str
    instance_id: str = ""
    instance_name: str = ""
    group: str = ""
    from_group: str = ""

    def to_dict(self) -> dict[str, str]:
        """JSON-ready form (empty fields left out)."""
        fields = {
            "instance_id": self.instance_id,
            "instance_name": self.instance_name,
            "group": self.group,
            "from": self.from_group,
        }
        return {"entry": self.entry, "reason": self.reason} | {k: v for k, v in fields.items() if v}


@frozen
class TargetPlan:
    """What to do to one target's owned groups. ``current`` is every entry they hold
    before (each once), ``held`` the owned groups as read.

    ``add`` and ``remove`` are entries entering and leaving the target; ``move`` entries
    leaving a draining group for another owned group; ``drop`` extra copies of an entry
    another owned group keeps. ``unplaced`` are wanted entries no group had room for.
    """

    target: str
    region: str
    instance_id: str
    group: str
    attribute: str
    current: tuple[str, ...] = ()
    add: tuple[Change, ...] = ()
    remove: tuple[Change, ...] = ()
    keep: tuple[Change, ...] = ()
    blocked: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    held: tuple[Group, ...] = ()
    owned: tuple[str, ...] = ()
    drain: int = 0
    capacity: int = MAX_ENTRIES_PER_GROUP
    move: tuple[Change, ...] = ()
    drop: tuple[Change, ...] = ()
    unplaced: tuple[str, ...] = ()
    add_only: bool = False
    pending: tuple[Change, ...] = ()
    """The changes ``unplaced`` would have been (kept so that placing again keeps them)."""
    held_back: tuple[Change, ...] = ()
    """Removals a removal limit held back, each with the limit's reason (not removed)."""
    shared: int = 0
    """Entries the instance's other groups hold that count against this target's room
    (RDS/PolarDB: 1000 per instance, all groups together); 0 where each group has its own."""
    near_capacity: bool = False
    """Policy found the target past ``capacity_warn_percent`` once the plan is applied."""

    @property
    def layout(self) -> Layout:
        """The owned groups in fill order and what each holds now."""
        names = self.owned or (self.group,)
        contents = {g.name: g.entries for g in self.held}
        if not self.held and self.current:  # a plan written out by hand: one group
            contents = {names[0]: self.current}
        others = {g.name: len(g.unparsed) for g in self.held}
        return Layout(
            names, tuple(contents.get(n, ()) for n in names), self.drain, self.capacity,
            tuple(others.get(n, 0) for n in names),
        )  # fmt: skip

    @property
    def writes(self) -> tuple[GroupWrite, ...]:
        """Per owned group: what it gains, what leaves to make room, what leaves last."""
        first = (self.owned or (self.group,))[0]

        def pairs(changes: Iterable[Change], source: bool = False) -> list[tuple[str, str]]:
            return [(c.entry, (c.from_group if source else c.group) or first) for c in changes]

        incoming = pairs((*self.add, *self.move))
        return group_writes(
            self.layout, incoming, pairs((*self.remove, *self.drop)), pairs(self.move, True)
        )

    @property
    def steps(self) -> tuple[Step, ...]:
        """The writes in order: room first, never over capacity, never an empty group."""
        return write_steps(self.writes)

    def group_after(self) -> dict[str, tuple[str, ...]]:
        """Each owned group's content once the plan is applied (absent groups: ``()``)."""
        after = {}
        for write in self.writes:
            going = {*write.early, *write.late}
            kept = [e for e in write.current if e not in going]
            after[write.group] = ordered_entries([*kept, *write.incoming])
        return after

    @property
    def after(self) -> tuple[str, ...]:
        """Every entry the owned groups hold once the plan is applied, in numeric order."""
        if not self.move and not self.drop and len(self.owned) <= 1:
            removed = {c.entry for c in self.remove}
            kept = [e for e in self.current if e not in removed]
            return ordered_entries([*kept, *(c.entry for c in self.add)])
        return ordered_entries(e for entries in self.group_after().values() for e in entries)

    @property
    def size_after(self) -> int:
        """``len(self.after)``: the target's entries, each counted once."""
        current = set(self.current)
        removed = {c.entry for c in self.remove if c.entry in current}
        return len(current) - len(removed) + len({c.entry for c in self.add} - current)

    @property
    def fill(self) -> tuple[int, int]:
        """``(entries, limit)`` once the plan is applied: the target's entries against what
        its filling groups may hold; on RDS/PolarDB the instance's, all groups together."""
        limit = len(self.layout.filling) * self.capacity
        return self.size_after + self.shared, limit + self.shared

    @property
    def changed(self) -> bool:
        """True when applying the plan writes anything."""
        return bool(self.add or self.remove or self.move or self.drop)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, as used in results and ``plan --json``."""
        return {
            "target": self.target,
            "region": self.region,
            "instance_id": self.instance_id,
            "group": self.group,
            "added": [c.entry for c in self.add],
            "removed": [c.entry for c in self.remove],
            "kept": len(self.keep),
            "entries_before": len(self.current),
            "entries_after": self.size_after,
            "held_back": [c.to_dict() for c in self.held_back],
            "blocked": list(self.blocked),
            "warnings": list(self.warnings),
            "changes": [c.to_dict() | {"op": "add"} for c in self.add]
            + [c.to_dict() | {"op": "remove"} for c in self.remove]
            + [c.to_dict() | {"op": "move"} for c in self.move]
            + [c.to_dict() | {"op": "drop"} for c in self.drop],
        } | self._spill_over_dict()

    def _spill_over_dict(self) -> dict[str, Any]:
        if len(self.owned) <= 1 and not self.unplaced:
            return {}
        layout, after = self.layout, self.group_after()
        draining = set(layout.groups) - set(layout.filling)
        groups = [
            {"group": g, "before": len(held), "after": len(after[g]), "draining": g in draining}
            for g, held in zip(layout.groups, layout.held, strict=True)
        ]
        moved = [c.entry for c in self.move]
        return {"groups": groups, "moved": moved, "unplaced": list(self.unplaced)}


@lru_cache(maxsize=1 << 17)  # a 100,000-host desired set fits (a smaller cache thrashes)
def entry_key(entry: str) -> tuple[int, int]:
    """``sort_key``, remembered per entry (plans sort the same entries over and over) and
    computed without ``ipaddress`` for a plain dotted quad; anything else goes to
    ``sort_key`` itself, so results and errors are the same."""
    address, _, prefix = entry.partition("/")
    number = quad_number(address)
    if number is None:
        return sort_key(entry)
    return number, int(prefix) if prefix else 32


def sort_changes(changes: Iterable[Change]) -> tuple[Change, ...]:
    """The changes in the numeric order of their entries."""
    return tuple(sorted(changes, key=lambda c: entry_key(c.entry)))


def ordered_entries(entries: Iterable[str]) -> tuple[str, ...]:
    """The distinct entries, in numeric order."""
    return tuple(sorted(set(entries), key=entry_key))
