"""Trigger payloads -> intents: the edge where raw events are parsed (principle 6).

``parse_event`` accepts what FC hands the handler (bytes, str, or an already decoded
object) and returns one intent per event, or a ``Batch`` for a JSON list. Events are
hints (principle 3): an ECS state only chooses between "look these instances up and
add them" (``SyncInstances``) and "converge the region" (``ReconcileTargets``).

Anything unparseable raises ``BadEvent`` naming what is wrong; no other exception
escapes. Inside a batch each item is parsed on its own, and a bad one becomes a
``Rejected`` item instead of sinking the others.

Mapping (region: aliyunregionid, else the ARN, else data.regionId, else None):

- acs.ecs Instance:StateChange Created/Pending/Starting/Running -> SyncInstances((id,))
- acs.ecs Instance:StateChange, any other state -> ReconcileTargets(region, hint (id,))
- acs.ecs NetworkInterface:PrivateIP[v6][Un]assigned, Instance:VSwitchChanged,
  Instance:PreemptibleInstanceInterruption -> ReconcileTargets(region, hint i-id if any)
- acs.ess scale-out success (activity, lifecycle hook, CloudMonitor) -> SyncInstances(ids),
  or ReconcileTargets(region) without ids; ScaleOutError and scale-in -> ReconcileTargets
- acs.ess *Start (nothing exists yet) and unrelated types, other sources -> Ignore
- CloudMonitor ECS Instance:StateChange -> as acs.ecs; other names with
  content.instanceId -> ReconcileTargets(region); the rest -> Ignore
- FC timer -> ReconcileTargets(payload targets or all, payload dry_run)
- FC 3.0 HTTP -> HttpRequest (``webhook.route`` authenticates and decides)
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass

from whitelist_core.errors import BadEvent
from whitelist_core.intents import HttpRequest, Ignore, Intent, ReconcileTargets, SyncInstances
from whitelist_core.intents import Trigger as _Trigger
from whitelist_core.wire import (
    CloudEvent,
    CloudMonitorEvent,
    EcsContent,
    EcsData,
    EssData,
    HttpEvent,
    TimerEvent,
    TimerPayload,
    arn,
    check_depth,
    instance_id_at,
    loads,
    show,
    validate,
)

MAX_EVENT_BYTES = 1024 * 1024
"""Larger events are refused before they are decoded."""

_ADD_STATES = frozenset({"created", "pending", "starting", "running"})
_IP_CHANGE_TYPES = frozenset(
    {
        "ecs:NetworkInterface:PrivateIPAssigned",
        "ecs:NetworkInterface:PrivateIPUnassigned",
        "ecs:NetworkInterface:PrivateIPv6Assigned",
        "ecs:NetworkInterface:PrivateIPv6Unassigned",
        "ecs:Instance:VSwitchChanged",
        "ecs:Instance:PreemptibleInstanceInterruption",
    }
)
_SCALE_OUT_DONE = frozenset({"SCALEOUT", "SCALEOUTSUCCESS", "SCALEOUTPARTIALSUCCESS"})
# Errors from the standard library or pydantic that bad input can still provoke.
_INPUT_ERRORS = (ValueError, TypeError, RecursionError, OverflowError)


@dataclass(frozen=True)
class Rejected:
    """A batch item that could not be parsed: its position and what is wrong with it."""

    index: int
    message: str


BatchItem = SyncInstances | ReconcileTargets | Ignore | Rejected


@dataclass(frozen=True)
class Batch:
    """The result of a JSON list of events: one item per event, in order."""

    items: tuple[BatchItem, ...]


def parse_event(raw: object, *, now: float | None = None) -> Intent | Batch:
    """Parse one FC invocation payload into an intent, or a ``Batch`` for a JSON list.

    ``raw`` is bytes, str, or an already decoded dict or list. ``now`` is accepted for
    the handler's convenience and unused: an event's age never rejects it (principle 3).
    Raises ``BadEvent`` (and nothing else) when the payload as a whole is unusable.
    """
    try:
        value = _load(raw)
        if isinstance(value, list):
            return Batch(tuple(_batch_item(index, item) for index, item in enumerate(value)))
        return _parse_one(value)
    except _INPUT_ERRORS as exc:
        raise BadEvent(f"event could not be parsed ({type(exc).__name__})") from None


def _batch_item(index: int, value: object) -> BatchItem:
    try:
        intent = _parse_one(value)
    except BadEvent as exc:
        return Rejected(index, f"event[{index}]: {exc}")
    except _INPUT_ERRORS as exc:
        return Rejected(index, f"event[{index}]: could not be parsed ({type(exc).__name__})")
    if isinstance(intent, HttpRequest):
        return Rejected(index, f"event[{index}]: an HTTP trigger event cannot be batched")
    return intent


def _load(raw: object) -> object:
    if isinstance(raw, (bytes, bytearray, memoryview)):
        data = bytes(raw)
        _check_size(len(data))
        try:
            return loads(data.decode("utf-8"), "event")
        except UnicodeDecodeError as exc:
            raise BadEvent(f"event is not valid UTF-8 (byte {exc.start})") from None
    if isinstance(raw, str):
        _check_size(len(raw.encode("utf-8", "surrogatepass")))
        return loads(raw, "event")
    if isinstance(raw, (dict, list)):
        check_depth(raw, "event")
        text = json.dumps(raw, allow_nan=False, ensure_ascii=False)
        _check_size(len(text.encode("utf-8", "surrogatepass")))
        return raw
    raise BadEvent(f"event must be bytes, str, an object or a list, not {type(raw).__name__}")


def _check_size(size: int) -> None:
    if size > MAX_EVENT_BYTES:
        raise BadEvent(f"event is {size} bytes, over the {MAX_EVENT_BYTES} byte limit")


def _parse_one(value: object) -> Intent:
    if not isinstance(value, dict):
        raise BadEvent(f"an event must be a JSON object, not {type(value).__name__}")
    if "specversion" in value or ("source" in value and "type" in value):
        return _from_cloud_event(value)
    if "triggerName" in value or "triggerTime" in value:
        return _from_timer(value)
    if "rawPath" in value or "requestContext" in value:
        return _from_http(value)
    if "product" in value and "name" in value:
        return _from_cloudmonitor(value)
    keys = show(sorted(str(key) for key in value)[:8], 120)
    raise BadEvent(
        "unknown event shape: expected a CloudEvent (source, type), a CloudMonitor event "
        f"(product, name), an FC timer (triggerName) or an FC HTTP event (rawPath); keys {keys}"
    )


def _from_cloud_event(value: object) -> Intent:
    event = validate(CloudEvent, value)
    event_id = f"{event.source}/{event.id}"
    if event.source == "acs.ecs":
        return _from_ecs(event, event_id)
    if event.source == "acs.ess":
        return _from_ess(event, event_id)
    return Ignore(f"source {show(event.source)} is not handled", "eventbridge", event_id)


def _from_ecs(event: CloudEvent, event_id: str) -> Intent:
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
    if event.type in _IP_CHANGE_TYPES:
        return _reconcile(region, "eventbridge", event_id, event.type, _hint_ids(candidates))
    return Ignore(f"{show(event.type)} does not change private IPs", "eventbridge", event_id)


def _from_ess(event: CloudEvent, event_id: str) -> Intent:
    action = _ess_action(event.type)
    if action is None or action.endswith("START"):
        # Nothing exists yet (or the type is unrelated); the outcome event follows.
        return Ignore(f"{show(event.type)} asks for nothing", "ess", event_id)
    data = validate(EssData, event.data or {}, "data")
    region = event.aliyunregionid or arn(event.subject, "subject")[1] or data.region_id
    ids = tuple(dict.fromkeys(data.instance_ids or ()))
    if action in _SCALE_OUT_DONE and ids:
        return SyncInstances(ids, region, trigger="ess", event_id=event_id, reason=event.type)
    return _reconcile(region, "ess", event_id, event.type, ids)


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


def _from_cloudmonitor(value: object) -> Intent:
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


def _from_timer(value: object) -> Intent:
    event = validate(TimerEvent, value)
    payload = _timer_payload(event.payload)
    targets = tuple(dict.fromkeys(payload.targets)) if payload.targets else None
    return ReconcileTargets(
        targets=targets,
        dry_run=payload.dry_run,
        trigger="timer",
        event_id=f"timer/{event.trigger_name}/{event.trigger_time}",
        reason=f"timer {show(event.trigger_name)}",
    )


def _timer_payload(text: str | None) -> TimerPayload:
    """A JSON object payload is validated strictly; any other text means "everything"."""
    stripped = (text or "").strip()
    if not stripped.startswith(("{", "[")):
        return TimerPayload()
    value = loads(stripped, "payload")
    if not isinstance(value, dict):
        raise BadEvent('payload: a JSON payload must be an object like {"targets": [...]}')
    return validate(TimerPayload, value, "payload")


def _from_http(value: object) -> HttpRequest:
    event = validate(HttpEvent, value)
    headers: dict[str, str] = {}
    for key, item in event.headers.items():
        name = key.lower()  # FC itself joins repeated headers with commas
        headers[name] = f"{headers[name]},{item}" if name in headers else item
    return HttpRequest(
        method=event.request_context.http.method.upper(),
        path=event.raw_path,
        headers=headers,
        body=_http_body(event),
        request_id=event.request_context.request_id,
    )


def _http_body(event: HttpEvent) -> bytes:
    text = event.body or ""
    if event.is_base64_encoded:
        try:
            return base64.b64decode(text, validate=True)
        except ValueError:
            raise BadEvent("body: isBase64Encoded is true but body is not valid base64") from None
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise BadEvent("body: not encodable as UTF-8 (lone surrogate)") from None
