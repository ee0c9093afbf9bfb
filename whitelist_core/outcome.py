"""Outcomes: what a run did, per target and overall, in the handler's result shape."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from .planner import TargetPlan

TargetStatus = Literal["applied", "noop", "planned", "error"]
RunStatus = Literal["applied", "noop", "planned", "error", "rejected", "ignored"]

_PRECEDENCE: tuple[RunStatus, ...] = ("applied", "planned", "noop", "error", "rejected")


@dataclass(frozen=True)
class TargetResult:
    """One target's plan and what became of it (``error`` holds the cloud error)."""

    plan: TargetPlan
    status: TargetStatus
    error: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The per-target entry of a summary."""
        data = {"status": self.status} | self.plan.to_dict()
        return data | ({"error": self.error} if self.error else {})


@dataclass(frozen=True)
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
    def blocked(self) -> bool:
        """True when policy blocked any part of any target's plan."""
        return any(r.plan.blocked for r in self.results)

    def to_dict(self) -> dict[str, Any]:
        """The ``targets`` part of a summary plus the run status."""
        return {
            "status": self.status,
            "dry_run": self.dry_run,
            "blocked": self.blocked,
            "targets": [r.to_dict() for r in self.results],
        }


def combine(statuses: Iterable[str]) -> RunStatus:
    """A batch's status: the first of applied, planned, noop, error, rejected present."""
    present = set(statuses)
    return next((s for s in _PRECEDENCE if s in present), "ignored")
