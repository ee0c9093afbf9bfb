"""Properties of placement over arbitrary owned groups: whatever the groups hold now
(duplicates, placeholders, draining groups, full groups), the writes never overflow or
empty a group, never leave a held wanted entry in no group, and end with every wanted
entry that had room in exactly one group."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from whitelist_core.core.entries import PLACEHOLDER
from whitelist_core.core.placement import Layout, owned_groups, place, placement_writes, write_steps

POOL = [f"10.0.0.{i}" for i in range(1, 15)]
CAPACITY = 4


@st.composite
def layouts(draw: st.DrawFn) -> Layout:
    count = draw(st.integers(1, 3))
    held = []
    for _ in range(count):
        entries = draw(st.lists(st.sampled_from(POOL), max_size=CAPACITY, unique=True))
        if not entries and draw(st.booleans()):
            entries = [PLACEHOLDER]
        held.append(tuple(entries))
    drain = draw(st.integers(0, count - 1))
    return Layout(owned_groups("g", count), tuple(held), drain=drain, capacity=CAPACITY)


@settings(max_examples=300, deadline=None)
@given(layouts(), st.lists(st.sampled_from(POOL), unique=True), st.booleans())
def test_writes_keep_every_rule(layout: Layout, wanted: list[str], remove_stale: bool) -> None:
    placement = place(layout, wanted, remove_stale=remove_stale)
    state = {g: set(h) for g, h in zip(layout.groups, layout.held, strict=True)}
    held = set().union(*state.values()) - {PLACEHOLDER}
    protected = held if not remove_stale else held & set(wanted)
    for step in write_steps(placement_writes(layout, placement)):
        group = state[step.group]
        if step.mode == "Append":
            assert not group & set(step.entries)
            group |= set(step.entries)
            assert len(group) <= CAPACITY
        else:
            assert set(step.entries) <= group
            group -= set(step.entries)
            assert group
        assert protected <= set().union(*state.values())
    final = set().union(*state.values())
    for entry in set(wanted) - set(placement.unplaced):
        copies = sum(entry in content for content in state.values())
        # An add-only run leaves an existing duplicate for the next full run to clean.
        assert copies == 1 if remove_stale else copies >= 1
    assert not set(placement.unplaced) & final
    if remove_stale:
        assert final - {PLACEHOLDER} == set(wanted) - set(placement.unplaced)
    for name, content in zip(layout.groups, layout.held, strict=True):
        if content:
            assert state[name]  # a group that existed still does, never empty
