"""``check-config`` as an operator runs it (a process): a forgotten ``product:`` is caught
and named, and every problem is said in the operator's words, naming its target (issue 28
items 1 and 2)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def check_config(tmp_path: Path, data: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "whitelist.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    command = [sys.executable, "-m", "whitelist_core", "check-config", "--config", str(path)]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, env=env)


def config(**target: Any) -> dict[str, Any]:
    fields = {
        "name": "orders-cache",
        "instance_id": "r-demoorders01",
        "group": "ecs_orders",
        "selector": {"tags": {"app": "orders"}},
    }
    return {"version": 1, "region": "cn-hangzhou", "targets": [fields | target]}


def problems(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return [line.removeprefix("  - ") for line in result.stderr.splitlines()[1:]]


OTHER_IDS = [  # instance id, its product, the product's title
    ("rm-bp1demoorders", "rds", "ApsaraDB RDS"),
    ("pgm-bp1demoorders", "rds", "ApsaraDB RDS"),
    ("pc-bp1demoorders", "polardb", "PolarDB"),
    ("dds-bp1demoorders", "mongodb", "ApsaraDB for MongoDB"),
]


@pytest.mark.parametrize(("instance_id", "product", "title"), OTHER_IDS)
def test_a_redis_target_with_another_products_id_says_product_is_missing(
    tmp_path: Path, instance_id: str, product: str, title: str
) -> None:
    (problem,) = problems(check_config(tmp_path, config(instance_id=instance_id)))
    assert problem.startswith("targets[0] (orders-cache).instance_id: "), problem
    assert f"looks like an {title} instance id" in problem
    assert "product: is missing" in problem
    assert f"add product: {product}" in problem


def test_an_ecs_instance_id_is_not_a_database(tmp_path: Path) -> None:
    (problem,) = problems(check_config(tmp_path, config(instance_id="i-bp1demo00000000002")))
    assert "is an ECS instance id" in problem
    assert "selector" in problem


@pytest.mark.parametrize(("instance_id", "product"), [(i, p) for i, p, _ in OTHER_IDS])
def test_the_same_ids_with_their_product_are_valid(
    tmp_path: Path, instance_id: str, product: str
) -> None:
    group = "ecsorders" if product == "polardb" else "ecs_orders"  # PolarDB: no '_'
    result = check_config(tmp_path, config(product=product, instance_id=instance_id, group=group))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("change", "where", "meant"),
    [
        ({"instance_Id": "r-demoorders01"}, "targets[0] (orders-cache).instance_Id", "instance_id"),
        (
            {"selector": {"tag": {"app": "orders"}}},
            "targets[0] (orders-cache).selector.tag",
            "tags",
        ),
    ],
)
def test_an_unknown_target_key_gets_a_did_you_mean(
    tmp_path: Path, change: dict[str, Any], where: str, meant: str
) -> None:
    data = config(**change)
    if "instance_Id" in change:  # misspelt, not added: no second "instance_id: required"
        del data["targets"][0]["instance_id"]
    (problem,) = problems(check_config(tmp_path, data))
    assert problem.startswith(f"{where}: unknown key"), problem
    assert problem.endswith(f"did you mean {meant!r}?")


def test_an_unknown_top_level_key_gets_a_did_you_mean(tmp_path: Path) -> None:
    (problem,) = problems(check_config(tmp_path, config() | {"dryrun": True}))
    assert problem.startswith("dryrun: unknown key")
    assert problem.endswith("did you mean 'dry_run'?")


def test_a_wrong_case_id_and_region_get_a_sentence_not_a_pattern(tmp_path: Path) -> None:
    data = config(instance_id="R-DemoOrders01") | {"region": "Hangzhou"}
    found = problems(check_config(tmp_path, data))
    assert "region: 'Hangzhou' is not valid: a region id is lowercase" in found[0]
    assert found[1] == (
        "targets[0] (orders-cache).instance_id: 'R-DemoOrders01' must be lowercase: "
        "did you mean 'r-demoorders01'?"
    )
    assert not any("^" in p or "[a-z]" in p or "pattern" in p for p in found), found
