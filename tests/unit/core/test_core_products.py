"""The product table and specs, the configuration's product rules, capacity in plans."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from whitelist_core.config import validate_config
from whitelist_core.errors import ConfigError
from whitelist_core.planner import Change, Owner, TargetPlan, enforce, plan_target
from whitelist_core.ports import Group
from whitelist_core.products import PRODUCTS, Capacity, spec_of
from whitelist_core.reconcile import _write_order
from whitelist_core.selection import Source

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
        "['whitelist_core.products.redis', 'whitelist_core.products.spec', "
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
    return [str(p) for p in caught.value.problems]


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


# -- capacity in plans -----------------------------------------------------------------


def _owner(capacity: int) -> Owner:
    return Owner("t", "cn-hangzhou", "rm-1", "ecs_a", "", capacity=capacity)


def _desired(count: int) -> dict[str, Source]:
    return {f"10.0.{n // 250}.{n % 250 + 1}": Source(f"i-{n}") for n in range(count)}


@pytest.mark.parametrize(
    ("capacity", "wanted", "blocked"),
    [(1000, 1000, False), (1000, 1001, True), (10, 10, False), (10, 11, True), (0, 1, True)],
)  # fmt: skip
def test_a_desired_set_over_the_room_writes_nothing(
    capacity: int, wanted: int, blocked: bool
) -> None:
    plan = plan_target(_owner(capacity), Group("ecs_a", "", ("10.0.0.1",)), _desired(wanted))
    assert bool(plan.blocked) is blocked
    if blocked:
        assert not plan.changed
    if blocked and capacity < 1000:
        assert f"room for {capacity}" in plan.blocked[0]


def test_held_back_removals_cannot_push_a_group_past_its_room() -> None:
    plan = plan_target(_owner(3), Group("ecs_a", "", ("10.9.0.1", "10.9.0.2")), _desired(2))
    held = enforce(plan, ())  # no violation: fits
    assert held.add
    stuck = enforce(plan, [_removal_block()])  # removals held back: 4 would not fit in 3
    assert stuck.add == ()
    assert stuck.remove == ()
    assert any("room for 3" in b for b in stuck.blocked)


def _removal_block() -> Any:
    from whitelist_core.violations import Violation

    return Violation("too_many_removals", "held back", scope="remove")


def _plan(current: tuple[str, ...], add: tuple[str, ...], remove: tuple[str, ...], capacity: int) -> TargetPlan:  # fmt: skip
    return TargetPlan("t", "r", "rm-1", "g", "", current, tuple(Change(e, "") for e in add),
                      tuple(Change(e, "") for e in remove), capacity=capacity)  # fmt: skip


@pytest.mark.parametrize(
    ("current", "add", "remove", "capacity", "order"),
    [
        (("a", "b"), ("c",), ("a",), 1000, [("add", "c"), ("remove", "a")]),
        (("a", "b"), ("c",), ("a",), 2, [("remove", "a"), ("add", "c")]),  # room first
        (("a", "b"), ("c",), ("a", "b"), 2, [("remove", "a"), ("add", "c"), ("remove", "b")]),
        (("a",), ("c",), (), 1000, [("add", "c")]),
        (("a", "b"), (), ("a",), 1, [("remove", "a")]),
    ],
)
def test_write_order(current: tuple[str, ...], add: tuple[str, ...], remove: tuple[str, ...],
                     capacity: int, order: list[tuple[str, str]]) -> None:  # fmt: skip
    steps = _write_order(_plan(current, add, remove, capacity))
    assert [(mode, ",".join(c.entry for c in changes)) for mode, changes in steps] == order


@pytest.mark.parametrize("module", ["spec", "table", *sorted(PRODUCTS)])
def test_product_modules_are_pure_data(module: str) -> None:
    import ast
    from pathlib import Path

    import whitelist_core

    path = Path(whitelist_core.__file__).parent / "products" / f"{module}.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            assert (node.level, node.module) in {(1, "spec"), (2, "entries")}, node.module
        elif isinstance(node, ast.ImportFrom | ast.Import):
            names = (
                [node.module] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            )
            assert all(n in {"__future__", "collections.abc", "dataclasses", "functools",
                             "importlib", "typing"} for n in names), names  # fmt: skip


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
