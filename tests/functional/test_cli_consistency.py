"""The command line as an operator meets it: every subcommand takes --config, --version,
usage errors name the subcommand, operator-language errors (against localcloud)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from whitelist_testkit import R_ORDERS, WEB2_IP, entries_of, timer_event, writes

from whitelist_core import __version__, logs
from whitelist_core.entrypoints.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(autouse=True)
def _logs_back_to_stdout() -> Iterator[None]:
    yield
    logs.send_logs_to_stderr(False)


def test_check_config_takes_config_like_every_subcommand(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["check-config", "--config", str(EXAMPLES / "whitelist.yml")]) == 0
    assert ": valid (" in capsys.readouterr().out
    assert main(["check-config", "--config", str(EXAMPLES / "broken.yml")]) == 1
    assert "targets[1] (billing-cache).group" in capsys.readouterr().err


def test_check_config_refuses_two_different_files(capsys: pytest.CaptureFixture[str]) -> None:
    whitelist, broken = str(EXAMPLES / "whitelist.yml"), str(EXAMPLES / "broken.yml")
    assert main(["check-config", whitelist, "--config", broken]) == 1
    assert "either" in capsys.readouterr().err


def test_invoke_takes_config(
    cloud: Any, write_config: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    path = write_config()
    monkeypatch.setenv("WHITELIST_CONFIG", str(tmp_path / "nowhere.yml"))
    event = tmp_path / "timer.json"
    event.write_text(json.dumps(timer_event()), encoding="utf-8")
    assert main(["invoke", "--event", str(event), "--config", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "applied"
    assert WEB2_IP in (entries_of(cloud.state(), R_ORDERS, "ecs_orders") or set())


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"redis-whitelist-sync {__version__}"


@pytest.mark.parametrize("targets", ["", " ", ",", "orders-cache,,billing-cache"])
def test_an_empty_targets_list_is_an_error_not_all_targets(
    cloud: Any, write_config: Any, capsys: pytest.CaptureFixture[str], targets: str
) -> None:
    path = write_config()
    assert main(["apply", "--config", str(path), "--targets", targets]) == 1
    assert "--targets" in capsys.readouterr().err
    assert cloud.calls()["counts"] == {}


@pytest.mark.parametrize("command", ["plan", "apply", "check-config", "invoke"])
def test_a_wrong_option_prints_that_subcommands_usage(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    required = ["--event", "e.json"] if command == "invoke" else []
    assert main([command, *required, "--no-such-flag"]) == 1
    err = capsys.readouterr().err
    assert f"usage: python -m whitelist_core {command}" in err
    assert "--no-such-flag" in err


def test_top_level_help_is_plain_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "``" not in out
    assert "check-config" in out
    assert "exit" in out.lower()


def test_missing_credentials_are_reported_as_missing_credentials(
    cloud: Any, write_config: Any, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.delenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
    path = write_config()
    assert main(["plan", "--config", str(path)]) == 1
    out = capsys.readouterr().out
    assert "missing credentials" in out
    assert "ALIBABA_CLOUD_ACCESS_KEY_SECRET" in out
    assert "invalid configuration" not in out
    assert writes(cloud.calls()) == 0


def test_missing_credentials_in_json_say_credentials(
    cloud: Any, write_config: Any, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.delenv("ALIBABA_CLOUD_ACCESS_KEY_ID")
    path = write_config()
    assert main(["plan", "--config", str(path), "--json"]) == 1
    summary = json.loads(capsys.readouterr().out)
    assert summary["error"]["kind"] == "credentials"
    assert "invalid configuration" not in summary["message"]


def test_an_expected_dry_run_confirmation_is_logged_at_info(
    cloud: Any, write_config: Any, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("LOG_LEVEL", "INFO")
    cloud.delete_instances(
        "cn-hangzhou", [i["InstanceId"] for i in cloud.state()["ecs"]["cn-hangzhou"]]
    )
    path = write_config()
    main(["plan", "--config", str(path)])
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if "{" in line]
    dry = [line for line in lines if line.get("code") == "DryRunOperation"]
    assert dry
    assert {line["level"] for line in dry} == {"info"}
    assert not [line for line in lines if line.get("level") == "error"]
