"""Planner: desired vs current -> plan, and enforce folding policy into it."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from whitelist_core.config import Policy
from whitelist_core.core.planner import (
    Change,
    Owner,
    TargetPlan,
    enforce,
    plan_additions,
    plan_target,
)
from whitelist_core.core.policy import Violation, check
from whitelist_core.core.selection import STATIC, Source
from whitelist_core.ports import Group

OWNER = Owner("orders-cache", "cn-hangzhou", "r-demoorders01", "ecs_orders", "")
HIDDEN_OWNER = Owner("billing-cache", "cn-hangzhou", "r-demobilling1", "ecs_billing", "hidden")
PERMISSIVE = Policy(max_removals=1000, max_removal_percent=100)


def group(*entries: str, attribute: str = "") -> Group:
    return Group("ecs_orders", attribute, tuple(entries))


def held(*entries: str, by: str = "i-1") -> dict[str, Source]:
    return {e: Source(by, f"{by}-name") for e in entries}


def hosts(count: int) -> list[str]:
    return [f"10.{i // 62500}.{i // 250 % 250}.{1 + i % 250}" for i in range(count)]


def entries(changes: Sequence[Change]) -> list[str]:
    return [c.entry for c in changes]


def reconcile_plan(
    current: Group | None, desired: Mapping[str, Source], rules: Policy = PERMISSIVE
) -> TargetPlan:
    """What the reconciler does: plan, check, enforce."""
    plan = plan_target(OWNER, current, desired)
    return enforce(plan, check(plan, rules))


# -- plan_target ------------------------------------------------------------------------------

PLAN_CASES: list[tuple[str, Group | None, dict[str, Source], list[str], list[str], list[str]]] = [
    # (id, current group, desired, add, remove, keep)
    ("absent-group-empty-desired", None, {}, ["127.0.0.1"], [], []),
    ("absent-group", None, held("10.0.0.2", "10.0.0.1"), ["10.0.0.1", "10.0.0.2"], [], []),
    ("placeholder-only-empty-desired", group("127.0.0.1"), {}, [], [], ["127.0.0.1"]),
    ("placeholder-replaced", group("127.0.0.1"), held("10.0.0.1"), ["10.0.0.1"], ["127.0.0.1"], []),
    (
        "everything-stale-gets-placeholder",
        group("10.0.0.1", "10.0.0.2"),
        {},
        ["127.0.0.1"],
        ["10.0.0.1", "10.0.0.2"],
        [],
    ),
    (
        "in-sync",
        group("10.0.0.1", "10.0.0.0/24"),
        {**held("10.0.0.1"), "10.0.0.0/24": STATIC},
        [],
        [],
        ["10.0.0.0/24", "10.0.0.1"],
    ),
    (
        "add-remove-keep",
        group("10.0.0.1", "10.0.0.9"),
        held("10.0.0.1", "10.0.0.3"),
        ["10.0.0.3"],
        ["10.0.0.9"],
        ["10.0.0.1"],
    ),
    ("static-only", None, {"10.8.0.0/24": STATIC}, ["10.8.0.0/24"], [], []),
]


@pytest.mark.parametrize(
    ("current", "desired", "add", "remove", "keep"),
    [c[1:] for c in PLAN_CASES],
    ids=[c[0] for c in PLAN_CASES],
)
def test_plan_target(
    current: Group | None,
    desired: dict[str, Source],
    add: list[str],
    remove: list[str],
    keep: list[str],
) -> None:
    plan = plan_target(OWNER, current, desired)
    assert (entries(plan.add), entries(plan.remove), entries(plan.keep)) == (add, remove, keep)
    assert plan.blocked == ()
    assert plan.changed is bool(add or remove)
    assert (plan.target, plan.instance_id, plan.group) == (
        "orders-cache",
        "r-demoorders01",
        "ecs_orders",
    )


def test_reasons_name_the_source() -> None:
    desired = {"10.0.0.1": Source("i-1", "web-1"), "10.8.0.0/24": STATIC}
    plan = plan_target(OWNER, group("10.0.0.9", "127.0.0.1"), desired)
    assert plan.add == (
        Change("10.0.0.1", "held by i-1 (web-1)", "i-1", "web-1", group="ecs_orders"),
        Change("10.8.0.0/24", "static entry", group="ecs_orders"),
    )
    assert plan.remove == (
        Change(
            "10.0.0.9",
            "stale: no selected instance holds it and it is not static",
            group="ecs_orders",
        ),
        Change("127.0.0.1", "placeholder no longer needed", group="ecs_orders"),
    )
    assert plan_target(OWNER, None, {}).add == (
        Change("127.0.0.1", "placeholder: nothing is selected", group="ecs_orders"),
    )


def test_a_hidden_group_the_target_does_not_declare_hidden_is_refused() -> None:
    current = group("100.100.202.0/24", "10.10.10.10", attribute="hidden")
    plan = plan_target(OWNER, current, held("10.0.0.1"))
    assert plan.add == plan.remove == ()
    (reason,) = plan.blocked
    assert "hidden group" in reason
    assert "left untouched" in reason
    assert not reconcile_plan(current, held("10.0.0.1")).changed
    assert plan_additions(OWNER, current, held("10.0.0.1")).blocked == plan.blocked


def test_a_hidden_target_may_own_its_hidden_group() -> None:
    plan = plan_target(HIDDEN_OWNER, group("10.0.0.1", attribute="hidden"), held("10.0.0.2"))
    assert plan.blocked == ()
    assert entries(plan.add) == ["10.0.0.2"]
    assert plan.attribute == "hidden"


@pytest.mark.parametrize(
    "current",
    [None, group("10.0.0.1")],
    ids=["group-absent", "group-present"],
)
def test_more_than_1000_desired_fills_the_group_and_blocks_the_rest(current: Group | None) -> None:
    desired = held(*hosts(1001))
    plan = plan_target(OWNER, current, desired)
    assert plan.size_after == 1000
    assert plan.unplaced == (hosts(1001)[-1],)
    (reason,) = plan.blocked
    assert reason.startswith("capacity: 1 entries not added (10.0.4.1)")
    assert "1 group(s) of 1000 hold at most 1000" in reason
    enforced = enforce(plan, check(plan, PERMISSIVE))
    assert enforced.unplaced == plan.unplaced
    assert all(len(entries) <= 1000 for entries in enforced.group_after().values())


def test_exactly_1000_desired_is_planned() -> None:
    plan = plan_target(OWNER, None, held(*hosts(1000)))
    assert plan.blocked == ()
    assert len(plan.add) == 1000


# -- plan_additions ---------------------------------------------------------------------------


def test_add_only_never_removes_a_real_entry() -> None:
    current = group("10.0.0.9", "127.0.0.1", "10.0.0.1")
    plan = plan_additions(OWNER, current, held("10.0.0.1", "10.0.0.2"))
    assert entries(plan.add) == ["10.0.0.2"]
    assert entries(plan.remove) == ["127.0.0.1"]  # the placeholder goes when a host comes
    assert entries(plan.keep) == ["10.0.0.1"]
    assert plan.after == ("10.0.0.1", "10.0.0.2", "10.0.0.9")


def test_add_only_with_nothing_new_is_a_noop() -> None:
    plan = plan_additions(OWNER, group("10.0.0.1"), held("10.0.0.1"))
    assert not plan.changed


def test_add_only_counts_current_and_new_entries_against_the_limit() -> None:
    all_hosts = hosts(1001)
    plan = plan_additions(OWNER, group(*all_hosts[:600]), held(*all_hosts[600:]))
    assert entries(plan.add) == all_hosts[600:1000]
    assert plan.unplaced == (all_hosts[1000],)
    assert "capacity: 1 entries not added" in plan.blocked[0]
    assert plan_additions(OWNER, group(*all_hosts[:600]), held(*all_hosts[600:1000])).blocked == ()


# -- enforce ----------------------------------------------------------------------------------


def test_enforce_drops_blocked_additions_only() -> None:
    plan = plan_target(OWNER, group("10.0.0.1"), held("10.0.0.1", "8.8.8.8", "10.0.0.2"))
    enforced = enforce(plan, check(plan, Policy()))
    assert entries(enforced.add) == ["10.0.0.2"]
    assert enforced.blocked == ("8.8.8.8 is not a private address (needs allow_public)",)


def test_a_blocked_removal_limit_drops_every_removal_but_keeps_the_additions() -> None:
    plan = plan_target(
        OWNER, group("10.0.0.1", "10.0.0.2", "10.0.0.3"), held("10.0.0.1", "10.0.0.4")
    )
    rules = Policy(max_removals=1)
    enforced = enforce(plan, check(plan, rules))
    assert entries(plan.remove) == ["10.0.0.2", "10.0.0.3"]
    assert enforced.remove == ()
    assert entries(enforced.add) == ["10.0.0.4"]
    assert any("max_removals=1" in b for b in enforced.blocked)


def test_warnings_are_kept_apart_from_blocks() -> None:
    plan = plan_target(OWNER, None, held("10.0.0.1"))
    warning = Violation("capacity", "nearly full", scope="target", severity="warn")
    enforced = enforce(plan, [warning])
    assert enforced.warnings == ("nearly full",)
    assert enforced.blocked == ()
    assert enforced.add == plan.add


def test_never_empty_adds_the_placeholder_when_every_addition_is_blocked() -> None:
    # The stale entry goes (limits allow it), the only new entry is public: keep a placeholder.
    plan = plan_target(OWNER, group("10.0.0.9"), held("8.8.8.8"))
    enforced = enforce(plan, check(plan, PERMISSIVE))
    assert entries(enforced.remove) == ["10.0.0.9"]
    assert entries(enforced.add) == ["127.0.0.1"]
    assert enforced.add[0].reason == "placeholder: the group may not be empty"
    assert enforced.after == ("127.0.0.1",)


def test_never_empty_keeps_the_placeholder_when_its_replacement_is_blocked() -> None:
    plan = plan_target(OWNER, group("127.0.0.1"), held("8.8.8.8"))
    assert entries(plan.remove) == ["127.0.0.1"]
    enforced = enforce(plan, check(plan, PERMISSIVE))
    assert enforced.add == enforced.remove == ()
    assert enforced.after == ("127.0.0.1",)


def test_never_empty_keeps_only_the_placeholder_of_several_removals() -> None:
    plan = plan_target(OWNER, group("127.0.0.1", "10.0.0.9"), held("8.8.8.8"))
    enforced = enforce(plan, check(plan, PERMISSIVE))
    assert entries(enforced.remove) == ["10.0.0.9"]
    assert enforced.after == ("127.0.0.1",)


def test_all_additions_blocked_on_an_absent_group_writes_nothing() -> None:
    enforced = reconcile_plan(None, held("8.8.8.8"))
    assert not enforced.changed
    assert enforced.blocked


def test_enforce_without_violations_changes_nothing() -> None:
    plan = plan_target(OWNER, group("10.0.0.1"), held("10.0.0.2"))
    assert enforce(plan, ()) == plan


# -- data: order, equality, JSON --------------------------------------------------------------


def test_order_is_numeric_not_textual() -> None:
    desired = held("10.0.0.10", "10.0.0.9", "9.0.0.1", "10.0.0.0/24")
    plan = plan_target(OWNER, group("10.0.0.200", "10.0.0.100", "10.0.0.9"), desired)
    assert entries(plan.add) == ["9.0.0.1", "10.0.0.0/24", "10.0.0.10"]
    assert entries(plan.remove) == ["10.0.0.100", "10.0.0.200"]
    assert plan.current == ("10.0.0.9", "10.0.0.100", "10.0.0.200")


def test_plans_from_the_same_inputs_in_another_order_are_equal() -> None:
    first = plan_target(
        OWNER, group("10.0.0.3", "10.0.0.1", "10.0.0.2"), held("10.0.0.5", "10.0.0.1")
    )
    second = plan_target(
        OWNER, group("10.0.0.2", "10.0.0.3", "10.0.0.1"), held("10.0.0.1", "10.0.0.5")
    )
    assert first == second
    assert hash(first) == hash(second)
    assert first != plan_target(OWNER, group("10.0.0.2"), held("10.0.0.1", "10.0.0.5"))
    assert first != plan_target(
        OWNER, group("10.0.0.3", "10.0.0.1", "10.0.0.2"), held("10.0.0.5", "10.0.0.1", by="i-2")
    )


def test_plans_are_frozen() -> None:
    plan = plan_target(OWNER, None, {})
    with pytest.raises(AttributeError):
        plan.add = ()  # type: ignore[misc]


def test_to_dict_shape() -> None:
    plan = plan_target(
        OWNER,
        group("10.0.0.1", "10.0.0.9"),
        {**held("10.0.0.1", "10.0.0.2"), "10.8.0.0/24": STATIC},
    )
    plan = enforce(plan, [Violation("capacity", "nearly full", scope="target", severity="warn")])
    expected: dict[str, Any] = {
        "target": "orders-cache",
        "region": "cn-hangzhou",
        "instance_id": "r-demoorders01",
        "group": "ecs_orders",
        "added": ["10.0.0.2", "10.8.0.0/24"],
        "removed": ["10.0.0.9"],
        "kept": 1,
        "entries_before": 2,
        "entries_after": 3,
        "held_back": [],
        "blocked": [],
        "warnings": ["nearly full"],
        "changes": [
            {
                "entry": "10.0.0.2",
                "reason": "held by i-1 (i-1-name)",
                "instance_id": "i-1",
                "instance_name": "i-1-name",
                "group": "ecs_orders",
                "op": "add",
            },
            {"entry": "10.8.0.0/24", "reason": "static entry", "group": "ecs_orders", "op": "add"},
            {
                "entry": "10.0.0.9",
                "reason": "stale: no selected instance holds it and it is not static",
                "group": "ecs_orders",
                "op": "remove",
            },
        ],
    }
    assert plan.to_dict() == expected
    assert json.loads(json.dumps(plan.to_dict())) == expected


def test_after_is_the_group_once_applied() -> None:
    plan = TargetPlan(
        "t",
        "cn-hangzhou",
        "r-x1234567",
        "g1",
        "",
        current=("10.0.0.1", "10.0.0.2"),
        add=(Change("10.0.0.0/24", "x"),),
        remove=(Change("10.0.0.2", "x"),),
    )
    assert plan.after == ("10.0.0.0/24", "10.0.0.1")
