"""The signed webhook through ``handler.handler`` (FC 3.0 HTTP trigger events)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from whitelist_testkit import (
    R_ORDERS,
    R_SESSIONS,
    REGION,
    WEB1,
    WEB1_IP,
    WEB2_IP,
    WEBHOOK_SECRET,
    base_config,
    entries_of,
    http_body,
    http_event,
    timer_event,
    total_calls,
    writes,
)

from localcloud.builders import make_instance


def _no_traceback(response: dict[str, Any]) -> None:
    assert "Traceback" not in response["body"]
    assert 'File "' not in response["body"]


def _assert_refused(
    cloud: Any, response: dict[str, Any], status: int, state: dict[str, Any]
) -> dict[str, Any]:
    assert response["statusCode"] == status
    assert response["isBase64Encoded"] is False
    _no_traceback(response)
    body = http_body(response)
    assert body["message"]
    assert total_calls(cloud.calls()) == 0
    assert cloud.state() == state
    return body


def test_reconcile_applies_and_answers_200(configured: Any, invoke: Any) -> None:
    response = invoke(http_event("POST", "/reconcile", {}))

    assert response["statusCode"] == 200
    assert response["headers"]["Content-Type"] == "application/json"
    body = http_body(response)
    assert body["status"] == "applied"
    assert body["trigger"] == "http"
    state = configured.state()
    assert entries_of(state, R_ORDERS, "ecs_orders") == {WEB1_IP, WEB2_IP}
    assert entries_of(state, R_SESSIONS, "ecs_web") == {WEB1_IP, WEB2_IP}
    _no_traceback(response)


def test_reconcile_of_named_targets_only(configured: Any, invoke: Any) -> None:
    response = invoke(http_event("POST", "/reconcile", {"targets": ["sessions-cache"]}))

    assert response["statusCode"] == 200
    assert [t["target"] for t in http_body(response)["targets"]] == ["sessions-cache"]
    assert entries_of(configured.state(), R_ORDERS, "ecs_orders") == {WEB1_IP}


def test_reconcile_dry_run_answers_the_plan_and_writes_nothing(
    configured: Any, invoke: Any
) -> None:
    state = configured.state()

    response = invoke(http_event("POST", "/reconcile", {"dry_run": True}))

    assert response["statusCode"] == 200
    body = http_body(response)
    assert body["status"] == "planned"
    assert body["dry_run"] is True
    added = {t["target"]: t["added"] for t in body["targets"]}
    assert added["orders-cache"] == [WEB2_IP]
    assert writes(configured.calls()) == 0
    assert configured.state() == state


def test_instances_adds_the_named_instances(configured: Any, invoke: Any) -> None:
    new = make_instance("i-bp1web0000000007", "10.0.1.17", tags={"app": "orders"}, name="n")
    configured.put_instances(REGION, [new])

    response = invoke(
        http_event("POST", "/instances", {"instance_ids": [new["InstanceId"]], "region": REGION})
    )

    assert response["statusCode"] == 200
    assert http_body(response)["status"] == "applied"
    assert entries_of(configured.state(), R_ORDERS, "ecs_orders") == {WEB1_IP, "10.0.1.17"}


def test_base64_body_is_accepted(configured: Any, invoke: Any) -> None:
    response = invoke(http_event("POST", "/reconcile", {"dry_run": True}, base64_body=True))
    assert response["statusCode"] == 200
    assert http_body(response)["status"] == "planned"


def test_rotated_secrets_both_work(
    configured: Any, invoke: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WHITELIST_WEBHOOK_SECRET", f"old-secret-1234, {WEBHOOK_SECRET}")

    with_old = invoke(http_event("POST", "/reconcile", {"dry_run": True}, secret="old-secret-1234"))
    with_new = invoke(http_event("POST", "/reconcile", {"dry_run": True}))
    state = configured.state()
    other = invoke(http_event("POST", "/reconcile", {"dry_run": True}, secret="another-secret"))

    assert with_old["statusCode"] == 200
    assert with_new["statusCode"] == 200
    assert other["statusCode"] == 401
    assert configured.state() == state


def test_unsigned_request_is_401_and_calls_nothing(configured: Any, invoke: Any) -> None:
    state = configured.state()
    response = invoke(http_event("POST", "/reconcile", {}, secret=None))
    _assert_refused(configured, response, 401, state)


def test_wrong_signature_is_401(configured: Any, invoke: Any) -> None:
    state = configured.state()
    response = invoke(http_event("POST", "/reconcile", {}, secret="not-the-secret"))
    assert "does not match" in _assert_refused(configured, response, 401, state)["message"]


def test_signature_over_another_body_is_401(configured: Any, invoke: Any) -> None:
    signed = http_event("POST", "/reconcile", {"dry_run": True})
    signed["body"] = json.dumps({"dry_run": False})
    state = configured.state()
    _assert_refused(configured, invoke(signed), 401, state)


# A minute clear of the 300 s window: under load a +301 s timestamp checked two seconds
# later is inside it. The exact boundary (300 in, 301 out) is tested with a fixed clock in
# tests/unit/webhook/test_webhook_signature.py.
@pytest.mark.parametrize("skew", [-360, 360, -3600])
def test_stale_or_future_timestamp_is_401(configured: Any, invoke: Any, skew: int) -> None:
    state = configured.state()
    event = http_event("POST", "/reconcile", {}, timestamp=int(time.time()) + skew)
    body = _assert_refused(configured, invoke(event), 401, state)
    assert "window" in body["message"]


def test_timestamp_inside_the_configured_tolerance_is_accepted(
    configured: Any, invoke: Any, write_config: Any
) -> None:
    write_config(base_config(webhook={"tolerance_seconds": 900}))
    event = http_event("POST", "/reconcile", {"dry_run": True}, timestamp=int(time.time()) - 600)
    assert invoke(event)["statusCode"] == 200


def test_no_secret_configured_refuses_every_signed_route(
    configured: Any, invoke: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WHITELIST_WEBHOOK_SECRET")
    state = configured.state()
    response = invoke(http_event("POST", "/reconcile", {}))
    _assert_refused(configured, response, 401, state)


def test_oversize_body_is_413(configured: Any, invoke: Any) -> None:
    state = configured.state()
    body = json.dumps({"targets": ["x" * 70_000]})
    response = invoke(http_event("POST", "/reconcile", body))
    _assert_refused(configured, response, 413, state)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("{not json", id="bad-json"),
        pytest.param("[1, 2]", id="not-an-object"),
        pytest.param('{"unknown": 1}', id="unknown-key"),
        pytest.param('{"dry_run": "sometimes"}', id="wrong-type"),
    ],
)
def test_bad_body_is_400(configured: Any, invoke: Any, body: str) -> None:
    state = configured.state()
    response = invoke(http_event("POST", "/reconcile", body))
    _assert_refused(configured, response, 400, state)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("", id="empty"),
        pytest.param('{"instance_ids": ["not-an-instance"]}', id="bad-id"),
        pytest.param('{"instance_ids": []}', id="no-ids"),
    ],
)
def test_bad_instances_body_is_400(configured: Any, invoke: Any, body: str) -> None:
    state = configured.state()
    response = invoke(http_event("POST", "/instances", body))
    _assert_refused(configured, response, 400, state)


def test_unknown_target_is_400_and_calls_nothing(configured: Any, invoke: Any) -> None:
    state = configured.state()
    response = invoke(http_event("POST", "/reconcile", {"targets": ["nope"]}))
    assert "nope" in _assert_refused(configured, response, 400, state)["message"]


def test_unknown_route_is_404(configured: Any, invoke: Any) -> None:
    state = configured.state()
    _assert_refused(configured, invoke(http_event("POST", "/sync", {})), 404, state)


@pytest.mark.parametrize(("method", "path"), [("GET", "/reconcile"), ("POST", "/health")])
def test_wrong_method_is_405_with_allow(
    configured: Any, invoke: Any, method: str, path: str
) -> None:
    state = configured.state()
    response = invoke(http_event(method, path, None))
    _assert_refused(configured, response, 405, state)
    assert response["headers"]["Allow"] in {"GET", "POST"}


def test_health_needs_no_signature_and_calls_nothing(configured: Any, invoke: Any) -> None:
    response = invoke(http_event("GET", "/health", None, secret=None))

    assert response["statusCode"] == 200
    body = http_body(response)
    assert body["status"] == "ok"
    assert body["version"]
    assert total_calls(configured.calls()) == 0


def test_policy_block_is_422_with_every_reason(configured: Any, invoke: Any) -> None:
    invoke(timer_event())  # converge: ecs_orders and ecs_web hold WEB1 and WEB2
    configured.delete_instances(REGION, [WEB1, "i-bp1web0000000002"])
    state = configured.state()

    response = invoke(http_event("POST", "/reconcile", {}))

    assert response["statusCode"] == 422
    _no_traceback(response)
    body = http_body(response)
    assert body["error"] == "policy_rejected"
    assert len(body["reasons"]) == 2  # orders-cache and sessions-cache, 2 of 2 each
    assert all("max_removal_percent" in reason for reason in body["reasons"])
    assert body["result"]["targets"]
    assert all(t["removed"] == [] for t in body["result"]["targets"])
    # Nothing removed, and nothing written: the surviving entries keep each group
    # non-empty, so no placeholder is needed beside them.
    for instance_id, group in [(R_ORDERS, "ecs_orders"), (R_SESSIONS, "ecs_web")]:
        assert entries_of(configured.state(), instance_id, group) == {WEB1_IP, WEB2_IP}
        assert entries_of(state, instance_id, group) == {WEB1_IP, WEB2_IP}


def test_permanent_cloud_error_is_502_without_a_traceback(configured: Any, invoke: Any) -> None:
    configured.add_fault(action="DescribeInstances", status=403, code="Forbidden.RAM", count=1)

    response = invoke(http_event("POST", "/reconcile", {}))

    assert response["statusCode"] == 502
    _no_traceback(response)
    assert "Forbidden.RAM" in response["body"]
    assert writes(configured.calls()) == 0


def test_transient_cloud_error_is_503_with_retry_after(
    configured: Any, invoke: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WHITELIST_TIMEOUT_SECONDS", "6")
    configured.add_fault(action="DescribeInstances", status=503, count=1000)

    response = invoke(http_event("POST", "/reconcile", {}))

    assert response["statusCode"] == 503
    assert response["headers"]["Retry-After"]
    _no_traceback(response)
    assert writes(configured.calls()) == 0


def test_invalid_configuration_is_500_without_details_leaking_a_traceback(
    configured: Any, invoke: Any, write_config: Any
) -> None:
    config = base_config()
    config["targets"][0]["group"] = "default"
    write_config(config)

    response = invoke(http_event("POST", "/reconcile", {}))

    assert response["statusCode"] == 500
    _no_traceback(response)
    assert total_calls(configured.calls()) == 0


def test_missing_credentials_is_500_configuration_without_a_cloud_call(
    configured: Any, invoke: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
    state = configured.state()

    response = invoke(http_event("POST", "/reconcile", {}))

    assert response["statusCode"] == 500
    body = http_body(response)
    assert body["error"] == "configuration"
    assert "ALIBABA_CLOUD_ACCESS_KEY_SECRET" in body["message"]
    assert total_calls(configured.calls()) == 0
    assert configured.state() == state
    _no_traceback(response)
