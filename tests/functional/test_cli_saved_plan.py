"""Saved plans, as Terraform has them: ``plan --out PLANFILE`` writes the reviewed plan
(versioned JSON with the configuration's digest and what each touched group held);
``apply PLANFILE`` applies exactly that plan, and refuses (exit 1, nothing written) when
a group it touches no longer holds what the plan was made from, or the configuration
differs (against localcloud)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from whitelist_testkit import (
    R_ORDERS,
    WEB1_IP,
    WEB2_IP,
    base_config,
    entries_of,
    writes,
)

from localcloud.builders import make_instance
from whitelist_core import logs
from whitelist_core.entrypoints.cli import main


@pytest.fixture(autouse=True)
def _logs_back_to_stdout() -> Iterator[None]:
    yield
    logs.send_logs_to_stderr(False)


def saved(tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    planfile = tmp_path / "orders.plan.json"
    assert main(["plan", "--config", str(config), "--out", str(planfile)]) == 2
    capsys.readouterr()
    return planfile


def test_plan_out_writes_a_versioned_plan_with_the_digest_and_the_groups_held(
    cloud: Any, write_config: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    before = cloud.state()
    planfile = saved(tmp_path, write_config(), capsys)
    document = json.loads(planfile.read_text(encoding="utf-8"))
    assert document["format"] == "redis-whitelist-sync plan"
    assert document["version"] == 2
    assert document["config_digest"].startswith("sha256:")
    orders = next(t for t in document["targets"] if t["target"] == "orders-cache")
    assert [c["entry"] for c in orders["add"]] == [WEB2_IP]
    assert {"name": "ecs_orders", "attribute": "", "entries": [WEB1_IP]} in orders["held"]
    assert cloud.state() == before
    assert writes(cloud.calls()) == 0


def test_apply_planfile_applies_exactly_the_saved_plan(
    cloud: Any, write_config: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = write_config()
    planfile = saved(tmp_path, config, capsys)
    # A host joins after the review: the saved plan does not know it, so it is not added.
    late = make_instance("i-bp1late000000001", "10.0.1.77", tags={"app": "orders"}, name="late")
    cloud.put_instances("cn-hangzhou", [late])
    assert main(["apply", str(planfile), "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().splitlines()[-1].startswith("3 added")
    assert entries_of(cloud.state(), R_ORDERS, "ecs_orders") == {WEB1_IP, WEB2_IP}
    # the next ordinary plan picks the late host up
    assert main(["plan", "--config", str(config)]) == 2


def test_apply_planfile_refuses_when_a_touched_group_changed(
    cloud: Any, write_config: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = write_config()
    planfile = saved(tmp_path, config, capsys)
    late = make_instance("i-bp1late000000001", "10.0.1.77", tags={"app": "orders"}, name="late")
    cloud.put_instances("cn-hangzhou", [late])
    assert main(["apply", "--config", str(config), "--targets", "orders-cache"]) == 0
    capsys.readouterr()
    state, calls = cloud.state(), writes(cloud.calls())
    assert main(["apply", str(planfile), "--config", str(config)]) == 1
    err = capsys.readouterr().err
    assert "ecs_orders" in err
    assert "no longer holds what the plan was made from" in err
    assert cloud.state() == state
    assert writes(cloud.calls()) == calls  # nothing written, not even for the other targets


def test_apply_planfile_refuses_a_different_configuration(
    cloud: Any, write_config: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    planfile = saved(tmp_path, write_config(), capsys)
    other = write_config(base_config(policy={"max_removals": 3}))
    before = cloud.state()
    assert main(["apply", str(planfile), "--config", str(other)]) == 1
    assert "configuration differs" in capsys.readouterr().err
    assert cloud.state() == before
    assert writes(cloud.calls()) == 0


def test_apply_planfile_refuses_a_removal_whose_address_is_held_again(
    cloud: Any, write_config: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cloud.delete_instances("cn-hangzhou", ["i-bp1web0000000001"])
    config = write_config()
    planfile = saved(tmp_path, config, capsys)
    document = json.loads(planfile.read_text(encoding="utf-8"))
    orders = next(t for t in document["targets"] if t["target"] == "orders-cache")
    assert [c["entry"] for c in orders["remove"]] == [WEB1_IP]
    # the released address is reused by a new orders host before the apply
    reuse = make_instance("i-bp1reuse00000001", WEB1_IP, tags={"app": "orders"}, name="reuse")
    cloud.put_instances("cn-hangzhou", [reuse])
    before = cloud.state()
    assert main(["apply", str(planfile), "--config", str(config)]) == 1
    assert f"{WEB1_IP} is held by i-bp1reuse00000001" in capsys.readouterr().err
    assert cloud.state() == before


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("not json", "not a saved plan"),
        ('{"format": "something else", "version": 1}', "not a saved plan"),
        ('{"format": "redis-whitelist-sync plan", "version": 99}', "version 99"),
    ],
    ids=["not-json", "other-format", "future-version"],
)
def test_apply_refuses_a_file_that_is_not_a_plan_it_can_read(
    cloud: Any, write_config: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path,
    text: str, said: str,
) -> None:  # fmt: skip
    planfile = tmp_path / "x.plan.json"
    planfile.write_text(text, encoding="utf-8")
    assert main(["apply", str(planfile), "--config", str(write_config())]) == 1
    assert said in capsys.readouterr().err
    assert cloud.calls()["counts"] == {}


def test_apply_planfile_takes_no_targets(
    cloud: Any, write_config: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = write_config()
    planfile = saved(tmp_path, config, capsys)
    assert main(["apply", str(planfile), "--targets", "orders-cache"]) == 1
    assert "usage:" in capsys.readouterr().err
    assert writes(cloud.calls()) == 0


def test_plan_out_and_apply_are_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--help"]) == 0
    assert "--out PLANFILE" in capsys.readouterr().out
    assert main(["apply", "--help"]) == 0
    assert "PLANFILE" in capsys.readouterr().out
