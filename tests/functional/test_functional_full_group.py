"""A full group must not block a fleet replacement: room is made first, only what fits
is added, the group is never empty and no write passes the 1000-entry cap."""

from __future__ import annotations

from typing import Any

from whitelist_testkit import R_ORDERS, REGION, entries_of, timer_event

from localcloud.builders import make_group, make_instance, make_redis_instance, make_seed

# Exactly the 1000-entry cap, old and new: one entry too many in any write is refused.
OLD = [f"10.0.{i // 250}.{1 + i % 250}" for i in range(1000)]
NEW = [(f"i-bp1new{n:010d}", f"10.1.{n // 250}.{1 + n % 250}") for n in range(1000)]


def test_a_full_group_is_replaced_without_a_refused_write(
    cloud: Any, write_config: Any, invoke: Any
) -> None:
    hosts = [make_instance(i, ip, tags={"app": "orders"}) for i, ip in NEW]
    redis = make_redis_instance(R_ORDERS, [make_group("ecs_orders", OLD)])
    cloud.reset(make_seed(hosts, [redis], region=REGION))
    target = {"name": "orders-cache", "instance_id": R_ORDERS, "group": "ecs_orders",
              "selector": {"tags": {"app": "orders"}}}  # fmt: skip
    policy = {"max_removals": 1000, "max_removal_percent": 100}
    write_config({"version": 1, "region": REGION, "policy": policy, "targets": [target]})

    first = invoke(timer_event())["targets"][0]
    # One run: 999 beside the last old entry, then that entry leaves for the last one.
    assert (len(first["added"]), len(first["removed"])) == (1000, 1000)
    assert len(entries_of(cloud.state(), R_ORDERS, "ecs_orders") or ()) == 1000
    assert invoke(timer_event())["status"] == "noop"  # converged: the rerun changes nothing

    refused = [c for c in cloud.calls()["calls"] if c["action"] == "ModifySecurityIps"
               and c["code"] is not None]  # fmt: skip
    assert refused == []  # never a QuotaExceeded, never an emptying Delete
    assert entries_of(cloud.state(), R_ORDERS, "ecs_orders") == {ip for _, ip in NEW}
