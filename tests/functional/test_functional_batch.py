"""A batch is carried out as one run (DESIGN: handler contract, batches).

Every test reads localcloud's state and its call counts: a batch of N Running events for
hosts of T targets costs ceil(N/100) lookups + one read per Redis instance + one write
per changed group, duplicates cost nothing, and reconcile-type items are merged into one
reconcile per region.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from whitelist_testkit import (
    BILL1_IP,
    R_BILLING,
    R_ORDERS,
    REGION,
    WEB1_IP,
    WEB2,
    WEB2_IP,
    base_seed,
    entries_of,
    eventbridge_state_change,
    timer_event,
    writes,
)

from localcloud.builders import make_instance

HOSTS = 250


def host(n: int) -> tuple[str, str, str]:
    """(instance id, private IP, app tag) of storm host ``n``: even hosts orders, odd billing."""
    app = "orders" if n % 2 == 0 else "billing"
    return f"i-bp1storm{n:08d}", f"10.0.{100 + n // 200}.{n % 200 + 1}", app


@pytest.fixture
def seed() -> dict[str, Any]:
    seed = base_seed()
    for n in range(HOSTS):
        iid, ip, app = host(n)
        seed["ecs"][REGION].append(make_instance(iid, ip, tags={"app": app}, name=f"{app}-{n}"))
    return seed


def running_batch(count: int = HOSTS) -> list[dict[str, Any]]:
    return [eventbridge_state_change(host(n)[0], "Running") for n in range(count)]


def ips(app: str) -> set[str]:
    return {ip for n in range(HOSTS) for _, ip, a in [host(n)] if a == app}


def counts(cloud: Any) -> dict[str, int]:
    return dict(cloud.calls()["counts"])


def test_running_storm_costs_lookups_per_100_one_read_per_instance_one_write_per_group(
    configured: Any, invoke: Any
) -> None:
    result = invoke(running_batch())

    state = configured.state()
    assert entries_of(state, R_ORDERS, "ecs_orders") == {WEB1_IP} | ips("orders")
    assert entries_of(state, R_BILLING, "ecs_billing") == {"10.8.0.0/24", BILL1_IP} | ips("billing")
    assert counts(configured) == {
        "DescribeInstances": math.ceil(HOSTS / 100),
        "DescribeSecurityIps": 2,
        "ModifySecurityIps": 2,
    }
    assert result["status"] == "applied"
    assert len(result["results"]) == HOSTS


def test_each_item_reports_only_its_own_instance(configured: Any, invoke: Any) -> None:
    batch = running_batch(4)
    result = invoke(batch)

    for n, summary in enumerate(result["results"]):
        _, ip, app = host(n)
        (target,) = summary["targets"]
        assert target["target"] == ("orders-cache" if app == "orders" else "billing-cache")
        assert (summary["status"], target["added"]) == ("applied", [ip])
        assert summary["event_id"] == f"acs.ecs/{batch[n]['id']}"


def test_duplicates_cost_nothing(configured: Any, invoke: Any) -> None:
    batch = running_batch()
    result = invoke(batch + batch)

    assert counts(configured) == {
        "DescribeInstances": math.ceil(HOSTS / 100),
        "DescribeSecurityIps": 2,
        "ModifySecurityIps": 2,
    }
    # The second copy of an event reports the same as the first: its instance is in.
    assert result["results"][HOSTS] == result["results"][0]


def test_redelivered_storm_reads_once_and_writes_nothing(configured: Any, invoke: Any) -> None:
    invoke(running_batch())
    configured.reset_calls()

    result = invoke(running_batch())

    assert counts(configured) == {"DescribeInstances": 3, "DescribeSecurityIps": 2}
    assert {r["status"] for r in result["results"]} == {"noop"}


def test_deleted_storm_is_one_reconcile_of_the_region(configured: Any, invoke: Any) -> None:
    invoke(timer_event())  # converge first: the Deleted storm then only removes
    gone = [host(n)[0] for n in range(20)]
    configured.delete_instances(REGION, gone)
    configured.reset_calls()

    result = invoke([eventbridge_state_change(iid, "Deleted") for iid in gone])

    state = configured.state()
    removed = {host(n)[1] for n in range(20)}
    orders = {WEB1_IP, WEB2_IP} | ips("orders")
    assert entries_of(state, R_ORDERS, "ecs_orders") == orders - removed
    assert not removed & (entries_of(state, R_BILLING, "ecs_billing") or set())
    calls = counts(configured)
    # One region listing (paged) plus one "who holds these IPs now" re-check, not 20: the
    # addresses looked up directly as primary and as classic inner IPs (billing and
    # sessions name no VPC) and on any network interface.
    assert calls["DescribeInstances"] == math.ceil((HOSTS + 4 - 20) / 100) + 2
    assert calls["DescribeNetworkInterfaces"] == 1
    assert calls["DescribeSecurityIps"] == 3  # each Redis instance once
    assert writes(configured.calls()) == 2  # one Delete per changed group
    assert [r["status"] for r in result["results"]] == ["applied"] * 20


def test_bad_items_are_rejected_alone(configured: Any, invoke: Any) -> None:
    batch = [
        eventbridge_state_change(WEB2, "Running"),
        {"source": "acs.ecs", "type": "ecs:Instance:StateChange", "data": {"state": "Running"}},
        timer_event({"targets": ["no-such-target"]}),
        eventbridge_state_change(host(0)[0], "Running"),
    ]

    result = invoke(batch)

    statuses = [r["status"] for r in result["results"]]
    assert statuses == ["applied", "rejected", "rejected", "applied"]
    assert "unknown target" in result["results"][2]["message"]
    assert counts(configured)["DescribeInstances"] == 1
    state = configured.state()
    assert {WEB2_IP, host(0)[1]} <= (entries_of(state, R_ORDERS, "ecs_orders") or set())


def test_dry_run_items_are_planned_apart_from_applied_ones(configured: Any, invoke: Any) -> None:
    batch = [timer_event({"dry_run": True}), eventbridge_state_change(WEB2, "Running")]

    result = invoke(batch)

    planned, applied = result["results"]
    assert (planned["status"], planned["dry_run"]) == ("planned", True)
    assert (applied["status"], applied["dry_run"]) == ("applied", False)
    assert WEB2_IP in (entries_of(configured.state(), R_ORDERS, "ecs_orders") or set())


def test_a_queued_storm_from_the_batched_path_costs_the_same(configured: Any, invoke: Any) -> None:
    records = [
        {
            "id": f"mns-{n}",
            "source": "MNS-redis-whitelist-sync-events",
            "specversion": "1.0",
            "type": "mns:Queue:SendMessage",
            "data": {"messageId": f"m{n}", "messageBody": json.dumps(event)},
        }
        for n, event in enumerate(running_batch())
    ]
    records.append({"data": {"messageBody": "not an event"}})

    result = invoke(records)

    assert counts(configured) == {
        "DescribeInstances": math.ceil(HOSTS / 100),
        "DescribeSecurityIps": 2,
        "ModifySecurityIps": 2,
    }
    statuses = [r["status"] for r in result["results"]]
    assert statuses == ["applied"] * HOSTS + ["rejected"]
    state = configured.state()
    assert entries_of(state, R_ORDERS, "ecs_orders") == {WEB1_IP} | ips("orders")
