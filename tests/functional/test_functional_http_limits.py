"""Every HTTP-trigger event gets an HTTP answer, whatever its size: a path over any limit
is a 404, a method nobody serves a 405, a body over the event size a 413; never the
``{"status": "rejected"}`` of other triggers, and never a cloud call."""

from __future__ import annotations

import json
from typing import Any

import pytest
from whitelist_testkit import http_event, total_calls

from whitelist_core.entrypoints.events import MAX_EVENT_BYTES


def _answer(configured: Any, invoke: Any, event: dict[str, Any]) -> dict[str, Any]:
    response = invoke(event)
    assert "statusCode" in response, response
    assert total_calls(configured.calls()) == 0
    return response


@pytest.mark.parametrize("length", [4097, 100_000])
def test_a_path_over_the_limit_is_a_404(configured: Any, invoke: Any, length: int) -> None:
    event = http_event("POST", "/" + "a" * length, {})
    assert _answer(configured, invoke, event)["statusCode"] == 404


@pytest.mark.parametrize("method", ["PROPFINDXXXXXXXXXX", "G" * 5000])
def test_a_very_long_method_is_a_405(configured: Any, invoke: Any, method: str) -> None:
    event = http_event("POST", "/reconcile", {})
    event["requestContext"]["http"]["method"] = method
    response = _answer(configured, invoke, event)
    assert response["statusCode"] == 405
    assert response["headers"]["Allow"] == "POST"


@pytest.mark.parametrize("as_bytes", [True, False])
def test_a_body_over_the_event_size_is_a_413(configured: Any, invoke: Any, as_bytes: bool) -> None:
    event = http_event("POST", "/reconcile", "x" * (MAX_EVENT_BYTES + 10))
    raw = json.dumps(event).encode() if as_bytes else event
    response = invoke(raw, raw=as_bytes) if as_bytes else invoke(event)
    assert response["statusCode"] == 413
    assert total_calls(configured.calls()) == 0


def test_a_huge_non_http_event_is_still_rejected(configured: Any, invoke: Any) -> None:
    event = {"triggerName": "t", "payload": "x" * (MAX_EVENT_BYTES + 10)}
    assert invoke(event)["status"] == "rejected"
