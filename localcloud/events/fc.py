"""Function Compute's own events: the timer trigger, the FC 3.0 HTTP trigger."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

from localcloud.events.common import ACCOUNT, next_number


def timer_event(
    payload: Any = "awesome-fc", trigger_time: str = "2023-12-26T07:49:00Z"
) -> dict[str, Any]:
    """An FC timer event; a non-string ``payload`` is sent as JSON text."""
    text = payload if isinstance(payload, str) else json.dumps(payload)
    return {"triggerTime": trigger_time, "triggerName": "timer-trigger", "payload": text}


def http_event(
    method: str,
    path: str,
    body: bytes = b"",
    headers: Mapping[str, str] | None = None,
    *,
    base64_body: bool = False,
    request_id: str | None = None,
) -> dict[str, Any]:
    """An FC 3.0 HTTP trigger event with exactly these headers (nothing is signed here)."""
    text = (
        base64.b64encode(body).decode("ascii")
        if base64_body
        else body.decode("utf-8", "surrogateescape")
    )
    return {
        "version": "v1",
        "rawPath": path,
        "body": text,
        "isBase64Encoded": base64_body,
        "headers": dict(headers or {}),
        "queryParameters": {},
        "requestContext": {
            "accountId": ACCOUNT,
            "domainName": "redis-wl-sync-abcdefghij.cn-hangzhou.fcapp.run",
            "domainPrefix": "redis-wl-sync-abcdefghij",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "11.11.11.11",
                "userAgent": "curl/8.5.0",
            },
            "requestId": request_id or f"1-64f6cd87-{next_number():024x}",
            "time": "2023-09-05T06:41:11Z",
            "timeEpoch": "1693896071895",
        },
    }


def encode(event: Any) -> bytes:
    """An event as FC hands it to the handler: JSON bytes."""
    return json.dumps(event).encode("utf-8")
