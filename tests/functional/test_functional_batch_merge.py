"""Merging the items of a batch: reconcile-type items are one reconcile per region, and a
region reconciled anyway needs no add-only pass (small seed: one listing is one page)."""

from __future__ import annotations

from typing import Any

from whitelist_testkit import (
    R_ORDERS,
    R_SESSIONS,
    REGION,
    WEB1,
    WEB2,
    WEB2_IP,
    base_config,
    entries_of,
    eventbridge_state_change,
    timer_event,
)


def counts(cloud: Any) -> dict[str, int]:
    return dict(cloud.calls()["counts"])


def test_a_reconciled_region_needs_no_add_only_pass(
    configured: Any, invoke: Any, write_config: Any
) -> None:
    write_config(base_config(policy={"max_removal_percent": 100}))
    configured.delete_instances(REGION, [WEB1])

    result = invoke(
        [eventbridge_state_change(WEB2, "Running"), eventbridge_state_change(WEB1, "Deleted")]
    )

    calls = counts(configured)
    # The listing of the region serves the Running item too; no InstanceIds lookup.
    assert calls["DescribeInstances"] == 3  # listing + re-check (primary, classic inner IPs)
    assert calls["DescribeNetworkInterfaces"] == 1  # re-check (any network interface)
    assert calls["DescribeSecurityIps"] == 3
    state = configured.state()
    assert entries_of(state, R_ORDERS, "ecs_orders") == {WEB2_IP}
    assert entries_of(state, R_SESSIONS, "ecs_web") == {WEB2_IP}
    running, deleted = result["results"]
    assert {t["target"] for t in running["targets"]} == {"orders-cache", "sessions-cache"}
    assert all(t["added"] == [WEB2_IP] and t["removed"] == [] for t in running["targets"])
    assert {t["target"] for t in deleted["targets"]} == {
        "orders-cache",
        "billing-cache",
        "sessions-cache",
    }


def test_timer_and_events_in_one_batch_reconcile_once(configured: Any, invoke: Any) -> None:
    batch = [timer_event(), eventbridge_state_change(WEB1, "Stopped"), timer_event()]

    result = invoke(batch)

    calls = counts(configured)
    assert calls["DescribeInstances"] == 1
    assert calls["DescribeSecurityIps"] == 3
    assert [r["status"] for r in result["results"]] == ["applied"] * 3
