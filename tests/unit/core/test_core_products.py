"""The product table and specs, the configuration's product rules, capacity in plans."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from whitelist_core.config import validate_config
from whitelist_core.core.planner import Owner, plan_target
from whitelist_core.core.selection import Source
from whitelist_core.errors import ConfigError
from whitelist_core.ports import Group
from whitelist_core.products import PRODUCTS, spec_of
from whitelist_core.products.spec import Capacity

# -- the table -------------------------------------------------------------------------


@pytest.mark.parametrize("product", sorted(PRODUCTS))
def test_every_row_has_a_spec_of_its_own_name(product: str) -> None:
    spec = spec_of(product)
    assert spec.name == product
    assert spec.read.action and spec.write.action and spec.endpoint.variable  # noqa: PT018


@pytest.mark.parametrize(
    ("product", "variable", "per_instance"),
    [("redis", "WHITELIST_KVSTORE_ENDPOINT", False), ("rds", "WHITELIST_RDS_ENDPOINT", True),
     ("polardb", "WHITELIST_POLARDB_ENDPOINT", True), ("mongodb", "WHITELIST_DDS_ENDPOINT", False)],
)  # fmt: skip
def test_specs_say_what_differs(product: str, variable: str, per_instance: bool) -> None:
    spec = spec_of(product)
    assert spec.endpoint.variable == variable
    assert spec.capacity.per_instance is per_instance


def test_a_redis_only_run_never_imports_the_other_specs() -> None:
    code = (
        "import sys; from whitelist_core.config import validate_config; "
        "validate_config({'version': 1, 'region': 'cn-hangzhou', 'targets': [{'name': 'a', "
        "'instance_id': 'r-bp1abcdef', 'group': 'ecs_a', 'selector': {'vpc_id': 'v'}}]}); "
        "print(sorted(m for m in sys.modules if m.startswith('whitelist_core.products.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == (
        "['whitelist_core.products.ids', 'whitelist_core.products.redis', "
        "'whitelist_core.products.spec', "
        "'whitelist_core.products.table']"
    )


@pytest.mark.parametrize(
    ("capacity", "elsewhere", "room"),
    [(Capacity(), 999, 1000), (Capacity(per_instance=True), 0, 1000),
     (Capacity(per_instance=True), 999, 1), (Capacity(per_instance=True), 1200, 0)],
)  # fmt: skip
def test_room(capacity: Capacity, elsewhere: int, room: int) -> None:
    assert capacity.room(elsewhere) == room


@pytest.mark.parametrize(
    ("product", "mode", "code", "done"),
    [("rds", "Append", "InvalidInstanceIp.Duplicate", True),
     ("mongodb", "Delete", "InvalidSecurityIPs.NotFound", True),
     ("polardb", "Delete", "InvalidDBClusterId.NotFound", False),
     ("rds", "Cover", "InvalidInstanceIp.Duplicate", False)],
)  # fmt: skip
def test_claims_done(product: str, mode: str, code: str, done: bool) -> None:
    assert spec_of(product).claims_done(mode, code) is done


# -- configuration ---------------------------------------------------------------------


def _config(**target: Any) -> dict[str, Any]:
    base = {"name": "t", "instance_id": "r-bp1abcdef", "group": "ecs_a",
            "selector": {"vpc_id": "vpc-1"}}  # fmt: skip
    return {"version": 1, "region": "cn-hangzhou", "targets": [base | target]}


def _problems(**target: Any) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        validate_config(_config(**target))
    return [f"{p.path}: {p.rule}" for p in caught.value.problems]


def test_product_defaults_to_redis_and_existing_configs_are_unchanged() -> None:
    (target,) = validate_config(_config()).targets
    assert target.product == "redis"
    assert target.store_options == {}


@pytest.mark.parametrize(
    ("product", "instance_id"),
    [("rds", "rm-bp1abcdef"), ("rds", "pgm-bp1abcdef"), ("polardb", "pc-bp1abcdef"),
     ("mongodb", "dds-bp1abcdef")],
)  # fmt: skip
def test_each_products_id_form_is_accepted(product: str, instance_id: str) -> None:
    group = "ecsa" if product == "polardb" else "ecs_a"
    (target,) = validate_config(
        _config(product=product, instance_id=instance_id, group=group)
    ).targets
    assert target.product == product


@pytest.mark.parametrize(
    ("product", "instance_id"),
    [("rds", "r-bp1abcdef"), ("polardb", "rm-bp1abcdef"), ("mongodb", "pc-bp1abcdef")],
)
def test_another_products_id_is_refused_naming_the_field(product: str, instance_id: str) -> None:
    (problem,) = _problems(product=product, instance_id=instance_id, group="ecsa")
    assert problem.startswith("targets[0].instance_id:")
    assert spec_of(product).title in problem


@pytest.mark.parametrize("product", ["rds", "polardb", "mongodb"])
@pytest.mark.parametrize("group", ["default", "ali_dms_group", "hdm_security_ips", "dms"])
def test_system_groups_are_never_owned(product: str, group: str) -> None:
    ids = {"rds": "rm-bp1abcdef", "polardb": "pc-bp1abcdef", "mongodb": "dds-bp1abcdef"}
    problems = _problems(product=product, instance_id=ids[product], group=group)
    assert all(p.startswith("targets[0].group:") for p in problems)


def test_redis_may_still_own_a_group_named_dms() -> None:
    (target,) = validate_config(_config(group="dms")).targets
    assert target.group == "dms"


def test_polardb_group_names_have_no_underscore() -> None:
    (problem,) = _problems(product="polardb", instance_id="pc-bp1abcdef", group="ecs_a")
    assert "no '_'" in problem


def test_network_type_is_for_rds_only() -> None:
    (problem,) = _problems(network_type="vpc")
    assert problem.startswith("targets[0].network_type:")
    rds = validate_config(_config(product="rds", instance_id="rm-bp1abcdef", network_type="vpc"))
    assert rds.targets[0].store_options == {"network_type": "vpc"}


def test_unknown_product_is_one_clear_problem() -> None:
    (problem,) = _problems(product="oracle")
    assert problem.startswith("targets[0].product:")


# -- capacity in plans (the room a product leaves, planned by the shared planner) -------


def _desired(count: int) -> dict[str, Source]:
    return {f"10.0.{n // 250}.{n % 250 + 1}": Source(f"i-{n}") for n in range(count)}


@pytest.mark.parametrize(("room", "wanted", "added"), [(1000, 3, 3), (2, 3, 2), (0, 3, 0)])
def test_the_room_bounds_what_is_added_and_the_rest_is_reported(
    room: int, wanted: int, added: int
) -> None:
    owner = Owner("t", "cn-hangzhou", "rm-1", "ecs_a", "", capacity=room)
    plan = plan_target(owner, [], _desired(wanted))
    assert len([c for c in plan.add if c.entry != "127.0.0.1"]) == added
    assert bool(plan.blocked) is (added < wanted)
    assert plan.size_after <= max(room, 1)


def test_removals_come_first_when_the_room_is_tight() -> None:
    owner = Owner("t", "cn-hangzhou", "rm-1", "ecs_a", "", capacity=2)
    held = [Group("ecs_a", "", ("10.9.0.1", "10.9.0.2"))]
    plan = plan_target(owner, held, _desired(1))
    modes = [step.mode for step in plan.steps]
    assert modes.index("Delete") < modes.index("Append")


@pytest.mark.parametrize("module", ["spec", "table", *sorted(PRODUCTS)])
def test_product_modules_are_pure_data(module: str) -> None:
    import ast
    from pathlib import Path

    import whitelist_core

    path = Path(whitelist_core.__file__).parent / "products" / f"{module}.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("whitelist_core"):
            assert node.level == 0, node.module
            assert node.module in {
                "whitelist_core.products.spec",
                "whitelist_core.core.entries",
                "whitelist_core.core.values",
            }, node.module
        elif isinstance(node, ast.ImportFrom | ast.Import):
            names = (
                [node.module] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            )
            assert all(n in {"__future__", "collections.abc", "dataclasses", "functools",
                             "importlib", "re", "typing"} for n in names), names  # fmt: skip


@pytest.mark.parametrize(
    ("product", "instance_id"), [("rds", "rm-bp1abcdef"), ("polardb", "pc-bp1abcdef")]
)
def test_spill_over_groups_add_no_room_on_instance_wide_products(
    product: str, instance_id: str
) -> None:
    (problem,) = _problems(product=product, instance_id=instance_id, group="ecsa", max_groups=2)
    assert problem.startswith("targets[0].max_groups:")
    mongo = _config(product="mongodb", instance_id="dds-bp1abcdef", max_groups=2)
    assert validate_config(mongo).targets[0].max_groups == 2


def test_importing_the_handler_loads_only_the_default_products_spec() -> None:
    """The handler loads the cloud adapters at import, and with them the default product's
    spec (the Redis store binds it); another product's spec loads when a target names it."""
    code = (
        "import sys, handler; from whitelist_core.products import PRODUCTS; "
        "print(sorted(n for n, m in PRODUCTS.items() if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['redis']"
