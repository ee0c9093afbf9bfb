"""Audit properties: no rule calls an entry the function owns and selects ``stale``, and
``stale`` never comes from an incomplete listing, whatever the groups hold."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from whitelist_core.core.audit import SERVICE_GROUPS, AuditRules, Subject, audit_instance
from whitelist_core.ports import Group

ADDRESSES = st.builds(
    lambda a, b, c: f"10.{a}.{b}.{c}", st.integers(0, 3), st.integers(0, 3), st.integers(1, 9)
)
BLOCKS = st.sampled_from(["0.0.0.0/0", "10.0.0.0/8", "47.96.0.0/16", "192.168.0.0/24", "127.0.0.1"])
ENTRIES = st.lists(st.one_of(ADDRESSES, BLOCKS), max_size=12, unique=True)
NAMES = st.sampled_from(["ecs_orders", "ecs_orders_2", "default", "vpn", "ali_dms_group"])
GROUPS = st.lists(
    st.builds(Group, NAMES, st.sampled_from(["", "hidden"]), ENTRIES.map(tuple)),
    max_size=5,
    unique_by=lambda g: g.name,
)
HELD = st.frozensets(ADDRESSES, max_size=20)
OWNED = st.frozensets(st.sampled_from(["ecs_orders", "ecs_orders_2", "vpn"]))
"""Groups a target may own (never ``default`` or a service group: the configuration refuses)."""


def subject(groups: list[Group], owned: frozenset[str], selected: frozenset[str]) -> Subject:
    return Subject("redis", "cn-hangzhou", "r-demoorders01", tuple(groups), owned, selected)


@given(GROUPS, OWNED, st.frozensets(ADDRESSES), HELD, st.integers(0, 32))
def test_no_owned_and_selected_entry_is_ever_stale(
    groups: list[Group],
    owned: frozenset[str],
    selected: frozenset[str],
    held: frozenset[str],
    broad: int,
) -> None:
    report = audit_instance(subject(groups, owned, selected), AuditRules(broad), held)
    owned_entries = {e for g in groups if g.name in owned for e in g.entries}
    stale = {f.entry for f in report.findings if f.kind == "stale"}
    assert not stale & (owned_entries & selected)
    assert not stale & selected
    assert not stale & held


@given(GROUPS, OWNED, st.frozensets(ADDRESSES), st.integers(0, 32))
def test_stale_is_never_reported_without_a_complete_listing(
    groups: list[Group], owned: frozenset[str], selected: frozenset[str], broad: int
) -> None:
    report = audit_instance(subject(groups, owned, selected), AuditRules(broad), None)
    assert [f for f in report.findings if f.kind == "stale"] == []


@given(GROUPS, OWNED, HELD)
def test_every_entry_is_judged_or_counted_as_left_out(
    groups: list[Group], owned: frozenset[str], held: frozenset[str]
) -> None:
    report = audit_instance(subject(groups, owned, frozenset()), AuditRules(), held)
    found = {(f.group, f.entry) for f in report.findings}
    left_out = sum(count for _, count in report.excluded)
    assert len(found) + left_out <= sum(len(g.entries) for g in groups)
    service = [  # a target may own a hidden group: that one is judged
        g
        for g in groups
        if (g.attribute == "hidden" or g.name in SERVICE_GROUPS) and g.name not in owned
    ]
    judged = {(g.name, e) for g in groups if g not in service for e in g.entries}
    placeholders = {(name, e) for name, e in judged if e == "127.0.0.1"}
    assert found <= judged - placeholders  # findings only on entries held and not left out
    assert dict(report.excluded) == {  # and each entry left out is counted, once, by why
        "service_group": sum(len(g.entries) for g in service),
        "placeholder": len(placeholders),
        "accepted": 0,
    }
    assert all(f.entry != "127.0.0.1" for f in report.findings)
    assert all(f.group != "ali_dms_group" for f in report.findings)
