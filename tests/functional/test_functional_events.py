"""Event flows through ``handler.handler`` against in-process localcloud.

Events are hints (DESIGN principle 3): whatever the event says, the result is decided by
what ECS and the whitelist hold, which is what these tests read back from the fake.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from whitelist_testkit import (
    BATCH,
    BATCH_IP,
    BILL1_IP,
    R_BILLING,
    R_ORDERS,
    R_SESSIONS,
    REGION,
    WEB1,
    WEB1_IP,
    WEB2,
    WEB2_IP,
    base_config,
    cloudmonitor_state_change,
    entries_of,
    ess_scale_out,
    eventbridge_state_change,
    timer_event,
    total_calls,
    writes,
)

from localcloud.builders import make_instance

# WEB2 matches orders-cache (VPC + tag) and sessions-cache (name glob), not billing-cache.
MATCHED_TARGETS = 2


@pytest.mark.parametrize(
    "event",
    [
        pytest.param(eventbridge_state_change(WEB2, "Running"), id="eventbridge"),
        pytest.param(cloudmonitor_state_change(WEB2, "Running"), id="cloudmonitor"),
    ],
)
def test_running_event_adds_the_ip_to_every_matching_target_and_nothing_else(
    configured: Any, invoke: Any, event: dict[str, Any]
) -> None:
    before = configured.state()

    result = invoke(event)

    after = configured.state()
    assert result["status"] == "applied"
    assert entries_of(after, R_ORDERS, "ecs_orders") == {WEB1_IP, WEB2_IP}
    assert entries_of(after, R_SESSIONS, "ecs_web") == {WEB2_IP}
    # Nothing else moved: billing's group, every foreign group, ECS itself.
    assert entries_of(after, R_BILLING, "ecs_billing") == {"10.8.0.0/24", BILL1_IP}
    for instance_id, group in [(R_ORDERS, "ecs_orders"), (R_SESSIONS, "ecs_web")]:
        _drop_group(before, instance_id, group)
        _drop_group(after, instance_id, group)
    assert after == before
    calls = configured.calls()
    assert calls["counts"]["DescribeInstances"] == 1
    assert total_calls(calls) <= 1 + 2 * MATCHED_TARGETS
    assert writes(calls) == MATCHED_TARGETS


def _drop_group(state: dict[str, Any], instance_id: str, group: str) -> None:
    for instances in state["kvstore"].values():
        for instance in instances:
            if instance["InstanceId"] == instance_id:
                instance["SecurityIpGroups"] = [
                    g for g in instance["SecurityIpGroups"] if g["SecurityIpGroupName"] != group
                ]


def test_redelivered_running_event_writes_nothing(configured: Any, invoke: Any) -> None:
    event = eventbridge_state_change(WEB2, "Running", event_id="same-delivery")
    invoke(event)
    state = configured.state()
    configured.reset_calls()

    again = invoke(event)

    assert again["status"] == "noop"
    assert all(t["added"] == [] for t in again["targets"])
    assert writes(configured.calls()) == 0
    assert configured.state() == state


def test_running_event_for_an_unselected_host_writes_nothing(configured: Any, invoke: Any) -> None:
    state = configured.state()

    result = invoke(eventbridge_state_change(BATCH, "Running"))

    assert result["status"] == "noop"
    assert result["targets"] == []
    assert writes(configured.calls()) == 0
    assert configured.state() == state
    assert BATCH_IP not in entries_of(state, R_ORDERS, "ecs_orders")


def test_a_late_running_event_for_a_host_that_stopped_since_writes_nothing(
    configured: Any, write_config: Any, invoke: Any
) -> None:
    # The event is a hint: ECS says WEB2 is Stopped now, and the targets count only
    # Running hosts, so none of them takes WEB2's address.
    config = base_config()
    for target in config["targets"]:
        target["statuses"] = ["Running"]
    write_config(config)
    stopped = make_instance(
        WEB2, WEB2_IP, tags={"app": "orders"}, name="orders-web-2", status="Stopped"
    )
    configured.put_instances(REGION, [stopped])
    state = configured.state()

    result = invoke(eventbridge_state_change(WEB2, "Running"))

    assert all(t["added"] == [] for t in result["targets"])
    assert writes(configured.calls()) == 0
    assert configured.state() == state


def test_running_event_for_an_instance_ecs_does_not_know_writes_nothing(
    configured: Any, invoke: Any
) -> None:
    state = configured.state()

    result = invoke(eventbridge_state_change("i-bp1ghost00000001", "Running"))

    assert result["status"] == "noop"
    assert writes(configured.calls()) == 0
    assert configured.state() == state


def test_scale_out_adds_every_new_instance(configured: Any, invoke: Any) -> None:
    new = [
        make_instance("i-bp1asg0000000001", "10.0.1.21", tags={"app": "orders"}),
        make_instance("i-bp1asg0000000002", "10.0.1.22", tags={"app": "orders"}),
    ]
    configured.put_instances(REGION, new)

    result = invoke(ess_scale_out([i["InstanceId"] for i in new]))

    assert result["status"] == "applied"
    state = configured.state()
    assert entries_of(state, R_ORDERS, "ecs_orders") == {WEB1_IP, "10.0.1.21", "10.0.1.22"}
    # Add-only: WEB2 (running, but not named by the event) is left for the timer.
    assert WEB2_IP not in entries_of(state, R_ORDERS, "ecs_orders")
    # The new hosts are not named orders-web-*: the sessions group is not created.
    assert entries_of(state, R_SESSIONS, "ecs_web") is None
    assert writes(configured.calls()) == 1


def test_late_stopped_event_for_a_running_host_removes_nothing(
    configured: Any, invoke: Any
) -> None:
    """Out of order: "Stopped" arrives after the host started again; ECS says it exists."""
    invoke(timer_event())  # converge first: WEB1 and WEB2 are in every group they match
    state = configured.state()
    configured.reset_calls()

    stopped = invoke(eventbridge_state_change(WEB1, "Stopped"))
    deleted = invoke(cloudmonitor_state_change(WEB1, "Deleted"))

    assert stopped["status"] == "noop"
    assert deleted["status"] == "noop"
    assert all(t["removed"] == [] for t in stopped["targets"] + deleted["targets"])
    assert writes(configured.calls()) == 0
    assert configured.state() == state
    assert WEB1_IP in entries_of(state, R_ORDERS, "ecs_orders")


def test_deleted_event_removes_the_ip_once_ecs_no_longer_has_the_host(
    configured: Any, invoke: Any
) -> None:
    invoke(timer_event())  # converge: ecs_orders holds WEB1 and WEB2 (one removal is 50 %)
    configured.delete_instances(REGION, [WEB1])

    result = invoke(eventbridge_state_change(WEB1, "Deleted"))

    assert result["status"] == "applied"
    assert entries_of(configured.state(), R_ORDERS, "ecs_orders") == {WEB2_IP}
    assert entries_of(configured.state(), R_SESSIONS, "ecs_web") == {WEB2_IP}


def test_batch_gives_a_result_per_item_and_a_combined_status(configured: Any, invoke: Any) -> None:
    batch = [
        eventbridge_state_change(WEB2, "Running"),
        {"source": "acs.ecs", "type": "ecs:Instance:StateChange", "data": {"state": "Running"}},
        "not an event",
        eventbridge_state_change(BATCH, "Running"),
    ]

    result = invoke(batch)

    assert [r["status"] for r in result["results"]] == ["applied", "rejected", "rejected", "noop"]
    assert result["status"] == "applied"
    assert "event[2]" in result["results"][2]["message"]
    assert entries_of(configured.state(), R_ORDERS, "ecs_orders") == {WEB1_IP, WEB2_IP}


def test_batch_of_only_bad_items_is_rejected_and_calls_nothing(
    configured: Any, invoke: Any
) -> None:
    result = invoke(["junk", {"unknown": "shape"}])

    assert result["status"] == "rejected"
    assert len(result["results"]) == 2
    assert total_calls(configured.calls()) == 0


def test_empty_batch_is_ignored(configured: Any, invoke: Any) -> None:
    assert invoke([]) == {"status": "ignored", "attention": [], "results": []}
    assert total_calls(configured.calls()) == 0


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(b"{not json", id="invalid-json"),
        pytest.param(b"\xff\xfe\x00garbage", id="not-utf8"),
        pytest.param(b'"a string"', id="not-an-object"),
        pytest.param(b'{"unknown": "shape"}', id="unknown-shape"),
        pytest.param(
            json.dumps(eventbridge_state_change("i-NOT_VALID", "Running")).encode(),
            id="bad-instance-id",
        ),
        pytest.param(
            json.dumps(eventbridge_state_change(WEB2, "Running", region="Not A Region")).encode(),
            id="bad-region",
        ),
        pytest.param(json.dumps(timer_event({"targets": "orders-cache"})).encode(), id="timer"),
        pytest.param(b"[" * 10_000 + b"]" * 10_000, id="deeply-nested"),
        pytest.param(b" " * (1024 * 1024 + 1), id="over-1-MiB"),
    ],
)
def test_unparseable_event_is_rejected_without_any_cloud_call(
    configured: Any, invoke: Any, payload: bytes
) -> None:
    state = configured.state()

    result = invoke(payload, raw=True)

    assert result["status"] == "rejected"
    assert result["message"]
    assert total_calls(configured.calls()) == 0
    assert configured.state() == state


def test_event_for_another_region_touches_no_target(
    configured: Any, invoke: Any, write_config: Any
) -> None:
    write_config(base_config())
    result = invoke(eventbridge_state_change(WEB2, "Running", region="cn-shanghai"))

    assert result["status"] == "noop"
    assert writes(configured.calls()) == 0
