"""Issue 22, defect 2: a saved plan is a request, not an authority (against localcloud).

``apply PLANFILE`` checks every step of the file against the configuration and the
policy as a live run would: the target, the instance and the groups are the ones the
configuration owns, every entry passes the policy, removals pass the re-check. A file
edited after it was saved is refused as edited (its seal binds the body to the
configuration's digest); one edited and sealed again by hand is refused by the checks.
Refused means exit 1 and nothing written, for any target.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from whitelist_testkit import R_SESSIONS, writes

from whitelist_core import logs
from whitelist_core.entrypoints.cli import main
from whitelist_core.entrypoints.planfile import seal


@pytest.fixture(autouse=True)
def _logs_back_to_stdout() -> Iterator[None]:
    yield
    logs.send_logs_to_stderr(False)


Edit = Callable[[dict[str, Any]], None]


def orders(document: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = next(t for t in document["targets"] if t["target"] == "orders-cache")
    return found


def write_default(document: dict[str, Any]) -> None:
    plan = orders(document)
    plan["group"], plan["owned"] = "default", ["default"]
    plan["held"] = [{"name": "default", "attribute": "", "entries": ["127.0.0.1"]}]
    for change in plan["add"]:
        change["group"] = "default"


def another_instance(document: dict[str, Any]) -> None:
    orders(document)["instance_id"] = R_SESSIONS


def world_and_public(document: dict[str, Any]) -> None:
    for entry in ("0.0.0.0/0", "47.96.1.1"):
        orders(document)["add"].append({"entry": entry, "reason": "edited", "instance_id": "",
                                        "instance_name": "", "group": "", "from_group": ""})  # fmt: skip


def refuse(
    cloud: Any, config: Path, planfile: Path, capsys: pytest.CaptureFixture[str], edit: Edit,
    *, reseal: bool,
) -> str:  # fmt: skip
    document = json.loads(planfile.read_text(encoding="utf-8"))
    edit(document)
    if reseal:  # what someone who knows the format can do: the checks must still refuse
        document["seal"] = seal(document["targets"], document["config_digest"])
    planfile.write_text(json.dumps(document), encoding="utf-8")
    state, calls = cloud.state(), writes(cloud.calls())
    assert main(["apply", str(planfile), "--config", str(config)]) == 1
    assert cloud.state() == state
    assert writes(cloud.calls()) == calls  # nothing written, not even for the other targets
    return capsys.readouterr().err


@pytest.fixture
def planned(
    cloud: Any, write_config: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> tuple[Path, Path]:
    config, planfile = write_config(), tmp_path / "orders.plan.json"
    assert main(["plan", "--config", str(config), "--out", str(planfile)]) == 2
    capsys.readouterr()
    return config, planfile


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (write_default, "'default'"),
        (another_instance, R_SESSIONS),
        (world_and_public, "0.0.0.0/0"),
    ],
    ids=["writes-default", "another-instance", "world-and-public"],
)
def test_safety_an_edited_plan_sealed_again_is_refused_by_its_steps(
    cloud: Any, planned: tuple[Path, Path], capsys: pytest.CaptureFixture[str],
    edit: Edit, reason: str,
) -> None:  # fmt: skip
    err = refuse(cloud, *planned, capsys, edit, reseal=True)
    assert "nothing was written" in err
    assert reason in err


def test_safety_a_public_addition_is_refused_with_its_policy_reason(
    cloud: Any, planned: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    err = refuse(cloud, *planned, capsys, world_and_public, reseal=True)
    assert "needs allow_world" in err
    assert "47.96.1.1 is not a private address" in err


def test_safety_a_plan_edited_after_it_was_saved_is_refused_as_edited(
    cloud: Any, planned: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    err = refuse(cloud, *planned, capsys, another_instance, reseal=False)
    assert "edited" in err
