"""Telling operators: the ``invocation_summary`` line of a result (with the alert fields the
SLS alerts key on) and the ``whitelist_capacity`` lines of a timer run (what the dashboard
draws over time). Only lines are made here; what they count is ``attention.Attention``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from whitelist_core.attention import Attention, fill_percent
from whitelist_core.logs import invocation_summary, whitelist_capacity
from whitelist_core.outcome import TargetResult
from whitelist_core.summary import BatchSummary, Counts, Summary

if TYPE_CHECKING:
    from whitelist_core.entrypoints.httpapp import HttpAnswer

__all__ = ["Told", "capacity_fields", "tell", "tell_failure"]


class Told(Protocol):
    """What an invocation's result offers the summary line (every result value does)."""

    @property
    def label(self) -> str: ...
    def counts(self) -> Counts: ...
    def attention(self) -> Attention: ...


def tell(result: Summary | BatchSummary | HttpAnswer, ms: int) -> None:
    """The summary line of a result (warning when a person must be told), after the
    ``whitelist_capacity`` lines of a timer run."""
    if isinstance(result, Summary) and result.trigger == "timer":
        for target in result.target_results():
            if target.status != "error":
                whitelist_capacity(**capacity_fields(target))
    attention = result.attention()
    fields = result.counts().as_fields() | attention.as_fields()
    invocation_summary(result.label, warn=attention.needs_a_person, **fields, ms=ms)


def tell_failure(exc: Exception, ms: int) -> None:
    """The summary line of an invocation that raised: level error, with the exception and,
    when the run did the rest first (``IncompleteRun.result``), every target's status and
    the alert fields of what it did."""
    fields: dict[str, Any] = {"error": type(exc).__name__, "message": str(exc), "ms": ms}
    result = getattr(exc, "result", None)
    if isinstance(result, Summary | BatchSummary):
        fields["results"] = [
            {"target": r.plan.target, "status": r.status}
            | ({"code": r.error.code} if r.error else {})
            for r in result.target_results()
        ]
        fields |= result.counts().as_fields()
        attention = result.attention()
    else:
        attention = Attention()
    invocation_summary("error", **(attention.as_fields() | fields))


def capacity_fields(target: TargetResult) -> dict[str, Any]:
    """One target's fill: its entries against what it may hold (on RDS/PolarDB the
    instance's 1000, every group counted, ``shared`` of them in groups it does not own),
    the room left, and each owned group's entries once the plan is applied."""
    plan = target.plan
    entries, limit = plan.fill
    after = plan.group_after()
    groups = [
        {"group": g.name, "entries": len(after.get(g.name, g.entries))}
        for g in plan.held
        if g.name in (plan.owned or (plan.group,))
    ]
    return {
        "target": plan.target,
        "region": plan.region,
        "instance_id": plan.instance_id,
        "group": plan.group,
        "entries": entries,
        "limit": limit,
        "room": max(0, limit - entries),
        "fill_percent": fill_percent(target),
        "shared": plan.shared,
        "groups": groups,
    }
