"""Function Compute's own triggers: the timer and the FC 3.0 HTTP trigger.

- timer -> ``ReconcileTargets(payload targets or all, payload dry_run)``
- HTTP -> ``HttpRequest`` (``webhook.route`` authenticates it and decides)
"""

from __future__ import annotations

import base64
from typing import Literal

from pydantic import Field

from whitelist_core.entrypoints.wire import BodyModel, TargetList, WireModel, loads, show, validate
from whitelist_core.errors import BadEvent
from whitelist_core.intents import HttpRequest, Intent, ReconcileTargets


class TimerEvent(WireModel):
    """An FC timer trigger event; ``payload`` is the trigger's configured message."""

    trigger_time: str = Field(default="", max_length=64)
    trigger_name: str = Field(max_length=256)
    payload: str | None = None


class TimerPayload(BodyModel):
    """The JSON form of a timer payload: which targets, and whether to dry-run."""

    targets: TargetList | None = None
    dry_run: bool | None = None


class HttpDetail(WireModel):
    """``requestContext.http`` of an FC 3.0 HTTP trigger event."""

    # No upper bound here: any method gets an HTTP answer (405), bounded by the event size.
    method: str = Field(min_length=1)


class HttpContext(WireModel):
    """``requestContext`` of an FC 3.0 HTTP trigger event."""

    http: HttpDetail
    request_id: str = Field(default="", max_length=256)


class HttpEvent(WireModel):
    """An FC 3.0 HTTP trigger event (built-in runtimes)."""

    version: Literal["v1"]
    raw_path: str  # any length gets an HTTP answer (404); the event size bounds it
    body: str | None = None
    is_base64_encoded: bool = False
    headers: dict[str, str] = Field(default_factory=dict)
    request_context: HttpContext


def from_timer(value: object) -> Intent:
    """The intent of an FC timer event: reconcile the payload's targets, or all."""
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


def from_http(value: object) -> HttpRequest:
    """An FC 3.0 HTTP trigger event as a request, headers joined and body decoded."""
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
