"""Operators are told: each alert condition, run on localcloud, logs the summary line the
alert's query matches (and a clean run logs one it does not), and every field an alert, the
dashboard, a saved search or a docs query names is one the function really logs and the
template indexes. Queries are read from template.yml and docs/operations.md (sls_query),
never copied here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sls_query import ROOT, alert_queries, every_query, fields, matches, resources, template
from whitelist_testkit import (
    R_ORDERS,
    REGION,
    WEB1_IP,
    WEB2,
    WEB2_IP,
    base_config,
    base_seed,
    entries_of,
    eventbridge_state_change,
    fc_context,
    timer_event,
)

from localcloud.builders import make_group
from whitelist_core.errors import TransientCloudError

STALE = ("10.0.1.98", "10.0.1.99")
Lines = list[dict[str, Any]]


@pytest.fixture
def seed() -> dict[str, Any]:
    """ecs_orders holds both orders hosts and two stale entries (a removal limit's case)."""
    data = base_seed()
    for redis in data["kvstore"]["cn-hangzhou"]:
        for group in redis["SecurityIpGroups"]:
            if redis["InstanceId"] == R_ORDERS and group["SecurityIpGroupName"] == "ecs_orders":
                group["SecurityIpList"] = ",".join([WEB1_IP, *STALE])
    return data


@pytest.fixture
def run(
    cloud: Any, write_config: Any, invoke: Any, capfd: pytest.CaptureFixture[str]
) -> Callable[..., tuple[Any, Lines]]:
    """Run the handler on an event with a configuration; the result (or the exception it
    raised) and every JSON line it printed."""

    def go(event: Any, config: dict[str, Any] | None = None, **overrides: Any) -> tuple[Any, Lines]:
        write_config(config or base_config(**overrides))
        capfd.readouterr()
        try:
            result: Any = invoke(event, fc_context("req-told"))
        except TransientCloudError as exc:
            result = exc
        lines = [json.loads(line) for line in capfd.readouterr().out.splitlines()]
        return result, lines

    return go


def summary(lines: Lines) -> dict[str, Any]:
    (line,) = [line for line in lines if line["event"] == "invocation_summary"]
    return line


# -- the scenarios: each an alert condition, as the function logs it -------------------


def held_back(run: Callable[..., tuple[Any, Lines]]) -> tuple[Any, Lines]:
    return run(timer_event(), policy={"max_removals": 1})


def failed(run: Callable[..., tuple[Any, Lines]], cloud: Any) -> tuple[Any, Lines]:
    cloud.add_fault(action="ModifySecurityIps", status=503, code="ServiceUnavailable", count=99)
    return run(eventbridge_state_change(WEB2, "Running"))


def denied(run: Callable[..., tuple[Any, Lines]], cloud: Any) -> tuple[Any, Lines]:
    cloud.add_fault(action="DescribeSecurityIps", status=403, code="Forbidden.RAM", count=99)
    return run(timer_event())


def full(run: Callable[..., tuple[Any, Lines]]) -> tuple[Any, Lines]:
    """orders-cache holds 12 entries once applied: past a 1 % warning (10 of 1000)."""
    config = base_config(policy={"capacity_warn_percent": 1})
    config["targets"][0]["static_entries"] = [f"10.9.0.{i}" for i in range(1, 11)]
    return run(timer_event(), config)


def hook_left(run: Callable[..., tuple[Any, Lines]], function_env: Any) -> tuple[Any, Lines]:
    function_env.setenv("WHITELIST_DRY_RUN", "1")
    return run(_hook([WEB2]))


def _hook(instance_ids: list[str]) -> dict[str, Any]:
    return {
        "id": "ash-told-tok",
        "source": "acs.ess",
        "specversion": "1.0",
        "type": "ess:LifecycleHook:ScaleOut",
        "subject": "acs:ess:cn-hangzhou:1234567890123456:scalinggroup/asg-bp1example0000001",
        "aliyunregionid": "cn-hangzhou",
        "data": {
            "lifecycleHookId": "ash-told",
            "lifecycleActionToken": "tok-told",
            "scalingGroupId": "asg-bp1example0000001",
            "instanceIds": instance_ids,
        },
    }


def audited(run: Callable[..., tuple[Any, Lines]], cloud: Any) -> tuple[Any, Lines]:
    """Someone added a public address by hand to a group the function does not own."""
    (orders,) = [r for r in cloud.state()["kvstore"][REGION] if r["InstanceId"] == R_ORDERS]
    orders["SecurityIpGroups"].append(make_group("ops_by_hand", ["47.96.0.10"]))
    cloud.put_redis_instances(REGION, [orders])
    return run(timer_event())


def clean(run: Callable[..., tuple[Any, Lines]]) -> tuple[Any, Lines]:
    """A timer run with nothing to tell (stale entries may go: no limit is passed)."""
    return run(timer_event())


# -- one test per alert ---------------------------------------------------------------------


def test_held_back_removals_are_a_warning_the_held_back_alert_matches(run: Any, cloud: Any) -> None:
    result, lines = held_back(run)
    line = summary(lines)
    # Other targets changed, so the run is "applied": attention says it is not clean.
    assert (result["status"], result["attention"]) == ("applied", ["held_back", "blocked"])
    orders = next(t for t in result["targets"] if t["target"] == "orders-cache")
    assert (orders["added"], len(orders["held_back"])) == ([WEB2_IP], 2)
    assert (line["level"], line["held_back"], line["held_back_targets"]) == (
        "warning", 2, "orders-cache",
    )  # fmt: skip
    assert (line["blocked"], line["attention"]) == (1, "held_back,blocked")
    assert matches(alert_queries()["HeldBackAlert"], line)
    assert entries_of(cloud.state(), R_ORDERS, "ecs_orders") == {WEB1_IP, WEB2_IP, *STALE}
    _, lines = clean(run)
    assert not matches(alert_queries()["HeldBackAlert"], summary(lines))


def test_a_failed_invocation_is_an_error_line_the_failure_alert_matches(
    run: Any, cloud: Any
) -> None:
    raised, lines = failed(run, cloud)
    assert type(raised).__name__ == "IncompleteRun"
    line = summary(lines)
    assert (line["level"], line["error"]) == ("error", "IncompleteRun")
    assert "orders-cache" in line["error_targets"].split(",")
    assert line["error_codes"] == "ServiceUnavailable"
    assert matches(alert_queries()["FailureAlert"], line)
    cloud.clear_faults()
    _, lines = clean(run)
    assert not matches(alert_queries()["FailureAlert"], summary(lines))


def test_a_permanent_refusal_is_an_error_line_the_failure_alert_matches(
    run: Any, cloud: Any
) -> None:
    result, lines = denied(run, cloud)
    line = summary(lines)
    assert result["status"] == "error"
    assert (line["level"], line["errors"], line["error_codes"]) == ("error", 3, "Forbidden.RAM")
    assert matches(alert_queries()["FailureAlert"], line)


def test_a_group_past_the_warning_is_counted_with_its_fill_and_drawn(run: Any) -> None:
    result, lines = full(run)
    line = summary(lines)
    assert (line["level"], line["capacity_warnings"], line["capacity_targets"]) == (
        "warning", 1, "orders-cache",
    )  # fmt: skip
    assert line["fill_max_percent"] == 1
    assert result["attention"] == []  # nearly full is told, it does not stop convergence
    assert matches(alert_queries()["CapacityAlert"], line)
    drawn = {c["target"]: c for c in lines if c["event"] == "whitelist_capacity"}
    assert set(drawn) == {"orders-cache", "billing-cache", "sessions-cache"}
    orders = drawn["orders-cache"]
    assert (orders["entries"], orders["limit"], orders["room"]) == (12, 1000, 988)
    assert (orders["fill_percent"], orders["shared"]) == (1, 0)
    assert orders["groups"] == [{"group": "ecs_orders", "entries": 12}]
    _, lines = clean(run)
    assert not matches(alert_queries()["CapacityAlert"], summary(lines))


def test_an_unanswered_hook_is_counted_the_hook_alert_matches(run: Any, function_env: Any) -> None:
    result, lines = hook_left(run, function_env)
    line = summary(lines)
    assert result["lifecycle"]["result"] is None
    assert (line["level"], line["hooks_unanswered"], line["hook_ids"]) == (
        "warning", 1, "ash-told",
    )  # fmt: skip
    assert matches(alert_queries()["HookAlert"], line)


def test_an_unanswered_hook_after_a_failed_write_is_on_the_error_line(run: Any, cloud: Any) -> None:
    cloud.add_fault(action="ModifySecurityIps", status=400, code="InvalidParameter", count=99)
    raised, lines = run(_hook([WEB2]))
    assert isinstance(raised, TransientCloudError)
    line = summary(lines)
    assert (line["level"], line["hooks_unanswered"], line["hook_ids"]) == (
        "error", 1, "ash-told",
    )  # fmt: skip
    assert matches(alert_queries()["HookAlert"], line)
    assert matches(alert_queries()["FailureAlert"], line)


def test_the_silence_alert_counts_timer_runs_only(run: Any) -> None:
    _, lines = clean(run)
    assert matches(alert_queries()["SilenceAlert"], summary(lines))
    _, lines = run(eventbridge_state_change(WEB2, "Running"))
    assert not matches(alert_queries()["SilenceAlert"], summary(lines))


def test_a_public_entry_in_a_foreign_group_is_a_finding_the_audit_alert_matches(
    run: Any, cloud: Any
) -> None:
    _, lines = clean(run)
    line = summary(lines)
    assert all(line[f"findings_{s}"] == 0 for s in ("critical", "high", "medium", "low", "info"))
    assert not matches(alert_queries()["AuditAlert"], line)
    _, lines = audited(run, cloud)
    line = summary(lines)
    assert (line["level"], line["findings_high"], line["findings_targets"]) == (
        "warning", 1, "orders-cache",
    )  # fmt: skip
    assert matches(alert_queries()["AuditAlert"], line)


def test_a_clean_run_is_an_info_line_no_alert_matches_but_silence(run: Any) -> None:
    result, lines = clean(run)
    line = summary(lines)
    assert (result["attention"], line["level"], line["attention"]) == ([], "info", "")
    fired = {name for name, query in alert_queries().items() if matches(query, line)}
    assert fired == {"SilenceAlert"}


# -- every field a query names is logged and indexed ----------------------------------------


def test_every_field_a_query_names_is_logged_by_the_scenarios(
    run: Any, cloud: Any, function_env: Any
) -> None:
    logged: set[str] = set()
    for scenario in (
        lambda: failed(run, cloud),
        lambda: held_back(run),
        lambda: full(run),
        lambda: denied(run, cloud),
        lambda: hook_left(run, function_env),
        lambda: audited(run, cloud),
    ):
        cloud.clear_faults()
        _, lines = scenario()
        logged |= {key for line in lines for key in line}
    missing = {
        where: sorted(fields(query) - logged)
        for where, query in every_query().items()
        if fields(query) - logged
    }
    assert missing == {}
    assert {"HeldBackAlert", "FailureAlert", "CapacityAlert"} <= set(alert_queries())


def test_every_field_a_query_names_is_a_json_key_of_the_index() -> None:
    (index,) = resources("ALIYUN::SLS::Index").values()
    (message,) = index["Properties"]["KeyIndices"]
    assert (message["Name"], message["Type"], message["EnableAnalytics"]) == (
        "message", "json", True,
    )  # fmt: skip
    keys = {k["Name"]: k for k in message["JsonKeyIndices"]}
    assert all(k["EnableAnalytics"] for k in keys.values())
    named = {f for query in every_query().values() for f in fields(query)}
    assert named - set(keys) == set()
    # a field compared as a number is indexed as one
    compared = {
        f for query in every_query().values() for f in fields(query) if f"message.{f} >" in query
    }
    assert compared
    assert all(keys[f]["Type"] == "long" for f in compared)


def test_the_docs_name_each_alert_with_its_query() -> None:
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    for name, alert in resources("ALIYUN::SLS::Alert").items():
        assert f"`{alert['Properties']['Detail']['Name']}`" in text
        assert alert_queries()[name].split("|")[0].strip() in text


def _references(node: Any) -> set[str]:
    """Every resource or parameter a template node refers to (Ref, Fn::GetAtt, DependsOn)."""
    if isinstance(node, list):
        return set().union(*(_references(item) for item in node)) if node else set()
    if not isinstance(node, dict):
        return set()
    found = {str(node["Ref"])} if "Ref" in node else set()
    if "Fn::GetAtt" in node:
        found.add(str(node["Fn::GetAtt"][0]))
    return found.union(*(_references(value) for value in node.values()))


def test_the_alerts_dashboard_and_searches_need_only_the_logstore() -> None:
    # So a stack that leaves the function out (Serverless Devs deploys it) still has them.
    telling = {
        **resources("ALIYUN::SLS::Alert"),
        **resources("ALIYUN::SLS::Dashboard"),
        **resources("ALIYUN::SLS::Savedsearch"),
        **resources("ALIYUN::SLS::Index"),
    }
    assert len(telling) >= 6 + 1 + 1 + 1
    allowed = {"LogProject", "LogStore", "LogIndex", "Dashboard"}
    allowed |= {"ALIYUN::NoValue", "ALIYUN::Region"}  # pseudo parameters, not resources
    allowed |= set(template()["Parameters"])
    for name, resource in telling.items():
        assert "Condition" not in resource, name
        used = _references(resource.get("Properties")) | set(resource.get("DependsOn", []))
        assert used <= allowed, f"{name} depends on {sorted(used - allowed)}"
