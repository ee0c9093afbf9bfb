"""A saved plan is a request, not an authority: the checks every step of it must pass
against the configuration and the policy before ``apply PLANFILE`` writes anything.

A live run only ever plans for the instance and groups a target owns, only adds entries
the policy lets through and only removes within the removal limits; a saved plan is held
to the same, field by field, because the file may have been edited (and sealed again)
after review. ``refusals`` says every reason a plan may not be applied (empty: it may).
The re-check of removals against ECS and the drift check of the groups are in ``replay``.
"""

from __future__ import annotations

from collections.abc import Iterable

from whitelist_core.config import Config, Target
from whitelist_core.core.entries import PLACEHOLDER, parse_entry
from whitelist_core.core.plan import Change, TargetPlan
from whitelist_core.core.policy import entry_violations, removal_violations
from whitelist_core.errors import WhitelistError


def refusals(plan: TargetPlan, target: Target, config: Config) -> list[str]:
    """Why ``plan`` is not one a live run of ``target`` could have made (empty: it is)."""
    name = plan.target
    problems = [f"{name}: {why}" for why in _ownership(plan, target, config)]
    changes = (*plan.add, *plan.remove, *plan.keep, *plan.move, *plan.drop, *plan.pending)
    problems += [f"{name}: {why}" for why in _groups(changes, plan, target)]
    problems += [f"{name}: {why}" for why in _entries(changes)]
    incoming = {c.entry for c in (*plan.add, *plan.move)} - {PLACEHOLDER}
    problems += [
        f"{name}: {v.message}" for e in sorted(incoming) for v in entry_violations(e, config.policy)
    ]
    problems += [f"{name}: {v.message}" for v in removal_violations(plan, config.policy)]
    return problems


def _ownership(plan: TargetPlan, target: Target, config: Config) -> Iterable[str]:
    expected = {
        "region": config.region_of(target),
        "instance": target.instance_id,
        "group": target.group,
        "attribute": target.attribute,
        "owned groups": ", ".join(target.groups),
        "draining groups": str(target.drain_groups),
    }
    found = {
        "region": plan.region,
        "instance": plan.instance_id,
        "group": plan.group,
        "attribute": plan.attribute,
        "owned groups": ", ".join(plan.owned or (plan.group,)),
        "draining groups": str(plan.drain),
    }
    for field, wanted in expected.items():
        if found[field] != wanted:
            yield f"the plan's {field} is {found[field]!r}; the configuration's is {wanted!r}"


def _groups(changes: Iterable[Change], plan: TargetPlan, target: Target) -> Iterable[str]:
    owned = set(target.groups)
    named = (
        {c.group for c in changes} | {c.from_group for c in changes} | {g.name for g in plan.held}
    )
    for group in sorted(named - owned - {""}):
        yield f"the plan writes or reads group {group!r}, which the target does not own"


def _entries(changes: Iterable[Change]) -> Iterable[str]:
    for entry in sorted({c.entry for c in changes}):
        try:
            normal = parse_entry(entry)
        except (ValueError, WhitelistError):
            normal = ""
        if normal != entry:
            yield f"{entry!r} is not an entry as a live run writes it"
