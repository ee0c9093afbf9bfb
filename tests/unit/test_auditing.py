"""Judging what a run read (``service.auditing``): the groups of the target's instance,
what the configuration owns and selects there, and stale only where the database's own
account is the one whose hosts were listed. Plain values, no cloud."""

from __future__ import annotations

from typing import Any

from whitelist_core.config import validate_config
from whitelist_core.core.planner import TargetPlan
from whitelist_core.core.selection import InstanceIndex
from whitelist_core.outcome import TargetResult
from whitelist_core.ports import Group, Instance
from whitelist_core.service.auditing import audited

DATA = "acs:ram::2222222222222222:role/whitelist-sync-member"
HOSTS = InstanceIndex([Instance("i-web1", "cn-hangzhou", private_ips=("10.0.1.11",))])
GROUPS = [
    Group("ecs_orders", "", ("10.0.1.11",)),
    Group("default", "", ("10.0.1.11", "10.0.7.7", "10.8.0.1")),
]


def config(**target: Any) -> Any:
    return validate_config({
        "version": 1, "region": "cn-hangzhou", "accounts": {"data": {"role_arn": DATA}},
        "targets": [{"name": "orders", "instance_id": "r-bp1orders000001", "group": "ecs_orders",
                     "selector": {"tags": {"app": "orders"}}, "static_entries": ["10.8.0.1"],
                     **target}],
        "audit": {"min_severity": "info"},
    })  # fmt: skip


def kinds(conf: Any, whole: InstanceIndex | None) -> set[tuple[str, str, str]]:
    target = conf.targets[0]
    blank = TargetResult(
        TargetPlan("orders", "cn-hangzhou", target.instance_id, "ecs_orders", ""), "noop"
    )
    done = audited(conf, blank, target, GROUPS, whole)
    return {(f.group, f.entry, f.kind) for f in done.findings.findings}


def test_in_one_account_an_ip_nobody_holds_is_stale_and_a_static_entry_is_not() -> None:
    assert kinds(config(), HOSTS) == {
        ("default", "10.0.1.11", "duplicate"),
        ("default", "10.0.7.7", "stale"),
    }


def test_a_database_whose_hosts_are_listed_in_another_account_is_never_judged_stale() -> None:
    cross = config(selector={"tags": {"app": "orders"}, "account": "data"})  # hosts in "data"
    assert cross.hosts_account_of(cross.targets[0]) != cross.account_of(cross.targets[0])
    assert kinds(cross, HOSTS) == {("default", "10.0.1.11", "duplicate")}
    together = config(account="data")  # database and hosts both in "data"
    assert ("default", "10.0.7.7", "stale") in kinds(together, HOSTS)


def test_groups_that_could_not_be_read_leave_the_result_as_it_was() -> None:
    conf = config()
    target = conf.targets[0]
    blank = TargetResult(
        TargetPlan("orders", "cn-hangzhou", target.instance_id, "ecs_orders", ""), "noop"
    )
    assert audited(conf, blank, target, None, HOSTS) is blank
