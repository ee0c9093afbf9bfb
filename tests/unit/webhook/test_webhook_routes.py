"""route(): status codes, their order, bodies and the intents it hands on."""

from __future__ import annotations

import json

import pytest

from whitelist_core.entrypoints.webhook import (
    MAX_BODY_BYTES,
    HttpResponse,
    WebhookDecision,
    route,
    sign,
)
from whitelist_core.intents import HttpRequest, ReconcileTargets, SyncInstances

NOW = 1_700_000_000
SECRETS = ("secret-1",)
IID = "i-bp1example000000001"


def call(
    method: str,
    path: str,
    body: bytes = b"",
    *,
    signed: bool = True,
    secrets: tuple[str, ...] = SECRETS,
    extra: dict[str, str] | None = None,
) -> WebhookDecision:
    headers = {k.lower(): v for k, v in sign(body, "secret-1", NOW).items()} if signed else {}
    headers.update(extra or {})
    request = HttpRequest(method, path, headers, body, "req-1")
    return route(request, secrets=secrets, now=NOW, tolerance_seconds=300, version="1.2.3")


def post(path: str, value: object) -> WebhookDecision:
    return call("POST", path, json.dumps(value).encode())


def error(decision: WebhookDecision, status: int, code: str) -> str:
    assert isinstance(decision, HttpResponse)
    assert (decision.status, decision.body["error"]) == (status, code)
    assert set(decision.body) == {"error", "message"}
    return str(decision.body["message"])


@pytest.mark.parametrize("path", ["/health", "/health/"])
def test_health_needs_no_signature(path: str) -> None:
    assert call("GET", path, signed=False, secrets=()) == HttpResponse(
        200, {"status": "ok", "version": "1.2.3"}
    )


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (
            "/reconcile",
            {},
            ReconcileTargets(trigger="http", event_id="req-1", reason="POST /reconcile"),
        ),
        (
            "/reconcile/",
            {"targets": ["a", "b", "a"], "dry_run": True},
            ReconcileTargets(
                targets=("a", "b"),
                dry_run=True,
                trigger="http",
                event_id="req-1",
                reason="POST /reconcile",
            ),
        ),
        (
            "/instances",
            {"instance_ids": [IID, IID], "region": "ap-southeast-1", "dry_run": False},
            SyncInstances(
                (IID,),
                "ap-southeast-1",
                dry_run=False,
                trigger="http",
                event_id="req-1",
                reason="POST /instances",
            ),
        ),
        (
            "/instances",
            {"instance_ids": [IID]},
            SyncInstances((IID,), trigger="http", event_id="req-1", reason="POST /instances"),
        ),
    ],
)
def test_signed_requests_become_intents(path: str, value: object, expected: object) -> None:
    assert post(path, value) == expected


def test_empty_reconcile_body_means_every_target() -> None:
    assert call("POST", "/reconcile", b"") == ReconcileTargets(
        trigger="http", event_id="req-1", reason="POST /reconcile"
    )


@pytest.mark.parametrize("path", ["/reconcile", "/instances"])
def test_unsigned_request_is_401(path: str) -> None:
    assert "missing" in error(call("POST", path, b"{}", signed=False), 401, "unauthorized")


def test_wrong_signature_is_401() -> None:
    bad = {"x-whitelist-signature": "v1=" + "0" * 64}
    assert "does not match" in error(call("POST", "/reconcile", extra=bad), 401, "unauthorized")


def test_stale_timestamp_is_401() -> None:
    stale = sign(b"", "secret-1", NOW - 301)
    extra = {k.lower(): v for k, v in stale.items()}
    assert "window" in error(call("POST", "/reconcile", extra=extra), 401, "unauthorized")


def test_no_secret_configured_refuses_signed_calls() -> None:
    assert "not configured" in error(call("POST", "/reconcile", secrets=()), 401, "unauthorized")


def test_oversize_body_is_413_before_signature_checks() -> None:
    body = b" " * (64 * 1024 + 1)
    for decision in (
        call("POST", "/reconcile", body, signed=False),
        call("GET", "/health", body, signed=False),
        call("POST", "/nowhere", body, signed=False),
    ):
        assert "over 65536" in error(decision, 413, "payload_too_large")


def test_body_at_the_limit_is_read() -> None:
    assert MAX_BODY_BYTES == 64 * 1024
    body = b"{}" + b" " * (MAX_BODY_BYTES - 2)
    assert isinstance(call("POST", "/reconcile", body), ReconcileTargets)


@pytest.mark.parametrize("path", ["/", "/sync", "/reconcile/x", "/Reconcile", "/health/x", ""])
def test_unknown_path_is_404(path: str) -> None:
    assert "no route" in error(call("POST", path), 404, "not_found")


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("GET", "/reconcile", "POST"),
        ("PUT", "/instances", "POST"),
        ("POST", "/health", "GET"),
        ("DELETE", "/health", "GET"),
    ],
)
def test_wrong_method_is_405_with_allow(method: str, path: str, allow: str) -> None:
    decision = call(method, path)
    error(decision, 405, "method_not_allowed")
    assert isinstance(decision, HttpResponse)
    assert decision.headers == {"Allow": allow}


def test_method_is_case_insensitive() -> None:
    assert isinstance(call("post", "/reconcile"), ReconcileTargets)


@pytest.mark.parametrize(
    ("path", "body", "fragment"),
    [
        ("/reconcile", b"{", "body is not valid JSON"),
        ("/reconcile", b"[]", "body must be a JSON object, not list"),
        ("/reconcile", b"\xff{}", "body is not valid UTF-8"),
        ("/reconcile", b"[" * 5000, "body is nested too deeply"),
        ("/reconcile", b'{"x": NaN}', "NaN is not a JSON value"),
        (
            "/reconcile",
            b'{"targets": ["a"], "extra": 1}',
            "body.extra: Extra inputs are not permitted",
        ),
        ("/reconcile", b'{"targets": "a"}', "body.targets: Input should be a valid list"),
        ("/reconcile", b'{"targets": []}', "body.targets: List should have at least 1 item"),
        ("/reconcile", b'{"dry_run": "yes"}', "body.dry_run: Input should be a valid boolean"),
        ("/reconcile", b'{"dry_run": 1}', "body.dry_run: Input should be a valid boolean"),
        ("/instances", b"", "body is empty"),
        ("/instances", b"{}", "body.instance_ids: Field required"),
        ("/instances", b'{"instance_ids": []}', "body.instance_ids: List should have at least 1"),
        ("/instances", b'{"instance_ids": ["i-x"]}', "body.instance_ids[0]: 'i-x' is not an ECS"),
        ("/instances", b'{"instance_ids": "i-bp1example0001"}', "Input should be a valid list"),
        ("/instances", b'{"instance_ids": [1]}', "body.instance_ids[0]: Input should be a valid"),
        (
            "/instances",
            b'{"instance_ids": ["i-bp1example0001"], "region": "Hangzhou"}',
            "body.region: 'Hangzhou' is not a region id",
        ),
        (
            "/instances",
            b'{"instance_ids": ["i-bp1example0001"], "instanceIds": []}',
            "body.instanceIds: Extra inputs are not permitted",
        ),
    ],
)
def test_bad_bodies_are_400_saying_what(path: str, body: bytes, fragment: str) -> None:
    assert fragment in error(call("POST", path, body), 400, "bad_request")


@pytest.mark.parametrize(("count", "ok"), [(1, True), (100, True), (101, False)])
def test_instance_id_count_limits(count: int, ok: bool) -> None:
    ids = [f"i-bp1example{n:09d}" for n in range(count)]
    decision = post("/instances", {"instance_ids": ids})
    if ok:
        assert isinstance(decision, SyncInstances)
        assert decision.instance_ids == tuple(ids)
    else:
        assert "at most 100 items" in error(decision, 400, "bad_request")


def test_signature_is_checked_before_the_body() -> None:
    assert call("POST", "/instances", b"{", signed=False).status == 401  # type: ignore[union-attr]
