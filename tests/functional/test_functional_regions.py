"""Targets in two regions: one ECS listing per region, and region-scoped events."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from whitelist_testkit import (
    ORDERS_TARGET,
    R_ORDERS,
    REGION,
    WEB1_IP,
    WEB2_IP,
    base_config,
    base_seed,
    entries_of,
    eventbridge_state_change,
    timer_event,
)

from localcloud.builders import make_instance, make_redis_instance

SHANGHAI = "cn-shanghai"
R_SHANGHAI = "r-bp1shanghai0001"


@pytest.fixture
def seed() -> dict[str, Any]:
    """The base seed plus a second region with one host and one Redis instance."""
    data = base_seed()
    data["ecs"][SHANGHAI] = [
        make_instance(
            "i-uf6web0000000001",
            "10.2.0.5",
            tags={"app": "orders"},
            name="orders-web-sh",
            region_id=SHANGHAI,
            zone_id="cn-shanghai-b",
        )
    ]
    data["kvstore"][SHANGHAI] = [make_redis_instance(R_SHANGHAI)]
    return data


def test_two_regions_list_each_region_once(cloud: Any, write_config: Any, invoke: Any) -> None:
    shanghai = {
        "name": "orders-sh",
        "instance_id": R_SHANGHAI,
        "region": SHANGHAI,
        "group": "ecs_orders",
        "selector": {"tags": {"app": "orders"}},
    }
    write_config(base_config(targets=[copy.deepcopy(ORDERS_TARGET), shanghai]))

    result = invoke(timer_event())

    assert result["status"] == "applied"
    assert cloud.calls()["counts"]["DescribeInstances"] == 2
    state = cloud.state()
    assert entries_of(state, R_SHANGHAI, "ecs_orders") == {"10.2.0.5"}
    assert entries_of(state, R_ORDERS, "ecs_orders") == {WEB1_IP, WEB2_IP}
    regions = {t["target"]: t["region"] for t in result["targets"]}
    assert regions == {"orders-cache": REGION, "orders-sh": SHANGHAI}


def test_region_event_reconciles_only_that_region(
    cloud: Any, write_config: Any, invoke: Any
) -> None:
    shanghai = {
        "name": "orders-sh",
        "instance_id": R_SHANGHAI,
        "region": SHANGHAI,
        "group": "ecs_orders",
        "selector": {"tags": {"app": "orders"}},
    }
    write_config(base_config(targets=[copy.deepcopy(ORDERS_TARGET), shanghai]))

    result = invoke(eventbridge_state_change("i-uf6web0000000001", "Stopped", region=SHANGHAI))

    assert [t["target"] for t in result["targets"]] == ["orders-sh"]
    assert cloud.calls()["counts"]["DescribeInstances"] == 1
    assert entries_of(cloud.state(), R_ORDERS, "ecs_orders") == {WEB1_IP}  # untouched
