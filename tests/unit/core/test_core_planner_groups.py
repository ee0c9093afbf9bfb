"""Planning a target that owns several groups: placement in the plan, policy over the whole
target, enforce re-placing when policy holds something back, and the plan's writes."""

from __future__ import annotations

from whitelist_core.config import Policy
from whitelist_core.core.planner import (
    Change,
    Owner,
    TargetPlan,
    applied_part,
    enforce,
    plan_additions,
    plan_target,
    retain,
)
from whitelist_core.core.policy import check
from whitelist_core.core.selection import Source
from whitelist_core.ports import Group

OWNER = Owner("fleet", "cn-hangzhou", "r-demofleet001", "ecs_fleet", "", max_groups=3, capacity=3)
DRAINING = Owner("fleet", "cn-hangzhou", "r-demofleet001", "ecs_fleet", "", 3, 1, capacity=3)
PERMISSIVE = Policy(max_removals=1000, max_removal_percent=100)


def ip(n: int) -> str:
    return f"10.0.0.{n}"


def held(*numbers: int) -> dict[str, Source]:
    return {ip(n): Source(f"i-{n}", f"host-{n}") for n in numbers}


def groups(*contents: tuple[int, ...], hidden: bool = False) -> list[Group]:
    names = ["ecs_fleet", "ecs_fleet_2", "ecs_fleet_3"]
    attribute = "hidden" if hidden else ""
    return [
        Group(name, attribute, tuple(ip(n) for n in content))
        for name, content in zip(names, contents, strict=False)
        if content
    ] + [Group("default", "", ("127.0.0.1",))]


def where(changes: tuple[Change, ...]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for change in changes:
        found.setdefault(change.group, []).append(change.entry)
    return found


def reconcile(plan: TargetPlan, rules: Policy = PERMISSIVE) -> TargetPlan:
    return enforce(plan, check(plan, rules))


def test_a_first_fill_spills_over_in_order_and_writes_one_append_per_group() -> None:
    plan = reconcile(plan_target(OWNER, [], held(1, 2, 3, 4, 5, 6, 7, 8)))
    assert where(plan.add) == {
        "ecs_fleet": [ip(1), ip(2), ip(3)],
        "ecs_fleet_2": [ip(4), ip(5), ip(6)],
        "ecs_fleet_3": [ip(7), ip(8)],
    }
    assert [(s.group, s.mode, len(s.entries)) for s in plan.steps] == [
        ("ecs_fleet", "Append", 3),
        ("ecs_fleet_2", "Append", 3),
        ("ecs_fleet_3", "Append", 2),
    ]
    assert plan.warnings == ("target (3 groups of 3) would hold 8 of 9 entries "
                             "(over capacity_warn_percent=80)",)  # fmt: skip


def test_foreign_groups_are_never_part_of_the_plan() -> None:
    plan = plan_target(OWNER, groups((1,)), held(1))
    assert [g.name for g in plan.held] == ["ecs_fleet"]
    assert not plan.changed


def test_churn_keeps_placements_and_reuses_freed_room() -> None:
    plan = reconcile(plan_target(OWNER, groups((1, 2, 3), (4, 5)), held(1, 3, 4, 5, 8, 9)))
    assert where(plan.remove) == {"ecs_fleet": [ip(2)]}
    assert where(plan.add) == {"ecs_fleet": [ip(8)], "ecs_fleet_2": [ip(9)]}
    assert where(plan.keep) == {"ecs_fleet": [ip(1), ip(3)], "ecs_fleet_2": [ip(4), ip(5)]}
    first = plan.steps[0]
    assert (first.group, first.mode, first.entries) == ("ecs_fleet", "Delete", (ip(2),))


def test_removal_limits_count_the_whole_target() -> None:
    # 2 of 6 owned entries (33 %) across two groups: allowed at 40 %, refused at 30 %.
    plan = plan_target(OWNER, groups((1, 2, 3), (4, 5, 6)), held(1, 3, 4, 6))
    assert reconcile(plan, Policy(max_removal_percent=40)).remove != ()
    blocked = reconcile(plan, Policy(max_removal_percent=30))
    assert blocked.remove == ()
    assert any("removing 2 of 6 entries" in b for b in blocked.blocked)


def test_a_duplicate_is_one_entry_for_the_limits_and_leaves_both_groups() -> None:
    plan = reconcile(plan_target(OWNER, groups((1, 2), (2, 3)), held(1, 3)), Policy(max_removals=1))
    assert where(plan.remove) == {"ecs_fleet": [ip(2)], "ecs_fleet_2": [ip(2)]}
    assert plan.blocked == ()


def test_held_back_removals_do_not_promise_their_room() -> None:
    # ip(3) is stale in a full first group; with removals blocked it stays, so the new
    # entry may not take its place and goes to the next group instead.
    plan = plan_target(OWNER, groups((1, 2, 3)), held(1, 2, 9))
    assert where(plan.add) == {"ecs_fleet": [ip(9)]}
    enforced = reconcile(plan, Policy(max_removals=0))
    assert enforced.remove == ()
    assert where(enforced.add) == {"ecs_fleet_2": [ip(9)]}
    assert all(len(e) <= 3 for e in enforced.group_after().values())


def test_blocked_additions_free_their_room_for_others() -> None:
    plan = plan_target(OWNER, groups((1, 2)), {"8.8.8.8": Source("i-x"), **held(9)})
    enforced = reconcile(plan, Policy())
    assert where(enforced.add) == {"ecs_fleet": [ip(9)]}


def test_over_capacity_keeps_every_held_entry_and_reports_the_rest() -> None:
    plan = reconcile(plan_target(OWNER, groups((1, 2, 3), (4, 5, 6), (7, 8)), held(*range(1, 13))))
    assert where(plan.add) == {"ecs_fleet_3": [ip(9)]}
    assert plan.unplaced == (ip(10), ip(11), ip(12))
    assert plan.remove == ()
    (reason,) = [b for b in plan.blocked if b.startswith("capacity")]
    assert "3 entries not added (10.0.0.10, 10.0.0.11, 10.0.0.12)" in reason
    assert "3 group(s) of 3 hold at most 9" in reason
    assert plan.to_dict()["unplaced"] == [ip(10), ip(11), ip(12)]


def test_draining_moves_entries_and_leaves_the_placeholder() -> None:
    plan = reconcile(plan_target(DRAINING, groups((1,), (), (2, 3)), held(1, 2, 3)))
    assert [(c.entry, c.from_group, c.group) for c in plan.move] == [
        (ip(2), "ecs_fleet_3", "ecs_fleet"),
        (ip(3), "ecs_fleet_3", "ecs_fleet"),
    ]
    assert where(plan.add) == {"ecs_fleet_3": ["127.0.0.1"]}
    assert plan.remove == ()
    assert [(s.group, s.mode) for s in plan.steps] == [
        ("ecs_fleet", "Append"),
        ("ecs_fleet_3", "Delete"),
        ("ecs_fleet_3", "Append"),
        ("ecs_fleet_3", "Delete"),
    ]
    data = plan.to_dict()
    assert data["moved"] == [ip(2), ip(3)]
    assert data["groups"][2] == {"group": "ecs_fleet_3", "before": 2, "after": 1, "draining": True}
    assert {"entry": ip(2), "op": "move", "group": "ecs_fleet", "from": "ecs_fleet_3"}.items() <= (
        data["changes"][-2].items()
    )


def test_moves_are_not_removals_for_policy() -> None:
    plan = plan_target(DRAINING, groups((1,), (), (2, 3)), held(1, 2, 3))
    assert reconcile(plan, Policy(max_removals=0)).move == plan.move


def test_add_only_spills_over_and_removes_nothing() -> None:
    plan = plan_additions(OWNER, groups((1, 2, 3), (4,)), held(5, 6, 7))
    assert where(plan.add) == {"ecs_fleet_2": [ip(5), ip(6)], "ecs_fleet_3": [ip(7)]}
    assert plan.remove == plan.drop == ()


def test_a_hidden_owned_spill_over_group_refuses_the_target() -> None:
    plan = plan_target(OWNER, [Group("ecs_fleet_2", "hidden", (ip(1),))], held(1))
    assert not plan.changed
    assert "'ecs_fleet_2' exists as a hidden group" in plan.blocked[0]


def test_retain_keeps_a_removal_and_re_places_around_it() -> None:
    plan = reconcile(plan_target(OWNER, groups((1, 2, 3)), held(1, 2, 9)))
    kept = retain(plan, {ip(3): "kept 10.0.0.3: re-check found it held by i-new"})
    assert kept.remove == ()
    assert where(kept.add) == {"ecs_fleet_2": [ip(9)]}
    assert kept.warnings[-1].startswith("kept 10.0.0.3")


def test_applied_part_names_only_the_steps_that_ran() -> None:
    plan = reconcile(plan_target(OWNER, [], held(1, 2, 3, 4)))
    part = applied_part(plan, plan.steps[:1])
    assert where(part.add) == {"ecs_fleet": [ip(1), ip(2), ip(3)]}


def test_over_capacity_with_a_blocked_addition_re_places_the_unplaced_too() -> None:
    # 7 wanted, 6 places (2 x 3); the public one is refused by policy, so its place goes
    # to the first entry that did not fit: nothing is lost, and one capacity reason stays.
    desired = {"8.8.8.8": Source("i-x"), **held(1, 2, 3, 4, 5, 6, 7)}
    two = Owner("fleet", "cn-hangzhou", "r-demofleet001", "ecs_fleet", "", 2, capacity=3)
    plan = plan_target(two, [], desired)
    assert plan.unplaced == (ip(6), ip(7))
    enforced = reconcile(plan, Policy())
    assert [c.entry for c in enforced.add] == [ip(n) for n in (1, 2, 3, 4, 5, 6)]
    assert enforced.unplaced == (ip(7),)
    assert [b for b in enforced.blocked if b.startswith("capacity")] == [
        "capacity: 1 entries not added (10.0.0.7): 2 group(s) of 3 hold at most 6 and "
        "everything already whitelisted stays; raise max_groups or narrow the selector"
    ]
    assert enforced.add[-1].instance_id == "i-6"  # the source survives the re-placement
