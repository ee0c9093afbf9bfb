"""Held-back removals at the terminal: named with their reason in the table and in JSON,
a one-line "N to add, M to remove, K held back" summary, and plan and apply exit 2 on
them (the result's ``attention``); the adoption rule end to end (against localcloud)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from whitelist_testkit import (
    R_ORDERS,
    WEB1_IP,
    WEB2_IP,
    base_config,
    base_seed,
    entries_of,
    group_of,
    writes,
)

from whitelist_core import logs
from whitelist_core.entrypoints.cli import main

STALE = ("10.0.1.98", "10.0.1.99")


@pytest.fixture(autouse=True)
def _logs_back_to_stdout() -> Iterator[None]:
    yield
    logs.send_logs_to_stderr(False)


@pytest.fixture
def seed() -> dict[str, Any]:
    """ecs_orders already holds both orders hosts plus two stale entries."""
    data = base_seed()
    group = next(
        g
        for r in data["kvstore"]["cn-hangzhou"]
        if r["InstanceId"] == R_ORDERS
        for g in r["SecurityIpGroups"]
        if g["SecurityIpGroupName"] == "ecs_orders"
    )
    group["SecurityIpList"] = ",".join([WEB1_IP, WEB2_IP, *STALE])
    return data


def orders_only(**policy: Any) -> dict[str, Any]:
    config = base_config()
    config["targets"] = config["targets"][:1]
    return config | {"policy": policy}


def test_held_back_removals_are_named_in_the_table_and_plan_exits_2(
    cloud: Any, write_config: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_config(orders_only(max_removals=1))
    before = cloud.state()
    assert main(["plan", "--config", str(path)]) == 2
    out = capsys.readouterr().out
    for entry in STALE:
        assert f"= {entry}" in out
        assert "held back: 2 removals exceed max_removals=1" in out
    assert out.rstrip().splitlines()[-1] == "0 to add, 0 to remove, 2 held back"
    assert cloud.state() == before


def test_held_back_removals_are_in_the_json(
    cloud: Any, write_config: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_config(orders_only(max_removals=1))
    assert main(["plan", "--config", str(path), "--json"]) == 2
    summary = json.loads(capsys.readouterr().out)
    (target,) = summary["targets"]
    assert [h["entry"] for h in target["held_back"]] == list(STALE)
    assert all("max_removals=1" in h["reason"] for h in target["held_back"])
    assert summary["totals"] == {"add": 0, "remove": 0, "held_back": 2}


def test_apply_leaves_held_back_entries_says_so_and_exits_2(
    cloud: Any, write_config: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_config(orders_only(max_removals=1))
    assert main(["apply", "--config", str(path)]) == 2
    out = capsys.readouterr().out
    assert out.rstrip().splitlines()[-1].endswith("2 held back")
    assert main(["apply", "--config", str(path), "--json"]) == 2
    summary = json.loads(capsys.readouterr().out)
    assert (summary["status"], summary["attention"]) == ("noop", ["held_back", "blocked"])
    assert entries_of(cloud.state(), R_ORDERS, "ecs_orders") == {WEB1_IP, WEB2_IP, *STALE}
    assert writes(cloud.calls()) == 0


def test_a_clean_plan_ends_with_the_summary_and_exits_0(
    cloud: Any, write_config: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_config(orders_only())
    assert main(["apply", "--config", str(path)]) == 0
    assert capsys.readouterr().out.rstrip().splitlines()[-1] == "0 added, 2 removed, 0 held back"
    assert main(["plan", "--config", str(path)]) == 0
    assert capsys.readouterr().out.rstrip().splitlines()[-1] == "0 to add, 0 to remove, 0 held back"


def test_adopting_a_group_while_adding_hosts_takes_one_apply(
    cloud: Any, write_config: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # The group holds 3 entries, 2 of them stale (2 of 3 = 67 % alone), while 5 new hosts
    # join: counted against the group after the additions, 2 of 8 = 25 % passes.
    from localcloud.builders import make_instance

    group = group_of(cloud.state(), R_ORDERS, "ecs_orders")
    assert group is not None
    cloud.delete_instances("cn-hangzhou", ["i-bp1web0000000002"])
    new = [f"10.0.1.{20 + i}" for i in range(5)]
    cloud.put_instances(
        "cn-hangzhou",
        [
            make_instance(f"i-bp1new000000000{i}", ip, tags={"app": "orders"}, name=f"new-{i}")
            for i, ip in enumerate(new)
        ],
    )
    path = write_config(orders_only())
    # before: WEB1, WEB2 (released now), and the two stale entries; 3 stale of 4 alone
    assert main(["apply", "--config", str(path)]) == 0
    assert entries_of(cloud.state(), R_ORDERS, "ecs_orders") == {WEB1_IP, *new}
    assert main(["plan", "--config", str(path)]) == 0
