"""Selection: which instances a selector matches, and the entries a target desires."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import pytest

from whitelist_core.config import ECS_STATUSES, Target
from whitelist_core.core.selection import (
    STATIC,
    Source,
    desired_entries,
    instance_entries,
    instance_sources,
    is_eligible,
    matches,
)
from whitelist_core.ports import Instance


@dataclass(frozen=True)
class Sel:
    vpc_id: str | None = None
    vswitch_ids: tuple[str, ...] | None = None
    security_group_ids: tuple[str, ...] | None = None
    tags: Mapping[str, str] | None = None
    name: str | None = None
    resource_group_id: str | None = None


@dataclass(frozen=True)
class Tgt:
    selector: Sel = field(default_factory=lambda: Sel(vpc_id="vpc-1"))
    name: str = "t"
    statuses: tuple[str, ...] = ECS_STATUSES
    secondary_ips: bool = False
    static_entries: tuple[str, ...] = ()


ORDERS_1 = Instance(
    instance_id="i-orders1",
    region="cn-hangzhou",
    name="orders-web-1",
    status="Running",
    vpc_id="vpc-1",
    vswitch_id="vsw-a",
    security_group_ids=frozenset({"sg-web", "sg-base"}),
    tags={"app": "orders", "env": "prod"},
    resource_group_id="rg-orders",
    private_ips=("10.0.1.5",),
    secondary_ips=("10.0.1.6", "10.0.1.7"),
)


MATCH_CASES = [
    (Sel(vpc_id="vpc-1"), True),
    (Sel(vpc_id="vpc-2"), False),
    (Sel(vswitch_ids=("vsw-a",)), True),
    (Sel(vswitch_ids=("vsw-x", "vsw-a")), True),
    (Sel(vswitch_ids=("vsw-x", "vsw-y")), False),
    (Sel(security_group_ids=("sg-web",)), True),
    (Sel(security_group_ids=("sg-other", "sg-base")), True),
    (Sel(security_group_ids=("sg-other",)), False),
    (Sel(tags={"app": "orders"}), True),
    (Sel(tags={"app": "orders", "env": "prod"}), True),
    (Sel(tags={"app": "orders", "env": "dev"}), False),
    (Sel(tags={"app": "billing"}), False),
    (Sel(tags={"env": "*"}), True),
    (Sel(tags={"team": "*"}), False),
    (Sel(tags={"app": "Orders"}), False),
    (Sel(name="orders-web-1"), True),
    (Sel(name="orders-*"), True),
    (Sel(name="orders-web-?"), True),
    (Sel(name="orders-?"), False),
    (Sel(name="*-web-*"), True),
    (Sel(name="ORDERS-*"), False),
    (Sel(name="billing-*"), False),
    (Sel(resource_group_id="rg-orders"), True),
    (Sel(resource_group_id="rg-billing"), False),
    (Sel(vpc_id="vpc-1", tags={"app": "orders"}, name="orders-*"), True),
    (Sel(vpc_id="vpc-1", tags={"app": "orders"}, name="billing-*"), False),
    (Sel(vpc_id="vpc-2", tags={"app": "orders"}), False),
]


@pytest.mark.parametrize(
    ("selector", "expected"),
    MATCH_CASES,
    ids=[
        "vpc-same",
        "vpc-other",
        "vswitch-one",
        "vswitch-any-of",
        "vswitch-none-of",
        "sg-one",
        "sg-any-of",
        "sg-none-of",
        "tag-one",
        "tags-all-of",
        "tags-one-value-differs",
        "tag-value-differs",
        "tag-star-present",
        "tag-star-absent",
        "tag-value-case-sensitive",
        "name-exact",
        "name-star",
        "name-question-mark",
        "name-question-mark-is-one-char",
        "name-star-both-ends",
        "name-case-sensitive",
        "name-other",
        "resource-group-same",
        "resource-group-other",
        "all-fields-match",
        "one-field-of-several-fails",
        "vpc-fails-others-match",
    ],
)
def test_matches(selector: Sel, expected: bool) -> None:
    assert matches(selector, ORDERS_1) is expected


def test_a_classic_instance_has_no_vpc_or_vswitch_to_match() -> None:
    classic = replace(ORDERS_1, vpc_id="", vswitch_id="")
    assert not matches(Sel(vpc_id="vpc-1"), classic)
    assert not matches(Sel(vswitch_ids=("vsw-a",)), classic)
    assert matches(Sel(tags={"app": "orders"}), classic)


def test_an_instance_without_tags_or_groups_matches_no_tag_or_group_selector() -> None:
    bare = replace(ORDERS_1, tags={}, security_group_ids=frozenset())
    assert not matches(Sel(tags={"app": "*"}), bare)
    assert not matches(Sel(security_group_ids=("sg-web",)), bare)


@pytest.mark.parametrize(
    ("statuses", "status", "eligible"),
    [
        (ECS_STATUSES, "Stopped", True),
        (ECS_STATUSES, "Pending", True),
        (("Running",), "Running", True),
        (("Running",), "Stopped", False),
        (("Running", "Starting"), "Starting", True),
        (ECS_STATUSES, "Deleted", False),
    ],
    ids=[
        "default-counts-stopped",
        "default-counts-pending",
        "running-only-running",
        "running-only-stopped",
        "listed-status",
        "unknown-status",
    ],
)
def test_statuses_filter(statuses: tuple[str, ...], status: str, eligible: bool) -> None:
    target = Tgt(statuses=statuses)
    assert is_eligible(target, replace(ORDERS_1, status=status)) is eligible


def test_eligible_needs_the_selector_too() -> None:
    assert not is_eligible(Tgt(selector=Sel(vpc_id="vpc-2")), ORDERS_1)


@pytest.mark.parametrize(
    ("secondary", "expected"),
    [(False, ("10.0.1.5",)), (True, ("10.0.1.5", "10.0.1.6", "10.0.1.7"))],
    ids=["primary-only", "with-secondary"],
)
def test_secondary_ips_switch(secondary: bool, expected: tuple[str, ...]) -> None:
    assert instance_entries(ORDERS_1, secondary) == expected
    assert set(desired_entries(Tgt(secondary_ips=secondary), [ORDERS_1])) == set(expected)


def test_classic_inner_ip_is_desired() -> None:
    classic = Instance(
        "i-classic",
        "cn-hangzhou",
        name="legacy",
        tags={"app": "orders"},
        private_ips=("10.116.3.4",),
    )
    desired = desired_entries(Tgt(selector=Sel(tags={"app": "orders"})), [classic])
    assert desired == {"10.116.3.4": Source("i-classic", "legacy")}


def test_desired_names_each_source() -> None:
    other = replace(
        ORDERS_1, instance_id="i-orders2", name="orders-web-2", private_ips=("10.0.1.9",)
    )
    foreign = replace(ORDERS_1, instance_id="i-foreign", vpc_id="vpc-2", private_ips=("10.9.9.9",))
    desired = desired_entries(Tgt(), [ORDERS_1, other, foreign])
    assert desired == {
        "10.0.1.5": Source("i-orders1", "orders-web-1"),
        "10.0.1.9": Source("i-orders2", "orders-web-2"),
    }
    assert desired["10.0.1.5"].reason == "held by i-orders1 (orders-web-1)"


def test_static_entries_are_named_static_even_when_an_instance_holds_them() -> None:
    target = Tgt(static_entries=("10.8.0.0/24", "10.0.1.5"))
    desired = desired_entries(target, [ORDERS_1])
    assert desired == {"10.0.1.5": STATIC, "10.8.0.0/24": STATIC}
    assert desired["10.8.0.0/24"].reason == "static entry"


def test_static_entries_are_desired_with_no_instance_at_all() -> None:
    assert desired_entries(Tgt(static_entries=("10.8.0.0/24",)), []) == {"10.8.0.0/24": STATIC}


def test_instance_sources_ignore_static_entries() -> None:
    target = Tgt(static_entries=("10.8.0.0/24",))
    assert instance_sources(target, [ORDERS_1]) == {"10.0.1.5": Source("i-orders1", "orders-web-1")}


@pytest.mark.parametrize(
    "order",
    [("i-bbb", "i-aaa", "i-ccc"), ("i-aaa", "i-bbb", "i-ccc"), ("i-ccc", "i-bbb", "i-aaa")],
    ids=["middle-first", "sorted", "reversed"],
)
def test_an_ip_held_by_several_instances_names_the_smallest_id(order: tuple[str, ...]) -> None:
    holders = [
        replace(ORDERS_1, instance_id=i, name=i.upper(), private_ips=("10.0.1.5",)) for i in order
    ]
    assert desired_entries(Tgt(), holders) == {"10.0.1.5": Source("i-aaa", "I-AAA")}


def test_an_ineligible_holder_is_not_named() -> None:
    stopped = replace(ORDERS_1, instance_id="i-aaa", status="Stopped")
    running = replace(ORDERS_1, instance_id="i-zzz")
    desired = desired_entries(Tgt(statuses=("Running",)), [stopped, running])
    assert desired["10.0.1.5"].instance_id == "i-zzz"


def test_config_target_satisfies_the_selection_protocols() -> None:
    target = Target.model_validate(
        {
            "name": "orders-cache",
            "instance_id": "r-demoorders01",
            "group": "ecs_orders",
            "selector": {"vpc_id": "vpc-1", "vswitch_ids": ["vsw-a"], "tags": {"env": "*"}},
            "statuses": ["Running"],
            "secondary_ips": True,
            "static_entries": ["10.8.0.0/24"],
        }
    )
    desired = desired_entries(
        target, [ORDERS_1, replace(ORDERS_1, instance_id="i-x", status="Stopped")]
    )
    assert sorted(desired) == ["10.0.1.5", "10.0.1.6", "10.0.1.7", "10.8.0.0/24"]
