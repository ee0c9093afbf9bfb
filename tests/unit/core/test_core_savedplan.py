"""Saved plans (pure): the document round-trips a plan exactly; drift is any change to an
owned group's entries or attribute, or its appearing or vanishing."""

from __future__ import annotations

import json

import pytest

from whitelist_core.core.planner import Change, TargetPlan
from whitelist_core.entrypoints.planfile import (
    FORMAT,
    VERSION,
    PlanFileError,
    decode,
    drift,
    encode,
    seal,
)
from whitelist_core.ports import Group

PLAN = TargetPlan(
    "orders-cache", "cn-hangzhou", "r-demoorders01", "ecs_orders", "",
    current=("10.0.1.11", "10.0.9.99"),
    add=(Change("10.0.1.12", "held by i-2 (web-2)", "i-2", "web-2", group="ecs_orders"),),
    remove=(Change("10.0.9.99", "stale", group="ecs_orders"),),
    keep=(Change("10.0.1.11", "held by i-1", "i-1", group="ecs_orders"),),
    held=(Group("ecs_orders", "", ("10.0.1.11", "10.0.9.99")),),
    owned=("ecs_orders", "ecs_orders_2"),
    held_back=(Change("10.0.9.98", "2 removals exceed max_removals=1"),),
)  # fmt: skip


def test_a_plan_round_trips_exactly() -> None:
    text = encode([PLAN], "sha256:abc", "0.1.0")
    document = json.loads(text)
    assert document["format"] == FORMAT
    assert document["version"] == 2
    saved = decode(text, "p.json")
    assert saved.config_digest == "sha256:abc"
    assert saved.plans == (PLAN,)
    assert saved.plans[0].steps == PLAN.steps


DRIFT_CASES = [
    ("unchanged", [Group("ecs_orders", "", ("10.0.9.99", "10.0.1.11"))], 0),
    ("entry-added", [Group("ecs_orders", "", ("10.0.1.11", "10.0.9.99", "10.0.1.5"))], 1),
    ("entry-gone", [Group("ecs_orders", "", ("10.0.1.11",))], 1),
    ("attribute-changed", [Group("ecs_orders", "hidden", ("10.0.1.11", "10.0.9.99"))], 1),
    ("group-gone", [], 1),
    (
        "second-group-appeared",
        [
            Group("ecs_orders", "", ("10.0.1.11", "10.0.9.99")),
            Group("ecs_orders_2", "", ("10.0.1.5",)),
        ],
        1,
    ),
    (
        "foreign-group-changed",
        [Group("ecs_orders", "", ("10.0.1.11", "10.0.9.99")), Group("default", "", ("1.2.3.4",))],
        0,
    ),
]


@pytest.mark.parametrize(
    ("groups", "problems"), [c[1:] for c in DRIFT_CASES], ids=[c[0] for c in DRIFT_CASES]
)
def test_drift(groups: list[Group], problems: int) -> None:
    found = drift(PLAN, groups)
    assert len(found) == problems
    assert all("no longer holds what the plan was made from" in p for p in found)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "[]",
        json.dumps({"format": FORMAT, "version": VERSION}),
        json.dumps(
            {
                "format": FORMAT,
                "version": VERSION,
                "config_digest": "x",
                "targets": [{"x": 1}],
                "seal": seal([{"x": 1}], "x"),
            }
        ),
    ],
    ids=["empty", "list", "no-targets", "unknown-field"],
)
def test_a_damaged_document_is_refused(text: str) -> None:
    with pytest.raises(PlanFileError):
        decode(text, "p.json")
