"""``audit`` on the command line against localcloud: the configured targets' instances,
or with ``--all-instances`` every instance of the four products the list APIs find;
findings of each kind, exit codes 0 / 2 / 1, table and JSON, and never a write."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from whitelist_testkit import (
    ORDERS_TARGET,
    R_SESSIONS,
    REGION,
    WEB1_IP,
    WriteConfig,
    base_config,
    base_seed,
)

from localcloud.builders import make_db_group, make_db_instance, make_group, make_redis_instance
from localcloud.mock import LocalCloud
from whitelist_core import logs
from whitelist_core.entrypoints.cli import main

OTHER_REGION = "cn-shanghai"
RDS, POLARDB = "rm-bp1audit000001", "pc-bp1audit000001"
MONGO_REPLICA, MONGO_SHARDED = "dds-bp1audit00001", "dds-bp1audit00002"
R_UNCONFIGURED, R_SHANGHAI = "r-bp1loose0000001", "r-uf6far00000001"


@pytest.fixture
def seed() -> dict[str, Any]:
    """Risky foreign entries on configured Redis instances, and one instance of each
    product that no target names, each with a finding of its own."""
    data = base_seed()
    orders, sessions = data["kvstore"][REGION][0], data["kvstore"][REGION][2]
    orders["SecurityIpGroups"][0] = make_group("default", ["10.0.0.0/8", "10.0.1.99", WEB1_IP])
    orders["SecurityIpGroups"].append(make_group("console", ["47.96.10.20"]))
    sessions["SecurityIpGroups"] = [make_group("default", ["0.0.0.0/0"])]
    data["kvstore"][REGION].append(
        make_redis_instance(R_UNCONFIGURED, [make_group("default", ["8.8.8.8"])])
    )
    data["kvstore"][OTHER_REGION] = [
        make_redis_instance(R_SHANGHAI, [make_group("default", ["1.0.0.0/8"])])
    ]
    data["rds"] = {REGION: [make_db_instance(
        "rds", RDS, [make_db_group("rds", "default", ["192.168.0.0/15"])])]}  # fmt: skip
    data["polardb"] = {REGION: [make_db_instance(
        "polardb", POLARDB, [make_db_group("polardb", "app", ["121.40.0.0/16"])])]}  # fmt: skip
    data["mongodb"] = {REGION: [
        make_db_instance("mongodb", MONGO_REPLICA, [make_db_group("mongodb", "default", ["10.3.3.3"])]),
        make_db_instance("mongodb", MONGO_SHARDED, [make_db_group("mongodb", "default", ["0.0.0.0/1"])],
                         DBInstanceType="sharding"),
    ]}  # fmt: skip
    return data


@pytest.fixture
def audited(cloud: LocalCloud, write_config: WriteConfig) -> Iterator[Path]:
    """The configuration written (every product's endpoint is localcloud), the log empty."""
    path = write_config(base_config(audit={"min_severity": "info"}))
    cloud.reset_calls()
    yield path
    logs.send_logs_to_stderr(False)


def audit(*args: str) -> list[str]:
    return ["audit", *args]


def modifications(cloud: LocalCloud) -> dict[str, int]:
    return {a: n for a, n in cloud.calls()["counts"].items() if not a.startswith("Describe")}


def test_the_configured_instances_are_audited_with_a_table_and_exit_2(
    cloud: LocalCloud, audited: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = cloud.state()
    assert main(audit("--config", str(audited))) == 2
    out, err = capsys.readouterr()
    lines = [json.loads(line) for line in err.splitlines()]  # JSON lines on stderr
    # LOG_LEVEL defaults to WARNING on the command line: the critical and high ones
    assert {(x["event"], x["kind"]) for x in lines} == {
        ("whitelist_finding", "world_open"), ("whitelist_finding", "public"),
    }  # fmt: skip
    assert out.splitlines()[0].split() == [
        "SEVERITY", "KIND", "PRODUCT", "INSTANCE", "GROUP", "ENTRY", "REASON",
    ]  # fmt: skip
    assert out.splitlines()[1].split()[:6] == [
        "critical", "world_open", "redis", R_SESSIONS, "default", "0.0.0.0/0",
    ]  # fmt: skip
    for kind in ("public", "broad", "stale", "duplicate"):
        assert f" {kind} " in out
    assert "fix: remove 0.0.0.0/0 from group 'default'" in out
    assert " 47.96.10.20  47.96.10.20 is a public address" in out  # the widest entry
    assert "audited 3 instance(s) in cn-hangzhou: redis 3" in out
    assert "findings at or above info: critical 1, high 1, medium 1, low 1, info 1" in out
    assert R_UNCONFIGURED not in out
    assert cloud.state() == before
    assert cloud.calls()["counts"] == {"DescribeInstances": 1, "DescribeSecurityIps": 3}


def test_all_instances_finds_and_audits_every_product_and_writes_nothing(
    cloud: LocalCloud, audited: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(audit("--config", str(audited), "--all-instances", "--json")) == 2
    report = json.loads(capsys.readouterr().out)
    assert {(d["product"], d["instance_id"]) for d in report["databases"]} >= {
        ("redis", R_UNCONFIGURED), ("rds", RDS), ("polardb", POLARDB),
        ("mongodb", MONGO_REPLICA), ("mongodb", MONGO_SHARDED),
    }  # fmt: skip
    assert len(report["databases"]) == 8  # the three configured Redis instances, once each
    found = {(f["instance_id"], f["kind"], f["severity"]) for f in report["findings"]}
    assert found >= {
        (R_UNCONFIGURED, "public", "high"),
        (RDS, "public", "high"),  # 192.168.0.0/15 reaches past 192.168.0.0/16
        (POLARDB, "public", "high"),
        (MONGO_REPLICA, "stale", "low"),
        (MONGO_SHARDED, "world_open", "critical"),
    }
    assert R_SHANGHAI not in {f["instance_id"] for f in report["findings"]}
    assert report["counts"]["critical"] == 2
    assert report["failures"] == []
    assert modifications(cloud) == {}


def test_regions_pick_where_all_instances_looks(
    cloud: LocalCloud, audited: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("--config", str(audited), "--all-instances", "--regions", OTHER_REGION, "--json")
    assert main(audit(*args)) == 2
    report = json.loads(capsys.readouterr().out)
    assert [d["instance_id"] for d in report["databases"]] == [R_SHANGHAI]
    assert [(f["kind"], f["severity"]) for f in report["findings"]] == [("public", "critical")]


def test_nothing_at_or_above_the_severity_exits_0(
    cloud: LocalCloud, write_config: WriteConfig, audited: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_config(base_config(targets=[ORDERS_TARGET]))
    assert main(audit("--config", str(path), "--min-severity", "critical")) == 0
    assert capsys.readouterr().out.startswith("no finding at or above critical\n")
    assert main(audit("--config", str(path), "--min-severity", "high")) == 2


def test_a_read_that_fails_exits_1_and_still_reports_the_rest(
    cloud: LocalCloud, audited: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cloud.add_fault(action="DescribeDBClusters", status=403, code="Forbidden.RAM", count=1)
    assert main(audit("--config", str(audited), "--all-instances")) == 1
    out = capsys.readouterr().out
    assert "error: listing polardb instances in cn-hangzhou failed" in out
    assert "Forbidden.RAM" in out
    assert MONGO_SHARDED in out


@pytest.mark.parametrize(
    "args", [("--regions", ""), ("--regions", "cn_hangzhou"), ("--min-severity", "urgent")]
)
def test_usage_errors_exit_1(
    audited: Path, args: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(audit("--config", str(audited), *args)) == 1
    assert "usage:" in capsys.readouterr().err


def test_all_instances_reads_every_page_of_a_listing(
    cloud: LocalCloud, audited: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    many = [make_redis_instance(f"r-bp1many{n:08d}") for n in range(120)]  # 3 pages of 50
    cloud.put_redis_instances(REGION, many)
    cloud.reset_calls()
    assert main(audit("--config", str(audited), "--all-instances", "--json")) == 2
    listed = {d["instance_id"] for d in json.loads(capsys.readouterr().out)["databases"]}
    assert {i["InstanceId"] for i in many} <= listed
    assert cloud.calls()["counts"]["DescribeInstances"] == 1 + 3  # ECS once, R-KVStore 3 pages


def test_a_listing_whose_pages_do_not_add_up_is_an_error_not_an_empty_account(
    cloud: LocalCloud, audited: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the R-KVStore answer keeps its TotalCount but its instances sit under another name
    cloud.add_fault(action="DescribeInstances", product="R-kvstore", shape="renamed")
    assert main(audit("--config", str(audited), "--all-instances")) == 1
    out = capsys.readouterr().out
    assert "error: listing redis instances in cn-hangzhou failed" in out
    assert "IncompleteListing" in out
