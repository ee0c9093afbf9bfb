"""The function against localcloud behaving as the cloud does now: RAM refusals as 403
``Forbidden.RAM``, re-sorted whitelists, instances that settle after each write, and the
verified IP events."""

from __future__ import annotations

from typing import Any

import pytest
from whitelist_testkit import (
    R_ORDERS,
    WEB1_IP,
    WEB2,
    WEB2_IP,
    base_seed,
    entries_of,
    eventbridge_state_change,
    timer_event,
    writes,
)

DENIED_ID, DENIED_SECRET = "norole-id", "norole-secret-0123"


def deny(cloud: Any, env: pytest.MonkeyPatch, *actions: str, **extra: Any) -> None:
    """Reload the fake with a credential denied ``actions`` and make the function use it."""
    seed = base_seed()
    seed["credentials"] = [
        {"AccessKeyId": DENIED_ID, "AccessKeySecret": DENIED_SECRET, "Denied": list(actions)}
        | extra
    ]
    cloud.reset(seed)
    env.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", DENIED_ID)
    env.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", DENIED_SECRET)


def codes_of(cloud: Any, action: str) -> list[str | None]:
    return [c["code"] for c in cloud.calls()["calls"] if c["action"] == action]


# -- RAM ------------------------------------------------------------------------------


def test_a_listing_refused_by_ram_is_reported_once_and_removes_nothing(
    configured: Any, function_env: pytest.MonkeyPatch, invoke: Any
) -> None:
    deny(configured, function_env, "DescribeInstances")
    before = configured.state()["kvstore"]

    result = invoke(timer_event())

    assert result["status"] == "error"
    assert result["targets"] == []  # the listing failed before any target was planned
    error = result["error"]
    assert (error["code"], error["retryable"]) == ("Forbidden.RAM", False)
    assert error["request_id"]
    assert configured.state()["kvstore"] == before
    listings = codes_of(configured, "DescribeInstances")
    assert set(listings) == {"Forbidden.RAM"}
    assert len(listings) == 1, "a permanent refusal is not retried"
    assert writes(configured.calls()) == 0


def test_a_running_event_refused_by_ram_writes_nothing(
    configured: Any, function_env: pytest.MonkeyPatch, invoke: Any
) -> None:
    deny(configured, function_env, "DescribeInstances")

    result = invoke(eventbridge_state_change(WEB2, "Running"))

    assert result["status"] == "error"
    assert "Forbidden.RAM" in str(result)
    assert writes(configured.calls()) == 0
    assert entries_of(configured.state(), R_ORDERS, "ecs_orders") == {WEB1_IP}


def test_a_write_refused_by_ram_is_permanent_per_target(
    configured: Any, function_env: pytest.MonkeyPatch, invoke: Any
) -> None:
    deny(configured, function_env, "ModifySecurityIps")

    result = invoke(eventbridge_state_change(WEB2, "Running"))

    assert result["status"] == "error"
    failed = [t for t in result["targets"] if t["status"] == "error"]
    assert {t["error"]["code"] for t in failed} == {"Forbidden.RAM"}
    assert all(t["error"]["retryable"] is False for t in failed)
    assert set(codes_of(configured, "ModifySecurityIps")) == {"Forbidden.RAM"}
    assert len(codes_of(configured, "ModifySecurityIps")) == len(failed)
    assert WEB2_IP not in str(configured.state()["kvstore"])


def test_the_empty_listing_answer_still_meets_the_guard(
    configured: Any, function_env: pytest.MonkeyPatch, invoke: Any
) -> None:
    """The older answer (200, no instances) must not read as "the fleet is gone"."""
    deny(configured, function_env, "DescribeInstances", DeniedAnswer="empty-list")
    before = configured.state()["kvstore"]

    result = invoke(timer_event())

    assert result["status"] == "error"
    assert "Forbidden.RAM" in str(result)
    assert configured.state()["kvstore"] == before
    assert writes(configured.calls()) == 0
