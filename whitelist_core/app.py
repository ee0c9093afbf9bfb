"""The application service: one invocation from raw event to result.

``handler.py`` only wires the FC entry point to ``Invocation.run``. Everything the
handler needs from the outside world (environment, clock, cloud clients) is passed in,
so tests drive the same path with ``localcloud``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog

from . import __version__
from .config import Config, config_path, load_config
from .errors import BadEvent, ConfigError, PermanentCloudError
from .events import Batch, Rejected, parse_event
from .intents import HttpRequest, Ignore, Intent, ReconcileTargets, SyncInstances
from .logs import bind_invocation, register_secret
from .outcome import RunResult, combine
from .planner import TargetPlan
from .ports import InstanceInventory, WhitelistStore
from .reconcile import Reconciler

log = structlog.get_logger("whitelist_core.audit")

SAFETY_MARGIN_SECONDS = 5.0
"""Cloud retries stop this long before the invocation's time runs out."""

ClientsFactory = Callable[[float], tuple[InstanceInventory, WhitelistStore]]
"""Builds the two ports for one invocation, given its deadline (``time.monotonic``)."""


@dataclass
class Invocation:
    """One invocation's surroundings: configuration, environment, clock, clients."""

    environ: Mapping[str, str]
    clients: ClientsFactory
    base_dir: Path
    context: Any = None
    now: Callable[[], float] = time.time
    monotonic: Callable[[], float] = time.monotonic
    _config: Config | None = field(default=None, init=False)
    _deadline: float | None = field(default=None, init=False)
    _ports: tuple[InstanceInventory, WhitelistStore] | None = field(default=None, init=False)

    # -- entry ---------------------------------------------------------------------------

    def run(self, event: object) -> dict[str, Any]:
        """Parse ``event`` and carry it out; return the summary (or HTTP response)."""
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

    def _run_batch(self, batch: Batch) -> dict[str, Any]:
        results = [
            _rejected(item.message) if isinstance(item, Rejected) else self.run_intent(item)
            for item in batch.items
        ]
        status = combine(r["status"] for r in results) if results else "ignored"
        return {"status": status, "results": results}

    def run_intent(self, intent: Intent) -> dict[str, Any]:
        """Carry out one parsed intent; cloud trouble that outlasted retries propagates."""
        if not isinstance(intent, HttpRequest):
            bind_invocation(trigger=intent.trigger, event_id=intent.event_id or None)
        if isinstance(intent, Ignore):
            return _summary("ignored", intent.trigger, intent.event_id, message=intent.reason)
        if isinstance(intent, HttpRequest):
            return _rejected("an HTTP request cannot be nested in another event")
        try:
            config = self.config()
        except ConfigError as exc:
            return _config_error(exc, intent)
        return self._execute(config, intent)

    # -- execution -----------------------------------------------------------------------

    def _execute(self, config: Config, intent: SyncInstances | ReconcileTargets) -> dict[str, Any]:
        dry_run = self.dry_run(config, intent.dry_run)
        if isinstance(intent, ReconcileTargets) and intent.targets is not None:
            unknown = sorted(set(intent.targets) - {t.name for t in config.targets})
            if unknown:
                return _rejected(f"unknown target(s): {', '.join(unknown)}", intent.trigger)
        try:
            inventory, store = self.ports()
        except ConfigError as exc:  # no credentials: ours to fix, retrying cannot help
            return _config_error(exc, intent)
        reconciler = Reconciler(config, inventory, store, audit=_audit)
        try:
            result = _dispatch(reconciler, config, intent, dry_run)
        except PermanentCloudError as exc:
            error = exc.to_dict() | {"kind": "cloud"}
            summary = _summary("error", intent.trigger, intent.event_id, message=str(exc))
            return summary | {"error": error, "dry_run": dry_run}
        return _summary(result.status, intent.trigger, intent.event_id) | result.to_dict()

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


def cloud_clients(context: Any, environ: Mapping[str, str]) -> ClientsFactory:
    """The real adapters, built on first use (credentials from the FC context or env)."""

    def build(deadline: float) -> tuple[InstanceInventory, WhitelistStore]:
        from .aliyun.factory import make_clients
        from .aliyun.transport.credentials import load_credentials

        credentials = load_credentials(context, environ)
        register_secret(credentials.access_key_secret)
        register_secret(credentials.security_token)
        return make_clients(credentials, deadline=deadline, environ=environ)

    return build


def _dispatch(
    reconciler: Reconciler, config: Config, intent: SyncInstances | ReconcileTargets, dry_run: bool
) -> RunResult:
    if isinstance(intent, SyncInstances):
        region = intent.region or config.region
        return reconciler.sync_instances(region, intent.instance_ids, dry_run=dry_run)
    targets = [
        t
        for t in config.targets
        if (intent.targets is None or t.name in intent.targets)
        and (intent.region is None or config.region_of(t) == intent.region)
    ]
    return reconciler.reconcile(targets, dry_run=dry_run)


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


def _summary(status: str, trigger: str, event_id: str = "", **extra: Any) -> dict[str, Any]:
    return {"status": status, "trigger": trigger, "event_id": event_id, "targets": []} | extra


def _config_error(exc: ConfigError, intent: SyncInstances | ReconcileTargets) -> dict[str, Any]:
    error = {"kind": "configuration", "problems": [str(p) for p in exc.problems]}
    return _summary("error", intent.trigger, intent.event_id, message=str(exc), error=error)


def _rejected(message: str, trigger: str = "unknown") -> dict[str, Any]:
    return _summary("rejected", trigger, message=message)


_CONFIG_CACHE: dict[Path, tuple[float, Config]] = {}


def load_cached(path: Path) -> Config:
    """Load the configuration once per cold start (again only if the file changed)."""
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        mtime = -1.0
    cached = _CONFIG_CACHE.get(path)
    if cached and cached[0] == mtime:
        return cached[1]
    config = load_config(path)
    _CONFIG_CACHE[path] = (mtime, config)
    return config


__all__ = ["Invocation", "__version__"]
