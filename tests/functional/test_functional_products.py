"""Redis, RDS, PolarDB and MongoDB targets in one configuration and one run.

Judged by localcloud's state and call log: each product's own group converges, foreign
and hidden groups are untouched, an RDS instance whose other groups leave too little room
is reported and never sent a write it would refuse, and a converged rerun writes nothing.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from whitelist_testkit import (
    ORDERS_TARGET,
    REGION,
    WEB1_IP,
    WEB2_IP,
    Invoke,
    WriteConfig,
    base_seed,
    timer_event,
)

from localcloud.builders import make_db_group, make_db_instance
from localcloud.mock import LocalCloud

RDS, RDS_FULL, RDS_SAFE = "rm-bp1orders00001", "rm-bp1full0000001", "rm-bp1enhanced001"
POLARDB, MONGODB = "pc-bp1orders00001", "dds-bp1orders0001"
SELECT = {"vpc_id": "vpc-demo01", "tags": {"app": "orders"}}
WANTED = {WEB1_IP, WEB2_IP}
FIELDS = {
    "rds": ("DBInstanceId", "DBInstanceIPArray", "DBInstanceIPArrayName", "SecurityIPList"),
    "polardb": ("DBClusterId", "DBClusterIPArray", "DBClusterIPArrayName", "SecurityIps"),
    "mongodb": ("DBInstanceId", "SecurityIpGroups", "SecurityIpGroupName", "SecurityIpList"),
}


def _foreign(product: str) -> list[dict[str, Any]]:
    return [
        make_db_group(product, "default"),
        make_db_group(product, "ali_dms_group", ["100.104.205.0/24"]),
        make_db_group(product, "rds_replica_group", ["100.100.202.0/24"], hidden=True),
    ]


def _seed() -> dict[str, Any]:
    seed = base_seed()
    full = [f"10.200.{n // 250}.{n % 250 + 1}" for n in range(999)]
    seed["rds"] = {REGION: [
        make_db_instance("rds", RDS, [*_foreign("rds"),
                                      make_db_group("rds", "ecs_orders", [WEB1_IP, "10.0.9.99"])]),
        make_db_instance("rds", RDS_FULL, [make_db_group("rds", "default", full)]),
        make_db_instance("rds", RDS_SAFE, [
            make_db_group("rds", "default", network_type="VPC"),
            make_db_group("rds", "default_classic", network_type="Classic"),
        ], SecurityIPMode="safety"),
    ]}  # fmt: skip
    seed["polardb"] = {REGION: [
        make_db_instance("polardb", POLARDB, [*_foreign("polardb"),
                                              make_db_group("polardb", "ecsorders", [WEB1_IP, "10.0.9.98"])]),
    ]}  # fmt: skip
    seed["mongodb"] = {REGION: [
        make_db_instance("mongodb", MONGODB, [
            *_foreign("mongodb"), make_db_group("mongodb", "hdm_security_ips", ["100.104.0.0/16"]),
        ]),
    ]}  # fmt: skip
    return seed


def _targets() -> list[dict[str, Any]]:
    def target(name: str, product: str, instance_id: str, group: str) -> dict[str, Any]:
        return {"name": name, "product": product, "instance_id": instance_id,
                "group": group, "selector": copy.deepcopy(SELECT)}  # fmt: skip

    return [
        copy.deepcopy(ORDERS_TARGET),
        target("orders-rds", "rds", RDS, "ecs_orders"),
        target("orders-rds-full", "rds", RDS_FULL, "ecs_orders"),
        target("orders-rds-enhanced", "rds", RDS_SAFE, "ecs_orders"),
        target("orders-polardb", "polardb", POLARDB, "ecsorders"),
        target("orders-mongodb", "mongodb", MONGODB, "ecs_orders"),
    ]


@pytest.fixture
def seed() -> dict[str, Any]:
    return _seed()


@pytest.fixture
def mixed(cloud: LocalCloud, write_config: WriteConfig, function_env: pytest.MonkeyPatch) -> LocalCloud:  # fmt: skip
    for variable in ("WHITELIST_RDS_ENDPOINT", "WHITELIST_POLARDB_ENDPOINT", "WHITELIST_DDS_ENDPOINT"):  # fmt: skip
        function_env.setenv(variable, cloud.base_url)
    write_config({"version": 1, "region": REGION, "targets": _targets()})
    cloud.reset_calls()
    return cloud


def groups(state: dict[str, Any], product: str, instance_id: str) -> dict[str, dict[str, Any]]:
    id_field, groups_field, name_field, _ = FIELDS[product]
    (instance,) = [i for i in state[product][REGION] if i[id_field] == instance_id]
    return {g[name_field]: g for g in instance[groups_field]}


def entries(state: dict[str, Any], product: str, instance_id: str, group: str) -> set[str]:
    listed = groups(state, product, instance_id)[group][FIELDS[product][3]]
    return set(listed.split(","))


def by_target(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["target"]: t for t in result["targets"]}


def test_one_run_converges_every_product(mixed: LocalCloud, invoke: Invoke) -> None:
    result = invoke(timer_event())
    assert result["status"] == "applied"
    state = mixed.state()
    assert entries(state, "rds", RDS, "ecs_orders") == WANTED  # the stale 10.0.9.99 went
    assert entries(state, "polardb", POLARDB, "ecsorders") == WANTED
    assert entries(state, "mongodb", MONGODB, "ecs_orders") == WANTED
    assert {e for e in state["kvstore"][REGION][0]["SecurityIpGroups"][-1]["SecurityIpList"]
            .split(",")} == WANTED  # fmt: skip
    targets = by_target(result)
    assert targets["orders-rds"]["removed"] == ["10.0.9.99"]
    assert targets["orders-mongodb"]["added"] == sorted(WANTED)
    # One ECS listing (and one re-check of the removed IPs) serves every product; each
    # instance is read once.
    counts = mixed.calls()["counts"]
    assert counts["DescribeInstances"] == 2
    assert counts["DescribeDBInstanceIPArrayList"] == 3
    assert counts["DescribeDBClusterAccessWhitelist"] == 1
    assert counts["DescribeSecurityIps"] == 2  # Redis and MongoDB share the action name


def test_foreign_and_hidden_groups_are_untouched(mixed: LocalCloud, invoke: Invoke) -> None:
    before = mixed.state()
    invoke(timer_event())
    after = mixed.state()
    for product, instance_id in (("rds", RDS), ("polardb", POLARDB), ("mongodb", MONGODB)):
        old, new = groups(before, product, instance_id), groups(after, product, instance_id)
        for name in ("default", "ali_dms_group", "rds_replica_group"):
            assert new[name] == old[name], (product, name)
    assert (
        groups(after, "mongodb", MONGODB)["hdm_security_ips"]
        == (groups(before, "mongodb", MONGODB)["hdm_security_ips"])
    )


def test_rds_without_room_is_reported_and_never_written(mixed: LocalCloud, invoke: Invoke) -> None:
    result = invoke(timer_event())
    full = by_target(result)["orders-rds-full"]
    # The foreign group holds 999 of the instance's 1000: one of the two hosts fits.
    assert len(full["added"]) == 1
    assert any("its other groups hold 999, leaving room for 1" in b for b in full["blocked"])
    state = mixed.state()
    assert len(entries(state, "rds", RDS_FULL, "ecs_orders")) == 1
    assert len(entries(state, "rds", RDS_FULL, "default")) == 999
    refused = [c for c in mixed.calls()["calls"] if c["code"]]
    assert refused == []  # no write the cloud refused, anywhere
    mixed.reset_calls()
    again = by_target(invoke(timer_event()))["orders-rds-full"]
    assert again["added"] == []
    assert again["blocked"]  # still reported, still no write
    assert [c for c in mixed.calls()["calls"] if c["code"]] == []


def test_enhanced_mode_rds_gets_a_vpc_group(mixed: LocalCloud, invoke: Invoke) -> None:
    invoke(timer_event())
    group = groups(mixed.state(), "rds", RDS_SAFE)["ecs_orders"]
    assert group["WhitelistNetworkType"] == "VPC"
    assert set(group["SecurityIPList"].split(",")) == WANTED
    standard = groups(mixed.state(), "rds", RDS)["ecs_orders"]
    assert standard["WhitelistNetworkType"] == "MIX"


def test_a_converged_rerun_writes_nothing(mixed: LocalCloud, invoke: Invoke) -> None:
    invoke(timer_event())
    mixed.reset_calls()
    again = invoke(timer_event())
    assert again["status"] in ("noop", "planned")  # the full RDS instance stays reported
    counts = mixed.calls()["counts"]
    assert "ModifySecurityIps" not in counts
    assert "ModifyDBClusterAccessWhitelist" not in counts


def test_dry_run_plans_every_product_and_writes_nothing(mixed: LocalCloud, invoke: Invoke) -> None:
    before = mixed.state()
    result = invoke(timer_event(payload='{"dry_run": true}'))
    assert result["status"] == "planned"
    assert by_target(result)["orders-polardb"]["added"] == [WEB2_IP]
    assert mixed.state() == before


def test_placeholder_when_nothing_is_selected(
    mixed: LocalCloud, invoke: Invoke, write_config: WriteConfig
) -> None:
    target = {"name": "empty-polardb", "product": "polardb", "instance_id": POLARDB,
              "group": "ecsorders", "selector": {"tags": {"app": "nobody"}}}  # fmt: skip
    write_config({"version": 1, "region": REGION, "targets": [target]})
    held_back = by_target(invoke(timer_event()))["empty-polardb"]
    assert held_back["removed"] == []
    assert "max_removal_percent" in held_back["blocked"][0]
    policy = {"max_removal_percent": 100}
    write_config({"version": 1, "region": REGION, "targets": [target], "policy": policy})
    invoke(timer_event())
    assert entries(mixed.state(), "polardb", POLARDB, "ecsorders") == {"127.0.0.1"}


def test_sync_event_adds_a_new_host_to_every_product(mixed: LocalCloud, invoke: Invoke) -> None:
    from whitelist_testkit import WEB2, eventbridge_state_change

    result = invoke(eventbridge_state_change(WEB2, "Running"))
    assert result["status"] == "applied"
    state = mixed.state()
    assert WEB2_IP in entries(state, "rds", RDS, "ecs_orders")
    assert WEB2_IP in entries(state, "mongodb", MONGODB, "ecs_orders")
    assert "10.0.9.99" in entries(state, "rds", RDS, "ecs_orders")  # add-only: nothing removed
