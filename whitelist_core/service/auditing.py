"""The audit of what a run read: each database instance's groups as the pure rules see
them (``core.audit``), with what the configuration owns and selects there.

No call of its own: it judges the groups a run already read and the region's listing it
already has. ``stale`` is judged only from a complete listing of the region (no
server-side filter); any other run passes none, so nothing is called stale there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from whitelist_core.accounts import OWN
from whitelist_core.config import Config, Target
from whitelist_core.core.audit import SERVICE_GROUPS, Subject, audit_instance
from whitelist_core.core.findings import AuditReport
from whitelist_core.core.selection import InstanceIndex, desired_entries
from whitelist_core.logs import whitelist_finding
from whitelist_core.outcome import TargetResult
from whitelist_core.ports import Group, Instance


def audited(
    config: Config,
    result: TargetResult,
    target: Target,
    groups: Sequence[Group] | None,
    whole: InstanceIndex | None = None,
) -> TargetResult:
    """``result`` with the audit of the groups the run read of its target's instance
    (unchanged when they could not be read); ``whole``: the region's complete listing,
    when the run has one. It says who holds an IP only in the account it lists: a database
    whose hosts are listed in another account is never judged stale."""
    if groups is None:
        return result
    if config.account_of(target) != config.hosts_account_of(target):
        whole = None
    region = config.region_of(target)
    findings = audit_groups(config, target.product, region, target.instance_id, groups,
                            whole, complete=whole is not None,
                            account=config.account_of(target))  # fmt: skip
    return replace(result, findings=findings)


def tell_findings(report: AuditReport) -> None:
    """One ``whitelist_finding`` log line per finding of ``report``."""
    for finding in report.findings:
        fields = finding.fields()
        whitelist_finding(fields.pop("severity"), **fields)


def held_ips(instances: Iterable[Instance]) -> frozenset[str]:
    """Every private IP (primary and secondary) the instances hold."""
    return frozenset(ip for i in instances for ip in (*i.private_ips, *i.secondary_ips))


def audit_groups(
    config: Config,
    product: str,
    region: str,
    instance_id: str,
    groups: Sequence[Group],
    listing: InstanceIndex | None = None,
    *,
    complete: bool = False,
    account: str = OWN,
) -> AuditReport:
    """The findings on one instance's groups at or above ``audit.min_severity`` (none when
    the audit is off). ``listing``: the region's ECS listing the run has, if any, and
    ``complete`` when it is the whole region's (then ``stale`` is judged); ``account``:
    where the instance lives (the targets there own its groups)."""
    if not config.audit.enabled:
        return AuditReport()
    held = held_ips(listing.instances) if listing is not None and complete else None
    report = audit_instance(_subject(config, product, region, instance_id, groups, listing, account),
                            config.audit.rules, held)  # fmt: skip
    return report.at_least(config.audit.min_severity)


def _subject(
    config: Config,
    product: str,
    region: str,
    instance_id: str,
    groups: Sequence[Group],
    listing: InstanceIndex | None,
    account: str,
) -> Subject:
    """The instance, the groups the configuration owns on it and the entries it selects."""
    from whitelist_core.products import spec_of  # deferred: importing the handler loads none

    owners = [
        t
        for t in config.targets
        if (t.product, config.region_of(t), t.instance_id) == (product, region, instance_id)
        and config.account_of(t) == account
    ]
    owned = frozenset(name for t in owners for name in t.groups)
    selected: set[str] = set()
    for target in owners:
        hosts = listing.candidates(target.selector) if listing is not None else ()
        selected.update(desired_entries(target, hosts))
    service = SERVICE_GROUPS | (spec_of(product).reserved_groups - {"default"})
    return Subject(product, region, instance_id, tuple(groups), owned, frozenset(selected),
                   frozenset(service))  # fmt: skip
