"""The adoption rule: max_removal_percent is counted against the group as it will be once
this run's additions are in, so adopting a group and filling it takes one apply; an empty
or shrunken listing adds nothing, so it still removes nothing beyond the limits. Removals a
limit holds back are named in the plan, each with the reason."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from whitelist_core.config import Policy
from whitelist_core.core.planner import Change, TargetPlan, enforce
from whitelist_core.core.policy import check, removal_violations


def hosts(count: int, third: int = 0) -> list[str]:
    return [f"10.0.{third}.{1 + i}" for i in range(count)]


def plan(current: Sequence[str], add: Sequence[str], remove: Sequence[str]) -> TargetPlan:
    return TargetPlan(
        "t", "cn-hangzhou", "r-demoorders01", "ecs_orders", "", tuple(current),
        add=tuple(Change(e, "held by i-x") for e in add),
        remove=tuple(Change(e, "stale") for e in remove),
    )  # fmt: skip


# (current, adding, removing, percent) -> blocked; the share is removing / (current + adding)
ADOPTION_CASES = [
    # the case: adopt 3 entries, 2 stale, while adding 5 hosts: 2 of 8 = 25 %
    ("adopt-3-2-stale-add-5", 3, 5, 2, 50, False),
    # the same without the additions (a shrunken listing): 2 of 3 = 67 %
    ("shrunken-listing-2-of-3", 3, 0, 2, 50, True),
    # an empty listing adds nothing: everything stale, 100 %
    ("empty-listing", 10, 0, 10, 50, True),
    ("empty-listing-at-100", 10, 0, 10, 100, False),
    # inclusive at the limit, counted after additions: 5 of 10
    ("exactly-half-after-additions", 6, 4, 5, 50, False),
    ("one-over-half-after-additions", 5, 4, 5, 50, True),
    # additions do not help beyond the limit: 9 of (10 + 2) = 75 %
    ("few-additions-many-removals", 10, 2, 9, 50, True),
    ("zero-percent-blocks-any-removal", 3, 5, 1, 0, True),
]


@pytest.mark.parametrize(
    ("owned", "adding", "removing", "percent", "blocked"),
    [case[1:] for case in ADOPTION_CASES],
    ids=[case[0] for case in ADOPTION_CASES],
)
def test_share_is_counted_against_the_group_after_the_additions(
    owned: int, adding: int, removing: int, percent: int, blocked: bool
) -> None:
    current = hosts(owned)
    draft = plan(current, hosts(adding, third=9), current[:removing])
    found = removal_violations(draft, Policy(max_removal_percent=percent, max_removals=1000))
    assert [v.code for v in found] == (["removal_share"] if blocked else [])
    if blocked:
        assert f"removing {removing} of {owned + adding} entries" in found[0].message


def test_additions_that_policy_blocks_do_not_count() -> None:
    # 3 owned, 2 stale, 5 additions of which 4 are public (blocked): 2 of 4 = 50 % passes,
    # but with all 5 blocked, 2 of 3 = 67 % does not.
    current = hosts(3)
    public = ["47.96.0.1", "47.96.0.2", "47.96.0.3", "47.96.0.4"]
    passes = plan(current, [*public, "10.0.9.1"], current[:2])
    assert not [v for v in check(passes, Policy()) if v.scope == "remove"]
    fails = plan(current, [*public, "47.96.0.5"], current[:2])
    assert [v.code for v in check(fails, Policy()) if v.scope == "remove"] == ["removal_share"]


def test_the_placeholder_addition_does_not_count() -> None:
    current = hosts(2)
    draft = plan(current, ["127.0.0.1"], current)
    assert [v.code for v in removal_violations(draft, Policy())] == ["removal_share"]


def test_max_removals_is_a_count_and_ignores_additions() -> None:
    current = hosts(3)
    draft = plan(current, hosts(50, third=9), current[:2])
    found = removal_violations(draft, Policy(max_removals=1))
    assert [v.code for v in found] == ["too_many_removals"]


def test_held_back_removals_are_named_with_the_reason() -> None:
    current = hosts(3)
    draft = plan(current, [], current[:2])
    enforced = enforce(draft, check(draft, Policy()))
    assert enforced.remove == ()
    assert [c.entry for c in enforced.held_back] == current[:2]
    assert all("max_removal_percent=50" in c.reason for c in enforced.held_back)
    data = enforced.to_dict()
    assert [h["entry"] for h in data["held_back"]] == current[:2]
    assert "max_removal_percent=50" in data["held_back"][0]["reason"]


def test_nothing_is_held_back_when_removals_pass() -> None:
    current = hosts(3)
    draft = plan(current, hosts(5, third=9), current[:2])
    enforced = enforce(draft, check(draft, Policy()))
    assert [c.entry for c in enforced.remove] == current[:2]
    assert enforced.held_back == ()
    assert enforced.to_dict()["held_back"] == []
