"""The planner: desired vs current entries of one owned group -> a plan (pure).

A plan is data: frozen, deterministically ordered, comparable with ``==`` and
convertible to JSON. ``enforce`` folds policy violations into it; the reconciler then
executes exactly what it says (additions first, so a group is never empty).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from .entries import MAX_ENTRIES_PER_GROUP, PLACEHOLDER, quad_number, sort_key
from .ports import Group
from .selection import Source
from .violations import Violation


@dataclass(frozen=True)
class Change:
    """One entry to add, remove or keep, and why."""

    entry: str
    reason: str
    instance_id: str = ""
    instance_name: str = ""

    def to_dict(self) -> dict[str, str]:
        """JSON-ready form (empty fields left out)."""
        fields = {"instance_id": self.instance_id, "instance_name": self.instance_name}
        return {"entry": self.entry, "reason": self.reason} | {k: v for k, v in fields.items() if v}


@dataclass(frozen=True)
class TargetPlan:
    """What to do to one target's group. ``current`` is the group's content before."""

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

    @property
    def after(self) -> tuple[str, ...]:
        """The group's content once the plan is applied, in numeric order."""
        removed = {c.entry for c in self.remove}
        kept = [e for e in self.current if e not in removed]
        return _ordered([*kept, *(c.entry for c in self.add)])

    @property
    def size_after(self) -> int:
        """``len(self.after)`` without building it (additions are never already present)."""
        current = set(self.current)
        removed = sum(1 for c in self.remove if c.entry in current)
        return len(current) - removed + sum(1 for c in self.add if c.entry not in current)

    @property
    def changed(self) -> bool:
        """True when applying the plan writes anything."""
        return bool(self.add or self.remove)

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
            "blocked": list(self.blocked),
            "warnings": list(self.warnings),
            "changes": [c.to_dict() | {"op": "add"} for c in self.add]
            + [c.to_dict() | {"op": "remove"} for c in self.remove],
        }


@dataclass(frozen=True)
class Owner:
    """Where a target's group lives: the target's name, region, instance, group, attribute."""

    target: str
    region: str
    instance_id: str
    group: str
    attribute: str


def plan_target(owner: Owner, group: Group | None, desired: Mapping[str, Source]) -> TargetPlan:
    """Full convergence: add what is missing, remove what no source holds.

    An empty ``desired`` plans the ``127.0.0.1`` placeholder instead of an empty group.
    """
    blank = _blank(owner, group)
    if refusal := _refusal(owner, group, desired):
        return replace(blank, blocked=(refusal,))
    wanted = _with_placeholder(desired)
    current = set(blank.current)
    add = [_change(e, wanted[e]) for e in wanted if e not in current]
    # ``blank.current`` is already in order, so removals and kept entries need no sort.
    remove = tuple(_stale(e) for e in blank.current if e not in wanted)
    keep = tuple(_change(e, wanted[e]) for e in blank.current if e in wanted)
    return replace(blank, add=_sort(add), remove=remove, keep=keep)


def plan_additions(owner: Owner, group: Group | None, desired: Mapping[str, Source]) -> TargetPlan:
    """Add-only: the entries of newly seen instances that the group lacks; removes nothing."""
    blank = _blank(owner, group)
    current = set(blank.current)
    if refusal := _refusal(owner, group, {**dict.fromkeys(current, Source()), **desired}):
        return replace(blank, blocked=(refusal,))
    add = [_change(e, s) for e, s in desired.items() if e not in current]
    keep = [_change(e, s) for e, s in desired.items() if e in current]
    return replace(blank, add=_sort(add), keep=_sort(keep))


def enforce(plan: TargetPlan, violations: Iterable[Violation]) -> TargetPlan:
    """Fold policy violations into the plan: blocked entries are not added; a blocked
    removal limit removes nothing; and the group is never left empty."""
    violations = tuple(violations)
    blocked = {v.entry for v in violations if v.severity == "block" and v.scope == "add"}
    stop_removals = any(v.severity == "block" and v.scope == "remove" for v in violations)
    enforced = replace(
        plan,
        add=tuple(c for c in plan.add if c.entry not in blocked),
        remove=() if stop_removals else plan.remove,
        blocked=plan.blocked + tuple(v.message for v in violations if v.severity == "block"),
        warnings=plan.warnings + tuple(v.message for v in violations if v.severity == "warn"),
    )
    return _never_empty(enforced)


def _never_empty(plan: TargetPlan) -> TargetPlan:
    if plan.size_after or not plan.changed:  # writing nothing cannot empty a group
        return plan
    if PLACEHOLDER in plan.current:
        return replace(plan, remove=tuple(c for c in plan.remove if c.entry != PLACEHOLDER))
    placeholder = Change(PLACEHOLDER, "placeholder: the group may not be empty")
    return replace(plan, add=_sort((*plan.add, placeholder)))


def _blank(owner: Owner, group: Group | None) -> TargetPlan:
    current = _ordered(group.entries) if group else ()
    return TargetPlan(
        owner.target, owner.region, owner.instance_id, owner.group, owner.attribute, current
    )


def _refusal(owner: Owner, group: Group | None, desired: Mapping[str, Source]) -> str | None:
    if group is not None and group.attribute == "hidden" and owner.attribute != "hidden":
        return (
            f"group {owner.group!r} exists as a hidden group but the target is not declared "
            "hidden: it may belong to a service, so it is left untouched"
        )
    if len(desired) > MAX_ENTRIES_PER_GROUP:
        return (
            f"{len(desired)} entries wanted but a group holds at most {MAX_ENTRIES_PER_GROUP}: "
            "narrow the selector or split the target; nothing written"
        )
    return None


def _with_placeholder(desired: Mapping[str, Source]) -> Mapping[str, Source | None]:
    return desired if desired else {PLACEHOLDER: None}


def _change(entry: str, source: Source | None) -> Change:
    if source is None:
        return Change(entry, "placeholder: nothing is selected")
    return Change(entry, source.reason, source.instance_id, source.instance_name)


def _stale(entry: str) -> Change:
    if entry == PLACEHOLDER:
        return Change(entry, "placeholder no longer needed")
    return Change(entry, "stale: no selected instance holds it and it is not static")


@lru_cache(maxsize=65536)
def _key(entry: str) -> tuple[int, int]:
    """``sort_key``, remembered per entry (plans sort the same entries over and over) and
    computed without ``ipaddress`` for a plain dotted quad; anything else goes to
    ``sort_key`` itself, so results and errors are the same."""
    address, _, prefix = entry.partition("/")
    number = quad_number(address)
    if number is None:
        return sort_key(entry)
    return number, int(prefix) if prefix else 32


def _sort(changes: Iterable[Change]) -> tuple[Change, ...]:
    return tuple(sorted(changes, key=lambda c: _key(c.entry)))


def _ordered(entries: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(entries), key=_key))
