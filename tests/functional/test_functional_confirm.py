"""Concurrency must never lose an add: "already there" / "already absent" answers are
confirmed by re-reading the group, and an add that cannot be confirmed fails the
invocation (so it is retried) instead of ending as a silent error status.

A racing invocation is what makes the real service answer "already there" for an entry
a re-read then does not show; localcloud's status fault answers exactly that claim
without applying anything.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest
from whitelist_testkit import (
    R_ORDERS,
    R_SESSIONS,
    WEB1_IP,
    WEB2,
    WEB2_IP,
    entries_of,
    eventbridge_state_change,
)

from whitelist_core.aliyun import factory
from whitelist_core.aliyun.transport.rpc import RpcClient
from whitelist_core.errors import TransientCloudError

DUPLICATE = {"action": "ModifySecurityIps", "status": 400, "code": "InvalidInstanceIp.Duplicate"}


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries and confirmation pauses keep their number and deadline but do not sleep."""
    monkeypatch.setattr(factory, "RpcClient", functools.partial(RpcClient, sleep=lambda s: None))


def test_a_false_already_there_is_re_read_and_the_add_is_sent_again(
    configured: Any, invoke: Any, no_backoff: None
) -> None:
    configured.add_fault(DUPLICATE, count=1)

    result = invoke(eventbridge_state_change(WEB2, "Running"))

    assert result["status"] == "applied"
    state = configured.state()
    assert WEB2_IP in (entries_of(state, R_ORDERS, "ecs_orders") or set())
    assert WEB2_IP in (entries_of(state, R_SESSIONS, "ecs_web") or set())


def test_an_add_that_is_never_confirmed_fails_the_invocation(
    configured: Any, invoke: Any, no_backoff: None
) -> None:
    configured.add_fault(DUPLICATE)

    with pytest.raises(TransientCloudError) as raised:
        invoke(eventbridge_state_change(WEB2, "Running"))

    assert raised.value.code == "WriteUnconfirmed"
    assert entries_of(configured.state(), R_ORDERS, "ecs_orders") == {WEB1_IP}


def test_a_missing_group_is_reported_as_missing_not_as_a_duplicate(
    configured: Any, invoke: Any, no_backoff: None
) -> None:
    # sessions-cache's group does not exist yet; the claim says its entries are there.
    configured.add_fault(DUPLICATE)

    with pytest.raises(TransientCloudError) as raised:
        invoke(eventbridge_state_change(WEB2, "Running"))

    targets = {t["target"]: t for t in raised.value.summary["targets"]}  # type: ignore[attr-defined]
    error = targets["sessions-cache"]["error"]
    assert error["code"] == "WriteUnconfirmed"
    assert "group 'ecs_web' does not exist" in error["message"]
    assert entries_of(configured.state(), R_SESSIONS, "ecs_web") is None
