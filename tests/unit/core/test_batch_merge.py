"""``batch.merge`` and ``batch.item_view``: tables, no fakes (pure core)."""

from __future__ import annotations

import pytest

from whitelist_core.core.planner import Change, TargetPlan
from whitelist_core.intents import LifecycleAction, ReconcileTargets, SyncInstances
from whitelist_core.outcome import TargetResult
from whitelist_core.service.batch import Item, Unit, UnitResult, item_view, merge, whitelisted

HZ, SH = "cn-hangzhou", "cn-shanghai"
TARGETS = [("a", HZ, ""), ("b", HZ, ""), ("c", SH, "")]  # (name, region, hosts account)


def sync(*ids: str, region: str | None = None, dry: bool = False) -> Item:
    return Item(SyncInstances(ids, region), dry)


def rec(
    targets: tuple[str, ...] | None = None, region: str | None = None, dry: bool = False
) -> Item:
    return Item(ReconcileTargets(targets=targets, region=region), dry)


@pytest.mark.parametrize(
    ("items", "units"),
    [
        pytest.param([], (), id="empty"),
        pytest.param(
            [sync("i-1"), sync("i-2"), sync("i-1")],
            (Unit(HZ, False, ("i-1", "i-2"), (), ("a", "b")),),
            id="running-storm-one-lookup-duplicates-merged",
        ),
        pytest.param(
            [sync("i-1", region=SH), sync("i-2")],
            (Unit(SH, False, ("i-1",), (), ("c",)), Unit(HZ, False, ("i-2",), (), ("a", "b"))),
            id="per-region-in-order-of-appearance",
        ),
        pytest.param(
            [rec(region=HZ), rec(region=HZ), rec(region=HZ)],
            (Unit(HZ, False, (), ("a", "b"), ()),),
            id="deleted-storm-one-reconcile",
        ),
        pytest.param(
            [sync("i-1"), rec(region=HZ)],
            (Unit(HZ, False, ("i-1",), ("a", "b"), ()),),
            id="reconciled-region-needs-no-add-only-pass",
        ),
        pytest.param(
            [sync("i-1"), rec(("a",))],
            (Unit(HZ, False, ("i-1",), ("a",), ("b",)),),
            id="only-unreconciled-targets-get-the-add-only-pass",
        ),
        pytest.param(
            [rec()],
            (Unit(HZ, False, (), ("a", "b"), ()), Unit(SH, False, (), ("c",), ())),
            id="timer-spans-regions",
        ),
        pytest.param(
            [sync("i-1", dry=True), sync("i-2")],
            (Unit(HZ, True, ("i-1",), (), ("a", "b")), Unit(HZ, False, ("i-2",), (), ("a", "b"))),
            id="dry-run-apart",
        ),
        pytest.param(
            [sync("i-1", region="eu-west-1")],
            (Unit("eu-west-1", False, ("i-1",), (), ()),),
            id="region-without-targets-does-nothing",
        ),
        pytest.param(
            [sync()],
            (Unit(HZ, False, (), (), ()),),
            id="scale-in-hook-adds-nothing",
        ),
    ],
)
def test_merge(items: list[Item], units: tuple[Unit, ...]) -> None:
    assert merge(items, TARGETS, HZ) == units


def plan(target: str, add: tuple[str, ...] = (), keep: tuple[str, ...] = ()) -> TargetPlan:
    def change(iid: str) -> Change:
        return Change(f"10.0.0.{iid[-1]}", f"held by {iid}", iid)

    return TargetPlan(
        target,
        HZ,
        "r-x",
        "g",
        "",
        add=tuple(change(i) for i in add),
        keep=tuple(change(i) for i in keep),
    )


def test_item_view_restricts_a_shared_plan_to_the_items_instances() -> None:
    unit = Unit(HZ, False, ("i-1", "i-2"), (), ("a", "b"))
    done = UnitResult(
        unit,
        {"a": TargetResult(plan("a", add=("i-1", "i-2")), "applied")},
        {"a": frozenset({"i-1", "i-2"})},
        frozenset({"i-1", "i-2"}),
    )

    view = item_view(sync("i-2"), [done], TARGETS, HZ)

    (result,) = view.results
    assert [c.instance_id for c in result.plan.add] == ["i-2"]
    assert view.status == "applied"
    assert item_view(sync("i-9"), [done], TARGETS, HZ).results == ()


def test_item_view_of_an_instance_already_in_is_noop() -> None:
    unit = Unit(HZ, False, ("i-1", "i-2"), (), ("a",))
    result = TargetResult(plan("a", add=("i-1",), keep=("i-2",)), "applied")
    done = UnitResult(unit, {"a": result}, {"a": frozenset({"i-1", "i-2"})}, frozenset())

    assert item_view(sync("i-2"), [done], TARGETS, HZ).status == "noop"


def test_item_view_of_a_reconcile_item_is_the_full_result_of_its_targets() -> None:
    unit = Unit(HZ, False, (), ("a", "b"), ())
    results = {n: TargetResult(plan(n, add=("i-1",)), "applied") for n in ("a", "b")}
    done = UnitResult(unit, results, {}, frozenset())

    view = item_view(rec(("b",)), [done], TARGETS, HZ)

    assert view.results == (results["b"],)


HOOK = LifecycleAction("ash-1", "tok")


@pytest.mark.parametrize(
    ("status", "add", "keep", "found", "expected"),
    [
        ("applied", ("i-1",), (), {"i-1"}, "ready"),
        ("noop", (), ("i-1",), {"i-1"}, "ready"),
        ("error", (), (), {"i-1"}, "failed"),
        ("applied", (), (), {"i-1"}, "blocked"),
        ("applied", ("i-1",), (), set(), "failed"),
    ],
)
def test_whitelisted(
    status: str, add: tuple[str, ...], keep: tuple[str, ...], found: set[str], expected: str
) -> None:
    unit = Unit(HZ, False, ("i-1",), (), ("a",))
    result = TargetResult(plan("a", add=add, keep=keep), status)  # type: ignore[arg-type]
    done = UnitResult(unit, {"a": result}, {"a": frozenset({"i-1"})}, frozenset(found))
    item = Item(SyncInstances(("i-1",), lifecycle=HOOK), False)

    assert whitelisted(item, [done], HZ) == expected


def test_whitelisted_in_a_region_without_targets_is_ready() -> None:
    done = UnitResult(Unit("eu-west-1", False, ("i-1",)), {}, {}, frozenset())
    item = Item(SyncInstances(("i-1",), "eu-west-1", lifecycle=HOOK), False)

    assert whitelisted(item, [done], HZ) == "ready"


def test_batch_is_pure() -> None:
    import ast
    import re
    from pathlib import Path

    import whitelist_core.service.batch as module

    text = Path(module.__file__).read_text(encoding="utf-8")
    imported = {
        "." * n.level + (n.module or "")
        for n in ast.walk(ast.parse(text))
        if isinstance(n, ast.ImportFrom)
    }
    assert imported <= {"__future__", "collections.abc", "dataclasses", "typing"} | {
        "whitelist_core.accounts",  # its OWN: a value
        "whitelist_core.core.values",
        "whitelist_core.intents",
        "whitelist_core.outcome",
    }
    for pattern in (r"\bos\.environ\b", r"\btime\.", r"\bstructlog\b", r"\blogging\b"):
        assert not re.search(pattern, text)
