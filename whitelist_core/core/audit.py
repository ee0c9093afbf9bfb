"""Audit rules: which entries of an instance's whitelist groups are risks (pure).

Every group is looked at, owned or not. An entry is, in this order of gravity:

- ``world_open`` (critical): ``0.0.0.0/0``, or a block of prefix ``WORLD_OPEN_PREFIX``
  or wider (a /1 holds over half of all IPv4 addresses, most of the public space);
- ``public`` (high; critical for a block of prefix ``PUBLIC_CRITICAL_PREFIX`` or wider):
  not wholly inside the private ranges (RFC 1918 and 100.64.0.0/10);
- ``broad`` (medium): a private block wider than ``broad_prefix`` (exactly the prefix is not);
- ``stale`` (low): a private single address in a group the function does not own, that
  it does not select, and that no ECS instance of the region holds: judged only when the
  caller has the region's complete listing (``held`` is None otherwise);
- ``duplicate`` (info): an entry of an owned group that a foreign group also holds.

The placeholder ``127.0.0.1``, the platform's service groups (``SERVICE_GROUPS`` and any
hidden group) and accepted entries are never findings; they are counted in the report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from whitelist_core.core.entries import (
    RESERVED_GROUPS,
    is_placeholder,
    is_private,
    is_world,
    network_of,
    prefix_length,
)
from whitelist_core.core.findings import (
    EXCLUSIONS,
    AuditReport,
    Excluded,
    Finding,
    Kind,
    Severity,
)
from whitelist_core.core.values import frozen
from whitelist_core.ports import Group

WORLD_OPEN_PREFIX = 1
"""A block this wide or wider is world-open: a /1 holds 2^31 addresses, over half of them
all; a /2 (a quarter) is "only" a wide public block."""
PUBLIC_CRITICAL_PREFIX = 8
"""A public block this wide or wider (16 million addresses and more) is critical."""
SERVICE_GROUPS = RESERVED_GROUPS - {"default"}
"""Groups the platform makes for its own services (DMS, DAS, replicas): not ours to judge.
``default`` is audited: it is where a console edit usually lands."""


@frozen
class AuditRules:
    """The audit's settings (built from the ``audit:`` section of the configuration)."""

    broad_prefix: int = 16
    accept: frozenset[tuple[str, str, str]] = frozenset()
    """Accepted risks: ``(instance_id, group, entry)``."""


@frozen
class Subject:
    """One database instance as read: every group, and what the function owns there.

    ``owned``: the names of the groups the function owns on it; ``selected``: the entries
    it selects for them (its hosts' IPs and static entries)."""

    product: str
    region: str
    instance_id: str
    groups: tuple[Group, ...]
    owned: frozenset[str] = frozenset()
    selected: frozenset[str] = frozenset()
    service_groups: frozenset[str] = SERVICE_GROUPS


def audit_instance(
    subject: Subject, rules: AuditRules, held: frozenset[str] | None = None
) -> AuditReport:
    """Every finding on ``subject``'s groups, and the entries left out by why.

    ``held``: every private IP (primary and secondary) of every ECS instance of the region,
    from a complete listing; None when there is none (then nothing is called ``stale``)."""
    findings: list[Finding] = []
    excluded: Counter[Excluded] = Counter()
    ours = {e: g.name for g in subject.groups if g.name in subject.owned for e in g.entries}
    for group in subject.groups:
        service = group.attribute == "hidden" or group.name in subject.service_groups
        if service and group.name not in subject.owned:  # a target may own a hidden group
            excluded["service_group"] += len(group.entries)
            continue
        for entry in group.entries:
            if is_placeholder(entry):
                excluded["placeholder"] += 1
                continue
            found = list(_entry_findings(subject, group.name, entry, rules, held, ours))
            if found and (subject.instance_id, group.name, entry) in rules.accept:
                excluded["accepted"] += 1
                continue
            findings.extend(found)
    return AuditReport(tuple(findings), tuple((why, excluded[why]) for why in EXCLUSIONS))


def _entry_findings(
    subject: Subject,
    group: str,
    entry: str,
    rules: AuditRules,
    held: frozenset[str] | None,
    ours: dict[str, str],
) -> Iterator[Finding]:
    def finding(kind: Kind, severity: Severity, reason: str, action: str) -> Finding:
        return Finding(
            subject.product, subject.region, subject.instance_id, group, entry,
            kind, severity, reason, action,
        )  # fmt: skip

    prefix, size = prefix_length(entry), network_of(entry).num_addresses
    remove = f"remove {entry} from group {group!r}"
    if is_world(entry) or prefix <= WORLD_OPEN_PREFIX:
        reason = f"{entry} opens the instance to every address on the internet"
        if not is_world(entry):
            reason = f"{entry} holds {size} addresses, over half of all IPv4 addresses"
        yield finding(
            "world_open", "critical", reason, f"{remove} and list the hosts that need access"
        )
    elif not is_private(entry):
        severity: Severity = "critical" if prefix <= PUBLIC_CRITICAL_PREFIX else "high"
        what = f"a public block of {size} addresses" if prefix < 32 else "a public address"
        reason = f"{entry} is {what}, outside the private ranges"
        yield finding("public", severity, reason, f"{remove}, or accept it with its reason")
    elif prefix < rules.broad_prefix:
        reason = f"{entry} is a private block of {size} addresses, wider than /{rules.broad_prefix}"
        yield finding("broad", "medium", reason, f"narrow {entry} to the subnets that need access")
    if _stale(subject, group, entry, held, prefix):
        reason = f"no ECS instance of {subject.region} holds {entry} now"
        yield finding("stale", "low", reason, f"{remove}: the address may be given to a new host")
    if group not in subject.owned and entry in ours:
        reason = f"{entry} is also in group {ours[entry]!r}, which this function owns"
        action = f"nothing, unless the host must lose access: then {remove} too"
        yield finding("duplicate", "info", reason, action)


def _stale(
    subject: Subject, group: str, entry: str, held: frozenset[str] | None, prefix: int
) -> bool:
    """A private single address nobody holds, outside what the function owns and selects."""
    if held is None or prefix != 32 or group in subject.owned or entry in subject.selected:
        return False
    return is_private(entry) and entry not in held
