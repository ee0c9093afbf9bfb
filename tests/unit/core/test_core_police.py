"""police: check, enforce, and the capacity warning of the plan as enforced (pure, tables)."""

from __future__ import annotations

import pytest

from whitelist_core.config import Policy
from whitelist_core.core.planner import Owner, plan_target
from whitelist_core.core.policy import police
from whitelist_core.core.selection import Source
from whitelist_core.ports import Group

OWNER = Owner("orders-cache", "cn-hangzhou", "r-demoorders01", "ecs_orders", "")


def _ips(prefix: str, count: int) -> list[str]:
    return [f"10.{prefix}.{i // 250}.{1 + i % 250}" for i in range(count)]


# (id, kept hosts, stale entries, new hosts, policy, warned)
CASES = [
    # 690 kept, 100 stale, 20 new: with the removals held back by max_removals the group
    # really holds 810 (81 %); counted as if they went it would be 710, and no warning.
    ("held-back-removals-count", 690, 100, 20, Policy(max_removals=50), True),
    ("removals-allowed-no-warning", 690, 100, 20, Policy(max_removals=100), False),
    ("blocked-additions-do-not-count", 780, 0, 0, Policy(), False),
    ("just-at-the-threshold", 800, 0, 0, Policy(), True),
]


@pytest.mark.parametrize(("kept", "stale", "new", "rules", "warned"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])  # fmt: skip
def test_the_capacity_warning_is_that_of_the_enforced_plan(
    kept: int, stale: int, new: int, rules: Policy, warned: bool
) -> None:
    keep, gone, added = _ips("1", kept), _ips("2", stale), _ips("3", new)
    current = Group("ecs_orders", "", tuple(keep + gone))
    desired = {e: Source("i-x", "x") for e in keep + added}
    plan = police(plan_target(OWNER, current, desired), rules)
    capacity = [w for w in plan.warnings if "capacity_warn_percent" in w]
    assert bool(capacity) is warned, (plan.size_after, plan.warnings)
    if warned:
        assert f"hold {plan.size_after} of 1000" in capacity[0]
