"""Trigger payloads -> intents: the edge where raw events are parsed (principle 6).

``parse_event`` accepts what FC hands the handler (bytes, str, or an already decoded
object) and returns one intent per event, or a ``Batch`` for a JSON list. Events are
hints (principle 3): an ECS state only chooses between "look these instances up and
add them" (``SyncInstances``) and "converge the region" (``ReconcileTargets``).

Anything unparseable raises ``BadEvent`` naming what is wrong; no other exception
escapes. Inside a batch each item is parsed on its own, and a bad one becomes a
``Rejected`` item instead of sinking the others.

Where each kind of event is understood (region: aliyunregionid, else the ARN, else
data.regionId, else None):

- ``events.ecs``: ECS instance state changes and private-IP / vSwitch changes, from
  EventBridge (``acs.ecs``) or CloudMonitor
- ``events.ess``: Auto Scaling activities and lifecycle hooks (``acs.ess``)
- ``events.fc``: the FC timer and the FC 3.0 HTTP trigger
- ``events.envelope``: the EventBridge CloudEvent envelope every ``acs.*`` source shares
- this module: decoding and limits, batches (a JSON list), and choosing the module by the
  event's shape and source; another source, or an envelope that wraps events (a queue's
  push), is recognised here and parsed in a module of its own
- ``events.queue``: MNS queue records (the batched path), unwrapped to the event they carry
- other sources and shapes -> ``Ignore`` or ``BadEvent``

A cold start parses one kind of event: the modules of the rarer kinds (``ess``, ``fc``)
are imported when the first event of theirs arrives.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace

from whitelist_core.core.values import frozen
from whitelist_core.entrypoints.events.ecs import from_cloudmonitor, from_ecs
from whitelist_core.entrypoints.events.envelope import CloudEvent
from whitelist_core.entrypoints.events.queue import is_queue_record, unwrap
from whitelist_core.entrypoints.wire import check_depth, loads, show, validate
from whitelist_core.errors import BadEvent
from whitelist_core.intents import HttpRequest, Ignore, Intent, ReconcileTargets, SyncInstances

MAX_EVENT_BYTES = 1024 * 1024
"""Larger events are refused before they are decoded."""

# Errors from the standard library or pydantic that bad input can still provoke.
_INPUT_ERRORS = (ValueError, TypeError, RecursionError, OverflowError)


@frozen
class Rejected:
    """A batch item that could not be parsed: its position and what is wrong with it."""

    index: int
    message: str


BatchItem = SyncInstances | ReconcileTargets | Ignore | Rejected


@frozen
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
    except _Oversized as big:
        return HttpRequest(method="", path="", oversized=big.size)
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
        _check_size(len(data), data[:4096].decode("utf-8", "replace"))
        try:
            return loads(data.decode("utf-8"), "event")
        except UnicodeDecodeError as exc:
            raise BadEvent(f"event is not valid UTF-8 (byte {exc.start})") from None
    if isinstance(raw, str):
        _check_size(len(raw.encode("utf-8", "surrogatepass")), raw[:4096])
        return loads(raw, "event")
    if isinstance(raw, (dict, list)):
        check_depth(raw, "event")
        text = json.dumps(raw, allow_nan=False, ensure_ascii=False)
        _check_size(len(text.encode("utf-8", "surrogatepass")), text[:4096])
        return raw
    raise BadEvent(f"event must be bytes, str, an object or a list, not {type(raw).__name__}")


def _check_size(size: int, head: str = "") -> None:
    if size > MAX_EVENT_BYTES:
        if _HTTP_HEAD.search(head):  # an HTTP trigger event still gets an HTTP answer
            raise _Oversized(size)
        raise BadEvent(f"event is {size} bytes, over the {MAX_EVENT_BYTES} byte limit")


_HTTP_HEAD = re.compile(r'"(rawPath|requestContext)"\s*:')
"""How an FC HTTP trigger event shows itself in its first bytes (``version`` and
``rawPath`` come first in the events FC sends)."""


class _Oversized(Exception):
    """An HTTP trigger event over the size limit (answered 413, never parsed)."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def _parse_one(value: object) -> Intent:
    if not isinstance(value, dict):
        raise BadEvent(f"an event must be a JSON object, not {type(value).__name__}")
    if is_queue_record(value):
        return _parse_one(unwrap(value))  # unwrap refuses a record inside a record
    if "specversion" in value or ("source" in value and "type" in value):
        return _from_cloud_event(value)
    if "triggerName" in value or "triggerTime" in value:
        from whitelist_core.entrypoints.events.fc import from_timer  # deferred, as above

        return from_timer(value)
    if "rawPath" in value or "requestContext" in value:
        from whitelist_core.entrypoints.events.fc import from_http  # deferred, as above

        return from_http(value)
    if "product" in value and "name" in value:
        return from_cloudmonitor(value)
    keys = show(sorted(str(key) for key in value)[:8], 120)
    raise BadEvent(
        "unknown event shape: expected a CloudEvent (source, type), a CloudMonitor event "
        f"(product, name), an FC timer (triggerName) or an FC HTTP event (rawPath); keys {keys}"
    )


def _from_cloud_event(value: object) -> Intent:
    event = validate(CloudEvent, value)
    event_id = f"{event.source}/{event.id}"
    if event.source == "acs.ecs":
        intent = from_ecs(event, event_id)
    elif event.source == "acs.ess":
        from whitelist_core.entrypoints.events.ess import from_ess  # deferred, as above

        intent = from_ess(event, event_id)
    else:
        return Ignore(f"source {show(event.source)} is not handled", "eventbridge", event_id)
    if isinstance(intent, SyncInstances | ReconcileTargets) and event.account_id:
        return replace(intent, account_id=event.account_id)  # routed by account in the run
    return intent
