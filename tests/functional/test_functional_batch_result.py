"""Issue 22, defect 6: a batch result grows with the batch plus the changes, never with
their product. 100 Deleted records while a 3000-host target is filled for the first time:
the target is reconciled once for all of them, its changes are carried once by the batch
(``targets``), and each item gives it in brief, pointing there (against localcloud)."""

from __future__ import annotations

import json
from typing import Any

from whitelist_testkit import R_ORDERS, REGION, WriteConfig, entries_of, eventbridge_state_change

from localcloud.builders import make_instance, make_redis_instance, make_seed
from localcloud.mock import LocalCloud

HOSTS = [(f"i-bp1fill{n:010d}", f"10.1.{n // 250}.{1 + n % 250}") for n in range(3000)]
GONE = [f"i-bp1gone{n:010d}" for n in range(100)]


def test_safety_a_batch_carries_each_targets_changes_once(
    cloud: LocalCloud, write_config: WriteConfig, invoke: Any
) -> None:
    hosts = [make_instance(i, ip, tags={"app": "orders"}) for i, ip in HOSTS]
    cloud.reset(make_seed(hosts, [make_redis_instance(R_ORDERS)]))
    target = {"name": "orders-cache", "instance_id": R_ORDERS, "group": "ecs_orders",
              "max_groups": 3, "selector": {"tags": {"app": "orders"}}}  # fmt: skip
    write_config({"version": 1, "region": REGION, "targets": [target]})

    result = invoke([eventbridge_state_change(i, "Deleted") for i in GONE])

    state = cloud.state()
    held = set().union(*(entries_of(state, R_ORDERS, g) or set()
                         for g in ("ecs_orders", "ecs_orders_2", "ecs_orders_3")))  # fmt: skip
    assert held == {ip for _, ip in HOSTS}
    (full,) = result["targets"]  # the target's changes, once
    assert len(full["added"]) == len(full["changes"]) == 3000
    assert len(result["results"]) == 100
    for item in result["results"]:
        (brief,) = item["targets"]
        assert brief["details"] == 0
        assert brief["counts"]["added"] == 3000
        assert not {"changes", "added", "removed"} & brief.keys()
    size = len(json.dumps(result))
    assert size < 2 * len(json.dumps(full)) + 100 * 1000  # batch + changes, not batch x changes
