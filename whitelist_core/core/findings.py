"""Audit findings: what the audit says about one whitelist entry, as plain values (pure).

A ``Finding`` names the instance, the group and the entry, the ``kind`` of risk, its
``severity``, the reason in a sentence and what to do about it. ``AuditReport`` is every
finding of one or more instances and what was left out on purpose (the placeholder, the
platform's service groups, accepted risks), so a reader knows nothing was silently skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import field
from typing import Literal

from whitelist_core.core.values import frozen

Severity = Literal["critical", "high", "medium", "low", "info"]
SEVERITIES: tuple[Severity, ...] = ("critical", "high", "medium", "low", "info")
"""Every severity, the gravest first."""

Kind = Literal["world_open", "public", "broad", "stale", "duplicate"]
KINDS: tuple[Kind, ...] = ("world_open", "public", "broad", "stale", "duplicate")

Excluded = Literal["placeholder", "service_group", "accepted"]
EXCLUSIONS: tuple[Excluded, ...] = ("placeholder", "service_group", "accepted")


def rank(severity: Severity) -> int:
    """0 for ``critical`` ... 4 for ``info``: lower is graver."""
    return SEVERITIES.index(severity)


def at_least(severity: Severity, floor: Severity) -> bool:
    """True when ``severity`` is ``floor`` or graver (the limit is inclusive)."""
    return rank(severity) <= rank(floor)


@frozen
class Finding:
    """One risky entry of one group of one database instance."""

    product: str
    region: str
    instance_id: str
    group: str
    entry: str
    kind: Kind
    severity: Severity
    reason: str
    action: str
    """What to do about it, said to the person who has to act."""

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        """What makes a finding the same finding when two runs or targets report it."""
        return (self.region, self.instance_id, self.group, self.entry, self.kind)

    def fields(self) -> dict[str, str]:
        """The finding as log-line and JSON fields."""
        return {
            "product": self.product,
            "region": self.region,
            "instance_id": self.instance_id,
            "group": self.group,
            "entry": self.entry,
            "kind": self.kind,
            "severity": self.severity,
            "reason": self.reason,
            "action": self.action,
        }


@frozen
class AuditReport:
    """Findings of some instances, gravest first, and the entries left out on purpose:
    ``excluded`` counts them by why (``placeholder``, ``service_group``, ``accepted``)."""

    findings: tuple[Finding, ...] = ()
    excluded: tuple[tuple[Excluded, int], ...] = field(
        default=tuple((why, 0) for why in EXCLUSIONS)
    )

    def counts(self) -> dict[Severity, int]:
        """How many findings of each severity (every severity present, zeros too)."""
        return {s: sum(1 for f in self.findings if f.severity == s) for s in SEVERITIES}

    def at_least(self, floor: Severity) -> AuditReport:
        """Only the findings at ``floor`` or graver (exclusions kept as they are)."""
        kept = tuple(f for f in self.findings if at_least(f.severity, floor))
        return AuditReport(kept, self.excluded)


def combine_reports(reports: Iterable[AuditReport]) -> AuditReport:
    """Several reports as one: each finding once (by ``Finding.key``), gravest first
    then by instance, group and entry; exclusions added up."""
    unique: dict[tuple[str, ...], Finding] = {}
    totals = dict.fromkeys(EXCLUSIONS, 0)
    for report in reports:
        for finding in report.findings:
            unique.setdefault(finding.key, finding)
        for why, count in report.excluded:
            totals[why] += count
    ordered = sorted(unique.values(), key=lambda f: (rank(f.severity), f.key))
    return AuditReport(tuple(ordered), tuple(totals.items()))
