"""Spill-over groups on localcloud: a target with ``max_groups`` owns several groups of one
Redis instance. Every assertion reads localcloud's state and call log after the run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from whitelist_testkit import (
    REGION,
    ess_scale_out,
    eventbridge_state_change,
    group_of,
    point_env_at,
    timer_event,
    writes,
)

import handler
from localcloud.builders import make_group, make_instance, make_redis_instance, make_seed
from localcloud.mock import LocalCloud
from whitelist_core import logs
from whitelist_core.entrypoints.cli import main

R_FLEET = "r-bp1fleet0000001"
GROUPS = ("ecs_fleet", "ecs_fleet_2", "ecs_fleet_3")
PERMISSIVE = {"max_removals": 1000, "max_removal_percent": 100}


def host_id(n: int) -> str:
    return f"i-bp1fleet{n:08d}"


def host_ip(n: int) -> str:
    return f"10.20.{n // 250}.{1 + n % 250}"


def hosts(numbers: range | list[int]) -> list[dict[str, Any]]:
    return [make_instance(host_id(n), host_ip(n), tags={"pool": "fleet"}) for n in numbers]


def target(max_groups: int = 3, **fields: Any) -> dict[str, Any]:
    return {
        "name": "fleet-cache",
        "instance_id": R_FLEET,
        "group": "ecs_fleet",
        "max_groups": max_groups,
        "selector": {"vpc_id": "vpc-demo01", "tags": {"pool": "fleet"}},
    } | fields


def config(policy: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    return {
        "version": 1,
        "region": REGION,
        "targets": [target(**fields)],
        "policy": policy if policy is not None else PERMISSIVE,
    }


def redis(*groups: dict[str, Any]) -> dict[str, Any]:
    return make_redis_instance(R_FLEET, [make_group("default"), *groups])


@pytest.fixture
def cloud(function_env: pytest.MonkeyPatch) -> Iterator[LocalCloud]:
    with LocalCloud.mocked(
        make_seed(hosts(range(2500)), [redis()]), base_url="http://lc.test"
    ) as fake:
        point_env_at(function_env, fake.base_url)
        yield fake


def contents(cloud: LocalCloud, names: tuple[str, ...] = GROUPS) -> dict[str, set[str]]:
    """Every owned group's entries (absent groups left out)."""
    state = cloud.state()
    found = {}
    for name in names:
        group = group_of(state, R_FLEET, name)
        if group is not None:
            found[name] = {e for e in group["SecurityIpList"].split(",") if e}
    return found


def refusals(cloud: LocalCloud) -> list[dict[str, Any]]:
    return [c for c in cloud.calls()["calls"] if c["status"] != 200]


def assert_each_once(groups: dict[str, set[str]], wanted: set[str]) -> None:
    every = [e for content in groups.values() for e in content if e != "127.0.0.1"]
    assert len(every) == len(set(every)), "an entry stands in two groups"
    assert set(every) == wanted
    assert all(len(content) <= 1000 for content in groups.values())


def run(invoke: Any, event: dict[str, Any] | None = None) -> dict[str, Any]:
    result = invoke(event or timer_event())
    assert result["status"] in ("applied", "noop"), result
    (only,) = result["targets"]
    return dict(only)


def test_a_2500_host_fill_is_one_read_and_one_write_per_group(
    cloud: LocalCloud, write_config: Any, invoke: Any
) -> None:
    write_config(config())
    cloud.reset_calls()

    summary = run(invoke)

    groups = contents(cloud)
    assert {name: len(content) for name, content in groups.items()} == {
        "ecs_fleet": 1000,
        "ecs_fleet_2": 1000,
        "ecs_fleet_3": 500,
    }
    assert_each_once(groups, {host_ip(n) for n in range(2500)})
    counts = cloud.calls()["counts"]
    assert (counts["DescribeSecurityIps"], counts["ModifySecurityIps"]) == (1, 3)
    assert refusals(cloud) == []
    assert len(summary["added"]) == 2500
    assert [(g["group"], g["after"]) for g in summary["groups"]] == [
        ("ecs_fleet", 1000),
        ("ecs_fleet_2", 1000),
        ("ecs_fleet_3", 500),
    ]
    assert {c["group"] for c in summary["changes"]} == set(GROUPS)
    # The foreign group is untouched.
    assert group_of(cloud.state(), R_FLEET, "default")["SecurityIpList"] == "127.0.0.1"

    cloud.reset_calls()
    again = run(invoke)
    assert again["status"] == "noop"
    assert writes(cloud.calls()) == 0


def test_churn_keeps_every_placement_and_fills_freed_room_first(
    cloud: LocalCloud, write_config: Any, invoke: Any
) -> None:
    write_config(config())
    run(invoke)
    before = contents(cloud)
    gone = [5, 6, 7, 1500, 2400]  # three from the first group, one each from the others
    cloud.delete_instances(REGION, [host_id(n) for n in gone])
    cloud.put_instances(REGION, hosts(range(2500, 2504)))

    summary = run(invoke)

    after = contents(cloud)
    wanted = {host_ip(n) for n in range(2504)} - {host_ip(n) for n in gone}
    assert_each_once(after, wanted)
    for name in GROUPS:  # nothing that stays has moved
        assert before[name] - {host_ip(n) for n in gone} <= after[name]
    new = {host_ip(n) for n in range(2500, 2504)}
    # The three places freed in ecs_fleet take the first three, the one in ecs_fleet_2 the last.
    assert new & after["ecs_fleet"] == {host_ip(n) for n in (2500, 2501, 2502)}
    assert new & after["ecs_fleet_2"] == {host_ip(2503)}
    assert sorted(summary["removed"]) == sorted(host_ip(n) for n in gone)
    assert refusals(cloud) == []


def test_over_capacity_keeps_what_is_there_and_reports_the_rest(
    cloud: LocalCloud, write_config: Any, invoke: Any
) -> None:
    write_config(config(max_groups=2))

    result = invoke(timer_event())

    (summary,) = result["targets"]
    groups = contents(cloud)
    assert [len(groups[name]) for name in GROUPS[:2]] == [1000, 1000]
    assert "ecs_fleet_3" not in groups  # not owned: never written
    assert len(summary["unplaced"]) == 500
    assert any(b.startswith("capacity: 500 entries not added") for b in summary["blocked"])
    assert result["blocked"] is True
    assert refusals(cloud) == []  # no write the cap would refuse

    cloud.reset_calls()
    again = invoke(timer_event())
    assert writes(cloud.calls()) == 0
    assert contents(cloud) == groups
    assert again["targets"][0]["blocked"]


def test_a_nearly_full_group_makes_room_before_it_adds(
    function_env: pytest.MonkeyPatch, write_config: Any, invoke: Any
) -> None:
    # 1000 entries, 3 of them stale; 3 new hosts: the stale ones go first, then the new
    # ones come in, in the same group, and no write is ever refused.
    fleet = hosts(range(997))
    stale = ["10.30.0.1", "10.30.0.2", "10.30.0.3"]
    full = make_group("ecs_fleet", [host_ip(n) for n in range(997)] + stale)
    seed = make_seed([*fleet, *hosts(range(997, 1000))], [redis(full)])
    with LocalCloud.mocked(seed, base_url="http://lc.test") as cloud:
        point_env_at(function_env, cloud.base_url)
        write_config(config())

        summary = run(invoke)

        groups = contents(cloud)
        assert_each_once(groups, {host_ip(n) for n in range(1000)})
        assert list(groups) == ["ecs_fleet"]  # no spill-over group was needed
        assert refusals(cloud) == []
        modes = [c["action"] for c in cloud.calls()["calls"] if c["action"] == "ModifySecurityIps"]
        assert len(modes) == 2
        assert sorted(summary["removed"]) == stale


def test_an_event_adds_into_the_spill_over_group_with_room(
    cloud: LocalCloud, write_config: Any, invoke: Any
) -> None:
    write_config(config())
    run(invoke)
    newcomer = 2600
    cloud.put_instances(REGION, hosts([newcomer]))
    cloud.reset_calls()

    summary = run(invoke, eventbridge_state_change(host_id(newcomer), "Running"))

    assert host_ip(newcomer) in contents(cloud)["ecs_fleet_3"]
    assert [c["group"] for c in summary["changes"]] == ["ecs_fleet_3"]
    assert writes(cloud.calls()) == 1


def test_two_runs_filling_one_spill_over_group_lose_nothing_and_never_overflow(
    cloud: LocalCloud, write_config: Any, invoke: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run A reads the groups (ecs_fleet_2 has 5 places left) and plans 5 hosts into it;
    before its write lands, run B adds 5 other hosts there and fills it. A's Append is
    refused for quota; A reads again and puts its hosts into ecs_fleet_3."""
    write_config(config())
    cloud.delete_instances(REGION, [host_id(n) for n in range(1995, 2500)])
    run(invoke)  # 1995 hosts: ecs_fleet full, ecs_fleet_2 holds 995
    first, second = list(range(3000, 3005)), list(range(3100, 3105))
    cloud.put_instances(REGION, hosts(first + second))
    handle = cloud.backend.handle
    raced: list[dict[str, Any]] = []
    started: list[bool] = []

    def write_of_b_lands_first(request: Any) -> Any:
        if request.headers.get("x-acs-action") == "ModifySecurityIps" and not started:
            started.append(True)
            raced.append(handler.handler(_scale_out(second), None))
        return handle(request)

    monkeypatch.setattr(cloud.backend, "handle", write_of_b_lands_first)

    result_a = handler.handler(_scale_out(first), None)

    monkeypatch.setattr(cloud.backend, "handle", handle)
    (result_b,) = raced
    assert result_b["status"] == "applied"
    groups = contents(cloud)
    assert {host_ip(n) for n in second} <= groups["ecs_fleet_2"]
    assert {host_ip(n) for n in first} <= groups["ecs_fleet_3"]
    assert all(len(content) <= 1000 for content in groups.values())
    assert result_a["status"] == "applied", result_a
    (summary,) = result_a["targets"]
    assert sorted(summary["added"]) == sorted(host_ip(n) for n in first)
    assert any("re-planned after a quota refusal" in w for w in summary["warnings"])
    codes = [c["code"] for c in cloud.calls()["calls"] if c["status"] != 200]
    assert codes == ["InvalidSecurityIPList.QuotaExceeded"]


def test_a_quota_refusal_that_persists_is_reported_not_swallowed(
    cloud: LocalCloud, write_config: Any, invoke: Any
) -> None:
    write_config(config())
    cloud.add_fault(
        action="ModifySecurityIps", status=400, code="InvalidSecurityIPList.QuotaExceeded", count=10
    )

    result = invoke(timer_event())

    assert result["status"] == "error"
    (summary,) = result["targets"]
    assert summary["error"]["code"] == "InvalidSecurityIPList.QuotaExceeded"
    # The first attempt and three re-plans, each reading the groups again.
    counts = cloud.calls()["counts"]
    assert (counts["ModifySecurityIps"], counts["DescribeSecurityIps"]) == (4, 4)


def test_shrinking_max_groups_drains_the_last_group_first(
    cloud: LocalCloud, write_config: Any, invoke: Any
) -> None:
    write_config(config())
    run(invoke)  # 2500 hosts over three groups
    cloud.delete_instances(REGION, [host_id(n) for n in range(800)])
    run(invoke)  # 1700 hosts would fit in two groups, but placements are stable:
    kept_3 = contents(cloud)["ecs_fleet_3"]
    assert len(kept_3) == 500  # ecs_fleet_3 still holds its 500

    # Step 1: keep owning three groups, drain the last one.
    write_config(config(drain_groups=1))
    drained = run(invoke)

    groups = contents(cloud)
    assert groups["ecs_fleet_3"] == {"127.0.0.1"}
    assert_each_once(groups, {host_ip(n) for n in range(800, 2500)})
    assert sorted(drained["moved"]) == sorted(kept_3)
    assert drained["removed"] == []
    assert refusals(cloud) == []

    # Step 2: stop owning it. Nothing more is written; the drained group is left as it is.
    write_config(config(max_groups=2))
    cloud.reset_calls()
    after = run(invoke)
    assert after["status"] == "noop"
    assert writes(cloud.calls()) == 0
    assert contents(cloud)["ecs_fleet_3"] == {"127.0.0.1"}


def test_lowering_max_groups_without_draining_leaves_the_old_group_and_says_so(
    cloud: LocalCloud, write_config: Any, invoke: Any
) -> None:
    write_config(config())
    run(invoke)
    cloud.delete_instances(REGION, [host_id(n) for n in range(800)])
    write_config(config(max_groups=2))
    before_3 = contents(cloud)["ecs_fleet_3"]

    summary = run(invoke)

    assert contents(cloud)["ecs_fleet_3"] == before_3  # no longer owned: untouched
    assert any("ecs_fleet_3" in w and "drain_groups" in w for w in summary["warnings"])


def _scale_out(numbers: list[int]) -> bytes:
    """One Auto Scaling scale-out event naming these hosts (an add-only run)."""
    return json.dumps(ess_scale_out([host_id(n) for n in numbers])).encode("utf-8")


@pytest.fixture
def cli_logs_back() -> Iterator[None]:
    yield
    logs.send_logs_to_stderr(False)


def test_check_config_reports_every_spill_over_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], cli_logs_back: None
) -> None:
    overlap = target(max_groups=1) | {"name": "other", "group": "ecs_fleet_3"}
    long_name = target(max_groups=2) | {"name": "long", "group": "g" * 31}
    data = config(policy={}) | {"targets": [target(), overlap, long_name]}
    path = tmp_path / "whitelist.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")

    assert main(["check-config", str(path)]) == 1

    err = capsys.readouterr().err
    assert "targets[2] (long).max_groups" in err
    assert "'ggggggggggggggggggggggggggggggg_2' (33 characters)" in err
    assert "group names are 2-32 characters long" in err
    assert (
        "targets[1] (other).group: targets[0] (fleet-cache) already owns group 'ecs_fleet_3'" in err
    )


def test_plan_table_and_json_show_the_group_of_each_change(
    cloud: LocalCloud, write_config: Any, capsys: pytest.CaptureFixture[str], cli_logs_back: None
) -> None:
    path = write_config(config())

    assert main(["plan", "--config", str(path)]) == 2
    table = capsys.readouterr().out
    assert "groups: ecs_fleet 0 -> 1000, ecs_fleet_2 0 -> 1000, ecs_fleet_3 0 -> 500" in table
    assert f"+ {host_ip(2499)}  ecs_fleet_3  held by" in table

    assert main(["plan", "--config", str(path), "--json"]) == 2
    (summary,) = json.loads(capsys.readouterr().out)["targets"]
    assert summary["group"] == "ecs_fleet"
    assert {c["group"] for c in summary["changes"]} == set(GROUPS)
    assert writes(cloud.calls()) == 0
