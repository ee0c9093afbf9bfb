"""Issue 22, defects 3 and 7: capacity at exactly 1000 entries.

The placeholder never takes a host's place, and a fleet replaced on a group or instance
that is exactly full converges (the removal makes the room) without ever emptying a
group, passing a cap, or weakening the removal limits. Every test reads localcloud.
"""

from __future__ import annotations

from typing import Any

import pytest
from whitelist_testkit import (
    R_ORDERS,
    REGION,
    WriteConfig,
    entries_of,
    eventbridge_state_change,
    timer_event,
)

from localcloud.builders import (
    make_db_group,
    make_db_instance,
    make_group,
    make_instance,
    make_redis_instance,
    make_seed,
)
from localcloud.mock import LocalCloud

TAGS = {"app": "orders"}
SELECT = {"tags": TAGS}
RDS = "rm-bp1fullfleet001"


def hosts(prefix: str, second: int, count: int) -> list[tuple[str, str]]:
    return [
        (f"i-bp1{prefix}{n:010d}", f"10.{second}.{n // 250}.{1 + n % 250}") for n in range(count)
    ]


def refused(cloud: LocalCloud) -> list[dict[str, Any]]:
    return [c for c in cloud.calls()["calls"] if c["code"] is not None]


def redis_target(**extra: Any) -> dict[str, Any]:
    return {"name": "orders-cache", "instance_id": R_ORDERS, "group": "ecs_orders",
            "selector": SELECT} | extra  # fmt: skip


def test_safety_placeholder_never_takes_a_hosts_place(
    cloud: LocalCloud, write_config: WriteConfig, invoke: Any
) -> None:
    fleet = hosts("run", 1, 1000)
    redis = make_redis_instance(R_ORDERS, [make_group("ecs_orders", ["127.0.0.1"])])
    cloud.reset(make_seed([make_instance(i, ip, tags=TAGS) for i, ip in fleet], [redis]))
    write_config({"version": 1, "region": REGION, "targets": [redis_target()]})

    result = invoke([eventbridge_state_change(i, "Running") for i, _ in fleet])

    assert entries_of(cloud.state(), R_ORDERS, "ecs_orders") == {ip for _, ip in fleet}
    assert result["status"] == "applied"
    assert not any("capacity" in b for item in result["results"] for b in _blocked(item))
    assert refused(cloud) == []


def _blocked(item: dict[str, Any]) -> list[str]:
    return [b for t in item.get("targets", []) for b in t.get("blocked", [])]


@pytest.mark.parametrize("fleet_size", [1, 5])
def test_safety_a_fleet_replaced_on_a_full_rds_instance_converges(
    cloud: LocalCloud, write_config: WriteConfig, invoke: Any, fleet_size: int
) -> None:
    old, new = hosts("old", 1, fleet_size), hosts("new", 2, fleet_size)
    foreign = [f"10.200.{n // 250}.{n % 250 + 1}" for n in range(1000 - fleet_size)]
    seed = make_seed([make_instance(i, ip, tags=TAGS) for i, ip in new], [])
    seed["rds"] = {REGION: [make_db_instance("rds", RDS, [
        make_db_group("rds", "default", foreign),
        make_db_group("rds", "ecs_orders", [ip for _, ip in old]),
    ])]}  # fmt: skip
    cloud.reset(seed)
    target = {"name": "orders-rds", "product": "rds", "instance_id": RDS,
              "group": "ecs_orders", "selector": SELECT}  # fmt: skip
    write_config({"version": 1, "region": REGION, "targets": [target]})  # default limits

    result = invoke(timer_event())

    (instance,) = cloud.state()["rds"][REGION]
    held = {g["DBInstanceIPArrayName"]: g["SecurityIPList"] for g in instance["DBInstanceIPArray"]}
    assert set(held["ecs_orders"].split(",")) == {ip for _, ip in new}
    assert len(held["default"].split(",")) == 1000 - fleet_size
    assert result["status"] == "applied"
    assert refused(cloud) == []  # never over the instance's cap, never an emptying Delete


def test_safety_a_full_redis_group_replaced_whole_converges_in_one_run(
    cloud: LocalCloud, write_config: WriteConfig, invoke: Any
) -> None:
    old, new = hosts("old", 1, 1000), hosts("new", 2, 1000)
    redis = make_redis_instance(R_ORDERS, [make_group("ecs_orders", [ip for _, ip in old])])
    cloud.reset(make_seed([make_instance(i, ip, tags=TAGS) for i, ip in new], [redis]))
    policy = {"max_removals": 1000}  # 1000 of 2000 once the additions are in: 50 %
    write_config({"version": 1, "region": REGION, "policy": policy, "targets": [redis_target()]})

    result = invoke(timer_event())

    assert entries_of(cloud.state(), R_ORDERS, "ecs_orders") == {ip for _, ip in new}
    assert result["status"] == "applied"
    assert refused(cloud) == []


def test_safety_a_real_mass_removal_on_a_full_group_is_still_held_back(
    cloud: LocalCloud, write_config: WriteConfig, invoke: Any
) -> None:
    old, new = hosts("old", 1, 1000), hosts("new", 2, 10)
    redis = make_redis_instance(R_ORDERS, [make_group("ecs_orders", [ip for _, ip in old])])
    cloud.reset(make_seed([make_instance(i, ip, tags=TAGS) for i, ip in new], [redis]))
    write_config({"version": 1, "region": REGION, "targets": [redis_target()]})

    result = invoke(timer_event())

    assert entries_of(cloud.state(), R_ORDERS, "ecs_orders") == {ip for _, ip in old}
    (target,) = result["targets"]
    assert any("max_removals" in b for b in target["blocked"])
    assert refused(cloud) == []


LEGACY = ["2001:db8::1", "010.0.0.1", "10.9.0.0/255.255.255.0", "fe80::1"]
"""Entries the cloud holds (and counts) that the function cannot parse."""


def test_safety_entries_the_function_cannot_parse_still_take_room(
    cloud: LocalCloud, write_config: WriteConfig, invoke: Any
) -> None:
    live, new = hosts("live", 1, 996), hosts("new", 2, 10)
    group = make_group("ecs_orders", [ip for _, ip in live]) | {"Legacy": LEGACY}
    redis = make_redis_instance(R_ORDERS, [group])
    instances = [make_instance(i, ip, tags=TAGS) for i, ip in live + new]
    cloud.reset(make_seed(instances, [redis]))
    write_config({"version": 1, "region": REGION, "targets": [redis_target(max_groups=2)]})

    result = invoke(timer_event())

    state = cloud.state()
    assert entries_of(state, R_ORDERS, "ecs_orders_2") == {ip for _, ip in new}
    assert entries_of(state, R_ORDERS, "ecs_orders") == {ip for _, ip in live} | set(LEGACY)
    assert refused(cloud) == []  # no write the cap refuses, so no re-plan
    assert result["status"] == "applied"
    (target,) = result["targets"]
    assert any("cannot parse" in w and "2001:db8::1" in w for w in target["warnings"])


def test_safety_entries_other_rds_groups_hold_unparsed_count_against_the_instance(
    cloud: LocalCloud, write_config: WriteConfig, invoke: Any
) -> None:
    (old,), (new,) = hosts("old", 1, 1), hosts("new", 2, 1)
    foreign = [f"10.200.{n // 250}.{n % 250 + 1}" for n in range(1000 - 1 - len(LEGACY))]
    seed = make_seed([make_instance(i, ip, tags=TAGS) for i, ip in (old, new)], [])
    seed["rds"] = {REGION: [make_db_instance("rds", RDS, [
        make_db_group("rds", "default", foreign) | {"Legacy": LEGACY},
        make_db_group("rds", "ecs_orders", [old[1]]),
    ])]}  # fmt: skip
    cloud.reset(seed)
    target = {"name": "orders-rds", "product": "rds", "instance_id": RDS,
              "group": "ecs_orders", "selector": SELECT}  # fmt: skip
    write_config({"version": 1, "region": REGION, "targets": [target]})

    result = invoke(timer_event())  # the instance is full: no place for the new host

    (instance,) = cloud.state()["rds"][REGION]
    held = {g["DBInstanceIPArrayName"]: g["SecurityIPList"] for g in instance["DBInstanceIPArray"]}
    assert held["ecs_orders"] == old[1]
    assert refused(cloud) == []  # never a write the cap refuses, never a re-plan
    assert result["status"] != "error"
    (target,) = result["targets"]
    assert any("its other groups hold 999" in b for b in target["blocked"])
