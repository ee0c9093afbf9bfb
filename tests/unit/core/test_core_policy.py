"""Policy: entry rules, inclusive removal limits, the placeholder exemption, capacity."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from whitelist_core.config import Policy
from whitelist_core.core.planner import Change, TargetPlan
from whitelist_core.core.policy import (
    capacity_warnings,
    check,
    entry_violations,
    removal_violations,
)


def rules(**overrides: Any) -> Policy:
    return Policy(**overrides)


def hosts(count: int, third: int = 0) -> list[str]:
    return [f"10.0.{third + i // 250}.{1 + i % 250}" for i in range(count)]


def plan(
    current: Sequence[str] = (), add: Sequence[str] = (), remove: Sequence[str] = ()
) -> TargetPlan:
    return TargetPlan(
        target="t",
        region="cn-hangzhou",
        instance_id="r-demoorders01",
        group="ecs_orders",
        attribute="",
        current=tuple(current),
        add=tuple(Change(e, "test") for e in add),
        remove=tuple(Change(e, "test") for e in remove),
    )


ENTRY_CASES = [
    ("10.0.0.5", {}, []),
    ("10.0.0.0/8", {}, []),
    ("192.168.0.0/16", {}, []),
    ("100.64.0.0/10", {}, []),
    ("0.0.0.0/0", {}, ["world_open"]),
    ("0.0.0.0/0", {"allow_world": True}, []),
    ("0.0.0.0/0", {"allow_public": True, "min_prefix": 0}, ["world_open"]),
    ("10.0.0.0/7", {}, ["too_wide", "public"]),
    ("10.0.0.0/7", {"allow_public": True}, ["too_wide"]),
    ("10.0.0.0/7", {"allow_public": True, "min_prefix": 7}, []),
    ("10.16.0.0/12", {"min_prefix": 16}, ["too_wide"]),
    ("10.16.0.0/16", {"min_prefix": 16}, []),
    ("10.16.0.0/12", {"min_prefix": 0}, []),
    ("8.8.8.8", {}, ["public"]),
    ("8.8.8.8", {"allow_public": True}, []),
    ("172.32.0.1", {}, ["public"]),
    ("100.128.0.1", {}, ["public"]),
    ("127.0.0.1", {}, []),
    ("127.0.0.1", {"min_prefix": 32}, []),
    ("10.0.0.5", {"min_prefix": 32}, []),
    ("10.0.0.4/31", {"min_prefix": 32}, ["too_wide"]),
]


@pytest.mark.parametrize(
    ("entry", "overrides", "codes"),
    ENTRY_CASES,
    ids=[
        "private-host",
        "private-slash8-at-default-min-prefix",
        "private-192.168",
        "private-cgnat",
        "world-refused",
        "world-allowed",
        "world-needs-allow-world-not-public",
        "too-wide-and-public",
        "too-wide-public-allowed",
        "min-prefix-inclusive",
        "wider-than-min-prefix-16",
        "exactly-min-prefix-16",
        "min-prefix-zero",
        "public-refused",
        "public-allowed",
        "just-above-172.16-block",
        "just-above-cgnat",
        "placeholder-exempt",
        "placeholder-exempt-any-prefix",
        "host-is-slash32",
        "slash31-under-min-prefix-32",
    ],
)
def test_entry_violations(entry: str, overrides: dict[str, Any], codes: list[str]) -> None:
    found = entry_violations(entry, rules(**overrides))
    assert [v.code for v in found] == codes
    for violation in found:
        assert violation.entry == entry
        assert violation.scope == "add"
        assert violation.severity == "block"
        assert entry in violation.message


def test_messages_name_the_setting_to_change() -> None:
    messages = {v.code: v.message for v in check(plan(add=["0.0.0.0/0", "8.0.0.0/7"]), rules())}
    assert "allow_world" in messages["world_open"]
    assert "min_prefix" in messages["too_wide"]
    assert "allow_public" in messages["public"]


def test_check_reports_additions_in_plan_order_then_removals() -> None:
    current = hosts(4)
    found = check(plan(current=current, add=["8.8.8.8", "9.9.9.9"], remove=current[:3]), rules())
    assert [(v.code, v.entry) for v in found] == [
        ("public", "8.8.8.8"),
        ("public", "9.9.9.9"),
        ("removal_share", ""),
    ]


def test_removals_are_not_checked_against_entry_rules() -> None:
    # Removing a public entry someone added by hand is always allowed by the entry rules.
    assert check(plan(current=["8.8.8.8", *hosts(3)], remove=["8.8.8.8"]), rules()) == ()


# max_removals is inclusive: exactly the limit is allowed, one more blocks.
@pytest.mark.parametrize(
    ("max_removals", "removing", "blocked"),
    [(5, 5, False), (5, 6, True), (0, 1, True), (0, 0, False), (1000, 1000, False)],
    ids=["exactly-the-limit", "one-over", "zero-limit-one-removal", "zero-limit-none", "max-limit"],
)
def test_max_removals_is_inclusive(max_removals: int, removing: int, blocked: bool) -> None:
    current = hosts(1000)
    found = removal_violations(
        plan(current=current, remove=current[:removing]),
        rules(max_removals=max_removals, max_removal_percent=100),
    )
    assert [v.code for v in found] == (["too_many_removals"] if blocked else [])
    if blocked:
        assert found[0].scope == "remove"
        assert f"{removing} removals exceed max_removals={max_removals}" in found[0].message


# max_removal_percent is inclusive: exactly the share is allowed, one entry more blocks.
@pytest.mark.parametrize(
    ("percent", "owned", "removing", "blocked"),
    [
        (50, 10, 5, False),
        (50, 10, 6, True),
        (50, 3, 1, False),
        (50, 3, 2, True),
        (25, 4, 1, False),
        (25, 4, 2, True),
        (100, 7, 7, False),
        (0, 7, 1, True),
        (33, 3, 1, True),
        (34, 3, 1, False),
    ],
    ids=[
        "half-of-10",
        "six-of-10",
        "one-of-3",
        "two-of-3",
        "quarter-of-4",
        "half-of-4-over-quarter",
        "everything-at-100",
        "anything-at-0",
        "33.3-over-33",
        "33.3-under-34",
    ],
)
def test_max_removal_percent_is_inclusive(
    percent: int, owned: int, removing: int, blocked: bool
) -> None:
    current = hosts(owned)
    found = removal_violations(
        plan(current=current, remove=current[:removing]),
        rules(max_removal_percent=percent, max_removals=1000),
    )
    assert [v.code for v in found] == (["removal_share"] if blocked else [])
    if blocked:
        assert f"max_removal_percent={percent}" in found[0].message
        assert f"removing {removing} of {owned} entries" in found[0].message


def test_both_removal_limits_are_reported() -> None:
    current = hosts(10)
    found = removal_violations(
        plan(current=current, remove=current[:6]), rules(max_removals=5, max_removal_percent=50)
    )
    assert [v.code for v in found] == ["too_many_removals", "removal_share"]


PH = "127.0.0.1"


@pytest.mark.parametrize(
    ("current", "remove", "limits", "blocked"),
    [
        # Counting the placeholder would make 2 removals, over max_removals=1.
        ([PH, "10.0.0.1", "10.0.0.2"], [PH, "10.0.0.1"], {"max_removals": 1}, False),
        # Counting it would make 1 removal, over max_removals=0.
        ([PH, "10.0.0.1"], [PH], {"max_removals": 0}, False),
        ([PH], [PH], {"max_removals": 0}, False),
        # Counting it as owned would make 1 of 2 (50 %, allowed) out of 1 of 1 (100 %).
        ([PH, "10.0.0.1"], ["10.0.0.1"], {"max_removals": 10, "max_removal_percent": 50}, True),
    ],
    ids=[
        "placeholder-not-counted-in-removals",
        "placeholder-only-removal",
        "placeholder-is-whole-group",
        "placeholder-not-counted-as-owned",
    ],
)
def test_placeholder_is_not_counted(
    current: list[str], remove: list[str], limits: dict[str, int], blocked: bool
) -> None:
    """Each case is blocked, or not, only because of how the placeholder is counted."""
    found = removal_violations(plan(current=current, remove=remove), rules(**limits))
    assert bool(found) is blocked


@pytest.mark.parametrize(
    ("percent", "size", "warned"),
    [
        (80, 800, True),
        (80, 799, False),
        (80, 1000, True),
        (1, 10, True),
        (1, 9, False),
        (100, 999, False),
        (100, 1000, True),
    ],
    ids=[
        "at-threshold",
        "just-below",
        "full",
        "one-percent-at",
        "one-percent-below",
        "hundred-below",
        "hundred-at",
    ],
)
def test_capacity_warning(percent: int, size: int, warned: bool) -> None:
    entries = hosts(size)
    found = capacity_warnings(
        plan(current=entries[:1], add=entries[1:]), rules(capacity_warn_percent=percent)
    )
    assert bool(found) is warned
    if warned:
        (warning,) = found
        assert (warning.code, warning.severity, warning.scope) == ("capacity", "warn", "target")
        assert f"{size} of 1000" in warning.message


def test_capacity_counts_the_group_after_the_plan() -> None:
    entries = hosts(801)
    # 801 now, 2 removed -> 799 after: under 80 %.
    assert capacity_warnings(plan(current=entries, remove=entries[:2]), rules()) == []
    assert capacity_warnings(plan(current=entries[:-1], add=entries[-1:]), rules()) != []


def test_capacity_leaves_out_additions_that_policy_blocks() -> None:
    # 799 private entries + 1 public one to add: 800 would be at 80 %, but the public
    # entry is blocked, so the group ends at 799 and no capacity warning is due.
    entries = hosts(799)
    found = check(plan(current=entries, add=["8.8.8.8"]), rules())
    assert [v.code for v in found] == ["public"]
    allowed = check(plan(current=entries, add=["8.8.8.8"]), rules(allow_public=True))
    assert [v.code for v in allowed] == ["capacity"]


def test_a_clean_plan_has_no_violations() -> None:
    assert (
        check(
            plan(current=["10.0.0.1", "10.0.0.2"], add=["10.0.0.3"], remove=["10.0.0.1"]), rules()
        )
        == ()
    )
