"""Intents: what an event asks for, after parsing (plain frozen values).

Events are hints (level-triggered): an intent names what to look at, never what the
cloud state is. The reconciler re-reads ECS and the whitelists and converges.
"""

from __future__ import annotations

from dataclasses import field
from typing import Literal

from whitelist_core.core.values import frozen

Trigger = Literal["eventbridge", "cloudmonitor", "ess", "timer", "http", "cli"]


@frozen
class LifecycleAction:
    """An ESS lifecycle hook waiting for an answer (``CompleteLifecycleAction``).

    ``scale_out`` False: a scale-in hook, answered without removing anything.
    """

    hook_id: str
    token: str
    scaling_group_id: str = ""
    scale_out: bool = True


@frozen
class SyncInstances:
    """Instances appeared or started: add their IPs to every target they match (add-only).

    ``region`` None means the configuration's default region. ``lifecycle``: the ESS
    hook to answer once the instances are in (empty ``instance_ids``: only answer it).
    """

    instance_ids: tuple[str, ...]
    region: str | None = None
    dry_run: bool | None = None
    trigger: Trigger = "eventbridge"
    event_id: str = ""
    reason: str = ""
    lifecycle: LifecycleAction | None = None
    account_id: str = field(default="", compare=False)
    """The uid of the account the event happened in (``""``: it names none); where the
    event came from, not what it asks for, so two intents equal without it are equal."""


@frozen
class ReconcileTargets:
    """Converge targets fully (adds and removals).

    ``targets`` None means every configured target; ``region`` restricts to the targets
    of one region (an instance stopped or was released there). ``hint_instance_ids`` are
    the instances the event was about, for logs only.
    """

    targets: tuple[str, ...] | None = None
    region: str | None = None
    dry_run: bool | None = None
    trigger: Trigger = "timer"
    event_id: str = ""
    reason: str = ""
    hint_instance_ids: tuple[str, ...] = ()
    account_id: str = field(default="", compare=False)
    """The uid of the account the event happened in (``""``: it names none); where the
    event came from, not what it asks for, so two intents equal without it are equal."""


@frozen
class Ignore:
    """A well-formed event that asks for nothing (an unrelated type or state)."""

    reason: str
    trigger: Trigger = "eventbridge"
    event_id: str = ""


@frozen
class HttpRequest:
    """An FC 3.0 HTTP trigger request, not yet authenticated (``webhook`` decides).

    ``headers`` keys are lower-cased; ``body`` is the raw bytes (base64 already decoded).
    """

    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict, hash=False)
    body: bytes = b""
    request_id: str = ""
    oversized: int = 0
    """The size of an event too large to be read at all (the answer is then a 413)."""


Intent = SyncInstances | ReconcileTargets | Ignore | HttpRequest
