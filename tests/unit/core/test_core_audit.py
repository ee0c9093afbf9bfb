"""Audit rules: each kind and severity in a table, every threshold at its inclusive
boundary, and what is left out on purpose (placeholder, service groups, accepted)."""

from __future__ import annotations

import pytest

from whitelist_core.core.audit import (
    PUBLIC_CRITICAL_PREFIX,
    WORLD_OPEN_PREFIX,
    AuditRules,
    Subject,
    audit_instance,
)
from whitelist_core.core.findings import AuditReport, combine_reports
from whitelist_core.ports import Group

OURS = "ecs_orders"


def subject(*groups: Group, selected: frozenset[str] = frozenset()) -> Subject:
    return Subject("redis", "cn-hangzhou", "r-demoorders01", groups, frozenset({OURS}), selected)


def kinds(report: AuditReport) -> list[tuple[str, str, str, str]]:
    return [(f.group, f.entry, f.kind, f.severity) for f in report.findings]


def one_foreign(
    entry: str, held: frozenset[str] | None = None, **rules: object
) -> list[tuple[str, str]]:
    report = audit_instance(subject(Group("default", "", (entry,))), AuditRules(**rules), held)  # type: ignore[arg-type]
    return [(f.kind, f.severity) for f in report.findings]


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("0.0.0.0/0", [("world_open", "critical")]),
        ("0.0.0.0/1", [("world_open", "critical")]),  # WORLD_OPEN_PREFIX, inclusive
        ("128.0.0.0/1", [("world_open", "critical")]),
        ("64.0.0.0/2", [("public", "critical")]),  # one narrower: a wide public block
        ("8.0.0.0/8", [("public", "critical")]),  # PUBLIC_CRITICAL_PREFIX, inclusive
        ("8.0.0.0/9", [("public", "high")]),  # one narrower
        ("47.96.1.2", [("public", "high")]),
        ("10.0.0.0/7", [("public", "critical")]),  # reaches past 10/8 into public space
        ("172.0.0.0/11", [("public", "high")]),  # half of it is 172.16.0.0/12
        ("10.0.0.0/8", [("broad", "medium")]),
        ("10.0.0.0/15", [("broad", "medium")]),  # one wider than broad_prefix 16
        ("10.0.0.0/16", []),  # exactly broad_prefix: not a finding
        ("192.168.1.0/24", []),
        ("100.64.0.0/10", [("broad", "medium")]),
        ("10.0.0.5", []),  # no listing: never stale
    ],
)
def test_each_entry_gets_its_kind_and_severity(entry: str, expected: list[tuple[str, str]]) -> None:
    assert one_foreign(entry) == expected


def test_the_thresholds_are_the_documented_ones() -> None:
    assert (WORLD_OPEN_PREFIX, PUBLIC_CRITICAL_PREFIX) == (1, 8)


@pytest.mark.parametrize(
    ("broad_prefix", "entry", "expected"),
    [
        (24, "10.1.2.0/24", []),
        (24, "10.1.2.0/23", [("broad", "medium")]),
        (8, "10.0.0.0/8", []),
        (32, "10.1.2.0/31", [("broad", "medium")]),
        (32, "10.1.2.3", []),
    ],
)
def test_broad_prefix_is_an_inclusive_limit(
    broad_prefix: int, entry: str, expected: list[tuple[str, str]]
) -> None:
    assert one_foreign(entry, broad_prefix=broad_prefix) == expected


@pytest.mark.parametrize(
    ("entry", "held", "expected"),
    [
        ("10.0.0.5", frozenset({"10.0.0.6"}), [("stale", "low")]),
        ("10.0.0.5", frozenset({"10.0.0.5"}), []),
        ("10.0.0.5", frozenset(), [("stale", "low")]),  # an empty region, listed whole
        ("10.0.0.0/30", frozenset(), []),  # a block is never stale
        ("47.96.1.2", frozenset(), [("public", "high")]),  # a public address is never stale
        ("10.0.0.5", None, []),  # no complete listing: never stale
    ],
)
def test_stale_needs_a_private_address_nobody_holds_in_a_complete_listing(
    entry: str, held: frozenset[str] | None, expected: list[tuple[str, str]]
) -> None:
    assert one_foreign(entry, held) == expected


def test_an_owned_group_is_never_stale_but_its_copy_elsewhere_is_a_duplicate() -> None:
    groups = (Group(OURS, "", ("10.0.0.5", "10.0.0.6")), Group("default", "", ("10.0.0.5",)))
    report = audit_instance(subject(*groups), AuditRules(), frozenset())
    assert kinds(report) == [
        ("default", "10.0.0.5", "stale", "low"),
        ("default", "10.0.0.5", "duplicate", "info"),
    ]


def test_a_selected_entry_is_never_stale_anywhere() -> None:
    groups = (Group(OURS, "", ("10.8.0.1",)), Group("default", "", ("10.8.0.1",)))
    report = audit_instance(
        subject(*groups, selected=frozenset({"10.8.0.1"})), AuditRules(), frozenset()
    )
    assert kinds(report) == [("default", "10.8.0.1", "duplicate", "info")]


def test_risky_entries_of_owned_groups_are_findings_too() -> None:
    report = audit_instance(subject(Group(OURS, "", ("47.96.1.2",))), AuditRules(), frozenset())
    assert kinds(report) == [(OURS, "47.96.1.2", "public", "high")]


def test_placeholder_service_groups_and_hidden_groups_are_counted_not_reported() -> None:
    groups = (
        Group("default", "", ("127.0.0.1",)),
        Group("ali_dms_group", "", ("47.1.1.1", "47.1.1.2")),
        Group("hdm_security_ips", "", ("0.0.0.0/0",)),
        Group("whatever", "hidden", ("8.8.8.8",)),
    )
    report = audit_instance(subject(*groups), AuditRules(), frozenset())
    assert report.findings == ()
    assert dict(report.excluded) == {"placeholder": 1, "service_group": 4, "accepted": 0}


def test_an_accepted_entry_is_counted_only_on_its_instance_and_group() -> None:
    groups = (Group("default", "", ("10.16.0.0/12",)), Group("vpn", "", ("10.16.0.0/12",)))
    accept = frozenset({("r-demoorders01", "default", "10.16.0.0/12")})
    report = audit_instance(subject(*groups), AuditRules(accept=accept), None)
    assert kinds(report) == [("vpn", "10.16.0.0/12", "broad", "medium")]
    assert dict(report.excluded)["accepted"] == 1


def test_each_finding_says_why_and_what_to_do() -> None:
    report = audit_instance(subject(Group("default", "", ("0.0.0.0/0",))), AuditRules())
    (finding,) = report.findings
    assert "every address" in finding.reason
    assert finding.action.startswith("remove 0.0.0.0/0 from group 'default'")
    assert finding.fields()["instance_id"] == "r-demoorders01"


def test_reports_combine_each_finding_once_gravest_first() -> None:
    a = audit_instance(subject(Group("default", "", ("10.0.0.0/8", "0.0.0.0/0"))), AuditRules())
    b = audit_instance(subject(Group("default", "", ("0.0.0.0/0", "127.0.0.1"))), AuditRules())
    both = combine_reports([a, b])
    assert [f.kind for f in both.findings] == ["world_open", "broad"]
    assert both.counts() == {"critical": 1, "high": 0, "medium": 1, "low": 0, "info": 0}
    assert dict(both.excluded)["placeholder"] == 1


@pytest.mark.parametrize(
    ("floor", "kept"),
    [("critical", 1), ("high", 2), ("medium", 3), ("low", 4), ("info", 5)],
)
def test_min_severity_keeps_that_severity_and_graver(floor: str, kept: int) -> None:
    groups = (
        Group(OURS, "", ("10.0.0.9",)),
        Group("default", "", ("0.0.0.0/0", "47.1.1.1", "10.0.0.0/8", "10.0.0.5", "10.0.0.9")),
    )
    report = audit_instance(subject(*groups), AuditRules(), frozenset({"10.0.0.9"}))
    assert len(report.at_least(floor).findings) == kept  # type: ignore[arg-type]


def test_a_hidden_group_the_function_owns_is_audited_not_left_out() -> None:
    groups = (Group(OURS, "hidden", ("47.96.1.2", "10.0.0.5")), Group("default", "", ("10.0.0.5",)))
    report = audit_instance(subject(*groups), AuditRules(), frozenset())
    assert kinds(report) == [
        (OURS, "47.96.1.2", "public", "high"),
        ("default", "10.0.0.5", "stale", "low"),
        ("default", "10.0.0.5", "duplicate", "info"),
    ]
    assert dict(report.excluded)["service_group"] == 0
