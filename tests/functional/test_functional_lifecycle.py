"""ESS lifecycle hooks through ``handler.handler`` against localcloud (ECS, R-KVStore, ESS).

A scale-out hook is answered CONTINUE only after its instances' entries are in every
matching target's group (also when they already were); never in a dry run; never when a
write failed (then the invocation fails so it is retried). A scale-in hook is answered at
once and removes nothing. Every test reads ``ess.lifecycle_actions`` and the call log.
"""

from __future__ import annotations

from typing import Any

import pytest
from whitelist_testkit import (
    R_ORDERS,
    R_SESSIONS,
    REGION,
    WEB1,
    WEB1_IP,
    WEB2,
    WEB2_IP,
    entries_of,
    eventbridge_state_change,
    writes,
)

from whitelist_core.errors import TransientCloudError


def hook(
    instance_ids: list[str],
    kind: str = "ScaleOut",
    hook_id: str = "ash-1",
    token: str = "tok-1",  # noqa: S107 - a lifecycle action token, not a secret
) -> dict[str, Any]:
    return {
        "id": f"{hook_id}-{token}",
        "source": "acs.ess",
        "specversion": "1.0",
        "type": f"ess:LifecycleHook:{kind}",
        "subject": "acs:ess:cn-hangzhou:1234567890123456:scalinggroup/asg-bp1example0000001",
        "aliyunregionid": REGION,
        "data": {
            "lifecycleHookId": hook_id,
            "lifecycleActionToken": token,
            "scalingGroupId": "asg-bp1example0000001",
            "instanceIds": instance_ids,
        },
    }


def answered(cloud: Any) -> list[tuple[str, str, str]]:
    return [
        (a["LifecycleHookId"], a["LifecycleActionToken"], a["LifecycleActionResult"])
        for a in cloud.state()["ess"]["lifecycle_actions"]
    ]


@pytest.fixture
def ess(configured: Any, function_env: pytest.MonkeyPatch) -> Any:
    """``configured`` with ESS reached through WHITELIST_ENDPOINT (one URL for every API)."""
    function_env.setenv("WHITELIST_ENDPOINT", configured.base_url)
    function_env.delenv("WHITELIST_ESS_ENDPOINT", raising=False)
    return configured


def test_scale_out_hook_is_answered_after_the_ips_are_in(ess: Any, invoke: Any) -> None:
    result = invoke(hook([WEB2]))

    state = ess.state()
    assert entries_of(state, R_ORDERS, "ecs_orders") == {WEB1_IP, WEB2_IP}
    assert entries_of(state, R_SESSIONS, "ecs_web") == {WEB2_IP}
    assert answered(ess) == [("ash-1", "tok-1", "CONTINUE")]
    assert result["lifecycle"] == {"hook": "ash-1", "result": "CONTINUE"}
    assert result["status"] == "applied"
    calls = ess.calls()["calls"]
    # The answer comes after both writes.
    assert [c["action"] for c in calls][-1] == "CompleteLifecycleAction"
    assert writes(ess.calls()) == 2


def test_already_whitelisted_instances_are_answered_too(ess: Any, invoke: Any) -> None:
    invoke([eventbridge_state_change(WEB1, "Running"), eventbridge_state_change(WEB2, "Running")])
    ess.reset_calls()

    result = invoke(hook([WEB1, WEB2]))

    assert result["lifecycle"]["result"] == "CONTINUE"
    assert answered(ess) == [("ash-1", "tok-1", "CONTINUE")]
    assert writes(ess.calls()) == 0


def test_never_answered_in_a_dry_run(ess: Any, invoke: Any, function_env: Any) -> None:
    function_env.setenv("WHITELIST_DRY_RUN", "1")

    result = invoke(hook([WEB2]))

    assert result["lifecycle"]["result"] is None
    assert answered(ess) == []
    assert "CompleteLifecycleAction" not in ess.calls()["counts"]


def test_never_answered_when_a_write_failed_and_the_invocation_fails(ess: Any, invoke: Any) -> None:
    ess.add_fault(action="ModifySecurityIps", status=400, code="InvalidParameter", count=10)

    with pytest.raises(TransientCloudError, match="ash-1"):
        invoke(hook([WEB2]))

    assert answered(ess) == []
    ess.clear_faults()
    retried = invoke(hook([WEB2]))  # the platform's retry
    assert retried["lifecycle"]["result"] == "CONTINUE"
    assert answered(ess) == [("ash-1", "tok-1", "CONTINUE")]


def test_an_instance_ecs_does_not_know_yet_is_not_answered(ess: Any, invoke: Any) -> None:
    with pytest.raises(TransientCloudError):
        invoke(hook(["i-bp1notthereyet0001"]))

    assert answered(ess) == []


def test_a_hook_waits_for_every_instance_not_the_first_one_found(ess: Any, invoke: Any) -> None:
    # ECS knows WEB2 but not yet the hook's second instance: CONTINUE would let the
    # scaling group put a host in service whose address is in no group.
    with pytest.raises(TransientCloudError):
        invoke(hook([WEB2, "i-bp1notthereyet0001"]))

    assert answered(ess) == []
    assert WEB2_IP in (entries_of(ess.state(), R_ORDERS, "ecs_orders") or set())


def test_scale_in_hook_is_answered_without_removing_anything(ess: Any, invoke: Any) -> None:
    before = ess.state()["kvstore"]

    result = invoke(hook([WEB1], kind="ScaleIn", hook_id="ash-in"))

    assert result["lifecycle"] == {"hook": "ash-in", "result": "CONTINUE"}
    assert ess.state()["kvstore"] == before
    assert ess.calls()["counts"] == {"CompleteLifecycleAction": 1}


def test_a_redelivered_hook_is_the_same_answer(ess: Any, invoke: Any) -> None:
    invoke(hook([WEB2]))
    invoke(hook([WEB2]))

    assert answered(ess) == [("ash-1", "tok-1", "CONTINUE")]


def test_hooks_in_a_batch_share_one_lookup_and_each_is_answered(ess: Any, invoke: Any) -> None:
    batch = [
        hook([WEB2], hook_id="ash-1", token="a"),
        eventbridge_state_change(WEB1, "Running"),
        hook([WEB1, WEB2], hook_id="ash-2", token="b"),
        hook([WEB1], kind="ScaleIn", hook_id="ash-3", token="c"),
    ]

    result = invoke(batch)

    assert ess.calls()["counts"] == {
        "DescribeInstances": 1,
        "DescribeSecurityIps": 2,
        "ModifySecurityIps": 2,
        "CompleteLifecycleAction": 3,
    }
    assert sorted(answered(ess)) == [
        ("ash-1", "a", "CONTINUE"),
        ("ash-2", "b", "CONTINUE"),
        ("ash-3", "c", "CONTINUE"),
    ]
    assert [r.get("lifecycle", {}).get("hook") for r in result["results"]] == [
        "ash-1",
        None,
        "ash-2",
        "ash-3",
    ]


def test_the_products_own_variable_wins_over_whitelist_endpoint(
    ess: Any, invoke: Any, function_env: Any
) -> None:
    function_env.setenv("WHITELIST_ENDPOINT", "http://127.0.0.1:9")  # nothing listens there
    function_env.setenv("WHITELIST_ECS_ENDPOINT", ess.base_url)
    function_env.setenv("WHITELIST_KVSTORE_ENDPOINT", ess.base_url)
    function_env.setenv("WHITELIST_ESS_ENDPOINT", ess.base_url)

    result = invoke(hook([WEB2]))

    assert result["lifecycle"]["result"] == "CONTINUE"


def test_a_hook_queued_by_the_batched_path_is_answered_too(ess: Any, invoke: Any) -> None:
    import base64
    import json

    body = base64.b64encode(json.dumps(hook([WEB2])).encode()).decode()
    record = {"source": "MNS-whitelist-events", "type": "mns:Queue:SendMessage", "id": "m1",
              "specversion": "1.0", "data": {"messageBody": body}}  # fmt: skip

    result = invoke([record])

    assert result["results"][0]["lifecycle"] == {"hook": "ash-1", "result": "CONTINUE"}
    assert answered(ess) == [("ash-1", "tok-1", "CONTINUE")]
    assert WEB2_IP in (entries_of(ess.state(), R_ORDERS, "ecs_orders") or set())


def _without_ids(key: str | None) -> dict[str, Any]:
    event = hook([WEB2])
    del event["data"]["instanceIds"]
    if key == "empty":
        event["data"]["instanceIds"] = []
    elif key is not None:
        event["data"][key] = [WEB2]  # a key the function does not read
    return event


@pytest.mark.parametrize("key", ["empty", None, "instanceIdList"])
def test_safety_a_scale_out_hook_naming_no_instance_is_never_continued_blindly(
    ess: Any, invoke: Any, key: str | None
) -> None:
    result = invoke(_without_ids(key))

    # The region is reconciled (the new host gets in), but the hook is left to its own
    # timeout: which hosts it holds is unknown, so "all of them are in" cannot be known.
    assert answered(ess) == []
    assert "CompleteLifecycleAction" not in ess.calls()["counts"]
    assert entries_of(ess.state(), R_ORDERS, "ecs_orders") == {WEB1_IP, WEB2_IP}
    assert result["lifecycle"]["result"] is None
    assert "names no instance" in result["lifecycle"]["reason"]
    assert "DefaultResult" in result["lifecycle"]["reason"]
