"""Configuration: one case per rule, each naming its field path and the rule; loading."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from whitelist_core.config import Config, config_path, load_config, validate_config
from whitelist_core.errors import ConfigError, Problem

Data = dict[str, Any]


def valid() -> Data:
    """A small valid configuration; each case below breaks exactly one rule of it."""
    return {
        "version": 1,
        "region": "cn-hangzhou",
        "targets": [
            {
                "name": "orders-cache",
                "instance_id": "r-demoorders01",
                "group": "ecs_orders",
                "selector": {"vpc_id": "vpc-demo01", "tags": {"app": "orders"}},
            },
            {
                "name": "billing-cache",
                "instance_id": "r-demobilling1",
                "group": "ecs_billing",
                "selector": {"tags": {"app": "billing"}},
                "static_entries": ["10.8.0.0/24"],
            },
        ],
    }


def problems_of(data: Any) -> tuple[Problem, ...]:
    with pytest.raises(ConfigError) as caught:
        validate_config(data)
    return caught.value.problems


def with_change(change: Callable[[Data], None]) -> Data:
    data = copy.deepcopy(valid())
    change(data)
    return data


def t0(**fields: Any) -> Callable[[Data], None]:
    """Set (or, with None, delete) fields of the first target."""

    def change(data: Data) -> None:
        for key, value in fields.items():
            if value is None:
                del data["targets"][0][key]
            else:
                data["targets"][0][key] = value

    return change


def sel0(**fields: Any) -> Callable[[Data], None]:
    """Replace the first target's selector."""

    def change(data: Data) -> None:
        data["targets"][0]["selector"] = fields

    return change


def top(**fields: Any) -> Callable[[Data], None]:
    """Set (or, with None, delete) top-level keys."""

    def change(data: Data) -> None:
        for key, value in fields.items():
            if value is None:
                del data[key]
            else:
                data[key] = value

    return change


def second_target(**fields: Any) -> Callable[[Data], None]:
    def change(data: Data) -> None:
        data["targets"][1].update(fields)

    return change


ONE_RULE_EACH: list[tuple[str, Callable[[Data], None], str, str]] = [
    # (id, change, exact field path, part of the rule)
    ("unknown-top-key", top(polcy={}), "polcy", "unknown key"),
    ("unknown-target-key", t0(selecter={"vpc_id": "x"}), "targets[0].selecter", "unknown key"),
    (
        "unknown-selector-key",
        sel0(vpc_id="v", vpcid="v"),
        "targets[0].selector.vpcid",
        "unknown key",
    ),
    ("unknown-policy-key", top(policy={"allow_publc": True}), "policy.allow_publc", "unknown key"),
    ("unknown-webhook-key", top(webhook={"tolerance": 5}), "webhook.tolerance", "unknown key"),
    ("missing-version", top(version=None), "version", "required"),
    ("missing-region", top(region=None), "region", "required"),
    ("missing-targets", top(targets=None), "targets", "required"),
    ("no-targets", top(targets=[]), "targets", "at least one target is needed"),
    ("missing-target-name", t0(name=None), "targets[0].name", "required"),
    ("missing-instance-id", t0(instance_id=None), "targets[0].instance_id", "required"),
    ("missing-group", t0(group=None), "targets[0].group", "required"),
    ("missing-selector", t0(selector=None), "targets[0].selector", "required"),
    ("bad-version", top(version=2), "version", "Input should be 1"),
    ("bad-region", top(region="Hangzhou"), "region", "a region id is lowercase"),
    ("bad-target-region", t0(region="cn hangzhou"), "targets[0].region", "like cn-hangzhou"),
    (
        "bad-instance-id",
        t0(instance_id="R-BP1ABCDEF"),
        "targets[0].instance_id",
        "must be lowercase: did you mean 'r-bp1abcdef'?",
    ),
    ("bad-target-name", t0(name="orders cache!"), "targets[0].name", "a target name is"),
    ("bad-group-name", t0(group="Ecs-Orders"), "targets[0].group", "lowercase letters"),
    ("short-group-name", t0(group="e"), "targets[0].group", "2-32 characters"),
    ("reserved-group", t0(group="default"), "targets[0].group", "system group"),
    ("reserved-dms-group", t0(group="ali_dms_group"), "targets[0].group", "system group"),
    ("empty-selector", sel0(), "targets[0].selector", "at least one field"),
    (
        "all-null-selector",
        sel0(vpc_id=None, tags=None),
        "targets[0].selector",
        "at least one field",
    ),
    ("empty-vpc-id", sel0(vpc_id=""), "targets[0].selector.vpc_id", "at least 1 character"),
    (
        "empty-vswitch-list",
        sel0(vswitch_ids=[]),
        "targets[0].selector.vswitch_ids",
        "at least 1 item",
    ),
    (
        "empty-security-group-list",
        sel0(security_group_ids=[]),
        "targets[0].selector.security_group_ids",
        "at least 1 item",
    ),
    ("empty-tags", sel0(tags={}), "targets[0].selector.tags", "at least 1 item"),
    (
        "duplicate-vswitch-ids",
        sel0(vswitch_ids=["vsw-a", "vsw-b", "vsw-a"]),
        "targets[0].selector.vswitch_ids",
        "must not repeat",
    ),
    (
        "duplicate-security-group-ids",
        sel0(security_group_ids=["sg-a", "sg-a"]),
        "targets[0].selector.security_group_ids",
        "must not repeat",
    ),
    ("unknown-status", t0(statuses=["Running", "Deleted"]), "targets[0].statuses[1]", "'Running'"),
    ("empty-statuses", t0(statuses=[]), "targets[0].statuses", "at least 1 item"),
    ("bad-secondary-ips", t0(secondary_ips="sometimes"), "targets[0].secondary_ips", "boolean"),
    ("bad-hidden", t0(hidden="maybe"), "targets[0].hidden", "boolean"),
    ("bad-dry-run", top(dry_run="maybe"), "dry_run", "boolean"),
    (
        "static-not-an-address",
        t0(static_entries=["10.0.0.1", "orders-db"]),
        "targets[0].static_entries[1]",
        "not an IPv4 address",
    ),
    (
        "static-host-bits",
        t0(static_entries=["10.8.0.5/24"]),
        "targets[0].static_entries[0]",
        "host bits set",
    ),
    ("static-world", t0(static_entries=["0.0.0.0/0"]), "targets[0].static_entries", "allow_world"),
    (
        "static-public",
        t0(static_entries=["8.8.8.0/24"]),
        "targets[0].static_entries",
        "allow_public",
    ),
    (
        "static-wider-than-min-prefix",
        lambda d: (t0(static_entries=["10.16.0.0/12"])(d), top(policy={"min_prefix": 16})(d)),
        "targets[0].static_entries",
        "min_prefix",
    ),
    (
        "duplicate-target-names",
        second_target(name="orders-cache"),
        "targets[1].name",
        "duplicates targets[0].name",
    ),
    (
        "same-group-owned-twice",
        second_target(instance_id="r-demoorders01", group="ecs_orders"),
        "targets[1].group",
        "targets[0] (orders-cache) already owns group 'ecs_orders' on r-demoorders01",
    ),
    (
        "min-prefix-over-32",
        top(policy={"min_prefix": 33}),
        "policy.min_prefix",
        "less than or equal to 32",
    ),
    (
        "min-prefix-negative",
        top(policy={"min_prefix": -1}),
        "policy.min_prefix",
        "greater than or equal to 0",
    ),
    (
        "max-removals-negative",
        top(policy={"max_removals": -1}),
        "policy.max_removals",
        "greater than or equal to 0",
    ),
    (
        "max-removals-over-1000",
        top(policy={"max_removals": 1001}),
        "policy.max_removals",
        "less than or equal to 1000",
    ),
    (
        "removal-percent-over-100",
        top(policy={"max_removal_percent": 101}),
        "policy.max_removal_percent",
        "less than or equal to 100",
    ),
    (
        "removal-percent-negative",
        top(policy={"max_removal_percent": -1}),
        "policy.max_removal_percent",
        "greater than or equal to 0",
    ),
    (
        "capacity-warn-zero",
        top(policy={"capacity_warn_percent": 0}),
        "policy.capacity_warn_percent",
        "greater than or equal to 1",
    ),
    (
        "capacity-warn-over-100",
        top(policy={"capacity_warn_percent": 101}),
        "policy.capacity_warn_percent",
        "less than or equal to 100",
    ),
    (
        "allow-public-not-bool",
        top(policy={"allow_public": "yes please"}),
        "policy.allow_public",
        "boolean",
    ),
    (
        "webhook-tolerance-zero",
        top(webhook={"tolerance_seconds": 0}),
        "webhook.tolerance_seconds",
        "greater than or equal to 1",
    ),
    (
        "webhook-tolerance-over-an-hour",
        top(webhook={"tolerance_seconds": 3601}),
        "webhook.tolerance_seconds",
        "less than or equal to 3600",
    ),
]


@pytest.mark.parametrize(
    ("change", "path", "rule"),
    [case[1:] for case in ONE_RULE_EACH],
    ids=[case[0] for case in ONE_RULE_EACH],
)
def test_each_rule_is_reported_alone_with_its_path(
    change: Callable[[Data], None], path: str, rule: str
) -> None:
    problems = problems_of(with_change(change))
    assert [p.path for p in problems] == [path], problems
    assert rule in problems[0].rule


def test_the_base_configuration_is_valid() -> None:
    config = validate_config(valid())
    assert [t.name for t in config.targets] == ["orders-cache", "billing-cache"]


def test_defaults_are_the_documented_ones() -> None:
    config = validate_config(valid())
    policy = config.policy
    assert (policy.allow_public, policy.min_prefix, policy.allow_world) == (False, 8, False)
    assert (policy.max_removals, policy.max_removal_percent) == (50, 50)
    assert policy.capacity_warn_percent == 80
    assert config.webhook.tolerance_seconds == 300
    assert config.dry_run is False
    target = config.targets[0]
    assert target.statuses == ("Pending", "Starting", "Running", "Stopping", "Stopped")
    assert target.secondary_ips is False
    assert target.hidden is False
    assert target.attribute == ""
    assert target.static_entries == ()


@pytest.mark.parametrize(
    ("change", "check"),
    [
        (
            t0(static_entries=["0.0.0.0/0"]),
            None,
        ),
        (t0(static_entries=["8.8.8.8"]), None),
        (t0(static_entries=["10.0.0.0/8", "10.8.0.5/32"]), ("10.0.0.0/8", "10.8.0.5")),
        (second_target(instance_id="r-demoorders01"), None),
        (second_target(group="ecs_orders"), None),
        (t0(region="cn-shanghai"), None),
        (t0(hidden=True), None),
    ],
    ids=[
        "world-with-allow-world",
        "public-with-allow-public",
        "static-normalised-min-prefix-inclusive",
        "one-instance-two-groups",
        "one-group-name-on-two-instances",
        "target-region",
        "hidden-target",
    ],
)
def test_valid_variations(change: Callable[[Data], None], check: tuple[str, ...] | None) -> None:
    data = with_change(change)
    data["policy"] = {"allow_world": True, "allow_public": True}
    config = validate_config(data)
    if check is not None:
        assert config.targets[0].static_entries == check


def test_world_needs_allow_world_even_when_public_is_allowed() -> None:
    data = with_change(t0(static_entries=["0.0.0.0/0"]))
    data["policy"] = {"allow_public": True, "min_prefix": 0}
    (problem,) = problems_of(data)
    assert problem.path == "targets[0].static_entries"
    assert "allow_world" in problem.rule


def test_region_of_and_attribute() -> None:
    config = validate_config(with_change(t0(region="cn-shanghai", hidden=True)))
    orders, billing = config.targets
    assert config.region_of(orders) == "cn-shanghai"
    assert config.region_of(billing) == "cn-hangzhou"
    assert orders.attribute == "hidden"
    assert billing.attribute == ""
    assert config.target_named("billing-cache") is billing
    assert config.target_named("nope") is None


def test_several_problems_are_reported_together() -> None:
    data = valid()
    data["version"] = 3
    data["polcy"] = {}
    data["targets"][0]["group"] = "default"
    data["targets"][0]["selector"] = {"vswitch_ids": []}
    data["targets"][1]["static_entries"] = ["8.8.8.8"]
    data["policy"] = {"max_removals": -5}
    with pytest.raises(ConfigError) as caught:
        validate_config(data, source="whitelist.yml")
    error = caught.value
    paths = {p.path for p in error.problems}
    assert paths == {
        "version",
        "polcy",
        "targets[0].group",
        "targets[0].selector.vswitch_ids",
        "targets[1].static_entries",
        "policy.max_removals",
    }
    text = str(error)
    assert "whitelist.yml" in text
    assert "(6 problem(s))" in text
    assert "targets[0] (orders-cache).group: 'default' is a system group" in text


def test_static_entries_are_checked_against_the_configured_policy() -> None:
    data = with_change(t0(static_entries=["8.8.8.8", "0.0.0.0/0", "10.0.0.0/7"]))
    problems = problems_of(data)
    assert all(p.path == "targets[0].static_entries" for p in problems)
    rules = " | ".join(p.rule for p in problems)
    assert "8.8.8.8 is not a private address" in rules
    assert "0.0.0.0/0 opens the instance to every address" in rules
    assert "10.0.0.0/7 is wider than /8" in rules
    assert "10.0.0.0/7 is not a private address" in rules
    assert len(problems) == 4


@pytest.mark.parametrize(
    "document",
    [[1, 2], "just text", None, 42],
    ids=["list", "string", "null", "number"],
)
def test_a_non_mapping_document_is_refused(document: Any) -> None:
    (problem,) = problems_of(document)
    assert problem.path == ""
    assert "mapping" in problem.rule or "empty" in problem.rule


# -- loading files ---------------------------------------------------------------------------

YAML_TEXT = """\
version: 1
region: cn-hangzhou
targets:
  - name: orders-cache
    instance_id: r-demoorders01
    group: ecs_orders
    selector:
      vpc_id: vpc-demo01
      tags: {app: orders}
policy:
  max_removals: 10
"""


def test_load_yaml(tmp_path: Path) -> None:
    path = tmp_path / "whitelist.yml"
    path.write_text(YAML_TEXT, encoding="utf-8")
    config = load_config(path)
    assert isinstance(config, Config)
    assert config.targets[0].selector.tags == {"app": "orders"}
    assert config.policy.max_removals == 10


def test_load_json(tmp_path: Path) -> None:
    path = tmp_path / "whitelist.json"
    path.write_text(json.dumps(valid()), encoding="utf-8")
    config = load_config(str(path))
    assert config == validate_config(valid())


def test_load_reports_the_file_and_the_field(tmp_path: Path) -> None:
    path = tmp_path / "whitelist.yml"
    path.write_text(
        YAML_TEXT.replace("group: ecs_orders", "group: hdm_security_ips"), encoding="utf-8"
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.source == str(path)
    assert [p.path for p in caught.value.problems] == ["targets[0].group"]


@pytest.mark.parametrize(
    ("name", "text", "rule"),
    [
        ("list.yml", "- version: 1\n", "must be a mapping"),
        ("empty.yml", "", "the file is empty"),
        ("bad.yml", "version: [1\n", "not valid YAML"),
        ("bad.json", '{"version": 1,', "not valid JSON"),
        ("list.json", "[]", "must be a mapping"),
    ],
    ids=["yaml-list", "empty-yaml", "broken-yaml", "broken-json", "json-list"],
)
def test_load_refuses_bad_documents(tmp_path: Path, name: str, text: str, rule: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    (problem,) = caught.value.problems
    assert problem.path == ""
    assert rule in problem.rule


@pytest.mark.parametrize("kind", ["missing", "directory", "not-utf8"])
def test_load_refuses_an_unreadable_file(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "whitelist.yml"
    if kind == "directory":
        path.mkdir()
    elif kind == "not-utf8":
        path.write_bytes(b"version: 1\nregion: \xff\xfe\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    (problem,) = caught.value.problems
    assert "cannot read the file" in problem.rule
    assert caught.value.source == str(path)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "/srv/code/whitelist.yml"),
        ({"WHITELIST_CONFIG": ""}, "/srv/code/whitelist.yml"),
        ({"WHITELIST_CONFIG": "   "}, "/srv/code/whitelist.yml"),
        ({"WHITELIST_CONFIG": "conf/prod.yml"}, "/srv/code/conf/prod.yml"),
        ({"WHITELIST_CONFIG": "prod.json"}, "/srv/code/prod.json"),
        ({"WHITELIST_CONFIG": "/etc/whitelist/prod.yml"}, "/etc/whitelist/prod.yml"),
        ({"WHITELIST_CONFIG": " /etc/w.yml "}, "/etc/w.yml"),
    ],
    ids=["unset", "empty", "blank", "relative", "relative-json", "absolute", "absolute-padded"],
)
def test_config_path(environ: dict[str, str], expected: str) -> None:
    assert config_path(environ, Path("/srv/code")) == Path(expected)


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (sel0(vswitch_ids=[]), "targets[0].selector.vswitch_ids"),
        (sel0(tags={}), "targets[0].selector.tags"),
        (t0(statuses=[]), "targets[0].statuses"),
        (t0(group="default"), "targets[0].group"),
    ],
    ids=["empty-vswitch-list", "empty-tags", "empty-statuses", "reserved-group"],
)
def test_a_failing_only_target_does_not_also_report_targets_empty(
    change: Callable[[Data], None], path: str
) -> None:
    # The targets list is not empty: it holds one target, which is wrong for its own reason.
    data = with_change(change)
    del data["targets"][1]
    assert [p.path for p in problems_of(data)] == [path]
