"""Errors through the handler: whose fault, reported or raised, and what still happened."""

from __future__ import annotations

import copy
import time
from typing import Any

import pytest
from whitelist_testkit import (
    ORDERS_TARGET,
    R_BILLING,
    R_ORDERS,
    R_SESSIONS,
    WEB1_IP,
    WEB2,
    WEB2_IP,
    base_config,
    entries_of,
    eventbridge_state_change,
    fc_context,
    timer_event,
    total_calls,
    writes,
)

from whitelist_core.aliyun import factory
from whitelist_core.aliyun.transport.rpc import RpcClient
from whitelist_core.errors import TransientCloudError


def test_permanent_error_on_one_target_is_reported_and_the_others_apply(
    configured: Any, invoke: Any
) -> None:
    # The first group read is orders-cache's (targets run in configuration order).
    configured.add_fault(
        action="DescribeSecurityIps", status=404, code="InvalidInstanceId.NotFound", count=1
    )

    result = invoke(timer_event())

    assert result["status"] == "error"
    by_name = {t["target"]: t for t in result["targets"]}
    error = by_name["orders-cache"]["error"]
    assert by_name["orders-cache"]["status"] == "error"
    assert error["code"] == "InvalidInstanceId.NotFound"
    assert error["request_id"]
    assert error["retryable"] is False
    assert by_name["sessions-cache"]["status"] == "applied"
    # A target whose group could not be read plans nothing (no phantom placeholder).
    assert (by_name["orders-cache"]["added"], by_name["orders-cache"]["removed"]) == ([], [])
    assert error["kind"] == "cloud"
    state = configured.state()
    assert entries_of(state, R_ORDERS, "ecs_orders") == {WEB1_IP}  # untouched
    assert entries_of(state, R_SESSIONS, "ecs_web") == {WEB1_IP, WEB2_IP}
    # Permanent: no retry of the refused read.
    reads = [c for c in configured.calls()["calls"] if c["action"] == "DescribeSecurityIps"]
    assert [c["code"] for c in reads].count("InvalidInstanceId.NotFound") == 1


def test_missing_redis_instance_is_a_permanent_error_with_the_real_code(
    configured: Any, invoke: Any, write_config: Any
) -> None:
    ghost = copy.deepcopy(ORDERS_TARGET) | {"name": "ghost", "instance_id": "r-bp1ghost0000001"}
    write_config(base_config(targets=[ghost, copy.deepcopy(ORDERS_TARGET)]))

    result = invoke(timer_event())

    assert result["status"] == "error"
    ghost_result, orders_result = result["targets"]
    assert ghost_result["error"]["code"].endswith("NotFound")
    assert ghost_result["error"]["request_id"]
    assert orders_result["status"] == "applied"
    assert entries_of(configured.state(), R_ORDERS, "ecs_orders") == {WEB1_IP, WEB2_IP}


def test_permanent_error_on_a_write_is_reported_with_its_request_id(
    configured: Any, invoke: Any
) -> None:
    configured.add_fault(action="ModifySecurityIps", status=403, code="Forbidden.RAM", count=1)

    result = invoke(eventbridge_state_change(WEB2, "Running"))

    assert result["status"] == "error"
    first, second = result["targets"]
    assert first["error"]["code"] == "Forbidden.RAM"
    assert first["error"]["request_id"]
    assert second["status"] == "applied"
    state = configured.state()
    assert entries_of(state, R_ORDERS, "ecs_orders") == {WEB1_IP}
    assert entries_of(state, R_SESSIONS, "ecs_web") == {WEB2_IP}


def test_transient_error_within_the_retries_is_absorbed(configured: Any, invoke: Any) -> None:
    configured.add_fault(action="ModifySecurityIps", status=400, code="Throttling.User", count=2)

    result = invoke(eventbridge_state_change(WEB2, "Running"))

    assert result["status"] == "applied"
    assert entries_of(configured.state(), R_ORDERS, "ecs_orders") == {WEB1_IP, WEB2_IP}
    codes = [c["code"] for c in configured.calls()["calls"] if c["action"] == "ModifySecurityIps"]
    assert codes[:3] == ["Throttling.User", "Throttling.User", None]


class VirtualTime:
    """Stands in for ``factory.RpcClient``: the real client, on a clock that stands still
    except for the backoff sleeps, which return at once and only move it on; jitter is
    always its maximum. Records the deadline each invocation got and every sleep."""

    def __init__(self) -> None:
        self.deadlines: list[float] = []
        self.started: list[float] = []
        self.sleeps: list[float] = []

    def __call__(self, credentials: Any, *, deadline: float, **options: Any) -> RpcClient:
        start = time.monotonic()
        self.deadlines.append(deadline)
        self.started.append(start)

        def clock() -> float:
            return start + sum(self.sleeps)

        return RpcClient(
            credentials, deadline=deadline, clock=clock, sleep=self.sleeps.append,
            rand=lambda: 1.0, **options,
        )  # fmt: skip


@pytest.fixture
def virtual_time(monkeypatch: pytest.MonkeyPatch) -> VirtualTime:
    fake = VirtualTime()
    monkeypatch.setattr(factory, "RpcClient", fake)
    return fake


def _attempts(calls: dict[str, Any], action: str) -> list[str | None]:
    return [c["code"] for c in calls["calls"] if c["action"] == action]


def test_transient_error_outlasting_the_retries_raises_within_the_budget(
    configured: Any, invoke: Any, monkeypatch: pytest.MonkeyPatch, virtual_time: VirtualTime
) -> None:
    # Budget 7 s minus the 5 s safety margin: a deadline 2 s on, retries end 0.5 s before.
    monkeypatch.setenv("WHITELIST_TIMEOUT_SECONDS", "7")
    configured.add_fault(action="DescribeInstances", status=503, count=1000)
    state = configured.state()

    before = time.monotonic()
    with pytest.raises(TransientCloudError) as raised:
        invoke(timer_event())
    after = time.monotonic()

    assert raised.value.code == "ServiceUnavailable"
    [deadline] = virtual_time.deadlines
    assert before + 2.0 <= deadline <= after + 2.0
    # Waits of 0.2, 0.4 and 0.8 s fit in the 1.5 s left; the next (1.6 s) does not.
    assert virtual_time.sleeps == [0.2, 0.4, 0.8]
    assert _attempts(configured.calls(), "DescribeInstances") == ["ServiceUnavailable"] * 4
    assert virtual_time.started[0] + sum(virtual_time.sleeps) < deadline - 0.5
    assert writes(configured.calls()) == 0
    assert configured.state() == state


def test_the_fc_function_timeout_bounds_the_retries_over_the_environment(
    configured: Any, invoke: Any, monkeypatch: pytest.MonkeyPatch, virtual_time: VirtualTime
) -> None:
    monkeypatch.setenv("WHITELIST_TIMEOUT_SECONDS", "600")
    configured.add_fault(action="DescribeSecurityIps", status=500, count=1000)

    before = time.monotonic()
    with pytest.raises(TransientCloudError):
        invoke(timer_event(), fc_context(timeout=6))  # deadline: max(1, 6 - 5) = 1 s
    after = time.monotonic()

    # The context's 6 s, not the environment's 600 s, set the deadline.
    [deadline] = virtual_time.deadlines
    assert before + 1.0 <= deadline <= after + 1.0
    # 0.5 s to retry in: one 0.2 s wait, then a 0.4 s one would pass the deadline. Under
    # the environment's budget the same fault would get all 8 attempts. Every target is
    # tried (a failing one does not starve the rest): the second gets one 0.2 s wait too,
    # the third none, as only 0.1 s is left.
    assert virtual_time.sleeps == [0.2, 0.2]
    assert _attempts(configured.calls(), "DescribeSecurityIps") == ["InternalError"] * 5
    assert writes(configured.calls()) == 0


@pytest.mark.parametrize(
    ("missing", "named"),
    [
        (["ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET"], 2),
        (["ALIBABA_CLOUD_ACCESS_KEY_SECRET"], 1),
    ],
)
def test_missing_credentials_are_an_error_naming_the_variables_and_call_nothing(
    configured: Any, invoke: Any, monkeypatch: pytest.MonkeyPatch, missing: list[str], named: int
) -> None:
    for name in missing:
        monkeypatch.delenv(name)

    result = invoke(timer_event(), fc_context())

    assert result["status"] == "error"
    for name in missing:
        assert name in result["message"]
    assert result["message"].count("ALIBABA_CLOUD_ACCESS_KEY_") == named
    assert total_calls(configured.calls()) == 0


def test_wrong_credentials_are_a_permanent_error_and_nothing_is_written(
    configured: Any, invoke: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "not-the-secret")
    state = configured.state()

    result = invoke(timer_event())

    assert result["status"] == "error"
    assert "SignatureDoesNotMatch" in str(result)
    assert writes(configured.calls()) == 0
    assert configured.state() == state


def test_invalid_configuration_is_an_error_naming_the_field_and_calls_nothing(
    configured: Any, invoke: Any, write_config: Any
) -> None:
    config = base_config()
    config["targets"][0]["selector"]["vpcid"] = "typo"
    write_config(config)

    result = invoke(timer_event())

    assert result["status"] == "error"
    assert "targets[0] (orders-cache).selector" in result["message"]
    assert total_calls(configured.calls()) == 0
    assert entries_of(configured.state(), R_BILLING, "ecs_billing") is not None
