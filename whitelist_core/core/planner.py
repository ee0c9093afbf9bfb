"""The planner: desired vs current entries of a target's owned groups -> a plan (pure).

A plan is data (``plan``): frozen, deterministically ordered, comparable with ``==``
and convertible to JSON. Which owned group each entry goes to is ``placement``'s
decision, turned into changes by ``planning``; ``enforce`` (``enforcement``) folds policy
violations into the plan; the reconciler then executes exactly its ``steps`` (room
first, so no group overflows and none is ever empty). Every name other modules use is
importable from here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from whitelist_core.core.changes import place_changes
from whitelist_core.core.enforcement import enforce, retain
from whitelist_core.core.entries import MAX_ENTRIES_PER_GROUP, PLACEHOLDER
from whitelist_core.core.placement import MAX_GROUPS, owned_groups
from whitelist_core.core.plan import Change, TargetPlan, ordered_entries
from whitelist_core.core.selection import Source
from whitelist_core.core.values import frozen
from whitelist_core.core.writes import Step
from whitelist_core.ports import Group

__all__ = [
    "Change",
    "Held",
    "Owner",
    "TargetPlan",
    "applied_part",
    "enforce",
    "plan_additions",
    "plan_target",
    "retain",
    "retried",
]


@frozen
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
    return place_changes(blank, desired)


def plan_additions(owner: Owner, held: Held, desired: Mapping[str, Source]) -> TargetPlan:
    """Add-only: the entries of newly seen instances that the groups lack; removes nothing."""
    blank = replace(_blank(owner, held), add_only=True)
    if refusal := _refusal(owner, blank):
        return replace(blank, blocked=(refusal,))
    return place_changes(blank, desired)


def applied_part(plan: TargetPlan, done: Iterable[Step]) -> TargetPlan:
    """The part of ``plan`` that these executed steps carried out (for a write that failed
    halfway: the result and the audit name only what really happened)."""
    executed = {(s.mode, s.group, e) for s in done for e in s.entries}
    executed |= {("Append", s.group, e) for s in done if s.mode == "Cover" for e in s.entries}
    executed |= {("Delete", s.group, e) for s in done if s.mode == "Cover" for e in s.replaces}
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


def _blank(owner: Owner, held: Held) -> TargetPlan:
    groups = owner.groups
    given = [held] if isinstance(held, Group) else list(held or ())
    owned = sorted((g for g in given if g.name in groups), key=lambda g: groups.index(g.name))
    ordered = tuple(replace(g, entries=ordered_entries(g.entries)) for g in owned)
    if len(ordered) == 1:
        current = ordered[0].entries
    else:
        current = ordered_entries(e for g in ordered for e in g.entries)
    return TargetPlan(
        owner.target, owner.region, owner.instance_id, owner.group, owner.attribute, current,
        held=ordered, owned=groups, drain=owner.drain_groups, capacity=owner.capacity,
        warnings=_given_up(owner, given) + _unparsed(ordered),
    )  # fmt: skip


def _unparsed(owned: Sequence[Group]) -> tuple[str, ...]:
    """A note for each owned group holding entries this function cannot parse: they take
    room (placement counts them), are never written, and are left where they are."""
    return tuple(
        f"group {g.name!r} holds {len(g.unparsed)} entries this function cannot parse "
        f"({', '.join(g.unparsed[:5])}{', ...' if len(g.unparsed) > 5 else ''}): they take "
        "room and are left as they are; remove them by hand if nobody needs them"
        for g in owned
        if g.unparsed
    )


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
