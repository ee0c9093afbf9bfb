"""Reconcile flows (timer, region-wide events) through ``handler.handler`` on localcloud."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from whitelist_testkit import (
    BILL1_IP,
    FOREIGN_GROUPS,
    ORDERS_TARGET,
    R_BILLING,
    R_ORDERS,
    R_SESSIONS,
    REGION,
    SESSIONS_TARGET,
    WEB1,
    WEB1_IP,
    WEB2_IP,
    base_config,
    entries_of,
    eventbridge_state_change,
    foreign_groups,
    group_of,
    timer_event,
    total_calls,
    writes,
)

from localcloud.builders import make_group, make_instance, make_redis_instance

PLACEHOLDER = "127.0.0.1"


@pytest.fixture
def converged(cloud: Any, write_config: Any, invoke: Any) -> Any:
    """Configured with the three base targets and converged once; call log emptied."""
    write_config()
    first = invoke(timer_event())
    assert first["status"] == "applied"
    cloud.reset_calls()
    return cloud


def _foreign(state: dict[str, Any]) -> list[dict[str, Any] | None]:
    return [group_of(state, r, g) for r in (R_ORDERS, R_BILLING) for g in FOREIGN_GROUPS]


def test_timer_removes_the_ip_of_a_deleted_host_and_touches_no_foreign_group(
    converged: Any, invoke: Any
) -> None:
    before = converged.state()
    converged.delete_instances(REGION, [WEB1])

    result = invoke(timer_event())

    after = converged.state()
    assert result["status"] == "applied"
    assert entries_of(after, R_ORDERS, "ecs_orders") == {WEB2_IP}
    assert entries_of(after, R_SESSIONS, "ecs_web") == {WEB2_IP}
    assert entries_of(after, R_BILLING, "ecs_billing") == {"10.8.0.0/24", BILL1_IP}
    # default, ali_dms_group and the hidden service group: byte for byte as before.
    assert _foreign(after) == _foreign(before)
    assert all(group is not None for group in _foreign(after))
    assert group_of(after, R_SESSIONS, "default") == group_of(before, R_SESSIONS, "default")
    removed = {t["target"]: t["removed"] for t in result["targets"]}
    assert removed == {"orders-cache": [WEB1_IP], "billing-cache": [], "sessions-cache": [WEB1_IP]}
    assert converged.calls()["counts"]["ModifySecurityIps"] == 2  # one Delete per group


def test_hidden_owned_group_stays_hidden_after_a_write(converged: Any, invoke: Any) -> None:
    converged.put_instances(
        REGION, [make_instance("i-bp1bill000000002", "10.0.2.22", tags={"app": "billing"})]
    )

    invoke(timer_event())

    group = group_of(converged.state(), R_BILLING, "ecs_billing")
    assert group is not None
    assert group["SecurityIpGroupAttribute"] == "hidden"
    assert entries_of(converged.state(), R_BILLING, "ecs_billing") == {
        "10.8.0.0/24",
        BILL1_IP,
        "10.0.2.22",
    }


def test_ip_reused_by_a_new_host_stays(converged: Any, invoke: Any) -> None:
    converged.delete_instances(REGION, [WEB1])
    converged.put_instances(
        REGION,
        [make_instance("i-bp1web0000000003", WEB1_IP, tags={"app": "orders"}, name="orders-web-3")],
    )

    result = invoke(timer_event())

    assert result["status"] == "noop"
    assert entries_of(converged.state(), R_ORDERS, "ecs_orders") == {WEB1_IP, WEB2_IP}
    assert writes(converged.calls()) == 0


def test_ip_taken_over_between_listing_and_removal_is_kept(
    converged: Any, invoke: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The re-check before removing (principle 5): the host is gone when the region is
    listed, and a new host has taken its IP by the time the removal is decided."""
    converged.delete_instances(REGION, [WEB1])
    handle = converged.backend.handle
    listings = []

    def handle_and_reuse_ip(request: Any) -> Any:
        reply = handle(request)
        if request.headers.get("x-acs-action") == "DescribeInstances":
            listings.append(1)
            if len(listings) == 1:  # right after the reconcile's listing
                newcomer = make_instance(
                    "i-bp1web0000000003", WEB1_IP, tags={"app": "orders"}, name="orders-web-3"
                )
                converged.put_instances(REGION, [newcomer])
        return reply

    monkeypatch.setattr(converged.backend, "handle", handle_and_reuse_ip)

    result = invoke(timer_event())

    # The listing, then the re-check: the address looked up directly as a primary IP and
    # as a classic inner IP (billing and sessions name no VPC), never a second listing.
    assert len(listings) == 3
    assert entries_of(converged.state(), R_ORDERS, "ecs_orders") == {WEB1_IP, WEB2_IP}
    assert writes(converged.calls()) == 0
    orders = next(t for t in result["targets"] if t["target"] == "orders-cache")
    assert orders["removed"] == []
    assert any("i-bp1web0000000003" in w for w in orders["warnings"])


def test_unchanged_reconcile_makes_no_write(converged: Any, invoke: Any) -> None:
    state = converged.state()

    result = invoke(timer_event())

    assert result["status"] == "noop"
    assert {t["status"] for t in result["targets"]} == {"noop"}
    assert writes(converged.calls()) == 0
    assert converged.state() == state


def _dry_run_setup(cloud: Any) -> dict[str, Any]:
    cloud.delete_instances(REGION, [WEB1])
    cloud.put_instances(REGION, [make_instance("i-bp1web0000000004", "10.0.1.14", name="x")])
    cloud.put_instances(
        REGION,
        [make_instance("i-bp1web0000000005", "10.0.1.15", tags={"app": "orders"}, name="y")],
    )
    cloud.reset_calls()
    return cloud.state()


def _assert_planned_only(cloud: Any, result: dict[str, Any], state: dict[str, Any]) -> None:
    assert result["status"] == "planned"
    assert result["dry_run"] is True
    orders = next(t for t in result["targets"] if t["target"] == "orders-cache")
    assert orders["added"] == ["10.0.1.15"]
    assert orders["removed"] == [WEB1_IP]
    assert writes(cloud.calls()) == 0
    assert cloud.state() == state


def test_dry_run_from_the_configuration(converged: Any, invoke: Any, write_config: Any) -> None:
    write_config(base_config(dry_run=True))
    state = _dry_run_setup(converged)
    _assert_planned_only(converged, invoke(timer_event()), state)


@pytest.mark.parametrize("value", ["1", "true"])
def test_dry_run_forced_by_the_environment(
    converged: Any, invoke: Any, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("WHITELIST_DRY_RUN", value)
    state = _dry_run_setup(converged)
    # Even an event that asks for a real run stays dry.
    _assert_planned_only(converged, invoke(timer_event({"dry_run": False})), state)


def test_dry_run_from_the_timer_payload(converged: Any, invoke: Any) -> None:
    state = _dry_run_setup(converged)
    _assert_planned_only(converged, invoke(timer_event({"dry_run": True})), state)


def test_dry_run_of_a_running_event_plans_the_addition(converged: Any, invoke: Any) -> None:
    state = _dry_run_setup(converged)
    converged.reset_calls()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WHITELIST_DRY_RUN", "1")
        result = invoke(eventbridge_state_change("i-bp1web0000000005", "Running"))
    assert result["status"] == "planned"
    assert [t["added"] for t in result["targets"]] == [["10.0.1.15"]]
    assert writes(converged.calls()) == 0
    assert converged.state() == state


def test_timer_payload_targets_limit_the_run(converged: Any, invoke: Any) -> None:
    converged.delete_instances(REGION, [WEB1])

    result = invoke(timer_event({"targets": ["sessions-cache"]}))

    assert [t["target"] for t in result["targets"]] == ["sessions-cache"]
    state = converged.state()
    assert entries_of(state, R_SESSIONS, "ecs_web") == {WEB2_IP}
    assert entries_of(state, R_ORDERS, "ecs_orders") == {WEB1_IP, WEB2_IP}  # not asked


def test_unknown_target_in_the_timer_payload_is_rejected_without_a_call(
    converged: Any, invoke: Any
) -> None:
    converged.delete_instances(REGION, [WEB1])
    state = converged.state()

    result = invoke(timer_event({"targets": ["orders-cache", "no-such-target"]}))

    assert result["status"] == "rejected"
    assert "no-such-target" in result["message"]
    assert total_calls(converged.calls()) == 0
    assert converged.state() == state


def test_empty_selection_leaves_only_the_placeholder(
    cloud: Any, write_config: Any, invoke: Any
) -> None:
    target = copy.deepcopy(ORDERS_TARGET) | {"selector": {"tags": {"app": "retired"}}}
    write_config(base_config(targets=[target], policy={"max_removal_percent": 100}))

    result = invoke(timer_event())

    assert result["status"] == "applied"
    assert entries_of(cloud.state(), R_ORDERS, "ecs_orders") == {PLACEHOLDER}
    assert result["targets"][0]["removed"] == [WEB1_IP]
    cloud.reset_calls()
    again = invoke(timer_event())
    assert again["status"] == "noop"
    assert writes(cloud.calls()) == 0
    assert entries_of(cloud.state(), R_ORDERS, "ecs_orders") == {PLACEHOLDER}


def test_empty_selection_creates_a_missing_group_with_the_placeholder(
    cloud: Any, write_config: Any, invoke: Any
) -> None:
    target = copy.deepcopy(SESSIONS_TARGET) | {"selector": {"name": "nothing-*"}}
    write_config(base_config(targets=[target]))

    invoke(timer_event())

    assert entries_of(cloud.state(), R_SESSIONS, "ecs_web") == {PLACEHOLDER}


def test_empty_selection_under_the_default_policy_removes_nothing(
    cloud: Any, write_config: Any, invoke: Any
) -> None:
    """Removing the only entry is 100 % of the group: over the 50 % limit, so blocked.
    The surviving entry keeps the group non-empty, so no placeholder is written beside it
    (and the next run is blocked the same way and writes nothing either)."""
    target = copy.deepcopy(ORDERS_TARGET) | {"selector": {"tags": {"app": "retired"}}}
    write_config(base_config(targets=[target]))

    result = invoke(timer_event())

    assert entries_of(cloud.state(), R_ORDERS, "ecs_orders") == {WEB1_IP}
    assert result["targets"][0]["added"] == []
    assert result["targets"][0]["removed"] == []
    assert any("max_removal_percent" in r for r in result["targets"][0]["blocked"])
    assert result["blocked"] is True
    cloud.reset_calls()
    again = invoke(timer_event())
    assert again["targets"][0]["blocked"]
    assert writes(cloud.calls()) == 0
    assert entries_of(cloud.state(), R_ORDERS, "ecs_orders") == {WEB1_IP}


def test_policy_block_on_one_target_lets_the_others_proceed(
    cloud: Any, write_config: Any, invoke: Any
) -> None:
    stale = ["10.0.9.97", "10.0.9.98", "10.0.9.99"]
    cloud.put_redis_instances(
        REGION,
        [
            make_redis_instance(
                R_ORDERS, [*foreign_groups(), make_group("ecs_orders", [WEB1_IP, *stale])]
            )
        ],
    )
    write_config(base_config(policy={"max_removals": 2}))

    result = invoke(timer_event())

    state = cloud.state()
    by_name = {t["target"]: t for t in result["targets"]}
    assert by_name["orders-cache"]["blocked"]
    assert any("remov" in reason for reason in by_name["orders-cache"]["blocked"])
    assert by_name["orders-cache"]["removed"] == []
    # Additions are not removals: the new host still gets in.
    assert entries_of(state, R_ORDERS, "ecs_orders") == {WEB1_IP, WEB2_IP, *stale}
    assert by_name["sessions-cache"]["blocked"] == []
    assert entries_of(state, R_SESSIONS, "ecs_web") == {WEB1_IP, WEB2_IP}
    assert result["blocked"] is True
    assert result["status"] == "applied"


def test_removal_limit_is_inclusive(cloud: Any, write_config: Any, invoke: Any) -> None:
    stale = ["10.0.9.98", "10.0.9.99"]
    cloud.put_redis_instances(
        REGION,
        [
            make_redis_instance(
                R_ORDERS,
                [*foreign_groups(), make_group("ecs_orders", [WEB1_IP, WEB2_IP, *stale])],
            )
        ],
    )
    write_config(base_config(policy={"max_removals": 2}))

    result = invoke(timer_event({"targets": ["orders-cache"]}))

    assert result["targets"][0]["blocked"] == []
    assert entries_of(cloud.state(), R_ORDERS, "ecs_orders") == {WEB1_IP, WEB2_IP}


def test_public_ip_of_a_selected_host_is_blocked_and_not_written(
    cloud: Any, write_config: Any, invoke: Any
) -> None:
    cloud.put_instances(
        REGION,
        [make_instance("i-bp1odd0000000001", "47.96.1.1", tags={"app": "orders"}, name="odd")],
    )
    write_config()

    result = invoke(timer_event({"targets": ["orders-cache"]}))

    target = result["targets"][0]
    assert any("47.96.1.1" in reason for reason in target["blocked"])
    assert entries_of(cloud.state(), R_ORDERS, "ecs_orders") == {WEB1_IP, WEB2_IP}


def test_two_targets_on_one_redis_instance_read_its_groups_once(
    cloud: Any, write_config: Any, invoke: Any
) -> None:
    web = copy.deepcopy(ORDERS_TARGET)
    billing = {
        "name": "orders-billing",
        "instance_id": R_ORDERS,
        "group": "ecs_billing",
        "selector": {"tags": {"app": "billing"}},
    }
    write_config(base_config(targets=[web, billing]))

    result = invoke(timer_event())

    assert result["status"] == "applied"
    counts = cloud.calls()["counts"]
    assert counts["DescribeSecurityIps"] == 1
    assert counts["DescribeInstances"] == 1
    state = cloud.state()
    assert entries_of(state, R_ORDERS, "ecs_orders") == {WEB1_IP, WEB2_IP}
    assert entries_of(state, R_ORDERS, "ecs_billing") == {BILL1_IP}
