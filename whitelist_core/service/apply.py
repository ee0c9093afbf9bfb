"""Apply: execute a target's plan through its store, and re-plan after a quota refusal.

Exactly the plan's steps, in order: additions first (``Append``), then removals
(``Delete``), so a group is never empty and concurrent runs cannot overwrite each other.
Every write that landed is audited, whatever failed next; a failure is data, recorded
for the target.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from structlog.contextvars import bound_contextvars

from whitelist_core.core.placement import Step
from whitelist_core.core.planner import TargetPlan, applied_part, retried
from whitelist_core.errors import CloudError
from whitelist_core.outcome import CloudFailure, TargetResult, TargetStatus
from whitelist_core.ports import WhitelistStore

AuditSink = Callable[[TargetPlan], None]

QUOTA_REPLANS = 3
"""How often a write refused for quota (another run filled the group first) is followed
by a fresh read and a new plan before the target reports the error."""


def apply_plan(store: WhitelistStore, plan: TargetPlan, audit: AuditSink) -> TargetResult:
    """The plan's steps in order (room first); the audit names what was really applied."""
    done: list[Step] = []
    try:
        with bound_contextvars(target=plan.target):  # the write's cloud_call lines
            for step in plan.steps:
                write = {"Append": store.append, "Delete": store.delete}.get(step.mode, store.cover)
                entries = list(step.entries)
                write(plan.region, plan.instance_id, step.group, entries, plan.attribute)
                done.append(step)
    except CloudError as exc:  # every write that landed is audited, whatever failed next
        part = applied_part(plan, done)
        if part.changed:
            audit(part)
        return TargetResult(part, "error", CloudFailure.from_error(exc))
    audit(plan)
    return TargetResult(plan, "applied")


def finish(
    draft: TargetResult,
    dry_run: bool,
    apply: Callable[[TargetPlan], TargetResult],
    replan: Callable[[], TargetResult],
) -> TargetResult:
    """Apply the draft. A write refused for quota means another run filled a group
    since it was read: ``replan`` (read again, plan again: placement finds room elsewhere
    or reports what cannot fit) and apply that, a few times at most."""
    if draft.status == "error" or not draft.plan.changed:
        result = draft if draft.status == "error" else replace(draft, status="noop")
        return _with_error_of(draft, result)
    if dry_run:
        return _with_error_of(draft, draft)
    result = apply(draft.plan)
    for _ in range(QUOTA_REPLANS):
        if not _refused_for_quota(result):
            break
        again = replan()
        if again.status == "error" or not again.plan.changed:
            status = "error" if again.status == "error" else _done(result.plan)
            return replace(again, plan=retried(result.plan, again.plan), status=status)
        later = apply(again.plan)
        result = replace(later, plan=retried(result.plan, later.plan))
    return _with_error_of(draft, result)


def _done(plan: TargetPlan) -> TargetStatus:
    return "applied" if plan.changed else "noop"


def _refused_for_quota(result: TargetResult) -> bool:
    # The cap's code is INFERRED for Redis (RDS and templates answer *.QuotaExceeded).
    code = result.error.code if result.error else ""
    return result.status == "error" and "quotaexceeded" in code.lower()


def _with_error_of(draft: TargetResult, result: TargetResult) -> TargetResult:
    """``result``, failed with the draft's own error when the draft carried one."""
    if draft.error and result.status != "error":
        return replace(result, status="error", error=draft.error)
    return result
