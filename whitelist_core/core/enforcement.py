"""Folding policy into a plan: blocked entries, held-back removals, kept entries (pure).

Policy says what a plan may not do (``violations``); ``enforce`` makes the plan obey,
and ``retain`` keeps planned removals the reconciler found still in use. Both place the
plan again, so the room that a removal held back would have made is never counted on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from whitelist_core.core.changes import FILLER, cleared, place_changes
from whitelist_core.core.entries import PLACEHOLDER
from whitelist_core.core.plan import Change, TargetPlan
from whitelist_core.core.violations import Violation


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
        plan = place_changes(cleared(plan, add_only=plan.add_only or bool(limits)), wanted, FILLER)
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
    replanned = place_changes(cleared(plan), changes)
    extra = tuple(b for b in replanned.blocked if b not in plan.blocked)
    return replace(
        replanned, blocked=plan.blocked + extra, warnings=plan.warnings + tuple(kept.values())
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
