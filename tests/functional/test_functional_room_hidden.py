"""RDS and PolarDB count every group of an instance against its 1000 entries, hidden
service groups included: the room an owned group has is what all the others leave.

A hidden ``rds_replica_group`` (a service's, never written) holds 998 entries and
``default`` holds the placeholder, so one entry fits: of the two selected hosts exactly
one is added, the other is reported, and no write is sent that the cloud refuses.
"""

from __future__ import annotations

from typing import Any

import pytest
from whitelist_testkit import REGION, WEB1_IP, WEB2_IP, Invoke, WriteConfig, base_seed, timer_event

from localcloud.builders import make_db_group, make_db_instance
from localcloud.mock import LocalCloud

RDS, POLARDB = "rm-bp1replica0001", "pc-bp1replica0001"
SERVICE = [f"100.100.{n // 250}.{n % 250 + 1}" for n in range(998)]
SELECT = {"vpc_id": "vpc-demo01", "tags": {"app": "orders"}}
FIELDS = {  # product: (id field, groups field, group name field, entries field, owned group)
    "rds": ("DBInstanceId", "DBInstanceIPArray", "DBInstanceIPArrayName", "SecurityIPList", "ecs_orders"),
    "polardb": ("DBClusterId", "DBClusterIPArray", "DBClusterIPArrayName", "SecurityIps", "ecsorders"),
}  # fmt: skip


def _instance(product: str, instance_id: str) -> dict[str, Any]:
    return make_db_instance(product, instance_id, [
        make_db_group(product, "default"),
        make_db_group(product, "rds_replica_group", SERVICE, hidden=True),
    ])  # fmt: skip


@pytest.fixture
def seed() -> dict[str, Any]:
    seed = base_seed()
    seed["rds"] = {REGION: [_instance("rds", RDS)]}
    seed["polardb"] = {REGION: [_instance("polardb", POLARDB)]}
    return seed


def _groups(state: dict[str, Any], product: str, instance_id: str) -> dict[str, set[str]]:
    id_field, groups_field, name_field, entries_field, _ = FIELDS[product]
    (instance,) = [i for i in state[product][REGION] if i[id_field] == instance_id]
    return {g[name_field]: set(filter(None, g[entries_field].split(","))) for g in instance[groups_field]}  # fmt: skip


@pytest.mark.parametrize(("product", "instance_id"), [("rds", RDS), ("polardb", POLARDB)])
def test_a_hidden_service_group_takes_its_share_of_the_instance_wide_cap(
    cloud: LocalCloud, write_config: WriteConfig, invoke: Invoke, product: str, instance_id: str,
) -> None:  # fmt: skip
    owned = FIELDS[product][4]
    target = {"name": "orders-db", "product": product, "instance_id": instance_id,
              "group": owned, "selector": SELECT}  # fmt: skip
    write_config({"version": 1, "region": REGION, "targets": [target]})
    cloud.reset_calls()

    [outcome] = invoke(timer_event())["targets"]

    assert len(outcome["added"]) == 1
    assert any("its other groups hold 999, leaving room for 1" in b for b in outcome["blocked"])
    groups = _groups(cloud.state(), product, instance_id)
    assert len(groups[owned]) == 1
    assert groups[owned] <= {WEB1_IP, WEB2_IP}
    assert groups["rds_replica_group"] == set(SERVICE)  # the service's group untouched
    assert [c for c in cloud.calls()["calls"] if c["code"]] == []  # no refused write
