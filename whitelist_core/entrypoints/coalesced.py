"""Which invocations of a warm instance share a run, and the run they share.

``WHITELIST_COALESCE_MS`` (default ``DEFAULT_COALESCE_MS``, chosen by measurement: see
BENCHMARKS.md figure 7; ``0`` turns it off) is how long a single event that opens a run
while its instance serves another invocation gathers the others (``service.coalescing``);
alone in its instance, it runs at once.

May join a run: a single event's sync or region reconcile (an ECS ``Running`` event, a
``Stopped``/``Deleted`` or ENI IP event, an ESS scale-out activity, a ``/instances``
webhook call). Keep their own run: the timer, a ``/reconcile`` webhook call, the CLI, and
any item that answers a lifecycle hook (its answer must follow its own instances' writes,
and its failure must stay its own). Only invocations with the same configuration file and
the same credentials share a run; the run uses the first one's adapters, built for the
shortest deadline among them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from whitelist_core.accounts import OWN
from whitelist_core.config import Config
from whitelist_core.core.values import frozen
from whitelist_core.entrypoints.wiring import credential_identity
from whitelist_core.intents import ReconcileTargets, SyncInstances
from whitelist_core.logs import bind_invocation
from whitelist_core.ports import AccountHooks, InstanceInventory, WhitelistStore
from whitelist_core.service.batch import Item
from whitelist_core.service.coalescing import Coalescer
from whitelist_core.service.execution import execute, retryable_failures
from whitelist_core.summary import Summary

DEFAULT_COALESCE_MS = 100
"""The gathering window when ``WHITELIST_COALESCE_MS`` is unset (figure 7)."""

COALESCER: Coalescer[Item, Summary] = Coalescer()
"""The one coalescer of this process (a warm FC instance), shared by its threads."""

Ports = tuple[InstanceInventory, WhitelistStore]


@frozen
class Coalescing:
    """How an invocation may join others: the window (seconds), the key of the runs it may
    share (configuration, credentials), and its label in the log (its request id)."""

    window: float
    key: tuple[str, ...]
    label: str = ""
    coalescer: Coalescer[Item, Summary] = COALESCER


def window_seconds(environ: Mapping[str, str]) -> float:
    """``WHITELIST_COALESCE_MS`` in seconds; the default when unset or not a number >= 0."""
    text = environ.get("WHITELIST_COALESCE_MS", "").strip()
    try:
        value = float(text) if text else float(DEFAULT_COALESCE_MS)
    except ValueError:
        value = float(DEFAULT_COALESCE_MS)
    return value / 1000 if value >= 0 else DEFAULT_COALESCE_MS / 1000


def may_join(item: Item, config: Config) -> bool:
    """Whether this item may share a run with other invocations' items: only items of the
    function's own account (another account's adapters are its invocation's own)."""
    if not (item.account == OWN or (item.account is None and not config.accounts)):
        return False
    intent = item.intent
    if isinstance(intent, SyncInstances):
        return intent.lifecycle is None and intent.trigger != "cli"
    return isinstance(intent, ReconcileTargets) and intent.trigger in (
        "eventbridge",
        "cloudmonitor",
    )


def run_joined(
    coalescing: Coalescing,
    config: Config,
    item: Item,
    deadline: float,
    clients: Callable[[float], Ports],
    hooks: AccountHooks,
) -> tuple[Summary, list[dict[str, object]]]:
    """Carry out ``item`` in a shared run: its own summary, and the failures of the other
    participants that a retry may fix (this invocation must fail with them)."""

    def run(items: Sequence[Item], shortest: float, labels: Sequence[str]) -> list[Summary]:
        if len(items) > 1:
            bind_invocation(merged_request_ids=[label for label in labels if label])
        built: list[Ports] = []

        def ports() -> Ports:
            if not built:
                built.append(clients(shortest))
            return built[0]

        done = dict(execute(config, list(enumerate(items)), ports, hooks))
        return [done[index] for index in range(len(items))]

    joined = coalescing.coalescer.submit(
        coalescing.key, item, deadline=deadline, window=coalescing.window, run=run,
        label=coalescing.label,
    )  # fmt: skip
    if len(joined.everyone) > 1:
        bind_invocation(merged_items=len(joined.everyone))
    others = [
        failure
        for index, summary in enumerate(joined.everyone)
        if index != joined.index
        for failure in retryable_failures(summary)
    ]
    return joined.own, others


def coalescing_for(context: Any, environ: Mapping[str, str], config_file: str) -> Coalescing | None:
    """The coalescing of an FC invocation, or None when ``WHITELIST_COALESCE_MS`` is 0."""
    window = window_seconds(environ)
    identity = credential_identity(context, environ) if window > 0 else None
    if identity is None:  # off, or no credentials (the run alone reports that)
        return None
    label = str(getattr(context, "request_id", "") or "")
    return Coalescing(window, (config_file, identity), label)
