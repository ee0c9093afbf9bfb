"""Auto Scaling (``acs.ess``) events: scaling activities, lifecycle hooks, and the
CloudMonitor-style ``ess:CloudMonitor:AUTOSCALING[...]`` types.

- scale-out success (activity, lifecycle hook, CloudMonitor) -> ``SyncInstances(ids)``, or
  ``ReconcileTargets(region)`` without ids; ``ScaleOutError`` and scale-in ->
  ``ReconcileTargets``
- a lifecycle hook with a hook id and token (``events.lifecycle``): scale-out ->
  ``SyncInstances(ids, lifecycle)``, answered once the IPs are in (naming no instance:
  its region is reconciled and the hook never continued, ``service.batch``); scale-in ->
  ``SyncInstances((), lifecycle)``, answered at once, nothing removed
- ``*Start`` (nothing exists yet) and unrelated types -> ``Ignore``

The payload shape is only partly documented, so ``EssData`` is lenient about it.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator

from whitelist_core.entrypoints.events.envelope import CloudEvent
from whitelist_core.entrypoints.events.lifecycle import camel_keys, lifecycle_action
from whitelist_core.entrypoints.wire import (
    InstanceId,
    OptionalRegion,
    WireModel,
    arn,
    show,
    validate,
)
from whitelist_core.intents import Ignore, Intent, ReconcileTargets, SyncInstances

_SCALE_OUT_DONE = frozenset({"SCALEOUT", "SCALEOUTSUCCESS", "SCALEOUTPARTIALSUCCESS"})


def _split_ids(value: object) -> object:
    # The ESS payload is unverified: accept "i-a,i-b" as well as a JSON list.
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class EssData(WireModel):
    """EventBridge ``data`` of an ``acs.ess`` event (shape unverified)."""

    instance_ids: Annotated[list[InstanceId] | None, BeforeValidator(_split_ids)] = None
    region_id: OptionalRegion = None


def from_ess(event: CloudEvent, event_id: str) -> Intent:
    """The intent of an EventBridge ``acs.ess`` event."""
    action = _ess_action(event.type)
    if action is None or action.endswith("START"):
        # Nothing exists yet (or the type is unrelated); the outcome event follows.
        return Ignore(f"{show(event.type)} asks for nothing", "ess", event_id)
    raw = camel_keys(event.data or {})
    data = validate(EssData, raw, "data")
    region = event.aliyunregionid or arn(event.subject, "subject")[1] or data.region_id
    ids = tuple(dict.fromkeys(data.instance_ids or ()))
    hook = lifecycle_action(event.type, raw, action)
    if hook is not None:
        wanted = ids if hook.scale_out else ()
        return SyncInstances(
            wanted, region, trigger="ess", event_id=event_id, reason=event.type, lifecycle=hook
        )
    if action in _SCALE_OUT_DONE and ids:
        return SyncInstances(ids, region, trigger="ess", event_id=event_id, reason=event.type)
    return ReconcileTargets(
        region=region, trigger="ess", event_id=event_id, reason=event.type, hint_instance_ids=ids
    )


def _ess_action(event_type: str) -> str | None:
    """``ess:ScalingActivity:ScaleOutSuccess`` -> ``SCALEOUTSUCCESS``; None if unrelated."""
    parts = event_type.split(":")
    if len(parts) != 3 or parts[0] != "ess":
        return None
    name = parts[2]
    if parts[1] == "CloudMonitor":  # ess:CloudMonitor:AUTOSCALING[SCALEOUTSUCCESS]
        name = re.sub(r"^AUTOSCALING\W*", "", name).strip("[]")
    elif parts[1] not in ("ScalingActivity", "LifecycleHook"):
        return None
    action = re.sub(r"[^A-Z]", "", name.upper())
    return action if action.startswith(("SCALEOUT", "SCALEIN")) else None
