"""Outcomes: what a run did, per target and overall, as frozen values.

The reconciler returns a ``RunResult``; ``summary`` wraps it for an invocation. Each
value renders itself as the handler's result shape (``to_dict``), and only the edge
(the handler, the HTTP answer, the CLI) asks it to.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import field
from typing import TYPE_CHECKING, Any, Literal

from whitelist_core.core.findings import AuditReport
from whitelist_core.core.planner import TargetPlan
from whitelist_core.core.values import frozen

if TYPE_CHECKING:
    from whitelist_core.errors import CloudError

TargetStatus = Literal["applied", "noop", "planned", "error"]
RunStatus = Literal["applied", "noop", "planned", "error", "rejected", "ignored"]

_PRECEDENCE: tuple[RunStatus, ...] = ("applied", "planned", "noop", "error", "rejected")


@frozen
class CloudFailure:
    """A cloud failure as the result reports it: a refusal that retrying cannot fix, or
    (``retryable``) trouble that outlasted the retries."""

    action: str
    code: str
    message: str
    request_id: str = ""
    http_status: int | None = None
    retryable: bool = False

    @classmethod
    def from_error(cls, error: CloudError) -> CloudFailure:
        """The failure a cloud error stands for."""
        return cls(
            error.action, error.code, error.message, error.request_id,
            error.http_status, error.retryable,
        )  # fmt: skip

    def fields(self) -> dict[str, Any]:
        """``{"action", "code", "message", "request_id", "http_status", "retryable"}``."""
        return {
            "action": self.action,
            "code": self.code,
            "message": self.message,
            "request_id": self.request_id,
            "http_status": self.http_status,
            "retryable": self.retryable,
        }

    def to_dict(self) -> dict[str, Any]:
        """The fields, and ``"kind": "cloud"``."""
        return self.fields() | {"kind": "cloud"}


@frozen
class ConfigFailure:
    """Our configuration (or credentials) is at fault: each problem as a sentence."""

    problems: tuple[str, ...] = ()
    kind: str = "configuration"
    """``credentials`` when what is missing is the identity, not a setting."""

    def to_dict(self) -> dict[str, Any]:
        """``{"kind": "configuration" | "credentials", "problems": [...]}``."""
        return {"kind": self.kind, "problems": list(self.problems)}


Failure = CloudFailure | ConfigFailure


@frozen
class TargetResult:
    """One target's plan and what became of it (``error``: the cloud refusal, if any);
    ``findings``: the audit of its instance's groups as the run read them."""

    plan: TargetPlan
    status: TargetStatus
    error: CloudFailure | None = None
    findings: AuditReport = field(default=AuditReport(), compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The per-target entry of a summary."""
        data = {"status": self.status} | self.plan.to_dict()
        return data | ({"error": self.error.to_dict()} if self.error else {})

    def brief(self, details: int) -> dict[str, Any]:
        """The entry of a target whose full form a batch gives once (``targets[details]``):
        everything but the lists of entries and changes, which are counted instead."""
        plan = self.plan
        data: dict[str, Any] = {
            "status": self.status,
            "target": plan.target,
            "region": plan.region,
            "instance_id": plan.instance_id,
            "group": plan.group,
            "counts": {
                "added": len(plan.add),
                "removed": len(plan.remove),
                "held_back": len(plan.held_back),
                "kept": len(plan.keep),
            },
            "entries_before": len(plan.current),
            "entries_after": plan.size_after,
            "blocked": list(plan.blocked),
            "warnings": list(plan.warnings),
            "details": details,
        }
        return data | ({"error": self.error.to_dict()} if self.error else {})


@frozen
class RunResult:
    """Every target result of one intent."""

    results: tuple[TargetResult, ...]
    dry_run: bool

    @property
    def status(self) -> RunStatus:
        """``error`` when any target failed, else the strongest of the targets' statuses."""
        statuses = {r.status for r in self.results}
        if "error" in statuses:
            return "error"
        return combine(statuses) if statuses else "noop"

    @property
    def retryable_failures(self) -> list[dict[str, Any]]:
        """The errors of targets that failed for a reason retrying may fix, each naming
        its target (the invocation then fails, so the platform retries it)."""
        return [
            {"target": r.plan.target, **r.error.fields()}
            for r in self.results
            if r.error and r.error.retryable
        ]

    @property
    def blocked(self) -> bool:
        """True when policy blocked any part of any target's plan."""
        return any(r.plan.blocked for r in self.results)

    @property
    def blocked_reasons(self) -> tuple[str, ...]:
        """Every reason policy gave, target by target."""
        return tuple(reason for r in self.results for reason in r.plan.blocked)


def combine(statuses: Iterable[str]) -> RunStatus:
    """A batch's status: the first of applied, planned, noop, error, rejected present."""
    present = set(statuses)
    return next((s for s in _PRECEDENCE if s in present), "ignored")
