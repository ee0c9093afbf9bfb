"""End to end: ``handler.handler`` against ``python -m localcloud`` over real HTTP.

One server per module (started with ``localcloud.testing.run_server``); every test
resets it to the seed with ``POST /_localcloud/reset`` and reads the outcome back from
``GET /_localcloud/state`` and ``GET /_localcloud/calls``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from whitelist_testkit import (
    R_ORDERS,
    R_SESSIONS,
    REGION,
    WEB1,
    WEB1_IP,
    WEB2,
    WEB2_IP,
    base_seed,
    cloudmonitor_state_change,
    entries_of,
    eventbridge_state_change,
    http_body,
    http_event,
    point_env_at,
    timer_event,
    total_calls,
    writes,
)

from localcloud.testing import run_server

pytestmark = pytest.mark.e2e


class Admin:
    """The admin endpoints of a running localcloud."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        self.session.trust_env = False  # no proxy between us and 127.0.0.1

    def get(self, name: str) -> dict[str, Any]:
        response = self.session.get(f"{self.base_url}/_localcloud/{name}", timeout=10)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def post(self, name: str, body: Any = None) -> None:
        response = self.session.post(f"{self.base_url}/_localcloud/{name}", json=body, timeout=10)
        assert response.status_code == 200, response.text

    def state(self) -> dict[str, Any]:
        return self.get("state")

    def calls(self) -> dict[str, Any]:
        return self.get("calls")


@pytest.fixture(scope="module")
def server() -> Iterator[Admin]:
    with run_server(base_seed()) as base_url:
        admin = Admin(base_url)
        yield admin
        admin.session.close()


@pytest.fixture
def admin(server: Admin, function_env: pytest.MonkeyPatch, write_config: Any) -> Iterator[Admin]:
    """The module's server back at the seed (state, faults, call log), env pointed at it."""
    server.post("reset")
    point_env_at(function_env, server.base_url)
    write_config()
    yield server
    server.post("faults", {"clear": True})


def test_running_eventbridge_event_adds_the_host(admin: Admin, invoke: Any) -> None:
    assert WEB2_IP not in entries_of(admin.state(), R_ORDERS, "ecs_orders")

    result = invoke(eventbridge_state_change(WEB2, "Running"))

    assert result["status"] == "applied"
    state = admin.state()
    assert entries_of(state, R_ORDERS, "ecs_orders") == {WEB1_IP, WEB2_IP}
    assert entries_of(state, R_SESSIONS, "ecs_web") == {WEB2_IP}
    calls = admin.calls()
    assert calls["counts"] == {
        "DescribeInstances": 1,
        "DescribeSecurityIps": 2,
        "ModifySecurityIps": 2,
    }
    assert all(c["status"] == 200 for c in calls["calls"])


def test_cloudmonitor_running_event_adds_the_host(admin: Admin, invoke: Any) -> None:
    result = invoke(cloudmonitor_state_change(WEB2, "Running"))

    assert result["status"] == "applied"
    assert result["trigger"] == "cloudmonitor"
    assert entries_of(admin.state(), R_ORDERS, "ecs_orders") == {WEB1_IP, WEB2_IP}
    assert writes(admin.calls()) == 2


def test_timer_removes_a_host_deleted_through_the_admin_endpoint(admin: Admin, invoke: Any) -> None:
    assert invoke(timer_event())["status"] == "applied"  # converge: WEB1 and WEB2 in
    admin.post("ecs", {"region": REGION, "delete": [WEB1]})
    admin.post("reset-calls")

    result = invoke(timer_event())

    assert result["status"] == "applied"
    state = admin.state()
    assert entries_of(state, R_ORDERS, "ecs_orders") == {WEB2_IP}
    assert entries_of(state, R_SESSIONS, "ecs_web") == {WEB2_IP}
    assert entries_of(state, R_ORDERS, "default") == {"127.0.0.1"}
    assert writes(admin.calls()) == 2


def test_signed_webhook_dry_run_plans_and_writes_nothing(admin: Admin, invoke: Any) -> None:
    before = admin.state()

    response = invoke(http_event("POST", "/reconcile", {"dry_run": True}))

    assert response["statusCode"] == 200
    body = http_body(response)
    assert body["status"] == "planned"
    assert {t["target"]: t["added"] for t in body["targets"]}["orders-cache"] == [WEB2_IP]
    assert admin.state() == before
    calls = admin.calls()
    assert writes(calls) == 0
    assert calls["counts"]["DescribeInstances"] == 1


def test_unsigned_webhook_is_401_and_reaches_no_api(admin: Admin, invoke: Any) -> None:
    before = admin.state()

    response = invoke(http_event("POST", "/reconcile", {}, secret=None))

    assert response["statusCode"] == 401
    assert total_calls(admin.calls()) == 0
    assert admin.state() == before


def test_throttled_write_is_retried_over_http(admin: Admin, invoke: Any) -> None:
    admin.post("faults", {"action": "ModifySecurityIps", "status": 400, "count": 1})

    result = invoke(eventbridge_state_change(WEB2, "Running"))

    assert result["status"] == "applied"
    assert entries_of(admin.state(), R_ORDERS, "ecs_orders") == {WEB1_IP, WEB2_IP}
    codes = [c["code"] for c in admin.calls()["calls"] if c["action"] == "ModifySecurityIps"]
    assert codes == ["Throttling.User", None, None]
