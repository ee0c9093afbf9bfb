"""The audit on its own (``audit`` on the command line): read every group of the
configured targets' instances, and with ``--all-instances`` of every database instance
the products' list APIs find in the regions, and judge them (``auditing``).

Read-only: it lists and reads, never writes. Each region is listed whole once, so
``stale`` is judged. A failure (a listing, a read) is recorded with what it stopped and
the rest goes on; the caller reports it and exits with an error.
"""

from __future__ import annotations

from collections.abc import Sequence

from whitelist_core.accounts import OWN
from whitelist_core.config import Config
from whitelist_core.core.findings import AuditReport, combine_reports
from whitelist_core.core.selection import InstanceIndex
from whitelist_core.core.values import frozen
from whitelist_core.errors import CloudError
from whitelist_core.ports import DatabaseCatalog, InstanceInventory, WhitelistStore, store_of
from whitelist_core.service.auditing import audit_groups

Database = tuple[str, str, str]
"""``(product, region, instance_id)``."""


@frozen
class AuditRun:
    """What an audit looked at, what it found, and what it could not do (sentences)."""

    databases: tuple[Database, ...]
    report: AuditReport
    failures: tuple[str, ...] = ()


def configured(config: Config, regions: Sequence[str] | None = None) -> list[Database]:
    """The configured targets' instances in the caller's own account (those of ``regions``
    when given), each once: a target in another account is audited by the runs, which
    read it with that account's role."""
    found = {
        (t.product, config.region_of(t), t.instance_id): None
        for t in config.targets
        if (regions is None or config.region_of(t) in regions) and config.account_of(t) == OWN
    }
    return list(found)


def discover(
    catalog: DatabaseCatalog, products: Sequence[str], regions: Sequence[str]
) -> tuple[list[Database], list[str]]:
    """Every instance of each product in each region, and each listing that failed."""
    found: list[Database] = []
    failures: list[str] = []
    for region in regions:
        for product in products:
            try:
                found.extend((product, region, i) for i in catalog.list_databases(product, region))
            except CloudError as exc:
                failures.append(f"listing {product} instances in {region} failed: {exc}")
    return found, failures


def audit_databases(
    config: Config,
    inventory: InstanceInventory,
    stores: WhitelistStore,
    databases: Sequence[Database],
) -> AuditRun:
    """Read and judge every group of each database, with its region listed whole."""
    reports: list[AuditReport] = []
    failures: list[str] = []
    listings: dict[str, InstanceIndex | None] = {}
    unique = list(dict.fromkeys(databases))
    for product, region, instance_id in unique:
        if region not in listings:
            try:
                listings[region] = InstanceIndex(inventory.list_instances(region, None))
            except CloudError as exc:  # the audit goes on; nothing is judged stale there
                listings[region] = None
                failures.append(f"listing ECS instances in {region} failed ({exc}): no stale check")
        try:
            groups = store_of(stores, product, {}).read_groups(region, instance_id)
        except CloudError as exc:
            failures.append(
                f"reading the groups of {instance_id} ({product}, {region}) failed: {exc}"
            )
            continue
        listing = listings[region]
        reports.append(audit_groups(config, product, region, instance_id, groups, listing,
                                    complete=listing is not None))  # fmt: skip
    return AuditRun(tuple(unique), combine_reports(reports), tuple(failures))
