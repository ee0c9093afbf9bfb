"""The planner: desired vs current entries of a target's owned groups -> a plan (pure).

A plan is data: frozen, deterministically ordered, comparable with ``==`` and
convertible to JSON. Which owned group each entry goes to is ``placement``'s decision;
``enforce`` folds policy violations into the plan; the reconciler then executes exactly
its ``steps`` (room first, so no group overflows and none is ever empty).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from .entries import MAX_ENTRIES_PER_GROUP, PLACEHOLDER, quad_number, sort_key
from .placement import (
    MAX_GROUPS,
    GroupWrite,
    Layout,
    Step,
    group_writes,
    owned_groups,
    place,
    write_steps,
)
from .ports import Group
from .selection import Source
from .violations import Violation


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


@dataclass(frozen=True)
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

    @property
    def layout(self) -> Layout:
        """The owned groups in fill order and what each holds now."""
        names = self.owned or (self.group,)
        contents = {g.name: g.entries for g in self.held}
        if not self.held and self.current:  # a plan written out by hand: one group
            contents = {names[0]: self.current}
        return Layout(names, tuple(contents.get(n, ()) for n in names), self.drain, self.capacity)

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
            after[write.group] = _ordered([*kept, *write.incoming])
        return after

    @property
    def after(self) -> tuple[str, ...]:
        """Every entry the owned groups hold once the plan is applied, in numeric order."""
        if not self.move and not self.drop and len(self.owned) <= 1:
            removed = {c.entry for c in self.remove}
            kept = [e for e in self.current if e not in removed]
            return _ordered([*kept, *(c.entry for c in self.add)])
        return _ordered(e for entries in self.group_after().values() for e in entries)

    @property
    def size_after(self) -> int:
        """``len(self.after)``: the target's entries, each counted once."""
        current = set(self.current)
        removed = {c.entry for c in self.remove if c.entry in current}
        return len(current) - len(removed) + len({c.entry for c in self.add} - current)

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


@dataclass(frozen=True)
class Owner:
    """Where a target's groups live: the target's name, region, instance, first group,
    attribute, and how many groups it owns (the last ``drain_groups`` being emptied)."""

    target: str
    region: str
    instance_id: str
    group: str
    attribute: str
    max_groups: int = 1
    drain_groups: int = 0
    capacity: int = MAX_ENTRIES_PER_GROUP

    @property
    def groups(self) -> tuple[str, ...]:
        """The owned group names, in fill order."""
        return owned_groups(self.group, self.max_groups)


Held = Group | Sequence[Group] | None
"""What the planner is given: the instance's groups (only owned ones are looked at)."""


def plan_target(owner: Owner, held: Held, desired: Mapping[str, Source]) -> TargetPlan:
    """Full convergence: add what is missing, remove what no source holds.

    An empty ``desired`` plans the ``127.0.0.1`` placeholder instead of an empty group.
    """
    blank = _blank(owner, held)
    if refusal := _refusal(owner, blank):
        return replace(blank, blocked=(refusal,))
    return _placed(blank, desired)


def plan_additions(owner: Owner, held: Held, desired: Mapping[str, Source]) -> TargetPlan:
    """Add-only: the entries of newly seen instances that the groups lack; removes nothing."""
    blank = replace(_blank(owner, held), add_only=True)
    if refusal := _refusal(owner, blank):
        return replace(blank, blocked=(refusal,))
    return _placed(blank, desired)


def enforce(plan: TargetPlan, violations: Iterable[Violation]) -> TargetPlan:
    """Fold policy violations into the plan: blocked entries are not added; a blocked
    removal limit removes nothing; placement is redone without them, so the room the
    held-back removals would have made is not counted on and no group is left empty."""
    violations = tuple(violations)
    blocked = {v.entry for v in violations if v.severity == "block" and v.scope == "add"}
    limits = [v.message for v in violations if v.severity == "block" and v.scope == "remove"]
    reason = "; ".join(limits)
    leaving = {c.entry: c for c in plan.remove if c.entry != PLACEHOLDER}  # once per entry
    held_back = tuple(replace(c, reason=reason, group="") for c in leaving.values())
    if (blocked or limits) and plan.changed:
        changes = {c.entry: c for c in (*plan.keep, *plan.add, *plan.move, *plan.pending)}
        wanted = {e: c for e, c in changes.items() if e not in blocked and e != PLACEHOLDER}
        plan = _placed(_cleared(plan, add_only=plan.add_only or bool(limits)), wanted, _FILLER)
        plan = _nothing_created_for_nothing(plan)
    return replace(
        plan,
        held_back=plan.held_back + (held_back if limits else ()),
        blocked=plan.blocked + tuple(v.message for v in violations if v.severity == "block"),
        warnings=plan.warnings + tuple(v.message for v in violations if v.severity == "warn"),
    )


def retain(plan: TargetPlan, kept: Mapping[str, str]) -> TargetPlan:
    """The plan with these planned removals kept instead (entry -> why), re-placed so the
    room they take is not promised to additions."""
    if not kept:
        return plan
    placed = (*plan.keep, *plan.add, *plan.move, *plan.pending)
    changes = {c.entry: c for c in placed if c.entry != PLACEHOLDER}
    changes |= {e: Change(e, why) for e, why in kept.items()}
    replanned = _placed(_cleared(plan), changes)
    extra = tuple(b for b in replanned.blocked if b not in plan.blocked)
    return replace(
        replanned, blocked=plan.blocked + extra, warnings=plan.warnings + tuple(kept.values())
    )


def applied_part(plan: TargetPlan, done: Iterable[Step]) -> TargetPlan:
    """The part of ``plan`` that these executed steps carried out (for a write that failed
    halfway: the result and the audit name only what really happened)."""
    executed = {(s.mode, s.group, e) for s in done for e in s.entries}
    first = (plan.owned or (plan.group,))[0]

    def did(mode: str, changes: Iterable[Change]) -> tuple[Change, ...]:
        return tuple(c for c in changes if (mode, c.group or first, c.entry) in executed)

    return replace(
        plan,
        add=did("Append", plan.add),
        remove=did("Delete", plan.remove),
        move=did("Append", plan.move),
        drop=did("Delete", plan.drop),
    )


def retried(earlier: TargetPlan, later: TargetPlan) -> TargetPlan:
    """What two attempts did together: the part of the first plan that was applied before
    a quota refusal, then the plan made after reading again."""
    note = "re-planned after a quota refusal: another run filled a group after it was read"
    return replace(
        later,
        current=earlier.current,
        add=earlier.add + later.add,
        remove=earlier.remove + later.remove,
        move=earlier.move + later.move,
        drop=earlier.drop + later.drop,
        warnings=(*later.warnings, note),
    )


def _nothing_created_for_nothing(plan: TargetPlan) -> TargetPlan:
    """When policy blocked everything new, no group is created just for a placeholder."""
    present = {g.name for g in plan.held}
    first = (plan.owned or (plan.group,))[0]
    only_filler = all(
        c.entry == PLACEHOLDER and (c.group or first) not in present for c in plan.add
    )
    if only_filler and not (plan.remove or plan.move or plan.drop):
        return replace(plan, add=())
    return plan


def _cleared(plan: TargetPlan, *, add_only: bool | None = None) -> TargetPlan:
    """The plan before placement: no changes, and none of placement's own reasons (placing
    again states them afresh)."""
    empty = replace(plan, add=(), remove=(), keep=(), move=(), drop=(), unplaced=(), pending=())
    return replace(
        empty,
        add_only=plan.add_only if add_only is None else add_only,
        blocked=tuple(b for b in plan.blocked if not b.startswith(_CAPACITY)),
        warnings=tuple(w for w in plan.warnings if not w.startswith(_DRAIN)),
    )


def _placed(
    blank: TargetPlan, wanted: Mapping[str, Source] | Mapping[str, Change], filler: str = ""
) -> TargetPlan:
    """Place ``wanted`` across the owned groups and turn the placement into changes."""
    layout = blank.layout
    held = set(blank.current)
    # Only new entries need an order (placement puts them in it); held ones stay put.
    order = [e for e in wanted if e in held] + sorted(
        (e for e in wanted if e not in held), key=_key
    )
    placement = place(layout, order, remove_stale=not blank.add_only)
    filler = filler or ("placeholder: nothing is selected" if not wanted else _FILLER)
    add = [_in(e, wanted[e], g) for e, g in placement.add]
    add += [Change(PLACEHOLDER, filler, group=g) for g in placement.placeholder]
    remove = [_stale(e, g) for e, g in placement.remove]
    gone = "placeholder no longer needed"
    remove += [Change(PLACEHOLDER, gone, group=g) for g in placement.unplaceholder]
    keep = [_in(e, wanted[e], g) for e, g in placement.keep if e in wanted]
    filled = {g for _, g in (*placement.keep, *placement.add)} | {t for _, t, _ in placement.move}
    for name, content in zip(layout.groups, layout.held, strict=True):
        if PLACEHOLDER in content and name not in filled:
            keep.append(Change(PLACEHOLDER, filler, group=name))
    move = [_in(e, wanted[e], to, src) for e, to, src in placement.move]
    drop = [Change(e, f"duplicate: {home} holds it too", group=g) for e, g, home in placement.drop]
    return replace(
        blank,
        add=_sort(add) if placement.placeholder else tuple(add),  # already in numeric order
        remove=tuple(sorted(remove, key=lambda c: _key(c.entry))),
        keep=tuple(keep),
        move=tuple(move),
        drop=tuple(drop),
        unplaced=placement.unplaced,
        pending=tuple(_in(e, wanted[e], "") for e in placement.unplaced),
        blocked=blank.blocked + _capacity_reasons(layout, placement.unplaced),
        warnings=blank.warnings + _drain_notes(layout, placement.unmoved),
    )


_FILLER = "placeholder: the group may not be empty"
_CAPACITY = "capacity: "
_DRAIN = "drain: "


def _capacity_reasons(layout: Layout, unplaced: Sequence[str]) -> tuple[str, ...]:
    if not unplaced:
        return ()
    count, groups = len(unplaced), len(layout.filling)
    sample = ", ".join(unplaced[:5]) + (", ..." if count > 5 else "")
    return (
        f"{_CAPACITY}{count} entries not added ({sample}): {groups} group(s) of "
        f"{layout.capacity} hold at most {groups * layout.capacity} and everything already "
        "whitelisted stays; raise max_groups or narrow the selector",
    )


def _drain_notes(layout: Layout, unmoved: Sequence[str]) -> tuple[str, ...]:
    if not unmoved:
        return ()
    draining = ", ".join(layout.groups[len(layout.filling) :])
    return (
        f"{_DRAIN}{len(unmoved)} entries stay in {draining} for now: the other groups are "
        "full (they stay whitelisted; do not lower max_groups yet)",
    )


def _blank(owner: Owner, held: Held) -> TargetPlan:
    groups = owner.groups
    given = [held] if isinstance(held, Group) else list(held or ())
    owned = sorted((g for g in given if g.name in groups), key=lambda g: groups.index(g.name))
    ordered = tuple(replace(g, entries=_ordered(g.entries)) for g in owned)
    if len(ordered) == 1:
        current = ordered[0].entries
    else:
        current = _ordered(e for g in ordered for e in g.entries)
    return TargetPlan(
        owner.target, owner.region, owner.instance_id, owner.group, owner.attribute, current,
        held=ordered, owned=groups, drain=owner.drain_groups, capacity=owner.capacity,
        warnings=_given_up(owner, given),
    )  # fmt: skip


def _given_up(owner: Owner, given: Sequence[Group]) -> tuple[str, ...]:
    """A note for each group named like a spill-over group past ``max_groups`` that still
    holds entries: most likely one the target owned before its ``max_groups`` was lowered
    without draining it. It is not owned, so it is only reported."""
    past = set(owned_groups(owner.group, MAX_GROUPS)) - set(owner.groups)
    return tuple(
        f"group {g.name!r} holds {len(g.entries)} entries but is past max_groups="
        f"{owner.max_groups}: no longer owned, so left untouched; to empty it, raise "
        "max_groups again with drain_groups (see docs/operations.md)"
        for g in given
        if g.name in past and any(e != PLACEHOLDER for e in g.entries)
    )


def _refusal(owner: Owner, blank: TargetPlan) -> str | None:
    hidden = [g.name for g in blank.held if g.attribute == "hidden"]
    if hidden and owner.attribute != "hidden":
        return (
            f"group {hidden[0]!r} exists as a hidden group but the target is not declared "
            "hidden: it may belong to a service, so it is left untouched"
        )
    return None


def _in(entry: str, origin: Source | Change, group: str, from_group: str = "") -> Change:
    """The change for ``entry`` placed in ``group``, from its source or an earlier change
    (built directly, once per entry: plans hold thousands)."""
    return Change(entry, origin.reason, origin.instance_id, origin.instance_name, group, from_group)


def _stale(entry: str, group: str) -> Change:
    return Change(entry, "stale: no selected instance holds it and it is not static", group=group)


@lru_cache(maxsize=1 << 17)  # a 100,000-host desired set fits (a smaller cache thrashes)
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
