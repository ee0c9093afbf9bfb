"""Reconcile: gather -> plan -> check -> apply, with dry run.

The only module that both decides and acts. It reads through the ports (each region's
listing and each instance's groups once per invocation), lets the pure core decide,
re-checks removals (``recheck``) and then executes exactly the plan (``apply``).
Failures are data: a cloud error (permanent, or transient after its retries) is
recorded for its target, or for every target of its region when the region's listing
or instance lookup failed, while every other target goes on. The caller decides what a
retryable failure means for the invocation (``RunResult.retryable_failures``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from functools import partial

from whitelist_core.config import Config, Target
from whitelist_core.core.planner import Held, Owner, TargetPlan, plan_additions, plan_target
from whitelist_core.core.policy import police
from whitelist_core.core.selection import (
    InstanceIndex,
    desired_entries,
    instance_sources,
    is_eligible,
)
from whitelist_core.errors import CloudError
from whitelist_core.outcome import CloudFailure, RunResult, TargetResult
from whitelist_core.ports import (
    AccountPorts,
    Group,
    InstanceInventory,
    InstanceQuery,
    WhitelistStore,
)
from whitelist_core.service.accounts import Reads
from whitelist_core.service.apply import QUOTA_REPLANS as QUOTA_REPLANS
from whitelist_core.service.apply import AuditSink, apply_plan, finish
from whitelist_core.service.auditing import audited
from whitelist_core.service.batch import Unit, UnitResult
from whitelist_core.service.recheck import recheck_removals

Planner = Callable[[Owner, Held], TargetPlan]


class Reconciler:
    """Runs the flows for one invocation; reads each listing and group once (``Reads``),
    each in its account: ``inventory`` and ``store`` are the function's own account's,
    ``accounts`` gives another account's by its name."""

    def __init__(
        self,
        config: Config,
        inventory: InstanceInventory,
        store: WhitelistStore,
        *,
        audit: AuditSink | None = None,
        accounts: AccountPorts | None = None,
    ) -> None:
        self.config = config
        self.reads = Reads(config, inventory, store, accounts)
        self._audit = audit or (lambda plan: None)

    # -- flows ---------------------------------------------------------------------------

    def reconcile(self, targets: Sequence[Target], *, dry_run: bool) -> RunResult:
        """Converge every given target: add what is missing, remove what is stale."""
        results: list[TargetResult] = []
        for (account, region), members in _by_place(self.config, targets).items():
            results.extend(self._reconcile_region(account, region, members, dry_run)[0])
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
            done, listing = self._reconcile_region(unit.account, unit.region, members, unit.dry_run)
            known = {i.instance_id: i for i in listing.instances}
            found.update(i for i in unit.instance_ids if i in known)
            for target, result in zip(members, done, strict=True):
                results[target.name] = result
                selected[target.name] = frozenset(
                    i for i in unit.instance_ids if i in known and is_eligible(target, known[i])
                )
        if unit.add_only and unit.instance_ids:
            try:
                inventory = self.reads.inventory(unit.account)
                instances = inventory.get_instances(unit.region, list(unit.instance_ids))
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
            inventory = self.reads.inventory(unit.account)
            found.update(i.instance_id for i in inventory.get_instances(unit.region, missing))
        ordered = {name: results[name] for name in by_name if name in results}
        return UnitResult(unit, ordered, selected, frozenset(found))

    def read_groups(self, target: Target) -> list[Group]:
        """The groups of the target's instance as they are now (read once per invocation)."""
        return self.reads.groups(target, self.config.region_of(target))

    def execute(self, target: Target, plan: TargetPlan) -> TargetResult:
        """Exactly ``plan``'s steps, re-planning nothing (a saved, reviewed plan)."""
        return apply_plan(self.reads.store(target), plan, self._audit)

    # -- steps ---------------------------------------------------------------------------

    def _reconcile_region(
        self, account: str, region: str, targets: Sequence[Target], dry_run: bool
    ) -> tuple[list[TargetResult], InstanceIndex]:
        """Targets whose hosts are listed in ``account`` and ``region``, converged."""
        query = _shared_query(targets)
        try:
            listing = self.reads.listing(account, region, query)
            inventory = self.reads.inventory(account)
        except CloudError as exc:  # the region's failure, recorded for each of its targets
            return [_failed(t, region, exc) for t in targets], InstanceIndex([])
        drafts = [self._draft(t, region, listing) for t in targets]
        drafts = recheck_removals(inventory, region, targets, drafts)
        redraft = partial(self._redraft, inventory, region=region, listing=listing)
        whole = None if query else listing  # stale needs the whole region
        done = [
            self._finish(t, d, dry_run, partial(redraft, t), whole)
            for t, d in zip(targets, drafts, strict=True)
        ]
        return done, listing

    def _redraft(
        self, inventory: InstanceInventory, target: Target, *, region: str, listing: InstanceIndex
    ) -> TargetResult:
        draft = self._draft(target, region, listing)
        (draft,) = recheck_removals(inventory, region, [target], [draft])
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
            groups = self.reads.groups(target, region)
        except CloudError as exc:
            return _failed(target, region, exc)
        # The product's capacity: RDS/PolarDB count every group, so the room is what the others leave.
        elsewhere = sum(g.size for g in groups if g.name not in target.groups)  # parsed or not
        from whitelist_core.products import (
            spec_of,  # deferred: importing the handler loads no product
        )

        owner = replace(owner, capacity=spec_of(target.product).capacity.room(elsewhere))
        plan = _explain_room(planner(owner, groups), elsewhere, target)
        return TargetResult(police(plan, self.config.policy), "planned")

    def _finish(
        self, target: Target, draft: TargetResult, dry_run: bool,
        replan: Callable[[], TargetResult], whole: InstanceIndex | None = None,
    ) -> TargetResult:  # fmt: skip
        """Apply the draft (``apply.finish``); a re-plan after a quota refusal reads the
        instance's groups afresh. The result carries the audit of the groups as read
        (``whole``: the region's complete listing, when the run has one)."""

        def write(plan: TargetPlan) -> TargetResult:
            return apply_plan(self.reads.store(target), plan, self._audit)

        def fresh() -> TargetResult:
            self.reads.forget_groups(target, draft.plan.region)
            return replan()

        groups = self.reads.cached_groups(target, draft.plan.region)
        return audited(self.config, finish(draft, dry_run, write, fresh), target, groups, whole)


def _explain_room(plan: TargetPlan, elsewhere: int, target: Target) -> TargetPlan:
    """On RDS/PolarDB the plan records what the instance's other groups hold (its room is
    what they leave), and an entry that does not fit is for want of that room: say so
    (more groups would not help there)."""
    from whitelist_core.products import spec_of

    capacity = spec_of(target.product).capacity
    if not capacity.per_instance:
        return plan
    plan = replace(plan, shared=elsewhere)
    if not plan.unplaced:
        return plan
    reason = (
        f"{spec_of(target.product).title} holds {capacity.entries} entries per instance, all "
        f"groups together: its other groups hold {elsewhere}, leaving room for "
        f"{plan.capacity} here; free room there or narrow the selector"
    )
    return replace(plan, blocked=(*plan.blocked, reason))


def _by_place(config: Config, targets: Iterable[Target]) -> dict[tuple[str, str], list[Target]]:
    """The targets by where their hosts are listed: (account, region)."""
    places: dict[tuple[str, str], list[Target]] = defaultdict(list)
    for target in targets:
        places[(config.hosts_account_of(target), config.region_of(target))].append(target)
    return dict(places)


def _shared_query(targets: Sequence[Target]) -> InstanceQuery | None:
    """A server-side filter every target of the region agrees on (only a common VPC)."""
    vpcs = {t.selector.vpc_id for t in targets}
    vpc = vpcs.pop() if len(vpcs) == 1 else None
    return InstanceQuery(vpc_id=vpc) if vpc else None


def _failed(target: Target, region: str, exc: CloudError) -> TargetResult:
    """A target that could not be planned: nothing planned, the error recorded."""
    blank = TargetPlan(target.name, region, target.instance_id, target.group, target.attribute)
    return TargetResult(blank, "error", CloudFailure.from_error(exc))
