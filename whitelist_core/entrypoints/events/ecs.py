"""ECS events: instance state changes and private-IP changes, whichever envelope brings
them (an EventBridge ``acs.ecs`` CloudEvent or a CloudMonitor system event).

- ``Instance:StateChange`` Created/Pending/Starting/Running -> ``SyncInstances((id,))``
- ``Instance:StateChange``, any other state -> ``ReconcileTargets(region, hint (id,))``
- private-IP and vSwitch changes (``IP_CHANGE_TYPES``: network-interface IP
  [un]assignment, ``Instance:VSwitchChanged``, preemptible interruption), in either
  envelope -> ``ReconcileTargets(region, hint i-id if any)``; a new kind of IP event goes
  there. An ENI's IP event names the ENI (its ARN, ``eniId``) and no instance: the region
  is reconciled. A vSwitch change names ``instanceId``: the region's reconcile looks that
  instance up with the others (its new IP goes in) and removes its old IP once no
  instance holds it
- CloudMonitor: other names with ``content.instanceId`` -> ``ReconcileTargets(region)``;
  another product, or no instance -> ``Ignore``
"""

from __future__ import annotations

from pydantic import Field

from whitelist_core.entrypoints.events.envelope import CloudEvent
from whitelist_core.entrypoints.wire import (
    OptionalRegion,
    WireModel,
    arn,
    instance_id_at,
    show,
    validate,
)
from whitelist_core.errors import BadEvent
from whitelist_core.intents import Ignore, Intent, ReconcileTargets, SyncInstances
from whitelist_core.intents import Trigger as _Trigger

_ADD_STATES = frozenset({"created", "pending", "starting", "running"})
IP_CHANGE_TYPES = frozenset(
    {
        "ecs:NetworkInterface:PrivateIPAssigned",
        "ecs:NetworkInterface:PrivateIPUnassigned",
        "ecs:NetworkInterface:PrivateIPv6Assigned",
        "ecs:NetworkInterface:PrivateIPv6Unassigned",
        "ecs:Instance:VSwitchChanged",
        "ecs:Instance:PreemptibleInstanceInterruption",
    }
)


class EcsContent(WireModel):
    """The ECS event detail (CloudMonitor ``content``, EventBridge ``data``)."""

    resource_id: str | None = None
    instance_id: str | None = None
    state: str | None = Field(default=None, max_length=64)


class EcsData(EcsContent):
    """EventBridge ``data`` of an ``acs.ecs`` event: flat, or wrapping ``content``."""

    region_id: OptionalRegion = None
    content: EcsContent | None = None


class CloudMonitorEvent(WireModel):
    """A CloudMonitor (legacy) ECS system event."""

    id: str = Field(default="", max_length=256)
    product: str
    name: str = Field(max_length=256)
    resource_id: str | None = None
    region_id: OptionalRegion = None
    content: EcsContent | None = None


def from_ecs(event: CloudEvent, event_id: str) -> Intent:
    """The intent of an EventBridge ``acs.ecs`` event."""
    data = validate(EcsData, event.data or {}, "data")
    content = data.content or EcsContent()
    arn_id, arn_region = arn(event.subject, "subject")
    region = event.aliyunregionid or arn_region or data.region_id
    candidates = [
        ("data.resourceId", data.resource_id),
        ("data.content.resourceId", content.resource_id),
        ("data.instanceId", data.instance_id),
        ("data.content.instanceId", content.instance_id),
        ("subject", arn_id),
    ]
    if event.type == "ecs:Instance:StateChange":
        state = data.state or content.state
        return _state_change(_instance_id(candidates), state, region, "eventbridge", event_id)
    if event.type in IP_CHANGE_TYPES:
        return _reconcile(region, "eventbridge", event_id, event.type, _hint_ids(candidates))
    return Ignore(f"{show(event.type)} does not change private IPs", "eventbridge", event_id)


def from_cloudmonitor(value: object) -> Intent:
    """The intent of a CloudMonitor system event (only ECS ones ask for anything)."""
    event = validate(CloudMonitorEvent, value)
    event_id = f"cloudmonitor/{event.id}" if event.id else ""
    if event.product.upper() != "ECS":
        return Ignore(f"product {show(event.product)} is not handled", "cloudmonitor", event_id)
    content = event.content or EcsContent()
    arn_id, arn_region = arn(event.resource_id, "resourceId")
    region = event.region_id or arn_region
    candidates = [
        ("content.resourceId", content.resource_id),
        ("content.instanceId", content.instance_id),
        ("resourceId", arn_id),
    ]
    if event.name == "Instance:StateChange":
        iid = _instance_id(candidates)
        return _state_change(iid, content.state, region, "cloudmonitor", event_id)
    if f"ecs:{event.name}" in IP_CHANGE_TYPES:
        # An ENI's IP events name the ENI only: the region is reconciled.
        return _reconcile(region, "cloudmonitor", event_id, event.name, _hint_ids(candidates))
    if content.instance_id is None:
        return Ignore(f"{show(event.name)} names no instance", "cloudmonitor", event_id)
    hints = (instance_id_at("content.instanceId", content.instance_id),)
    return _reconcile(region, "cloudmonitor", event_id, event.name, hints)


def _state_change(
    instance_id: str, state: str | None, region: str | None, trigger: _Trigger, event_id: str
) -> Intent:
    reason = f"Instance:StateChange {state or '(no state)'}"
    if state is not None and state.lower() in _ADD_STATES:
        return SyncInstances(
            (instance_id,), region, trigger=trigger, event_id=event_id, reason=reason
        )
    return _reconcile(region, trigger, event_id, reason, (instance_id,))


def _reconcile(
    region: str | None, trigger: _Trigger, event_id: str, reason: str, hints: tuple[str, ...]
) -> ReconcileTargets:
    return ReconcileTargets(
        region=region, trigger=trigger, event_id=event_id, reason=reason, hint_instance_ids=hints
    )


def _instance_id(candidates: list[tuple[str, str | None]]) -> str:
    for path, value in candidates:
        if value:
            return instance_id_at(path, value)
    paths = ", ".join(path for path, _ in candidates)
    raise BadEvent(f"no instance id: expected one of {paths}")


def _hint_ids(candidates: list[tuple[str, str | None]]) -> tuple[str, ...]:
    """The instance the event is about, if it names one (a NIC event may name only eni-)."""
    for path, value in candidates:
        if value and value.startswith("i-"):
            return (instance_id_at(path, value),)
    return ()
