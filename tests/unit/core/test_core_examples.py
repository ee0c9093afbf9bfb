"""The example configurations: whitelist.yml is valid and fits the demo seed; broken.yml is
refused with every mistake named by its field path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from whitelist_core.config import Config, load_config
from whitelist_core.core.entries import parse_entry_list
from whitelist_core.core.planner import Owner, enforce, plan_target
from whitelist_core.core.policy import check
from whitelist_core.core.selection import desired_entries, is_eligible
from whitelist_core.errors import ConfigError
from whitelist_core.ports import Group, Instance

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config(EXAMPLES / "whitelist.yml")


def test_example_config_is_the_documented_demo(config: Config) -> None:
    assert config.region == "cn-hangzhou"
    orders = config.target_named("orders-cache")
    billing = config.target_named("billing-cache")
    assert orders is not None
    assert billing is not None
    assert (orders.instance_id, orders.group, orders.hidden) == (
        "r-demoorders01",
        "ecs_orders",
        False,
    )
    assert orders.selector.vpc_id == "vpc-demo01"
    assert orders.selector.tags == {"app": "orders"}
    assert (billing.instance_id, billing.group, billing.hidden) == (
        "r-demobilling1",
        "ecs_billing",
        True,
    )
    assert billing.selector.tags == {"app": "billing"}
    assert billing.static_entries == ("10.8.0.0/24",)
    policy = config.policy
    assert (policy.allow_public, policy.min_prefix, policy.allow_world) == (False, 8, False)
    assert (policy.max_removals, policy.max_removal_percent, policy.capacity_warn_percent) == (
        50,
        50,
        80,
    )


def test_broken_example_names_each_mistake() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(EXAMPLES / "broken.yml")
    problems = {p.path: p.rule for p in caught.value.problems}
    assert set(problems) == {
        "targets[0].selector.tag",
        "targets[0].statuses[1]",
        "targets[1].group",
        "targets[2].static_entries",
    }
    assert "unknown key" in problems["targets[0].selector.tag"]
    assert "'Running'" in problems["targets[0].statuses[1]"]
    assert "system group" in problems["targets[1].group"]
    assert "47.96.0.10 is not a private address" in problems["targets[2].static_entries"]


# -- against the demo seed (examples/seed.json, localcloud's starting state) ------------------


def _instance(raw: dict[str, Any], region: str) -> Instance:
    vpc = raw.get("VpcAttributes") or {}
    private = (vpc.get("PrivateIpAddress") or {}).get("IpAddress") or []
    inner = (raw.get("InnerIpAddress") or {}).get("IpAddress") or []
    tags = (raw.get("Tags") or {}).get("Tag") or []
    groups = (raw.get("SecurityGroupIds") or {}).get("SecurityGroupId") or []
    return Instance(
        instance_id=raw["InstanceId"],
        region=region,
        name=raw.get("InstanceName", ""),
        status=raw.get("Status", "Running"),
        vpc_id=vpc.get("VpcId", ""),
        vswitch_id=vpc.get("VSwitchId", ""),
        security_group_ids=frozenset(groups),
        tags={t["TagKey"]: t.get("TagValue", "") for t in tags},
        resource_group_id=raw.get("ResourceGroupId", ""),
        private_ips=tuple(private or inner),
    )


@pytest.fixture(scope="module")
def seed() -> dict[str, Any]:
    path = EXAMPLES / "seed.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _seed_instances(seed: dict[str, Any], region: str) -> list[Instance]:
    return [_instance(raw, region) for raw in seed["ecs"].get(region, [])]


# Seed key and field names per product: (key, id, groups, name, attribute, list).
_SEED_FIELDS = {
    "redis": ("kvstore", "InstanceId", "SecurityIpGroups", "SecurityIpGroupName",
              "SecurityIpGroupAttribute", "SecurityIpList"),
    "rds": ("rds", "DBInstanceId", "DBInstanceIPArray", "DBInstanceIPArrayName",
            "DBInstanceIPArrayAttribute", "SecurityIPList"),
    "polardb": ("polardb", "DBClusterId", "DBClusterIPArray", "DBClusterIPArrayName",
                "DBClusterIPArrayAttribute", "SecurityIps"),
    "mongodb": ("mongodb", "DBInstanceId", "SecurityIpGroups", "SecurityIpGroupName",
                "SecurityIpGroupAttribute", "SecurityIpList"),
}  # fmt: skip


def _seed_instance(seed: dict[str, Any], region: str, product: str, instance_id: str) -> Any:
    key, id_field = _SEED_FIELDS[product][:2]
    return next((r for r in seed[key][region] if r[id_field] == instance_id), None)


def _seed_group(
    seed: dict[str, Any], region: str, instance_id: str, name: str, product: str = "redis"
) -> Group | None:
    _, _, groups, name_field, attribute, listed = _SEED_FIELDS[product]
    for raw in _seed_instance(seed, region, product, instance_id)[groups]:
        if raw[name_field] == name:
            return Group(name, raw[attribute], parse_entry_list(raw[listed]))
    return None


def test_every_target_exists_in_the_seed_and_selects_something(
    config: Config, seed: dict[str, Any]
) -> None:
    for target in config.targets:
        region = config.region_of(target)
        assert _seed_instance(seed, region, target.product, target.instance_id) is not None
        instances = _seed_instances(seed, region)
        selected = [i for i in instances if is_eligible(target, i)]
        assert selected, f"{target.name} selects no seed instance"
        assert all(
            target.selector.tags is not None and i.tags.items() >= target.selector.tags.items()
            for i in selected
        )


def test_orders_selector_leaves_out_orders_instances_of_other_vpcs(
    config: Config, seed: dict[str, Any]
) -> None:
    orders = config.target_named("orders-cache")
    assert orders is not None
    instances = _seed_instances(seed, "cn-hangzhou")
    outside = [i for i in instances if i.tags.get("app") == "orders" and i.vpc_id != "vpc-demo01"]
    desired = desired_entries(orders, instances)
    for instance in outside:
        assert not set(instance.private_ips) & set(desired)


def test_the_demo_plans_pass_the_example_policy(config: Config, seed: dict[str, Any]) -> None:
    instances = _seed_instances(seed, "cn-hangzhou")
    for target in config.targets:
        owner = Owner(
            target.name, "cn-hangzhou", target.instance_id, target.group, target.attribute
        )
        current = _seed_group(seed, "cn-hangzhou", target.instance_id, target.group, target.product)
        plan = plan_target(owner, current, desired_entries(target, instances))
        enforced = enforce(plan, check(plan, config.policy))
        assert enforced.blocked == (), enforced.blocked
        assert enforced.changed
        assert set(enforced.after) == set(desired_entries(target, instances))
        assert "10.8.0.0/24" in enforced.after or target.name != "billing-cache"
