"""Executing a run: the checked items of an invocation merged into units, the units
run through the reconciler (one worker per region), each item's summary its own view
of the run, the ESS lifecycle hooks answered after the writes, and the invocation
failed, with every result, when retrying may fix a failure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

import structlog

from whitelist_core.config import Config
from whitelist_core.core.findings import combine_reports
from whitelist_core.core.planner import TargetPlan
from whitelist_core.errors import CloudError, ConfigError, CredentialsError, IncompleteRun
from whitelist_core.intents import ReconcileTargets, SyncInstances
from whitelist_core.outcome import CloudFailure, ConfigFailure, RunResult
from whitelist_core.ports import AccountHooks, AccountPorts, InstanceInventory, WhitelistStore
from whitelist_core.service.auditing import tell_findings
from whitelist_core.service.batch import (
    Item,
    Key,
    Place,
    UnitResult,
    item_view,
    merge,
    reconciled_targets,
    sync_key,
    unit_key,
)
from whitelist_core.service.lifecycle import HookNotAnswered, answer_hooks
from whitelist_core.service.reconcile import Reconciler
from whitelist_core.service.regions import run_units
from whitelist_core.summary import BatchSummary, Summary

log = structlog.get_logger("whitelist_core.audit")


def execute(
    config: Config,
    work: Sequence[tuple[int, Item]],
    ports: Callable[[], tuple[InstanceInventory, WhitelistStore]],
    hooks: AccountHooks,
    accounts: AccountPorts | None = None,
) -> list[tuple[int, Summary]]:
    """Carry out the checked items of ``work`` as one run (``batch.merge``): a summary
    per item index, each its own view of the run, after the lifecycle hooks are answered.
    ``ports``, ``accounts`` (other accounts' ports, by name) and ``hooks`` (an account's
    ESS port) build the cloud adapters on first use."""
    try:
        inventory, store = ports()
    except ConfigError as exc:  # no credentials: ours to fix, retrying cannot help
        return [(index, config_error(exc, item.intent)) for index, item in work]
    reconciler = Reconciler(config, inventory, store, audit=audit, accounts=accounts)
    pairs = places(config)
    done: list[UnitResult] = []
    failed: dict[Key, CloudError] = {}
    units = merge([item for _, item in work], pairs, config.region)
    raised: list[Exception] = []
    for unit, outcome in run_units(units, reconciler.run_unit):
        if isinstance(outcome, UnitResult):
            done.append(outcome)
        elif isinstance(outcome, CloudError):  # a region's failure, recorded as data
            failed[unit_key(unit)] = outcome
        else:
            raised.append(outcome)
    if raised:  # not the cloud's trouble (a bug): every region has finished
        raise raised[0]
    summaries = []
    for index, item in work:
        error = _failure(item, failed, pairs, config.region)
        if error is not None:
            summaries.append((index, _cloud_failure(item, error)))
            continue
        result = item_view(item, done, pairs, config.region)
        summary = Summary.of_run(result, item.intent.trigger, item.intent.event_id)
        said = _unknown_instances(item, done, config.region)
        if said and summary.message is None and not result.results:
            summary = replace(summary, message=said)
        summaries.append((index, _with_first_error(summary, result)))
    pending = [(summary, item) for (_, summary), (_, item) in zip(summaries, work, strict=True)]
    log_findings(pending)
    try:
        answered = answer_hooks(hooks, pending, done, config.region)
    except HookNotAnswered as exc:  # fail with every target's result, the hook's too
        hook = {"target": "(lifecycle hook)", **CloudFailure.from_error(exc).fields()}
        raise_if_incomplete(exc.answered or [summary for _, summary in summaries], [hook])
        raise
    return [(index, summary) for (index, _), summary in zip(summaries, answered, strict=True)]


def places(config: Config) -> list[Place]:
    """Every target with its region and the account its hosts are listed in."""
    return [(t.name, config.region_of(t), config.hosts_account_of(t)) for t in config.targets]


def log_findings(done: Sequence[tuple[Summary, Item]]) -> None:
    """One ``whitelist_finding`` line per finding of the timer and webhook reconcile runs,
    each once; event runs only count theirs (in the result), to keep storms quiet."""
    loud = [
        summary
        for summary, item in done
        if isinstance(item.intent, ReconcileTargets) and item.intent.trigger in ("timer", "http")
    ]
    tell_findings(combine_reports(s.findings() for s in loud))


def _failure(
    item: Item, failed: Mapping[Key, CloudError], pairs: Sequence[Place], default_region: str
) -> CloudError | None:
    """The permanent cloud error of a unit this item depends on, if any."""
    intent = item.intent
    if isinstance(intent, SyncInstances):
        keys = [sync_key(item, default_region)]
    else:
        names = set(reconciled_targets(intent, pairs, item.account))
        keys = [(a, r, item.dry_run) for name, r, a in pairs if name in names]
    return next((failed[key] for key in keys if key in failed), None)


def _unknown_instances(item: Item, done: Sequence[UnitResult], default_region: str) -> str:
    """What to say of a sync item's instances that ECS does not know (an event for an
    instance already released, or of another region or account): nothing was done."""
    intent = item.intent
    if not isinstance(intent, SyncInstances):
        return ""
    region = intent.region or default_region
    key = sync_key(item, default_region)  # the unit its instances were looked up in
    units = [u for u in done if unit_key(u.unit) == key]
    found = frozenset().union(*(u.found for u in units))
    unknown = [i for i in intent.instance_ids if i not in found]
    if not units or not unknown:
        return ""
    return (
        f"ECS does not know {', '.join(unknown)} in {region} (released, or in another "
        "region or account): nothing to whitelist"
    )


def _with_first_error(summary: Summary, run: RunResult) -> Summary:
    """The first target error also at the top of the summary, with its message (the
    shape a summary with ``status: "error"`` has always had)."""
    first = next((r.error for r in run.results if r.error), None)
    return replace(summary, failure=first, message=first.message) if first else summary


def raise_if_incomplete(
    summaries: Sequence[Summary], extra: Sequence[dict[str, object]] = ()
) -> None:
    """Every item is done: if any target (or a whole region) failed for a reason
    retrying may fix, fail the invocation now, with every result, so it is retried."""
    failures: list[dict[str, object]] = list(extra)
    for summary in summaries:
        failures += retryable_failures(summary)
    if failures:
        whole = summaries[0] if len(summaries) == 1 else BatchSummary(tuple(summaries))
        raise IncompleteRun(whole.to_dict(), failures, result=whole)


def retryable_failures(summary: Summary) -> list[dict[str, object]]:
    """What in one item's summary a retry may fix: its targets' failures, or its region's."""
    if summary.run is not None:
        return list(summary.run.retryable_failures)
    if isinstance(summary.failure, CloudFailure) and summary.failure.retryable:
        return [{"target": "(region)", **summary.failure.fields()}]
    return []


def _cloud_failure(item: Item, exc: CloudError) -> Summary:
    intent, failure = item.intent, CloudFailure.from_error(exc)
    return Summary(
        "error", intent.trigger, intent.event_id, str(exc), failure=failure, dry_run=item.dry_run
    )


def audit(plan: TargetPlan) -> None:
    """The audit line of one applied change."""
    log.info(
        "whitelist_changed",
        target=plan.target,
        region=plan.region,
        instance_id=plan.instance_id,
        group=plan.group,
        added=[c.entry for c in plan.add],
        removed=[c.entry for c in plan.remove],
        instances=sorted({c.instance_id for c in plan.add if c.instance_id}),
        before=len(plan.current),
        after=len(plan.after),
    )


def config_error(exc: ConfigError, intent: SyncInstances | ReconcileTargets) -> Summary:
    """The summary of an item the configuration (or missing credentials) stopped."""
    kind = "credentials" if isinstance(exc, CredentialsError) else "configuration"
    failure = ConfigFailure(tuple(str(p) for p in exc.problems), kind)
    return Summary("error", intent.trigger, intent.event_id, str(exc), failure=failure)
