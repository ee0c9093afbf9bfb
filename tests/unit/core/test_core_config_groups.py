"""Configuration of spill-over groups: ``max_groups`` and ``drain_groups``, the names they
make, and overlapping ownership; every problem names ``targets[i]``, the field and the rule."""

from __future__ import annotations

from typing import Any

import pytest

from whitelist_core.config import validate_config
from whitelist_core.core.placement import MAX_GROUPS
from whitelist_core.errors import ConfigError, Problem


def target(name: str = "orders", group: str = "ecs_orders", **fields: Any) -> dict[str, Any]:
    return {
        "name": name,
        "instance_id": "r-demoorders01",
        "group": group,
        "selector": {"vpc_id": "vpc-demo01"},
    } | fields


def config(*targets: dict[str, Any]) -> dict[str, Any]:
    return {"version": 1, "region": "cn-hangzhou", "targets": list(targets)}


def problems_of(data: Any) -> list[Problem]:
    with pytest.raises(ConfigError) as caught:
        validate_config(data)
    return list(caught.value.problems)


def test_default_is_one_group() -> None:
    (only,) = validate_config(config(target())).targets
    assert (only.max_groups, only.drain_groups, only.groups) == (1, 0, ("ecs_orders",))


def test_max_groups_owns_the_numbered_names() -> None:
    (only,) = validate_config(config(target(max_groups=3))).targets
    assert only.groups == ("ecs_orders", "ecs_orders_2", "ecs_orders_3")


def test_the_longest_names_that_fit_are_valid() -> None:
    base = "g" * 29  # + "_10" = 32
    (only,) = validate_config(config(target(group=base, max_groups=MAX_GROUPS))).targets
    assert len(only.groups[-1]) == 32


@pytest.mark.parametrize(
    ("fields", "path", "rule"),
    [
        ({"max_groups": 0}, "targets[0].max_groups", "greater than or equal to 1"),
        (
            {"max_groups": MAX_GROUPS + 1},
            "targets[0].max_groups",
            f"less than or equal to {MAX_GROUPS}",
        ),
        ({"max_groups": "many"}, "targets[0].max_groups", "integer"),
        ({"drain_groups": -1}, "targets[0].drain_groups", "greater than or equal to 0"),
        (
            {"max_groups": 2, "drain_groups": 2},
            "targets[0].drain_groups",
            "less than max_groups (2)",
        ),
        ({"drain_groups": 1}, "targets[0].drain_groups", "one owned group must stay"),
    ],
    ids=[
        "zero",
        "over-the-maximum",
        "not-a-number",
        "negative-drain",
        "drain-all",
        "drain-the-only",
    ],
)
def test_each_rule_names_its_field(fields: dict[str, Any], path: str, rule: str) -> None:
    problems = problems_of(config(target(**fields)))
    assert [p.path for p in problems] == [path], problems
    assert rule in problems[0].rule


def test_a_spill_over_name_over_32_characters_is_an_error() -> None:
    base = "g" * 30  # + "x" is 31 characters: every spill-over name is 33
    problems = problems_of(config(target(group=base + "x", max_groups=3)))
    assert [p.path for p in problems] == ["targets[0].max_groups", "targets[0].max_groups"]
    assert f"'{base}x_2' (33 characters)" in problems[0].rule
    assert "2-32 characters" in problems[0].rule
    assert f"'{base}x_3'" in problems[1].rule


def test_overlapping_names_on_one_instance_are_an_error() -> None:
    first = target(max_groups=3)
    second = target(name="other", group="ecs_orders_2")
    problems = problems_of(config(first, second))
    assert [p.path for p in problems] == ["targets[1].group"]
    assert (
        "targets[0] (orders) already owns group 'ecs_orders_2' on r-demoorders01"
        in problems[0].rule
    )


def test_a_spill_over_reaching_another_targets_group_names_max_groups() -> None:
    first = target(group="ecs_orders_2")
    second = target(name="other", max_groups=2)
    problems = problems_of(config(first, second))
    assert [p.path for p in problems] == ["targets[1].max_groups"]
    assert "already owns group 'ecs_orders_2'" in problems[0].rule


def test_the_same_names_on_two_instances_are_fine() -> None:
    other = target(name="other", max_groups=3) | {"instance_id": "r-demoother001"}
    assert len(validate_config(config(target(max_groups=3), other)).targets) == 2


def test_every_problem_is_reported_together() -> None:
    long_name = target(group="g" * 31, max_groups=2)
    overlap = target(name="other", group="g" * 31)
    problems = problems_of(config(long_name, overlap))
    assert {p.path for p in problems} == {"targets[0].max_groups", "targets[1].group"}
