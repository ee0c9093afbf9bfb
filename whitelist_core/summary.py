"""Summaries: what one invocation reports, as frozen values rendered once at the edge.

A ``Summary`` is the result of one intent (a run, or why there was none); a
``BatchSummary`` holds one per item of a JSON list. ``to_dict`` gives the handler's
public result shape; ``counts`` gives the figures of the invocation's summary line,
read from the value and never from a rendered form.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from whitelist_core.attention import Attention
from whitelist_core.core.findings import AuditReport, combine_reports
from whitelist_core.core.values import frozen
from whitelist_core.outcome import (
    CloudFailure,
    ConfigFailure,
    Failure,
    RunResult,
    RunStatus,
    TargetResult,
    combine,
)

__all__ = ["BatchSummary", "Counts", "HookAnswer", "Summary"]


@frozen
class Counts:
    """How many targets a result reports on, and the entries added and removed."""

    targets: int = 0
    added: int = 0
    removed: int = 0

    @classmethod
    def of_results(cls, results: Sequence[TargetResult]) -> Counts:
        """The counts of these target results."""
        added = sum(len(r.plan.add) for r in results)
        return cls(len(results), added, sum(len(r.plan.remove) for r in results))

    def as_fields(self) -> dict[str, int]:
        """The summary line's fields: ``targets``, ``added``, ``removed``."""
        return {"targets": self.targets, "added": self.added, "removed": self.removed}


@frozen
class HookAnswer:
    """What became of an ESS lifecycle hook: ``result`` ``CONTINUE`` once answered, else
    None with the ``reason`` it was not (or the cloud's refusal of the answer)."""

    hook: str
    result: str | None
    reason: str = ""
    error: CloudFailure | None = None

    def to_dict(self) -> dict[str, Any]:
        """``{"hook", "result"}``, and ``reason`` or ``error`` when there is one."""
        data: dict[str, Any] = {"hook": self.hook, "result": self.result}
        if self.reason:
            data["reason"] = self.reason
        if self.error is not None:
            data["error"] = self.error.fields()
        return data


@frozen
class Summary:
    """One intent's result: its status and trigger, and either the run or why none ran.

    ``message`` is said for an ignored, rejected or failed intent; ``failure`` is the
    error that stopped the whole intent (a target's own error is in its result);
    ``dry_run`` is reported with a failure that stopped a run that was going to happen;
    ``lifecycle`` is what became of the item's lifecycle hook, if it carries one.
    """

    status: RunStatus
    trigger: str
    event_id: str = ""
    message: str | None = None
    run: RunResult | None = None
    failure: Failure | None = None
    dry_run: bool | None = None
    lifecycle: HookAnswer | None = None

    @classmethod
    def of_run(cls, run: RunResult, trigger: str, event_id: str = "") -> Summary:
        """The summary of a run that happened."""
        return cls(run.status, trigger, event_id, run=run)

    @property
    def label(self) -> str:
        """The status the invocation's summary line reports."""
        return self.status

    @property
    def blocked_reasons(self) -> tuple[str, ...]:
        """Every reason policy gave, target by target (none when nothing ran)."""
        return self.run.blocked_reasons if self.run else ()

    def target_results(self) -> tuple[TargetResult, ...]:
        """The results of the targets this summary reports on (none when nothing ran)."""
        return self.run.results if self.run else ()

    def attention(self) -> Attention:
        """What a person must be told: held back, blocked, errors, capacity, hooks."""
        found = Attention.of_results(self.target_results(), self.unanswered_hooks())
        return found + self.failure_attention()

    def unanswered_hooks(self) -> tuple[str, ...]:
        """The lifecycle hook this item left unanswered, if it did."""
        return (self.lifecycle.hook,) if self.lifecycle and self.lifecycle.result is None else ()

    def failure_attention(self) -> Attention:
        """The code of a failure that stopped the whole item (no target results then)."""
        if isinstance(self.failure, CloudFailure) and self.run is None:
            return Attention(error_codes=(self.failure.code,))
        if isinstance(self.failure, ConfigFailure):
            return Attention(error_codes=(self.failure.kind,))
        return Attention()

    def counts(self) -> Counts:
        """Targets reported, entries added and removed (what was applied or planned)."""
        return Counts.of_results(self.target_results())

    def findings(self) -> AuditReport:
        """The audit of every instance the run read, each finding once."""
        return combine_reports(r.findings for r in self.target_results())

    def to_dict(self, shared: Mapping[int, int] | None = None) -> dict[str, Any]:
        """The public result shape: ``status, attention, trigger, event_id, targets`` and,
        as they apply, ``message``, ``error``, ``dry_run``, ``blocked`` and ``findings``
        (the audit's count of each severity).

        ``shared`` (in a batch): the target results rendered once for the whole batch, by
        ``id`` to their index in its ``targets``; such a target is given here in brief
        (``TargetResult.brief``), pointing there."""
        shared = shared or {}
        results = self.run.results if self.run else ()
        data: dict[str, Any] = {
            "status": self.status,
            "attention": self.attention().kinds,
            "trigger": self.trigger,
            "event_id": self.event_id,
            "targets": [
                r.brief(shared[id(r)]) if id(r) in shared else r.to_dict() for r in results
            ],
        }
        if self.message is not None:
            data["message"] = self.message
        if self.failure is not None:
            data["error"] = self.failure.to_dict()
        if self.run is not None:
            data |= {"dry_run": self.run.dry_run, "blocked": self.run.blocked}
            data["findings"] = self.findings().counts()
        elif self.dry_run is not None:
            data["dry_run"] = self.dry_run
        if self.lifecycle is not None:
            data["lifecycle"] = self.lifecycle.to_dict()
        return data


@frozen
class BatchSummary:
    """The result of a JSON list of events: one summary per item, in order."""

    items: tuple[Summary, ...]

    @property
    def status(self) -> RunStatus:
        """``applied`` if any item applied, else planned, noop, error, rejected in that
        order; ``ignored`` for an empty list."""
        return combine(s.status for s in self.items) if self.items else "ignored"

    @property
    def label(self) -> str:
        """The status the invocation's summary line reports."""
        return self.status

    def target_results(self) -> tuple[TargetResult, ...]:
        """Every item's target results, item by item; one that several items report (a
        target reconciled once for all of them) only the first time."""
        seen: dict[int, TargetResult] = {}
        for item in self.items:
            for result in item.target_results():
                seen.setdefault(id(result), result)
        return tuple(seen.values())

    def findings(self) -> AuditReport:
        """The audit of every instance the items' runs read, each finding once."""
        return combine_reports(r.findings for r in self.target_results())

    def counts(self) -> Counts:
        """Targets reported and entries added and removed, each target result once."""
        return Counts.of_results(self.target_results())

    def attention(self) -> Attention:
        """The items' alert figures together (a target several items report counted once)."""
        results: dict[str, TargetResult] = {}
        for result in self.target_results():
            results.setdefault(result.plan.target, result)
        hooks = [hook for s in self.items for hook in s.unanswered_hooks()]
        found = Attention.of_results(results.values(), hooks)
        return sum((s.failure_attention() for s in self.items), found)

    def to_dict(self) -> dict[str, Any]:
        """``{"status": ..., "attention": [...], "results": [summary, ...]}``, and
        ``targets`` when several items report the same target result (a target reconciled
        once for all of them): its full form is there once, and each item gives it in
        brief, pointing to it, so the result grows with the batch plus the changes, never
        with their product."""
        uses = Counter(id(r) for s in self.items for r in s.target_results())
        shared_results = [r for r in self.target_results() if uses[id(r)] > 1]
        shared = {id(r): index for index, r in enumerate(shared_results)}
        data: dict[str, Any] = {
            "status": self.status,
            "attention": self.attention().kinds,
            "results": [s.to_dict(shared) for s in self.items],
        }
        if shared_results:
            data["targets"] = [r.to_dict() for r in shared_results]
        return data
