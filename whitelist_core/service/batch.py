"""A batch as one run: merge the intents of its items into units of work, and give each
item its own view of what the units did (pure: no I/O, no clock, no log output).

A **unit** is one region of one account in one dry-run mode: the account and region
where its targets' hosts are listed (and where the instances it names live). Its targets are either reconciled in full
(some item asked for it: a Deleted or Stopped instance, an ENI change, a scale-in, a
timer) or given the add-only pass for the instances the items name (Running events,
scale-outs). A target reconciled anyway needs no add-only pass: a full reconcile adds
every selected instance, the new ones included. Duplicates merge into nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Literal

from whitelist_core.accounts import OWN
from whitelist_core.core.values import frozen
from whitelist_core.intents import ReconcileTargets, SyncInstances
from whitelist_core.outcome import RunResult, TargetResult

Work = SyncInstances | ReconcileTargets
Place = tuple[str, str, str]
"""A configured target: ``(name, region, account where its hosts are listed)``."""


@frozen
class Item:
    """One parsed item of a batch, with the dry-run mode it runs in (already decided)
    and the account its event happened in (None: not routed by account, so a reconcile
    concerns every account and instances are the function's own account's)."""

    intent: Work
    dry_run: bool
    account: str | None = None

    @property
    def hosts_account(self) -> str:
        """The account whose instances a sync item names."""
        return self.account or OWN


@frozen
class Unit:
    """One region of one account in one dry-run mode, carried out as one run.

    ``account``: where the targets' hosts are listed and ``instance_ids`` live (``OWN``:
    the function's own account). ``reconcile``: targets converged in full; ``add_only``: targets given the add-only pass
    for ``instance_ids`` (looked up together). Target names keep the configuration's order.
    """

    region: str
    dry_run: bool
    instance_ids: tuple[str, ...] = ()
    reconcile: tuple[str, ...] = ()
    add_only: tuple[str, ...] = ()
    account: str = OWN


@frozen
class UnitResult:
    """What a unit did: one result per target it touched, and which of the looked-up or
    listed instances each target selects (to tell every item about its own instances)."""

    unit: Unit
    results: Mapping[str, TargetResult]
    selected: Mapping[str, frozenset[str]]
    found: frozenset[str] = frozenset()


def reconciled_targets(
    intent: ReconcileTargets, targets: Sequence[Place], account: str | None = None
) -> tuple[str, ...]:
    """The names of the targets a reconcile intent asks for, in order; with ``account``,
    only those whose hosts are listed there (the event happened there)."""
    return tuple(
        name
        for name, region, hosts in targets
        if (intent.targets is None or name in intent.targets)
        and (intent.region is None or region == intent.region)
        and (account is None or hosts == account)
    )


Key = tuple[str, str, bool]
"""(account, region, dry_run): what a unit is of."""


def merge(items: Sequence[Item], targets: Sequence[Place], default_region: str) -> tuple[Unit, ...]:
    """The units of work of a batch, in order of first appearance of their key.

    ``targets`` are the configured places in configuration order.
    """
    ids: dict[Key, dict[str, None]] = {}
    full: dict[Key, set[str]] = {}
    place_of = {name: (hosts, region) for name, region, hosts in targets}
    for item in items:
        intent = blind_hook_reconcile(item.intent, default_region)
        if isinstance(intent, SyncInstances):
            key = sync_key(item, default_region)
            ids.setdefault(key, {}).update(dict.fromkeys(intent.instance_ids))
            full.setdefault(key, set())
            continue
        for name in reconciled_targets(intent, targets, item.account):
            slot = (*place_of[name], item.dry_run)
            ids.setdefault(slot, {})
            full.setdefault(slot, set()).add(name)
    return tuple(_unit(key, tuple(ids[key]), full[key], targets) for key in ids)


def blind_hook_reconcile(intent: Work, default_region: str) -> Work:
    """A scale-out hook that names no instance (its payload is unverified: ids empty,
    missing or under another key) cannot be synced by ids: its region is reconciled
    instead, so the hosts it holds get in if they are selected and listed. It is never
    answered (``lifecycle``): "every host it holds is in" cannot be known."""
    if not isinstance(intent, SyncInstances) or intent.instance_ids:
        return intent
    if intent.lifecycle is None or not intent.lifecycle.scale_out:
        return intent
    return ReconcileTargets(
        region=intent.region or default_region, dry_run=intent.dry_run, trigger=intent.trigger,
        event_id=intent.event_id, reason=intent.reason, account_id=intent.account_id,
    )  # fmt: skip


def sync_key(item: Item, default_region: str) -> Key:
    """The unit a sync item's instances are looked up in."""
    region = item.intent.region or default_region
    return (item.hosts_account, region, item.dry_run)


def unit_key(unit: Unit) -> Key:
    return (unit.account, unit.region, unit.dry_run)


def _unit(key: Key, ids: tuple[str, ...], full: set[str], targets: Sequence[Place]) -> Unit:
    account, region, dry_run = key
    members = [name for name, r, hosts in targets if (hosts, r) == (account, region)]
    reconcile = tuple(name for name in members if name in full)
    add_only = tuple(name for name in members if name not in full) if ids else ()
    return Unit(region, dry_run, ids, reconcile, add_only, account)


def item_view(
    item: Item, done: Sequence[UnitResult], targets: Sequence[Place], default_region: str
) -> RunResult:
    """What the batch did for this item: for a sync item, each target that selects one of
    its instances, restricted to those instances' entries; for a reconcile item, the full
    result of every target it asked for."""
    item = replace(item, intent=blind_hook_reconcile(item.intent, default_region))
    if isinstance(item.intent, SyncInstances):
        key = sync_key(item, default_region)
        ids = frozenset(item.intent.instance_ids)
        found = [
            _restricted(result, ids)
            for unit in done
            if unit_key(unit.unit) == key
            for name, result in unit.results.items()
            if ids & unit.selected.get(name, frozenset())
        ]
        return RunResult(tuple(found), item.dry_run)
    wanted = reconciled_targets(item.intent, targets, item.account)
    by_name = {
        name: result
        for unit in done
        if unit.unit.dry_run == item.dry_run
        for name, result in unit.results.items()
        if name in unit.unit.reconcile
    }
    return RunResult(tuple(by_name[n] for n in wanted if n in by_name), item.dry_run)


def _restricted(result: TargetResult, ids: frozenset[str]) -> TargetResult:
    """The part of a target's result that concerns these instances (adds and keeps only:
    a sync item never asked for removals)."""
    plan = result.plan
    add = tuple(c for c in plan.add if c.instance_id in ids)
    keep = tuple(c for c in plan.keep if c.instance_id in ids)
    view = replace(plan, add=add, remove=(), keep=keep)
    status = result.status
    if status in ("applied", "planned") and not add:
        status = "noop"
    return replace(result, plan=view, status=status)


Readiness = Literal["ready", "blocked", "failed"]


def whitelisted(item: Item, done: Sequence[UnitResult], default_region: str) -> Readiness:
    """Whether a sync item's lifecycle hook may be answered: ``ready`` when ECS knows every
    instance and each is in every target that selects it (added or already there);
    ``failed`` when a lookup or write failed or an instance is not found (a retry may
    help); ``blocked`` when policy kept an entry out (a retry cannot help)."""
    intent = item.intent
    if not isinstance(intent, SyncInstances):
        return "failed"
    key = sync_key(item, default_region)
    ids = frozenset(intent.instance_ids)
    units = [u for u in done if unit_key(u.unit) == key]
    has_targets = any(u.unit.reconcile or u.unit.add_only for u in units)
    if has_targets and not ids <= frozenset().union(*(u.found for u in units)):
        return "failed"
    verdict: Readiness = "ready"
    for unit in units:
        for name, result in unit.results.items():
            wanted = ids & unit.selected.get(name, frozenset())
            if not wanted:
                continue
            if result.status not in ("applied", "noop"):
                return "failed"
            if not _holds(result, wanted):
                verdict = "blocked"
    return verdict


def _holds(result: TargetResult, ids: frozenset[str]) -> bool:
    present = {c.instance_id for c in (*result.plan.add, *result.plan.keep)}
    return ids <= present
