"""The command line against localcloud: exit codes 0 / 2 / 1, table and JSON output."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from whitelist_testkit import R_ORDERS, WEB2_IP, entries_of, timer_event, writes

from whitelist_core import logs
from whitelist_core.entrypoints.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(autouse=True)
def _logs_back_to_stdout() -> Iterator[None]:
    yield
    logs.send_logs_to_stderr(False)


def test_check_config_accepts_the_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config", str(EXAMPLES / "whitelist.yml")]) == 0
    assert "valid (5 target(s))" in capsys.readouterr().out


def test_check_config_refuses_the_broken_example_naming_each_field(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["check-config", str(EXAMPLES / "broken.yml")]) == 1
    err = capsys.readouterr().err
    for path in (
        "targets[0] (orders-cache).selector.tag",
        "targets[0] (orders-cache).statuses[1]",
        "targets[1] (billing-cache).group",
    ):
        assert path in err
    assert "Traceback" not in err


def test_usage_error_exits_1_not_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--no-such-flag"]) == 1


def test_plan_with_pending_changes_exits_2_prints_a_table_and_writes_nothing(
    cloud: Any, write_config: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_config()
    before = cloud.state()
    assert main(["plan", "--config", str(path)]) == 2
    out = capsys.readouterr().out
    assert f"+ {WEB2_IP}" in out
    assert "orders-cache" in out
    assert cloud.state() == before
    assert writes(cloud.calls()) == 0


def test_plan_json_is_clean_json_on_stdout_with_logs_on_stderr(
    cloud: Any, write_config: Any, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    monkeypatch.setenv("LOG_LEVEL", "INFO")
    path = write_config()
    assert main(["plan", "--config", str(path), "--json"]) == 2
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert summary["status"] == "planned"
    assert summary["dry_run"] is True
    assert "cloud_call" in captured.err


def test_apply_then_plan_exits_0(
    cloud: Any, write_config: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_config()
    assert main(["apply", "--config", str(path)]) == 0
    assert WEB2_IP in (entries_of(cloud.state(), R_ORDERS, "ecs_orders") or set())
    assert main(["plan", "--config", str(path)]) == 0


def test_plan_of_an_unknown_target_exits_1_without_a_cloud_call(
    cloud: Any, write_config: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_config()
    assert main(["plan", "--config", str(path), "--targets", "nope"]) == 1
    assert "unknown target(s): nope" in capsys.readouterr().out
    assert cloud.calls()["counts"] == {}


def test_cloud_outage_exits_1_with_a_message_not_a_traceback(
    cloud: Any, write_config: Any, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    monkeypatch.setenv("WHITELIST_TIMEOUT_SECONDS", "2")
    cloud.add_fault(action="DescribeInstances", status=503, code="ServiceUnavailable")
    path = write_config()
    assert main(["apply", "--config", str(path)]) == 1
    err = capsys.readouterr().err
    assert "target(s) failed:\n" in err
    assert "DescribeInstances ServiceUnavailable" in err
    assert "will be retried" not in err
    assert "ServiceUnavailable" in err
    assert "Traceback" not in err
    assert writes(cloud.calls()) == 0


def test_invoke_runs_the_handler_on_an_event_file(
    cloud: Any, write_config: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    write_config()
    event = tmp_path / "timer.json"
    event.write_text(json.dumps(timer_event()), encoding="utf-8")
    assert main(["invoke", "--event", str(event), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "applied"
    assert WEB2_IP in (entries_of(cloud.state(), R_ORDERS, "ecs_orders") or set())
