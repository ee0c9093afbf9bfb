"""What actually reaches stdout once logging is configured: one JSON object per line."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import warnings
from collections.abc import Callable
from typing import Any

import pytest
import structlog

from whitelist_core import logs

Lines = Callable[[], list[dict[str, Any]]]

SECRET = "AkSecret-0123456789abcdef"
STS_TOKEN = "CAIS+sts/token=="


def _assert_shape(line: dict[str, Any], level: str, logger: str) -> None:
    assert line["level"] == level
    assert line["logger"] == logger
    assert line["timestamp"].endswith("Z")
    assert isinstance(line["event"], str)


def test_structlog_and_stdlib_lines_are_json_with_level_timestamp_event(lines: Lines) -> None:
    logs.configure_logging()
    structlog.get_logger("whitelist_core.entrypoints.app").info("started", targets=2)
    logging.getLogger("urllib3").warning("Retrying (%s) after connection broken", 2)
    logging.getLogger("requests.packages").error("plain %s", "stdlib", extra={"attempt": 3})

    first, second, third = lines()
    _assert_shape(first, "info", "whitelist_core.entrypoints.app")
    assert first["event"] == "started"
    assert first["targets"] == 2
    _assert_shape(second, "warning", "urllib3")
    assert second["event"] == "Retrying (2) after connection broken"
    _assert_shape(third, "error", "requests.packages")
    assert third["attempt"] == 3


def test_tracebacks_and_newlines_stay_inside_one_line(lines: Lines) -> None:
    logs.configure_logging()
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        structlog.get_logger("a").exception("failed\nbadly")
        logging.getLogger("b").exception("stdlib failed")
    first, second = lines()
    assert first["level"] == "error"
    assert "RuntimeError: boom" in first["exception"]
    assert first["event"] == "failed\nbadly"
    assert "RuntimeError: boom" in second["exception"]


def test_python_warnings_are_json_lines_too(lines: Lines) -> None:
    logs.configure_logging()
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn("deprecated thing", DeprecationWarning, stacklevel=1)
    (line,) = lines()
    assert line["logger"] == "py.warnings"
    assert "deprecated thing" in line["event"]


def test_bound_invocation_fields_are_on_every_line_until_cleared(lines: Lines) -> None:
    logs.configure_logging()
    log = structlog.get_logger("whitelist_core")
    logs.bind_invocation(
        request_id="req-1", trigger="eventbridge", event_id="ev-9", instance_ids=("i-1", "i-2")
    )
    log.info("one")
    logging.getLogger("urllib3").warning("two")
    logs.audit_change("add", target="orders", entries=["10.0.0.5"])
    logs.invocation_summary("applied", duration_ms=12.5)
    logs.clear_invocation()
    log.info("after")
    logging.getLogger("urllib3").warning("after stdlib")

    *during, after, after_stdlib = lines()
    assert len(during) == 4
    for line in during:
        assert line["request_id"] == "req-1"
        assert line["trigger"] == "eventbridge"
        assert line["event_id"] == "ev-9"
        assert line["instance_ids"] == ["i-1", "i-2"]
    for line in (after, after_stdlib):
        assert not {"request_id", "trigger", "event_id", "instance_ids"} & line.keys()


def test_bind_invocation_skips_none_and_accepts_extra_fields(lines: Lines) -> None:
    logs.configure_logging()
    logs.bind_invocation(request_id="r", function="fn")
    structlog.get_logger("x").info("e")
    (line,) = lines()
    assert line["request_id"] == "r"
    assert line["function"] == "fn"
    assert "trigger" not in line


def test_a_field_given_on_the_call_wins_over_the_bound_one(lines: Lines) -> None:
    logs.configure_logging()
    logs.bind_invocation(trigger="timer")
    structlog.get_logger("x").info("e", trigger="override")
    logging.getLogger("y").info("s", extra={"trigger": "stdlib-override"})
    first, second = lines()
    assert first["trigger"] == "override"
    assert second["trigger"] == "stdlib-override"


def test_audit_and_summary_lines(lines: Lines) -> None:
    logs.configure_logging()
    logs.audit_change("remove", target="t", group="ecs_t", entries=["10.0.0.9"], request_id="R")
    logs.invocation_summary("error", code="Forbidden.RAM")
    logs.invocation_summary("noop")
    audit, failed, noop = lines()
    assert audit["event"] == "audit"
    assert audit["action"] == "remove"
    assert audit["entries"] == ["10.0.0.9"]
    assert audit["level"] == "info"
    assert (failed["event"], failed["status"], failed["level"]) == (
        "invocation_summary",
        "error",
        "error",
    )
    assert (noop["status"], noop["level"]) == ("noop", "info")


def test_secrets_are_masked_on_both_paths_by_key_and_by_value(
    lines: Lines, capsys: pytest.CaptureFixture[str]
) -> None:
    logs.configure_logging()
    logs.register_secret(SECRET)
    logs.register_secret(STS_TOKEN)
    logs.bind_invocation(request_id="r1")
    url = "https://r-kvstore.aliyuncs.com/?SecurityToken=CAIS%2Bsts%2Ftoken%3D%3D&Action=X"
    structlog.get_logger("whitelist_core.aliyun").info(
        "call",
        url=url,
        headers={
            "Authorization": "ACS3-HMAC-SHA256 Credential=AK,Signature=abc",
            "x-acs-action": "X",
        },
        body=[{"AccessKeySecret": SECRET}],
        note=f"key {SECRET} used",
    )
    logging.getLogger("urllib3.connectionpool").debug("not shown at INFO")
    logging.getLogger("urllib3.connectionpool").warning(
        "GET %s failed for %s", url, SECRET, extra={"x-acs-security-token": STS_TOKEN}
    )
    raw = capsys.readouterr().out
    assert SECRET not in raw
    assert STS_TOKEN not in raw
    assert "CAIS%2Bsts%2Ftoken%3D%3D" not in raw
    assert "Signature=abc" not in raw
    first, second = (json.loads(line) for line in raw.splitlines())
    assert first["url"] == "https://r-kvstore.aliyuncs.com/?SecurityToken=***&Action=X"
    assert first["headers"] == {"Authorization": "***", "x-acs-action": "X"}
    assert first["body"] == [{"AccessKeySecret": "***"}]
    assert first["note"] == "key *** used"
    assert second["event"] == (
        "GET https://r-kvstore.aliyuncs.com/?SecurityToken=***&Action=X failed for ***"
    )
    assert second["x-acs-security-token"] == "***"
    assert second["request_id"] == "r1"
    assert lines() == []


def test_configuring_twice_keeps_one_handler_and_one_line_per_record(lines: Lines) -> None:
    logs.configure_logging("INFO")
    logs.configure_logging("INFO")
    logs.configure_logging("DEBUG")
    logs.configure_logging("DEBUG")
    ours = [h for h in logging.getLogger().handlers if isinstance(h, logs.StdoutJsonHandler)]
    assert len(ours) == 1
    logging.getLogger("urllib3").warning("once")
    structlog.get_logger("x").info("once too")
    assert [line["event"] for line in lines()] == ["once", "once too"]


def test_configure_replaces_a_plain_text_root_handler(lines: Lines) -> None:
    plain = logging.StreamHandler(sys.stdout)
    plain.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logging.getLogger().addHandler(plain)
    try:
        logs.configure_logging()
        assert plain not in logging.getLogger().handlers
        logging.getLogger("fc").warning("only json")
        assert [line["event"] for line in lines()] == ["only json"]
    finally:
        logging.getLogger().removeHandler(plain)


@pytest.mark.parametrize(
    ("level", "shown"),
    [
        (None, ["info", "warning", "error"]),
        ("", ["info", "warning", "error"]),
        ("debug", ["debug", "info", "warning", "error"]),
        ("WARNING", ["warning", "error"]),
        ("warn", ["warning", "error"]),
        ("Error", ["error"]),
    ],
)
def test_log_level_filters_both_paths(level: str | None, shown: list[str], lines: Lines) -> None:
    logs.configure_logging(level)
    log = structlog.get_logger("s")
    std = logging.getLogger("std")
    for name in ("debug", "info", "warning", "error"):
        getattr(log, name)(name)
        getattr(std, name)(name)
    got = lines()
    assert [line["level"] for line in got if line["logger"] == "s"] == shown
    assert [line["level"] for line in got if line["logger"] == "std"] == shown


def test_reconfiguring_changes_the_level_of_loggers_made_earlier(lines: Lines) -> None:
    early = structlog.get_logger("made.at.import")
    logs.configure_logging("ERROR")
    early.warning("hidden")
    logs.configure_logging("DEBUG")
    early.debug("shown")
    assert [line["event"] for line in lines()] == ["shown"]


def test_unknown_level_falls_back_to_info_and_says_so(lines: Lines) -> None:
    logs.configure_logging("verbose")
    structlog.get_logger("s").debug("hidden")
    structlog.get_logger("s").info("shown")
    warning, shown = lines()
    assert warning["level"] == "warning"
    assert warning["log_level"] == "verbose"
    assert shown["event"] == "shown"


def test_level_from_env_reads_only_log_level() -> None:
    assert logs.level_from_env({"LOG_LEVEL": "debug", "OTHER": "x"}) == "debug"
    assert logs.level_from_env({}) is None


def test_level_from_env_defaults_to_the_process_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LOG_LEVEL", "ERROR")
    assert logs.level_from_env() == "ERROR"


def test_importing_the_module_prints_nothing_and_configures_nothing() -> None:
    code = (
        "import logging, whitelist_core.logs;"
        "assert not logging.getLogger().handlers, logging.getLogger().handlers"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == ""
