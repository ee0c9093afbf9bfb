"""What a person must be told about a run, counted from its value (pure).

``Attention`` holds the figures the SLS alerts and dashboard key on: removals held back,
targets blocked or in error, targets past ``capacity_warn_percent`` (and the highest fill),
lifecycle hooks left unanswered, and audit findings by severity, each with the names of the
targets concerned (bounded). ``as_fields`` is what the ``invocation_summary`` line carries;
``kinds`` is the result's top-level ``attention`` list (what kept the run from converging).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import field

from whitelist_core.core.findings import SEVERITIES, combine_reports
from whitelist_core.core.values import frozen
from whitelist_core.outcome import TargetResult

__all__ = ["MAX_NAMES", "SEVERITIES", "Attention", "fill_percent", "names"]

MAX_NAMES = 10
"""At most this many names in a ``*_targets`` field; the count says how many there are."""


def names(found: Iterable[str]) -> str:
    """The distinct names, in order, comma-joined: at most ``MAX_NAMES``, then ``+N more``."""
    distinct = list(dict.fromkeys(n for n in found if n))
    shown = distinct[:MAX_NAMES]
    if len(distinct) > MAX_NAMES:
        shown.append(f"+{len(distinct) - MAX_NAMES} more")
    return ",".join(shown)


def fill_percent(result: TargetResult) -> int:
    """How full the target is once its plan is applied, in percent of what it may hold
    (0 for a target in error: its groups were not read)."""
    if result.status == "error":
        return 0
    entries, limit = result.plan.fill
    return (entries * 100) // limit if limit else 100


@frozen
class Attention:
    """The alert figures of one invocation (or one item of it)."""

    held_back: int = 0
    held_back_targets: tuple[str, ...] = ()
    blocked_targets: tuple[str, ...] = ()
    error_targets: tuple[str, ...] = ()
    error_codes: tuple[str, ...] = ()
    capacity_targets: tuple[str, ...] = ()
    fill_max_percent: int = 0
    hook_ids: tuple[str, ...] = ()
    findings: Mapping[str, int] = field(default_factory=dict)
    """Audit findings counted by severity (one of ``SEVERITIES``)."""
    findings_targets: tuple[str, ...] = ()

    @classmethod
    def of_results(
        cls, results: Iterable[TargetResult], unanswered_hooks: Iterable[str] = ()
    ) -> Attention:
        """The figures of these target results and the hooks left unanswered."""
        results = tuple(results)
        ran = [r for r in results if r.status != "error"]
        held = [r for r in ran if r.plan.held_back]
        audit = combine_reports(r.findings for r in results)
        return cls(
            held_back=sum(len(r.plan.held_back) for r in held),
            held_back_targets=_distinct(r.plan.target for r in held),
            blocked_targets=_distinct(r.plan.target for r in ran if r.plan.blocked),
            error_targets=_distinct(r.plan.target for r in results if r.status == "error"),
            error_codes=_distinct(r.error.code for r in results if r.error),
            capacity_targets=_distinct(r.plan.target for r in ran if r.plan.near_capacity),
            fill_max_percent=max((fill_percent(r) for r in ran), default=0),
            hook_ids=_distinct(unanswered_hooks),
            findings={s: n for s, n in audit.counts().items() if n},
            findings_targets=_distinct(r.plan.target for r in results if r.findings.findings),
        )

    def __add__(self, other: Attention) -> Attention:
        findings = dict(self.findings)
        for severity, count in other.findings.items():
            findings[severity] = findings.get(severity, 0) + count
        return Attention(
            self.held_back + other.held_back,
            _distinct((*self.held_back_targets, *other.held_back_targets)),
            _distinct((*self.blocked_targets, *other.blocked_targets)),
            _distinct((*self.error_targets, *other.error_targets)),
            _distinct((*self.error_codes, *other.error_codes)),
            _distinct((*self.capacity_targets, *other.capacity_targets)),
            max(self.fill_max_percent, other.fill_max_percent),
            _distinct((*self.hook_ids, *other.hook_ids)),
            findings,
            _distinct((*self.findings_targets, *other.findings_targets)),
        )

    @property
    def kinds(self) -> list[str]:
        """What kept the run from converging: ``held_back`` (removals a limit held back),
        ``blocked`` (a policy block on a target); empty when nothing did."""
        return [
            k for k, v in (("held_back", self.held_back), ("blocked", self.blocked_targets)) if v
        ]

    @property
    def needs_a_person(self) -> bool:
        """True when anything here is worth a warning: the summary line's level then."""
        counted = (self.held_back, self.blocked_targets, self.error_targets)
        return (
            any(counted)
            or bool(self.capacity_targets or self.hook_ids)
            or any(self.findings.values())
        )

    def as_fields(self) -> dict[str, int | str]:
        """The summary line's alert fields, every one always present (0 or "")."""
        fields: dict[str, int | str] = {
            "attention": ",".join(self.kinds),
            "held_back": self.held_back,
            "held_back_targets": names(self.held_back_targets),
            "blocked": len(self.blocked_targets),
            "blocked_targets": names(self.blocked_targets),
            "errors": len(self.error_targets),
            "error_targets": names(self.error_targets),
            "error_codes": names(self.error_codes),
            "capacity_warnings": len(self.capacity_targets),
            "capacity_targets": names(self.capacity_targets),
            "fill_max_percent": self.fill_max_percent,
            "hooks_unanswered": len(self.hook_ids),
            "hook_ids": names(self.hook_ids),
        }
        fields |= {f"findings_{s}": self.findings.get(s, 0) for s in SEVERITIES}
        return fields | {"findings_targets": names(self.findings_targets)}


def _distinct(found: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(n for n in found if n))
