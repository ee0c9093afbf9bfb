"""The audit in the runs that read groups: findings on foreign groups, one
``whitelist_finding`` line each in timer and webhook reconcile runs, only counts in event
runs, no call of its own and never a write outside the function's own group.

Judged by the result, the lines printed, and localcloud's state and call log.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from whitelist_testkit import (
    ORDERS_TARGET,
    R_ORDERS,
    R_SESSIONS,
    REGION,
    WEB1_IP,
    WEB2,
    WriteConfig,
    base_config,
    base_seed,
    eventbridge_state_change,
    fc_context,
    http_event,
    redis_instance,
    timer_event,
)

from localcloud.builders import make_group
from localcloud.mock import LocalCloud

STALE_IP = "10.0.1.99"  # no ECS instance holds it
SEEDED = {
    (R_ORDERS, "default", "10.0.0.0/8", "broad", "medium"),
    (R_ORDERS, "default", STALE_IP, "stale", "low"),
    (R_ORDERS, "default", WEB1_IP, "duplicate", "info"),
    (R_ORDERS, "console", "47.96.10.20", "public", "high"),
    (R_SESSIONS, "default", "0.0.0.0/0", "world_open", "critical"),
}
EVERY_SEVERITY = {"critical": 1, "high": 1, "medium": 1, "low": 1, "info": 1}


@pytest.fixture
def seed() -> dict[str, Any]:
    """The shared seed with risky entries in foreign groups of two instances."""
    data = base_seed()
    orders, sessions = data["kvstore"][REGION][0], data["kvstore"][REGION][2]
    orders["SecurityIpGroups"][0] = make_group("default", ["10.0.0.0/8", STALE_IP, WEB1_IP])
    orders["SecurityIpGroups"].append(make_group("console", ["47.96.10.20"]))
    sessions["SecurityIpGroups"] = [make_group("default", ["0.0.0.0/0"])]
    return data


def groups_of(cloud: LocalCloud, instance_id: str) -> dict[str, str]:
    instance = redis_instance(cloud.state(), instance_id)
    return {g["SecurityIpGroupName"]: g["SecurityIpList"] for g in instance["SecurityIpGroups"]}


def found(lines: list[dict[str, Any]]) -> set[tuple[str, ...]]:
    return {
        (x["instance_id"], x["group"], x["entry"], x["kind"], x["severity"])
        for x in lines
        if x.get("event") == "whitelist_finding"
    }


def run(
    invoke: Any, capfd: pytest.CaptureFixture[str], event: Any
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    capfd.readouterr()
    result = invoke(event, fc_context())
    lines = [json.loads(line) for line in capfd.readouterr().out.splitlines()]
    return result, lines


def config(**audit: Any) -> dict[str, Any]:
    return base_config(audit={"min_severity": "info", **audit})


def test_a_timer_run_reports_each_finding_once_in_a_line_and_in_the_counts(
    cloud: LocalCloud, write_config: WriteConfig, invoke: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    write_config(config())
    result, lines = run(invoke, capfd, timer_event())
    assert found(lines) == SEEDED
    assert len([x for x in lines if x.get("event") == "whitelist_finding"]) == len(SEEDED)
    assert result["findings"] == EVERY_SEVERITY
    summary = next(x for x in lines if x.get("event") == "invocation_summary")
    assert {s: summary[f"findings_{s}"] for s in EVERY_SEVERITY} == EVERY_SEVERITY
    assert summary["findings_targets"] == "orders-cache,sessions-cache"
    assert summary["level"] == "warning"
    line = next(x for x in lines if x.get("kind") == "world_open")
    assert line["level"] == "warning"
    assert "every address" in line["reason"]
    assert line["action"].startswith("remove 0.0.0.0/0")


def test_the_audit_makes_no_call_of_its_own(
    cloud: LocalCloud, write_config: WriteConfig, invoke: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    write_config(config(enabled=False))
    cloud.reset_calls()
    quiet, _ = run(invoke, capfd, timer_event({"dry_run": True}))
    without = cloud.calls()["counts"]
    write_config(config())
    cloud.reset_calls()
    audited, lines = run(invoke, capfd, timer_event({"dry_run": True}))
    assert cloud.calls()["counts"] == without
    assert without == {"DescribeInstances": 1, "DescribeSecurityIps": 3}
    assert quiet["findings"] == dict.fromkeys(EVERY_SEVERITY, 0)
    assert found(lines) == SEEDED
    assert audited["findings"] == EVERY_SEVERITY


def test_a_run_writes_only_its_own_group_whatever_it_finds(
    cloud: LocalCloud, write_config: WriteConfig, invoke: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    before = {i: groups_of(cloud, i) for i in (R_ORDERS, R_SESSIONS)}
    write_config(config())
    result, _ = run(invoke, capfd, timer_event())
    assert result["status"] == "applied"
    for instance_id, groups in before.items():
        after = groups_of(cloud, instance_id)
        changed = {name for name in groups if after.get(name) != groups[name]}
        assert changed <= {"ecs_orders", "ecs_web"}, changed
    assert groups_of(cloud, R_ORDERS)["default"] == f"10.0.0.0/8,{STALE_IP},{WEB1_IP}"


def test_a_webhook_reconcile_prints_the_findings_too(
    cloud: LocalCloud, write_config: WriteConfig, invoke: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    write_config(config())
    answer, lines = run(invoke, capfd, http_event("POST", "/reconcile", {"dry_run": True}))
    assert answer["statusCode"] == 200
    assert json.loads(answer["body"])["findings"] == EVERY_SEVERITY
    assert found(lines) == SEEDED


def test_an_event_run_only_counts_its_findings(
    cloud: LocalCloud, write_config: WriteConfig, invoke: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    write_config(config())
    result, lines = run(invoke, capfd, eventbridge_state_change(WEB2, "Running"))
    assert found(lines) == set()
    # WEB2 is in both targets that read orders and sessions; an add-only run looks up
    # its instances, not the region, so nothing is judged stale
    assert result["findings"] == EVERY_SEVERITY | {"low": 0}
    summary = next(x for x in lines if x.get("event") == "invocation_summary")
    assert summary["status"] == result["status"]
    counted = {s: summary[f"findings_{s}"] for s in EVERY_SEVERITY}
    assert counted == EVERY_SEVERITY | {"low": 0}  # counted for the alerts, never printed


def test_stale_is_not_judged_from_a_listing_filtered_by_vpc(
    cloud: LocalCloud, write_config: WriteConfig, invoke: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    write_config(base_config(targets=[ORDERS_TARGET], audit={"min_severity": "info"}))
    _, lines = run(invoke, capfd, timer_event({"dry_run": True}))
    assert {x[3] for x in found(lines)} == {"broad", "duplicate", "public"}


def test_min_severity_and_accepted_risks_narrow_what_is_reported(
    cloud: LocalCloud, write_config: WriteConfig, invoke: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    accept = [{"instance_id": R_ORDERS, "group": "console", "entry": "47.96.10.20",
               "reason": "partner gateway, approved by security 2026-11"}]  # fmt: skip
    write_config(config(min_severity="medium", accept=accept))
    result, lines = run(invoke, capfd, timer_event({"dry_run": True}))
    assert {x[3] for x in found(lines)} == {"world_open", "broad"}
    assert result["findings"] == {"critical": 1, "high": 0, "medium": 1, "low": 0, "info": 0}
