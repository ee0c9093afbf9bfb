"""The application service: one invocation from raw event to result.

``handler.py`` only wires the FC entry point to ``Invocation.run``. Everything the
handler needs from the outside world (environment, clock, cloud clients) is passed in,
so tests drive the same path with ``localcloud``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog

from . import __version__
from .batch import Item, UnitResult, item_view, merge, reconciled_targets
from .config import Config, config_path
from .errors import BadEvent, CloudError, ConfigError, CredentialsError, IncompleteRun
from .events import Batch, BatchItem, Rejected, parse_event
from .intents import HttpRequest, Ignore, Intent, ReconcileTargets, SyncInstances
from .lifecycle import HookNotAnswered, answer_hooks
from .logs import bind_invocation
from .outcome import CloudFailure, ConfigFailure, RunResult
from .planner import TargetPlan
from .ports import InstanceInventory, LifecycleHooks, WhitelistStore
from .reconcile import Reconciler
from .regions import run_units
from .summary import BatchSummary, Summary
from .wiring import ClientsFactory, HooksFactory, cloud_clients, cloud_hooks, load_cached

if TYPE_CHECKING:
    from .httpapp import HttpAnswer

log = structlog.get_logger("whitelist_core.audit")

SAFETY_MARGIN_SECONDS = 5.0
"""Cloud retries stop this long before the invocation's time runs out."""


@dataclass
class Invocation:
    """One invocation's surroundings: configuration, environment, clock, clients."""

    environ: Mapping[str, str]
    clients: ClientsFactory
    base_dir: Path
    context: Any = None
    now: Callable[[], float] = time.time
    monotonic: Callable[[], float] = time.monotonic
    hooks: HooksFactory | None = None
    _config: Config | None = field(default=None, init=False)
    _deadline: float | None = field(default=None, init=False)
    _ports: tuple[InstanceInventory, WhitelistStore] | None = field(default=None, init=False)
    _hooks: LifecycleHooks | None = field(default=None, init=False)

    # -- entry ---------------------------------------------------------------------------

    def run(self, event: object) -> Summary | BatchSummary | HttpAnswer:
        """Parse ``event`` and carry it out; return its summary (or HTTP answer), a value
        that only the edge renders."""
        try:
            parsed = parse_event(event)
        except BadEvent as exc:
            return _rejected(str(exc))
        if isinstance(parsed, Batch):
            return self._run_batch(parsed)
        if isinstance(parsed, HttpRequest):
            from .httpapp import handle_http  # deferred: only HTTP triggers need it

            return handle_http(self, parsed)
        return self.run_intent(parsed)

    def _run_batch(self, batch: Batch) -> BatchSummary:
        bind_invocation(trigger="batch")
        return BatchSummary(tuple(self.run_items(batch.items)))

    def run_intent(self, intent: Intent) -> Summary:
        """Carry out one parsed intent; cloud trouble that outlasted retries propagates."""
        if not isinstance(intent, HttpRequest):
            bind_invocation(trigger=intent.trigger, event_id=intent.event_id or None)
        if isinstance(intent, HttpRequest):
            return _rejected("an HTTP request cannot be nested in another event")
        return self.run_items([intent])[0]

    def run_items(self, items: Sequence[BatchItem]) -> list[Summary]:
        """Carry out the items of a batch as one run; one summary per item, in order.

        Bad items are answered alone; the rest are merged (``batch.merge``) into one run
        per region, and each item's summary is its own view of that run.
        """
        summaries: list[Summary | None] = [None] * len(items)
        work: list[tuple[int, Item]] = []
        config: Config | None = None
        for index, item in enumerate(items):
            if isinstance(item, Rejected):
                summaries[index] = _rejected(item.message)
            elif isinstance(item, Ignore):
                summaries[index] = _ignored(item)
            else:
                try:
                    config = self.config()
                except ConfigError as exc:
                    summaries[index] = _config_error(exc, item)
                    continue
                problem = _unknown_targets(config, item)
                if problem:
                    summaries[index] = _rejected(problem, item.trigger)
                else:
                    work.append((index, Item(item, self.dry_run(config, item.dry_run))))
        if work and config is not None:
            for index, summary in self._execute(config, work):
                summaries[index] = summary
        done = [s for s in summaries if s is not None]
        _raise_if_incomplete(done)
        return done

    # -- execution -----------------------------------------------------------------------

    def _execute(self, config: Config, work: list[tuple[int, Item]]) -> list[tuple[int, Summary]]:
        try:
            inventory, store = self.ports()
        except ConfigError as exc:  # no credentials: ours to fix, retrying cannot help
            return [(index, _config_error(exc, item.intent)) for index, item in work]
        reconciler = Reconciler(config, inventory, store, audit=_audit)
        pairs = [(t.name, config.region_of(t)) for t in config.targets]
        done: list[UnitResult] = []
        failed: dict[tuple[str, bool], CloudError] = {}
        units = merge([item for _, item in work], pairs, config.region)
        raised: list[Exception] = []
        for unit, outcome in run_units(units, reconciler.run_unit):
            if isinstance(outcome, UnitResult):
                done.append(outcome)
            elif isinstance(outcome, CloudError):  # a region's failure, recorded as data
                failed[(unit.region, unit.dry_run)] = outcome
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
            summaries.append((index, _with_first_error(summary, result)))
        pending = [(summary, item) for (_, summary), (_, item) in zip(summaries, work, strict=True)]
        try:
            answered = answer_hooks(self.lifecycle_hooks, pending, done, config.region)
        except HookNotAnswered as exc:  # fail with every target's result, the hook's too
            hook = {"target": "(lifecycle hook)", **CloudFailure.from_error(exc).fields()}
            _raise_if_incomplete([summary for _, summary in summaries], [hook])
            raise
        return [(index, summary) for (index, _), summary in zip(summaries, answered, strict=True)]

    def config(self) -> Config:
        """The configuration, loaded once per invocation."""
        if self._config is None:
            self._config = load_cached(config_path(self.environ, self.base_dir))
        return self._config

    def dry_run(self, config: Config, requested: bool | None) -> bool:
        """Dry when the environment forces it, the configuration says so, or the event asks."""
        forced = self.environ.get("WHITELIST_DRY_RUN", "").strip().lower() in {"1", "true", "yes"}
        return forced or config.dry_run or bool(requested)

    def ports(self) -> tuple[InstanceInventory, WhitelistStore]:
        """The cloud adapters, built once per invocation (every item of a batch shares them)."""
        if self._ports is None:
            self._ports = self.clients(self.deadline())
        return self._ports

    def lifecycle_hooks(self) -> LifecycleHooks:
        """The ESS lifecycle port, built on first use (only lifecycle events need it)."""
        if self._hooks is None:
            build = self.hooks or cloud_hooks(self.context, self.environ)
            self._hooks = build(self.deadline())
        return self._hooks

    def deadline(self) -> float:
        """When cloud retries must stop (``time.monotonic`` scale): fixed at the first call,
        so the items of a batch share one budget instead of each getting a fresh one."""
        if self._deadline is None:
            self._deadline = self.monotonic() + max(1.0, self.budget() - SAFETY_MARGIN_SECONDS)
        return self._deadline

    def budget(self) -> float:
        """Seconds this invocation may take: the FC function timeout, else the environment."""
        timeout = getattr(getattr(self.context, "function", None), "timeout", None)
        if isinstance(timeout, int | float) and timeout > 0:
            return float(timeout)
        try:
            return float(self.environ.get("WHITELIST_TIMEOUT_SECONDS", "") or 60)
        except ValueError:
            return 60.0


def _unknown_targets(config: Config, intent: SyncInstances | ReconcileTargets) -> str:
    if not isinstance(intent, ReconcileTargets) or intent.targets is None:
        return ""
    unknown = sorted(set(intent.targets) - {t.name for t in config.targets})
    return f"unknown target(s): {', '.join(unknown)}" if unknown else ""


def _failure(
    item: Item,
    failed: Mapping[tuple[str, bool], CloudError],
    pairs: Sequence[tuple[str, str]],
    default_region: str,
) -> CloudError | None:
    """The permanent cloud error of a unit this item depends on, if any."""
    intent = item.intent
    if isinstance(intent, SyncInstances):
        regions = [intent.region or default_region]
    else:
        names = set(reconciled_targets(intent, pairs))
        regions = list(dict.fromkeys(region for name, region in pairs if name in names))
    return next((failed[(r, item.dry_run)] for r in regions if (r, item.dry_run) in failed), None)


def _with_first_error(summary: Summary, run: RunResult) -> Summary:
    """The first target error also at the top of the summary, with its message (the
    shape a summary with ``status: "error"`` has always had)."""
    first = next((r.error for r in run.results if r.error), None)
    return replace(summary, failure=first, message=first.message) if first else summary


def _raise_if_incomplete(
    summaries: Sequence[Summary], extra: Sequence[dict[str, object]] = ()
) -> None:
    """Every item is done: if any target (or a whole region) failed for a reason
    retrying may fix, fail the invocation now, with every result, so it is retried."""
    failures: list[dict[str, object]] = list(extra)
    for summary in summaries:
        if summary.run is not None:
            failures += summary.run.retryable_failures
        elif isinstance(summary.failure, CloudFailure) and summary.failure.retryable:
            failures.append({"target": "(region)", **summary.failure.fields()})
    if failures:
        whole = summaries[0] if len(summaries) == 1 else BatchSummary(tuple(summaries))
        raise IncompleteRun(whole.to_dict(), failures, result=whole)


def _cloud_failure(item: Item, exc: CloudError) -> Summary:
    intent, failure = item.intent, CloudFailure.from_error(exc)
    return Summary(
        "error", intent.trigger, intent.event_id, str(exc), failure=failure, dry_run=item.dry_run
    )


def _ignored(intent: Ignore) -> Summary:
    return Summary("ignored", intent.trigger, intent.event_id, message=intent.reason)


def _audit(plan: TargetPlan) -> None:
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


def _config_error(exc: ConfigError, intent: SyncInstances | ReconcileTargets) -> Summary:
    kind = "credentials" if isinstance(exc, CredentialsError) else "configuration"
    failure = ConfigFailure(tuple(str(p) for p in exc.problems), kind)
    return Summary("error", intent.trigger, intent.event_id, str(exc), failure=failure)


def _rejected(message: str, trigger: str = "unknown") -> Summary:
    return Summary("rejected", trigger, message=message)


__all__ = ["ClientsFactory", "Invocation", "__version__", "cloud_clients"]
