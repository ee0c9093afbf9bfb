"""What invocations print: JSON lines, per-invocation request id, summary, audit, no secret."""

from __future__ import annotations

import json
from typing import Any

import pytest
from whitelist_testkit import (
    ACCESS_KEY_SECRET,
    REGION,
    WEB1,
    WEB2,
    WEBHOOK_SECRET,
    eventbridge_state_change,
    fc_context,
    http_event,
    timer_event,
)

from whitelist_core.errors import TransientCloudError

SECRETS = (ACCESS_KEY_SECRET, WEBHOOK_SECRET)


@pytest.fixture
def configured(configured: Any, capfd: pytest.CaptureFixture[str]) -> Any:
    """The shared fixture, with the setup's output captured away."""
    capfd.readouterr()
    return configured


def _lines(capfd: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    out = capfd.readouterr().out
    for secret in SECRETS:
        assert secret not in out
    parsed = []
    for line in out.splitlines():
        value = json.loads(line)  # fails the test on any line that is not JSON
        assert isinstance(value, dict), line
        parsed.append(value)
    return parsed


def _run(
    cloud: Any, invoke: Any, capfd: pytest.CaptureFixture[str], event: Any, request_id: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    cloud.reset_calls()
    result = invoke(event, fc_context(request_id))
    lines = _lines(capfd)
    assert lines, "an invocation prints at least its summary"
    assert {line.get("request_id") for line in _own(lines)} == {request_id}
    summaries = [line for line in lines if line["event"] == "invocation_summary"]
    assert len(summaries) == 1
    for secret in SECRETS:
        assert secret not in json.dumps(result)
    return result, lines


def _own(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every line but ``cloud_call`` (those are checked by the last test of this module)."""
    return [line for line in lines if line["event"] != "cloud_call"]


def _audits(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line for line in lines if line.get("logger") == "whitelist_core.audit"]


def _applied(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [t for t in result.get("targets", []) if t["status"] == "applied"]


def test_invocations_print_json_lines_with_their_request_id_summary_and_audit(
    configured: Any, invoke: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    running, lines = _run(
        configured, invoke, capfd, eventbridge_state_change(WEB2, "Running"), "req-1"
    )
    assert len(_applied(running)) == 2
    audits = _audits(lines)
    assert len(audits) == 2
    assert {a["target"] for a in audits} == {"orders-cache", "sessions-cache"}
    assert all(a["added"] == ["10.0.1.12"] and a["removed"] == [] for a in audits)
    # One cloud_call line per API request the fake saw.
    cloud_calls = [line for line in lines if line["event"] == "cloud_call"]
    assert len(cloud_calls) == len(configured.calls()["calls"])
    assert all(c["request_id"] and c["action"] for c in cloud_calls)

    noop, lines = _run(configured, invoke, capfd, timer_event(), "req-2")
    assert [t["target"] for t in _applied(noop)] == ["sessions-cache"]  # WEB1 joins ecs_web
    assert len(_audits(lines)) == 1

    again, lines = _run(configured, invoke, capfd, timer_event(), "req-3")
    assert again["status"] == "noop"
    assert _audits(lines) == []
    summary = next(line for line in lines if line["event"] == "invocation_summary")
    assert summary["status"] == "noop"

    configured.delete_instances(REGION, [WEB1])
    removal, lines = _run(configured, invoke, capfd, timer_event(), "req-4")
    audits = _audits(lines)
    assert len(audits) == len(_applied(removal)) == 2
    assert all(a["removed"] == ["10.0.1.11"] for a in audits)


def test_webhook_invocations_log_without_secrets(
    configured: Any, invoke: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    applied, lines = _run(
        configured, invoke, capfd, http_event("POST", "/reconcile", {}), "req-http-1"
    )
    assert applied["statusCode"] == 200
    summary = next(line for line in lines if line["event"] == "invocation_summary")
    assert summary["status"] == "http_200"
    assert len(_audits(lines)) == len(_applied(json.loads(applied["body"])))

    refused, lines = _run(
        configured,
        invoke,
        capfd,
        http_event("POST", "/reconcile", {}, secret="wrong-secret-value"),
        "req-http-2",
    )
    assert refused["statusCode"] == 401
    assert [line["event"] for line in lines] == ["invocation_summary"]
    assert lines[0]["status"] == "http_401"


def test_rejected_event_logs_one_summary_and_nothing_else(
    configured: Any, invoke: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    result, lines = _run(configured, invoke, capfd, {"no": "shape"}, "req-bad")
    assert result["status"] == "rejected"
    assert [line["event"] for line in lines] == ["invocation_summary"]
    assert lines[0]["status"] == "rejected"


def test_a_raising_invocation_still_logs_one_error_summary(
    configured: Any,
    invoke: Any,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WHITELIST_TIMEOUT_SECONDS", "6")
    configured.add_fault(action="DescribeInstances", status=503, count=1000)

    with pytest.raises(TransientCloudError):
        invoke(timer_event(), fc_context("req-fail", timeout=6))

    lines = _lines(capfd)
    assert {line.get("request_id") for line in _own(lines)} == {"req-fail"}
    summaries = [line for line in lines if line["event"] == "invocation_summary"]
    assert len(summaries) == 1
    assert summaries[0]["status"] == "error"
    assert summaries[0]["level"] == "error"
    assert summaries[0]["error"] == "IncompleteRun"  # a TransientCloudError: the run is retried
    retries = [line for line in lines if line["event"] == "cloud_call"]
    assert len(retries) == configured.calls()["counts"]["DescribeInstances"]


def test_request_ids_do_not_leak_into_the_next_invocation(
    configured: Any, invoke: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    invoke(timer_event(), fc_context("req-a"))
    _lines(capfd)

    invoke(timer_event(), None)  # a local run: no context, no request id

    lines = _lines(capfd)
    assert lines
    assert all("request_id" not in line or line["request_id"] != "req-a" for line in lines)


def test_cloud_call_lines_carry_the_invocation_request_id(
    configured: Any, invoke: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    invoke(eventbridge_state_change(WEB2, "Running"), fc_context("req-calls"))

    cloud_calls = [line for line in _lines(capfd) if line["event"] == "cloud_call"]

    assert cloud_calls
    assert {line.get("request_id") for line in cloud_calls} == {"req-calls"}
    assert all(line["cloud_request_id"] for line in cloud_calls)


def test_write_lines_name_their_target_and_reads_do_not_inherit_one(
    configured: Any, invoke: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    invoke(eventbridge_state_change(WEB2, "Running"), fc_context("req-targets"))

    cloud_calls = [line for line in _lines(capfd) if line["event"] == "cloud_call"]
    writes_by_target = sorted(
        line["target"] for line in cloud_calls if line["action"] == "ModifySecurityIps"
    )
    assert writes_by_target == ["orders-cache", "sessions-cache"]
    assert all(
        "target" not in line for line in cloud_calls if line["action"] != "ModifySecurityIps"
    )
