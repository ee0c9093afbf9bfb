"""A group the target would own that exists as a hidden group may be a service's: when the
target is not declared hidden, the planner leaves every group of it untouched, whichever
of its groups is the hidden one (the first, or a spill-over group behind a visible first).
"""

from __future__ import annotations

import pytest

from whitelist_core.core.planner import Owner, TargetPlan, plan_additions, plan_target
from whitelist_core.core.selection import Source
from whitelist_core.ports import Group

OWNER = Owner("fleet", "cn-hangzhou", "r-demofleet001", "ecs_fleet", "", max_groups=3)
NAMES = ("ecs_fleet", "ecs_fleet_2", "ecs_fleet_3")


def ip(n: int) -> str:
    return f"10.0.0.{n}"


def groups(hidden: str) -> list[Group]:
    """Every owned group holding one entry, ``hidden`` among them carrying the attribute."""
    return [
        Group(name, "hidden" if name == hidden else "", (ip(n),))
        for n, name in enumerate(NAMES, start=1)
    ] + [Group("default", "", ("127.0.0.1",))]


DESIRED = {ip(9): Source("i-9", "host-9")}  # all three present entries are stale


def untouched(plan: TargetPlan) -> bool:
    return not (plan.add or plan.remove or plan.move or plan.drop)


@pytest.mark.parametrize("hidden", NAMES)
def test_a_hidden_group_anywhere_among_the_owned_ones_stops_a_visible_target(hidden: str) -> None:
    for plan in (plan_target(OWNER, groups(hidden), DESIRED),
                 plan_additions(OWNER, groups(hidden), DESIRED)):  # fmt: skip
        assert untouched(plan), plan
        assert any(repr(hidden) in reason for reason in plan.blocked), plan.blocked


def test_a_target_declared_hidden_owns_its_hidden_groups() -> None:
    owner = Owner("fleet", "cn-hangzhou", "r-demofleet001", "ecs_fleet", "hidden", max_groups=3)
    plan = plan_target(owner, groups("ecs_fleet_2"), DESIRED)
    assert plan.blocked == ()
    assert ip(9) in {c.entry for c in plan.add}
    assert {c.entry for c in plan.remove} == {ip(1), ip(2), ip(3)}
