"""The application service: one invocation from raw event to result.

``handler.py`` only wires the FC entry point to ``Invocation.run``. Everything the
handler needs from the outside world (environment, clock, cloud clients) is passed in,
so tests drive the same path with ``localcloud``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whitelist_core import __version__
from whitelist_core.accounts import OWN
from whitelist_core.config import Config, config_path
from whitelist_core.entrypoints.events import Batch, BatchItem, Rejected, parse_event
from whitelist_core.entrypoints.routing import own_account_id, route
from whitelist_core.entrypoints.wiring import (
    AccountsFactory,
    ClientsFactory,
    HooksFactory,
    cloud_accounts,
    cloud_clients,
    cloud_hooks,
    load_cached,
)
from whitelist_core.errors import BadEvent, ConfigError
from whitelist_core.intents import HttpRequest, Ignore, Intent, ReconcileTargets, SyncInstances
from whitelist_core.logs import bind_invocation
from whitelist_core.ports import InstanceInventory, LifecycleHooks, WhitelistStore
from whitelist_core.service.batch import Item
from whitelist_core.service.execution import config_error, execute, raise_if_incomplete
from whitelist_core.summary import BatchSummary, Summary

if TYPE_CHECKING:
    from whitelist_core.entrypoints.coalesced import Coalescing
    from whitelist_core.entrypoints.httpapp import HttpAnswer

Member = tuple[InstanceInventory, WhitelistStore, LifecycleHooks]

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
    accounts: AccountsFactory | None = None
    """Builds another account's adapters (default: the real ones, through STS)."""
    coalescing: Coalescing | None = None
    """Set (by the FC handler): a single event may share its run with concurrent ones."""
    _config: Config | None = field(default=None, init=False)
    _deadline: float | None = field(default=None, init=False)
    _ports: tuple[InstanceInventory, WhitelistStore] | None = field(default=None, init=False)
    _hooks: LifecycleHooks | None = field(default=None, init=False)
    _members: dict[str, Member] = field(default_factory=dict, init=False)

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
            from whitelist_core.entrypoints.httpapp import (
                handle_http,  # deferred: only HTTP triggers need it
            )

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
                    summaries[index] = config_error(exc, item)
                    continue
                problem = _unknown_targets(config, item)
                account = route(config, item, own_account_id(self.context, self.environ))
                if problem:
                    summaries[index] = _rejected(problem, item.trigger)
                elif isinstance(account, Ignore):
                    summaries[index] = _ignored(account)
                else:
                    dry_run = self.dry_run(config, item.dry_run)
                    work.append((index, Item(item, dry_run, account)))
        others: list[dict[str, object]] = []
        if work and config is not None:
            done_work, others = self._execute(config, work)
            for index, summary in done_work:
                summaries[index] = summary
        done = [s for s in summaries if s is not None]
        raise_if_incomplete(done, others)
        return done

    def _execute(
        self, config: Config, work: list[tuple[int, Item]]
    ) -> tuple[list[tuple[int, Summary]], list[dict[str, object]]]:
        """The work's summaries, run alone or in a run shared with concurrent invocations
        (then with the failures of the others that must fail this invocation too)."""
        if self.coalescing is not None and len(work) == 1:
            from whitelist_core.entrypoints.coalesced import may_join, run_joined

            index, item = work[0]
            if may_join(item, config):
                own, others = run_joined(
                    self.coalescing, config, item, self.deadline(), self.clients,
                    self.lifecycle_hooks,
                )  # fmt: skip
                return [(index, own)], others
        return execute(config, work, self.ports, self.lifecycle_hooks, self.account_ports), []

    # -- surroundings --------------------------------------------------------------------

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

    def lifecycle_hooks(self, account: str = OWN) -> LifecycleHooks:
        """The ESS lifecycle port of ``account``, built on first use (only lifecycle
        events need it)."""
        if account != OWN:
            return self._member(account)[2]
        if self._hooks is None:
            build = self.hooks or cloud_hooks(self.context, self.environ)
            self._hooks = build(self.deadline())
        return self._hooks

    def account_ports(self, account: str) -> tuple[InstanceInventory, WhitelistStore]:
        """Another account's adapters (by its name under ``accounts:``), built once per
        invocation; their calls act there through its assumed role."""
        inventory, store, _ = self._member(account)
        return inventory, store

    def _member(self, account: str) -> Member:
        if account not in self._members:
            build = self.accounts or cloud_accounts(self.context, self.environ)
            config = self.config()
            self._members[account] = build(self.deadline(), config.accounts[account], config.region)
        return self._members[account]

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


def _ignored(intent: Ignore) -> Summary:
    return Summary("ignored", intent.trigger, intent.event_id, message=intent.reason)


def _rejected(message: str, trigger: str = "unknown") -> Summary:
    return Summary("rejected", trigger, message=message)


__all__ = ["ClientsFactory", "Invocation", "__version__", "cloud_clients"]
