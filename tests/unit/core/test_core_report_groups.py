"""The table of a spilled plan: each owned group's size, and which group each change goes to."""

from __future__ import annotations

from whitelist_core.core.planner import Owner, plan_target
from whitelist_core.core.selection import Source
from whitelist_core.entrypoints.report import render_target
from whitelist_core.outcome import TargetResult
from whitelist_core.ports import Group

OWNER = Owner("fleet", "cn-hangzhou", "r-demofleet001", "ecs_fleet", "", 3, 1, capacity=2)


def test_a_spilled_plan_names_the_group_of_every_change() -> None:
    held = [Group("ecs_fleet", "", ("10.0.0.1",)), Group("ecs_fleet_3", "", ("10.0.0.5",))]
    desired = {e: Source("i-1", "web") for e in ("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.5")}
    plan = plan_target(OWNER, held, desired)

    lines = [
        " ".join(line.split()) for line in render_target(TargetResult(plan, "planned").to_dict())
    ]

    assert lines[1] == (
        "groups: ecs_fleet 1 -> 2, ecs_fleet_2 0 -> 2, ecs_fleet_3 (draining) 1 -> 1"
    )
    assert "+ 10.0.0.2 ecs_fleet held by i-1 (web)" in lines
    assert "+ 10.0.0.3 ecs_fleet_2 held by i-1 (web)" in lines
    assert "> 10.0.0.5 ecs_fleet_3 -> ecs_fleet_2 held by i-1 (web)" in lines
    assert "+ 127.0.0.1 ecs_fleet_3 placeholder: the group may not be empty" in lines


def test_a_one_group_plan_reads_as_before() -> None:
    plan = plan_target(Owner("t", "cn-hangzhou", "r-demo0000001", "ecs_t", ""), None, {
        "10.0.0.1": Source("i-1", "web")
    })  # fmt: skip
    lines = render_target(TargetResult(plan, "planned").to_dict())
    assert lines[1:] == ["  + 10.0.0.1  held by i-1 (web)"]
