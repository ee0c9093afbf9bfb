"""Placement across a target's owned groups, and the order of its writes (tables).

Groups hold 3 entries here (capacity is a parameter), so a table row shows a spill-over
at a glance. ``g``, ``g_2``, ``g_3`` are the owned groups; entries are single letters.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from whitelist_core.core.placement import (
    GroupWrite,
    Layout,
    Placement,
    Step,
    group_writes,
    owned_groups,
    place,
    placement_writes,
    write_steps,
)

PH = "127.0.0.1"
GROUPS = ("g", "g_2", "g_3")


def layout(*held: str, drain: int = 0, capacity: int = 3) -> Layout:
    """One string per owned group ("" = absent), entries as letters: ``layout("ab", "c")``."""
    contents = [tuple(PH if c == "*" else c for c in text) for text in held]
    contents += [()] * (len(GROUPS) - len(contents))
    return Layout(GROUPS, tuple(contents), drain=drain, capacity=capacity)


def by_group(pairs: Sequence[tuple[str, str]]) -> dict[str, str]:
    grouped: dict[str, str] = {}
    for entry, group in pairs:
        grouped[group] = grouped.get(group, "") + entry
    return grouped


PLACE_CASES: list[tuple[str, Layout, str, dict[str, object]]] = [
    # (id, layout, wanted, expected parts of the placement)
    (
        "first-fill-spills-in-order",
        layout(),
        "abcdefg",
        {"add": {"g": "abc", "g_2": "def", "g_3": "g"}},
    ),
    ("spill-over-only-when-needed", layout(), "ab", {"add": {"g": "ab"}}),
    (
        "placements-are-stable",
        layout("a", "b"),
        "abc",
        {"keep": {"g": "a", "g_2": "b"}, "add": {"g": "c"}},
    ),
    ("new-go-where-there-is-room", layout("abc", "d"), "abcdef", {"add": {"g_2": "ef"}}),
    (
        "removal-from-the-group-holding-it",
        layout("ab", "cd"),
        "abd",
        {"remove": {"g_2": "c"}, "add": {}},
    ),
    (
        "removed-room-is-reused-in-the-same-run",
        layout("abc", "d"),
        "abde",
        {"remove": {"g": "c"}, "add": {"g": "e"}},
    ),
    (
        "duplicate-keeps-the-first-copy",
        layout("ab", "bc"),
        "abc",
        {"drop": [("b", "g_2", "g")], "remove": {}},
    ),
    (
        "stale-duplicate-leaves-everywhere",
        layout("ab", "bc"),
        "ac",
        {"remove": {"g": "b", "g_2": "b"}},
    ),
    (
        "over-capacity-keeps-everything-held",
        layout("abc", "def", "ghi"),
        "abcdefghijk",
        {"unplaced": ("j", "k"), "add": {}, "remove": {}},
    ),
    (
        "over-capacity-fills-what-room-there-is",
        layout("abc", "de"),
        "abcdexyzw",
        {"add": {"g_2": "x", "g_3": "yzw"}, "unplaced": ()},
    ),
    (
        "emptied-spill-over-keeps-a-placeholder",
        layout("ab", "c"),
        "ab",
        {"remove": {"g_2": "c"}, "placeholder": ("g_2",)},
    ),
    ("placeholder-group-stays-as-it-is", layout("a", "*"), "a", {"placeholder": (), "add": {}}),
    (
        "placeholder-takes-no-place-of-a-host",
        layout("abc", "*"),
        "abcdefg",
        {"add": {"g_2": "def", "g_3": "g"}, "unplaceholder": ("g_2",)},
    ),
    (
        "whole-turnover-uses-the-room-its-removals-make",
        layout("xy"),
        "abc",
        {"remove": {"g": "xy"}, "add": {"g": "abc"}},
    ),
    ("nothing-wanted-first-group-gets-placeholder", layout(), "", {"placeholder": ("g",)}),
    (
        "absent-first-group-not-created-for-a-placeholder",
        layout("", "a"),
        "a",
        {"placeholder": (), "keep": {"g_2": "a"}},
    ),
    (
        "draining-group-moves-out-as-room-allows",
        layout("a", "", "bcd", drain=1),
        "abcd",
        {"move": [("b", "g", "g_3"), ("c", "g", "g_3"), ("d", "g_2", "g_3")]},
    ),
    (
        "draining-group-emptied-keeps-a-placeholder",
        layout("a", "b", "c", drain=1),
        "abc",
        {"move": [("c", "g", "g_3")], "placeholder": ("g_3",)},
    ),
    (
        "draining-without-room-stays-put",
        layout("abc", "def", "gh", drain=1),
        "abcdefgh",
        {"move": [], "unmoved": ("g", "h"), "keep": {"g": "abc", "g_2": "def", "g_3": "gh"}},
    ),
    (
        "new-entries-before-moves-and-never-into-a-draining-group",
        layout("ab", "cd", "e", drain=1),
        "abcdexy",
        {"add": {"g": "x", "g_2": "y"}, "move": [], "unmoved": ("e",)},
    ),
    (
        "duplicate-in-a-draining-group-is-dropped-there",
        layout("a", "", "a", drain=1),
        "a",
        {"drop": [("a", "g_3", "g")], "move": []},
    ),
]


@pytest.mark.parametrize(
    ("current", "wanted", "expected"),
    [c[1:] for c in PLACE_CASES],
    ids=[c[0] for c in PLACE_CASES],
)
def test_place(current: Layout, wanted: str, expected: dict[str, object]) -> None:
    placement = place(current, list(wanted))
    actual: dict[str, object] = {
        "keep": by_group(placement.keep),
        "add": by_group(placement.add),
        "remove": by_group(placement.remove),
        "move": list(placement.move),
        "drop": list(placement.drop),
        "unplaced": placement.unplaced,
        "unmoved": placement.unmoved,
        "placeholder": placement.placeholder,
        "unplaceholder": placement.unplaceholder,
    }
    assert {k: actual[k] for k in expected} == expected


def test_add_only_keeps_stale_entries_and_counts_them() -> None:
    placement = place(layout("abx"), list("abcd"), remove_stale=False)
    assert placement.remove == ()
    assert by_group(placement.keep) == {"g": "abx"}
    assert by_group(placement.add) == {"g_2": "cd"}


def test_capacity_is_a_parameter() -> None:
    assert by_group(place(layout(capacity=2), list("abcde")).add) == {
        "g": "ab",
        "g_2": "cd",
        "g_3": "e",
    }


def test_the_same_inputs_give_the_same_placement() -> None:
    first = place(layout("ab", "cd"), list("abcdefg"))
    assert first == place(layout("ab", "cd"), list("abcdefg"))
    assert isinstance(first, Placement)


def test_owned_group_names() -> None:
    assert owned_groups("ecs_orders", 1) == ("ecs_orders",)
    assert owned_groups("ecs_orders", 3) == ("ecs_orders", "ecs_orders_2", "ecs_orders_3")


# -- write order ------------------------------------------------------------------------------

STEP_CASES: list[tuple[str, list[GroupWrite], list[tuple[str, str, str]]]] = [
    # (id, group writes, expected steps as (group, mode, entries))
    ("append-only", [GroupWrite("g", ("a",), incoming=("b",))], [("g", "Append", "b")]),
    (
        "room-first",
        [GroupWrite("g", ("a", "b"), incoming=("c",), early=("b",))],
        [("g", "Delete", "b"), ("g", "Append", "c")],
    ),
    (
        "turnover-keeps-one-until-the-new-are-in",
        [GroupWrite("g", ("a", "b"), incoming=("c", "d"), early=("a", "b"))],
        [("g", "Delete", "a"), ("g", "Append", "cd"), ("g", "Delete", "b")],
    ),
    (
        "emptied-group-gets-the-placeholder-before-its-last-entry-goes",
        [GroupWrite("g", ("a", "b"), incoming=(PH,), early=("a", "b"))],
        [("g", "Delete", "a"), ("g", "Append", PH), ("g", "Delete", "b")],
    ),
    (
        "placeholder-goes-after-the-first-real-entry-arrives",
        [GroupWrite("g", (PH,), incoming=("a",), early=(PH,))],
        [("g", "Append", "a"), ("g", "Delete", PH)],
    ),
    (
        "move-adds-to-the-new-home-before-deleting-the-old-copy",
        [
            GroupWrite("g", ("a",), incoming=("c",)),
            GroupWrite("g_3", ("b", "c"), late=("c",)),
        ],
        [("g", "Append", "c"), ("g_3", "Delete", "c")],
    ),
    (
        "a-drained-group-gets-the-placeholder-then-loses-its-last-entry",
        [
            GroupWrite("g", ("a",), incoming=("b", "c")),
            GroupWrite("g_3", ("b", "c"), incoming=(PH,), late=("b", "c")),
        ],
        [
            ("g", "Append", "bc"),
            ("g_3", "Delete", "b"),
            ("g_3", "Append", PH),
            ("g_3", "Delete", "c"),
        ],
    ),
    (
        "a-full-group-replaced-whole-lets-its-last-entry-go-between-the-additions",
        [
            GroupWrite(
                "g", ("a", "b", "c"), incoming=("x", "y", "z"), early=("a", "b", "c"), capacity=3
            )
        ],
        [("g", "Delete", "ab"), ("g", "Append", "xy"), ("g", "Delete", "c"), ("g", "Append", "z")],
    ),
    (
        "a-placeholder-at-capacity-leaves-after-what-fits-beside-it",
        [GroupWrite("g", (PH,), incoming=("x", "y", "z"), early=(PH,), capacity=3)],
        [("g", "Append", "xy"), ("g", "Delete", PH), ("g", "Append", "z")],
    ),
    (
        "a-group-with-no-place-beside-its-last-entry-swaps-it-in-one-cover",
        [GroupWrite("g", ("a",), incoming=("x",), early=("a",), capacity=1)],
        [("g", "Cover", "x")],
    ),
    (
        "every-group-makes-room-before-any-group-is-added-to",
        [
            GroupWrite("g", ("a", "b"), incoming=("x",), early=("b",)),
            GroupWrite("g_2", ("c", "d"), incoming=("y",), early=("d",)),
        ],
        [
            ("g", "Delete", "b"),
            ("g_2", "Delete", "d"),
            ("g", "Append", "x"),
            ("g_2", "Append", "y"),
        ],
    ),
]


@pytest.mark.parametrize(
    ("writes", "expected"), [c[1:] for c in STEP_CASES], ids=[c[0] for c in STEP_CASES]
)
def test_write_steps(writes: list[GroupWrite], expected: list[tuple[str, str, str]]) -> None:
    steps = write_steps(writes)
    as_tuples = [
        (s.group, s.mode, "".join(s.entries) if PH not in s.entries else PH) for s in steps
    ]
    assert as_tuples == expected
    assert all(isinstance(s, Step) for s in steps)


def simulate(current: Layout, steps: Sequence[Step]) -> list[dict[str, set[str]]]:
    """Every owned group's content after each step, refusing what the cloud refuses."""
    state = {g: set(h) for g, h in zip(current.groups, current.held, strict=True)}
    seen = [{g: set(e) for g, e in state.items()}]
    for step in steps:
        group = state[step.group]
        if step.mode == "Append":
            assert not group & set(step.entries), f"duplicate append {step}"
            group |= set(step.entries)
            assert len(group) <= current.capacity, f"over capacity after {step}"
        elif step.mode == "Cover":
            assert group == set(step.replaces), f"a cover of more than it replaces {step}"
            group.clear()
            group |= set(step.entries)
            assert 0 < len(group) <= current.capacity, f"bad cover {step}"
        else:
            assert set(step.entries) <= group, f"delete of an absent entry {step}"
            group -= set(step.entries)
            assert group, f"{step.group} emptied by {step}"
        seen.append({g: set(e) for g, e in state.items()})
    return seen


@pytest.mark.parametrize(
    ("current", "wanted"), [c[1:3] for c in PLACE_CASES], ids=[c[0] for c in PLACE_CASES]
)
def test_every_table_row_applies_within_the_rules(current: Layout, wanted: str) -> None:
    """Each row's writes never overflow or empty a group, never leave a held wanted entry
    in no group, and end with every wanted entry in exactly one group (room allowing)."""
    placement = place(current, list(wanted))
    states = simulate(current, write_steps(placement_writes(current, placement)))
    held_wanted = {e for h in current.held for e in h} & set(wanted)
    for state in states:
        assert held_wanted <= set().union(*state.values())
    final = states[-1]
    for entry in set(wanted) - set(placement.unplaced):
        assert sum(entry in content for content in final.values()) == 1, entry
    assert not set(placement.unplaced) & set().union(*final.values())


def test_group_writes_collects_pairs_per_group() -> None:
    writes = group_writes(layout("ab"), [("c", "g_2")], [("a", "g")])
    assert writes[0] == GroupWrite("g", ("a", "b"), early=("a",), capacity=3)
    assert writes[1] == GroupWrite("g_2", (), incoming=("c",), capacity=3)
    assert writes[2] == GroupWrite("g_3", (), capacity=3)
