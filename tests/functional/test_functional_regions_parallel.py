"""A timer reconcile of several regions runs them concurrently and still reads the same:
every region converges, results come in the configuration's order, one listing per
region, and a region whose group cannot be read fails alone."""

from __future__ import annotations

from typing import Any

import pytest
from whitelist_testkit import entries_of, timer_event

from localcloud.builders import make_group, make_instance, make_redis_instance

REGIONS = ["cn-shanghai", "cn-hangzhou", "cn-beijing", "cn-shenzhen"]


def redis_id(region: str) -> str:
    return f"r-{region.replace('cn-', '')[:6]}redis0001"


@pytest.fixture
def seed() -> dict[str, Any]:
    seed: dict[str, Any] = {"ecs": {}, "kvstore": {}}
    for r, region in enumerate(REGIONS):
        seed["ecs"][region] = [
            make_instance(
                f"i-{region[3:7]}host{n:08d}", f"10.{r}.0.{n + 1}", tags={"app": "web"},
                region_id=region, zone_id=f"{region}-a",
            )
            for n in range(3)
        ]  # fmt: skip
        groups = [make_group("default"), make_group("ecs_web", ["127.0.0.1"])]
        seed["kvstore"][region] = [make_redis_instance(redis_id(region), groups)]
    return seed


def config() -> dict[str, Any]:
    return {
        "version": 1,
        "region": REGIONS[0],
        "policy": {"max_removal_percent": 100},
        "targets": [
            {
                "name": f"web-{region}",
                "instance_id": redis_id(region),
                "region": region,
                "group": "ecs_web",
                "selector": {"tags": {"app": "web"}},
            }
            for region in REGIONS
        ],
    }


def test_every_region_converges_and_results_keep_the_configuration_order(
    cloud: Any, write_config: Any, invoke: Any
) -> None:
    write_config(config())
    cloud.reset_calls()

    result = invoke(timer_event())

    assert [t["target"] for t in result["targets"]] == [f"web-{r}" for r in REGIONS]
    state = cloud.state()
    for r, region in enumerate(REGIONS):
        assert entries_of(state, redis_id(region), "ecs_web") == {
            f"10.{r}.0.{n + 1}" for n in range(3)
        }
    counts = cloud.calls()["counts"]
    assert counts["DescribeInstances"] == len(REGIONS)
    assert counts["DescribeSecurityIps"] == len(REGIONS)


def test_a_region_that_fails_fails_alone(cloud: Any, write_config: Any, invoke: Any) -> None:
    broken = config()
    broken["targets"][2]["instance_id"] = "r-bp1nosuchredis01"
    write_config(broken)

    result = invoke(timer_event())

    statuses = {t["target"]: t["status"] for t in result["targets"]}
    assert statuses.pop(f"web-{REGIONS[2]}") == "error"
    assert set(statuses.values()) == {"applied"}
