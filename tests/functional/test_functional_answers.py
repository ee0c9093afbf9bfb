"""Answers are believed only when they say success: a 200 carrying an error Code."""

from __future__ import annotations

import functools
from typing import Any

import pytest
from whitelist_testkit import R_ORDERS, WEB1_IP, WEB2, WEB2_IP, entries_of, eventbridge_state_change

from whitelist_core.aliyun import factory
from whitelist_core.aliyun.transport.rpc import RpcClient
from whitelist_core.errors import TransientCloudError


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries keep their attempts and deadline but do not sleep."""
    monkeypatch.setattr(factory, "RpcClient", functools.partial(RpcClient, sleep=lambda s: None))


def test_a_200_with_throttling_on_the_write_is_not_reported_as_applied(
    configured: Any, invoke: Any, no_backoff: None
) -> None:
    configured.add_fault(action="ModifySecurityIps", status=200, code="Throttling.User")

    with pytest.raises(TransientCloudError) as caught:
        invoke(eventbridge_state_change(WEB2, "Running"))

    assert "Throttling.User" in str(caught.value)
    assert entries_of(configured.state(), R_ORDERS, "ecs_orders") == {WEB1_IP}


def test_a_passing_200_with_throttling_is_retried_and_applied(
    configured: Any, invoke: Any, no_backoff: None
) -> None:
    configured.add_fault(action="ModifySecurityIps", status=200, code="Throttling.User", count=1)

    result = invoke(eventbridge_state_change(WEB2, "Running"))

    assert result["status"] == "applied"
    assert WEB2_IP in (entries_of(configured.state(), R_ORDERS, "ecs_orders") or set())
    codes = [c["code"] for c in configured.calls()["calls"] if c["action"] == "ModifySecurityIps"]
    assert codes[0] == "Throttling.User"
    assert codes[-1] is None
