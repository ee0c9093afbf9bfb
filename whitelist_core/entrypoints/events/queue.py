"""Queued records: what an MNS queue trigger in ``event-streaming`` mode pushes.

The batched path parks system events in an MNS queue (an EventBridge rule's target) and
FC pushes them to the function in batches, each record wrapping one queued message whose
body is the original event. The record envelope is UNVERIFIED in detail, so it is read
tolerantly:

- a CloudEvent from the event stream, its message under ``data.messageBody``;
- the raw form (``RawData`` delivery): an object with ``messageBody`` itself;
- either casing (``messageBody`` / ``MessageBody``);
- the body as a JSON object, JSON text, or Base64 of JSON text (when the queue or the
  rule encodes it).

A record whose body is not an event is rejected alone, like any bad item of a batch.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping

from whitelist_core.entrypoints.wire import loads
from whitelist_core.errors import BadEvent

_BODY_KEYS = ("messageBody", "MessageBody")


def is_queue_record(value: Mapping[object, object]) -> bool:
    """True when ``value`` wraps a queued message rather than being an event itself."""
    if any(key in value for key in _BODY_KEYS):
        return True
    data = value.get("data")
    return isinstance(data, Mapping) and any(key in data for key in _BODY_KEYS)


def unwrap(value: Mapping[object, object]) -> object:
    """The original event a queued record carries (decoded); ``BadEvent`` if there is none."""
    holder = value if any(key in value for key in _BODY_KEYS) else value.get("data")
    assert isinstance(holder, Mapping)  # is_queue_record said so
    body = next(holder[key] for key in _BODY_KEYS if key in holder)
    event = _decode(body)
    if not isinstance(event, dict):
        raise BadEvent(f"messageBody: a queued message holds one event object, not {_kind(event)}")
    if is_queue_record(event):
        raise BadEvent("messageBody: a queued record inside a queued record")
    return event


def _decode(body: object) -> object:
    if isinstance(body, Mapping):
        return dict(body)
    if not isinstance(body, str):
        raise BadEvent(f"messageBody: expected JSON text or an object, not {_kind(body)}")
    text = body.strip()
    if text.startswith(("{", "[")):
        return loads(text, "messageBody")
    try:
        decoded = base64.b64decode(text, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise BadEvent("messageBody: neither JSON nor Base64-encoded JSON") from None
    if not decoded.strip().startswith(("{", "[")):
        raise BadEvent("messageBody: Base64 of something that is not JSON")
    return loads(decoded, "messageBody (Base64-decoded)")


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__
