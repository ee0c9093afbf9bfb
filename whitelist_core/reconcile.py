"""Reconcile: gather -> plan -> check -> apply, with dry run.

The only module that both decides and acts. It reads through the ports, lets the pure
core decide, and then executes exactly the plan: additions first (``Append``), then
removals (``Delete``), so a group is never empty and concurrent runs cannot overwrite
each other. Failures are data: a cloud error (permanent, or transient after its retries)
is recorded for its target, or for every target of its region when the region's listing
or instance lookup failed, while every other target goes on. The caller decides what a
retryable failure means for the invocation (``RunResult.retryable_failures``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from functools import partial

from structlog.contextvars import bound_contextvars

from .batch import Unit, UnitResult
from .config import Config, Target
from .entries import PLACEHOLDER
from .errors import CloudError
from .outcome import CloudFailure, RunResult, TargetResult, TargetStatus
from .placement import Step
from .planner import (
    Held,
    Owner,
    TargetPlan,
    applied_part,
    plan_additions,
    plan_target,
    retain,
    retried,
)
from .policy import police
from .ports import Group, Instance, InstanceInventory, InstanceQuery, WhitelistStore
from .selection import (
    InstanceIndex,
    desired_entries,
    instance_entries,
    instance_sources,
    is_eligible,
)

AuditSink = Callable[[TargetPlan], None]
Planner = Callable[[Owner, Held], TargetPlan]

QUOTA_REPLANS = 3
"""How often a write refused for quota (another run filled the group first) is followed
by a fresh read and a new plan before the target reports the error."""


class Reconciler:
    """Runs the flows for one invocation; caches each region listing and group read."""

    def __init__(
        self,
        config: Config,
        inventory: InstanceInventory,
        store: WhitelistStore,
        *,
        audit: AuditSink | None = None,
    ) -> None:
        self.config, self.inventory, self.store = config, inventory, store
        self._audit = audit or (lambda plan: None)
        self._listings: dict[tuple[str, InstanceQuery | None], InstanceIndex] = {}
        self._groups: dict[tuple[str, str], list[Group]] = {}

    # -- flows ---------------------------------------------------------------------------

    def reconcile(self, targets: Sequence[Target], *, dry_run: bool) -> RunResult:
        """Converge every given target: add what is missing, remove what is stale."""
        results: list[TargetResult] = []
        for region, members in _by_region(self.config, targets).items():
            results.extend(self._reconcile_region(region, members, dry_run)[0])
        return RunResult(tuple(results), dry_run)

    def sync_instances(
        self, region: str, instance_ids: Sequence[str], *, dry_run: bool
    ) -> RunResult:
        """Add the IPs of these instances to every target of ``region`` they match."""
        targets = [t for t in self.config.targets if self.config.region_of(t) == region]
        if not targets or not instance_ids:
            return RunResult((), dry_run)
        try:
            found = self.inventory.get_instances(region, list(instance_ids))
        except CloudError as exc:
            return RunResult(tuple(_failed(t, region, exc) for t in targets), dry_run)
        results = []
        for target in targets:
            sources = instance_sources(target, found)
            if sources:
                results.append(self._run(target, dry_run, partial(plan_additions, desired=sources)))
        return RunResult(tuple(results), dry_run)

    def run_unit(self, unit: Unit) -> UnitResult:
        """One unit of a batch as one run: the full reconcile of ``unit.reconcile`` and one
        add-only pass for ``unit.add_only`` over ``unit.instance_ids``, looked up together."""
        by_name = {t.name: t for t in self.config.targets}
        results: dict[str, TargetResult] = {}
        selected: dict[str, frozenset[str]] = {}
        found: set[str] = set()
        if unit.reconcile:
            members = [by_name[name] for name in unit.reconcile]
            done, listing = self._reconcile_region(unit.region, members, unit.dry_run)
            known = {i.instance_id: i for i in listing.instances}
            found.update(i for i in unit.instance_ids if i in known)
            for target, result in zip(members, done, strict=True):
                results[target.name] = result
                selected[target.name] = frozenset(
                    i for i in unit.instance_ids if i in known and is_eligible(target, known[i])
                )
        if unit.add_only and unit.instance_ids:
            try:
                instances = self.inventory.get_instances(unit.region, list(unit.instance_ids))
            except CloudError as exc:  # recorded for each add-only target; the rest goes on
                for name in unit.add_only:  # each item of these instances sees the failure
                    results[name] = _failed(by_name[name], unit.region, exc)
                    selected[name] = frozenset(unit.instance_ids)
                instances = []
            found.update(i.instance_id for i in instances)
            for target in (by_name[name] for name in unit.add_only):
                sources = instance_sources(target, instances)
                if sources:
                    planner = partial(plan_additions, desired=sources)
                    results[target.name] = self._run(target, unit.dry_run, planner)
                    selected[target.name] = frozenset(s.instance_id for s in sources.values())
        elif unit.reconcile and not found >= set(unit.instance_ids):
            # A filtered listing may not show an instance that no target selects: ask ECS,
            # so "not found" means not found (a lifecycle hook waits on it).
            missing = [i for i in unit.instance_ids if i not in found]
            found.update(i.instance_id for i in self.inventory.get_instances(unit.region, missing))
        ordered = {name: results[name] for name in by_name if name in results}
        return UnitResult(unit, ordered, selected, frozenset(found))

    def read_groups(self, target: Target) -> list[Group]:
        """The groups of the target's instance as they are now (read once per invocation)."""
        return self._read(target, self.config.region_of(target))

    def execute(self, target: Target, plan: TargetPlan) -> TargetResult:
        """Exactly ``plan``'s steps, re-planning nothing (a saved, reviewed plan)."""
        return self._apply(self._store(target), plan)

    # -- steps ---------------------------------------------------------------------------

    def _reconcile_region(
        self, region: str, targets: Sequence[Target], dry_run: bool
    ) -> tuple[list[TargetResult], InstanceIndex]:
        try:
            listing = self._listing(region, targets)
        except CloudError as exc:  # the region's failure, recorded for each of its targets
            return [_failed(t, region, exc) for t in targets], InstanceIndex([])
        drafts = [self._draft(t, region, listing) for t in targets]
        drafts = self._recheck_removals(region, targets, drafts, listing)
        done = [
            self._finish(t, d, dry_run, partial(self._redraft, t, region, listing))
            for t, d in zip(targets, drafts, strict=True)
        ]
        return done, listing

    def _redraft(self, target: Target, region: str, listing: InstanceIndex) -> TargetResult:
        draft = self._draft(target, region, listing)
        (draft,) = self._recheck_removals(region, [target], [draft], listing)
        return draft

    def _draft(self, target: Target, region: str, listing: InstanceIndex) -> TargetResult:
        desired = desired_entries(target, listing.candidates(target.selector))
        return self._plan(target, region, partial(plan_target, desired=desired))

    def _run(self, target: Target, dry_run: bool, planner: Planner) -> TargetResult:
        replan = partial(self._plan, target, self.config.region_of(target), planner)
        return self._finish(target, replan(), dry_run, replan)

    def _plan(self, target: Target, region: str, planner: Planner) -> TargetResult:
        owner = Owner(
            target.name, region, target.instance_id, target.group, target.attribute,
            target.max_groups, target.drain_groups,
        )  # fmt: skip
        try:
            groups = self._read(target, region)
        except CloudError as exc:
            return _failed(target, region, exc)
        # The product's capacity: RDS/PolarDB count every group, so the room is what the others leave.
        elsewhere = sum(len(g.entries) for g in groups if g.name not in target.groups)
        from .products import spec_of  # deferred: importing the handler loads no product

        owner = replace(owner, capacity=spec_of(target.product).capacity.room(elsewhere))
        plan = _explain_room(planner(owner, groups), elsewhere, target)
        return TargetResult(police(plan, self.config.policy), "planned")

    def _finish(
        self, target: Target, draft: TargetResult, dry_run: bool,
        replan: Callable[[], TargetResult],
    ) -> TargetResult:  # fmt: skip
        """Apply the draft. A write refused for quota means another run filled a group
        since it was read: read again, plan again (placement finds room elsewhere or
        reports what cannot fit) and apply that, a few times at most."""
        if draft.status == "error" or not draft.plan.changed:
            result = draft if draft.status == "error" else replace(draft, status="noop")
            return _with_error_of(draft, result)
        if dry_run:
            return _with_error_of(draft, draft)
        result = self._apply(self._store(target), draft.plan)
        for _ in range(QUOTA_REPLANS):
            if not _refused_for_quota(result):
                break
            self._groups.pop((draft.plan.region, draft.plan.instance_id), None)
            again = replan()
            if again.status == "error" or not again.plan.changed:
                status = "error" if again.status == "error" else _done(result.plan)
                return replace(again, plan=retried(result.plan, again.plan), status=status)
            later = self._apply(self._store(target), again.plan)
            result = replace(later, plan=retried(result.plan, later.plan))
        return _with_error_of(draft, result)

    def _apply(self, store: WhitelistStore, plan: TargetPlan) -> TargetResult:
        """The plan's steps in order (room first); the audit names what was really applied."""
        done: list[Step] = []
        try:
            with bound_contextvars(target=plan.target):  # the write's cloud_call lines
                for step in plan.steps:
                    write = store.append if step.mode == "Append" else store.delete
                    entries = list(step.entries)
                    write(plan.region, plan.instance_id, step.group, entries, plan.attribute)
                    done.append(step)
        except CloudError as exc:  # every write that landed is audited, whatever failed next
            part = applied_part(plan, done)
            if part.changed:
                self._audit(part)
            return TargetResult(part, "error", _cloud_error(exc))
        self._audit(plan)
        return TargetResult(plan, "applied")

    def _recheck_removals(
        self,
        region: str,
        targets: Sequence[Target],
        drafts: list[TargetResult],
        listing: InstanceIndex,
    ) -> list[TargetResult]:
        """IPs are reused: just before removing, ask ECS who holds each IP *now* and keep
        any IP an eligible instance holds, whatever the earlier listing said."""
        ips = sorted({c.entry for d in drafts for c in d.plan.remove if _is_host(c.entry)})
        if not ips:
            return drafts
        try:
            if _primary_only(targets, listing):
                holders = self.inventory.find_by_private_ips(region, ips, primary_only=True)
            else:
                holders = self.inventory.find_by_private_ips(region, ips)
        except CloudError as exc:  # no removal without the re-check; additions still go
            return [_without_removals(d, exc) for d in drafts]
        return [_keep_held(t, d, holders) for t, d in zip(targets, drafts, strict=True)]

    # -- cached reads --------------------------------------------------------------------

    def _listing(self, region: str, targets: Sequence[Target]) -> InstanceIndex:
        # Keyed by the query too: units of one batch may reconcile different targets there.
        key = (region, _shared_query(targets))
        if key not in self._listings:
            self._listings[key] = InstanceIndex(self.inventory.list_instances(*key))
        return self._listings[key]

    def _read(self, target: Target, region: str) -> list[Group]:
        key = (region, target.instance_id)
        if key not in self._groups:
            self._groups[key] = self._store(target).read_groups(region, target.instance_id)
        return self._groups[key]

    def _store(self, target: Target) -> WhitelistStore:
        """The store of the target's product (a plain single store serves every product)."""
        pick = getattr(self.store, "for_target", None)
        if pick is None:
            return self.store
        store: WhitelistStore = pick(target.product, target.store_options)
        return store


def _explain_room(plan: TargetPlan, elsewhere: int, target: Target) -> TargetPlan:
    """On RDS/PolarDB an entry that does not fit is for want of room the instance's other
    groups hold: say so (more groups would not help there)."""
    from .products import spec_of

    capacity = spec_of(target.product).capacity
    if not plan.unplaced or not capacity.per_instance:
        return plan
    reason = (
        f"{spec_of(target.product).title} holds {capacity.entries} entries per instance, all "
        f"groups together: its other groups hold {elsewhere}, leaving room for "
        f"{plan.capacity} here; free room there or narrow the selector"
    )
    return replace(plan, blocked=(*plan.blocked, reason))


def _by_region(config: Config, targets: Iterable[Target]) -> dict[str, list[Target]]:
    regions: dict[str, list[Target]] = defaultdict(list)
    for target in targets:
        regions[config.region_of(target)].append(target)
    return dict(regions)


def _shared_query(targets: Sequence[Target]) -> InstanceQuery | None:
    """A server-side filter every target of the region agrees on (only a common VPC)."""
    vpcs = {t.selector.vpc_id for t in targets}
    vpc = vpcs.pop() if len(vpcs) == 1 else None
    return InstanceQuery(vpc_id=vpc) if vpc else None


def _primary_only(targets: Sequence[Target], listing: InstanceIndex) -> bool:
    """True when only a VPC primary IP can make an instance hold a removed entry for these
    targets, so the re-check may use ECS's server-side ``PrivateIpAddresses`` filter
    (which sees only VPC primary IPs) instead of listing the whole region again.

    Not when a target counts secondary IPs, nor when the region lists a classic-network
    instance (no VPC: its IP is the inner IP, which that filter may not match).
    """
    if any(t.secondary_ips for t in targets):
        return False
    return all(i.vpc_id for i in listing.instances)


def _is_host(entry: str) -> bool:
    return "/" not in entry and entry != PLACEHOLDER


def _keep_held(target: Target, draft: TargetResult, holders: list[Instance]) -> TargetResult:
    held = {
        ip: h
        for h in holders
        if is_eligible(target, h)
        for ip in instance_entries(h, target.secondary_ips)
    }
    kept = {
        c.entry: f"kept {c.entry}: re-check found it held by {held[c.entry].instance_id}"
        for c in draft.plan.remove
        if c.entry in held
    }
    return replace(draft, plan=retain(draft.plan, kept)) if kept else draft


def _done(plan: TargetPlan) -> TargetStatus:
    return "applied" if plan.changed else "noop"


def _refused_for_quota(result: TargetResult) -> bool:
    # The cap's code is INFERRED for Redis (RDS and templates answer *.QuotaExceeded).
    code = result.error.code if result.error else ""
    return result.status == "error" and "quotaexceeded" in code.lower()


def _cloud_error(exc: CloudError) -> CloudFailure:
    return CloudFailure.from_error(exc)


def _failed(target: Target, region: str, exc: CloudError) -> TargetResult:
    """A target that could not be planned: nothing planned, the error recorded."""
    blank = TargetPlan(target.name, region, target.instance_id, target.group, target.attribute)
    return TargetResult(blank, "error", _cloud_error(exc))


def _without_removals(draft: TargetResult, exc: CloudError) -> TargetResult:
    """The draft with its removals kept, carrying the re-check's error (the run fails)."""
    if not draft.plan.remove or draft.status == "error":
        return draft
    why = f"removals held back: the re-check before removing failed ({exc.code})"
    kept = {c.entry: f"kept {c.entry}: {why}" for c in draft.plan.remove}
    return replace(draft, plan=retain(draft.plan, kept), error=_cloud_error(exc))


def _with_error_of(draft: TargetResult, result: TargetResult) -> TargetResult:
    """``result``, failed with the draft's own error when the draft carried one."""
    if draft.error and result.status != "error":
        return replace(result, status="error", error=draft.error)
    return result
