"""HttpResponse.to_fc, error_response, httpapp.response_for_summary and response_for_error."""

from __future__ import annotations

import json
from typing import cast

import pytest

from whitelist_core.core.planner import TargetPlan
from whitelist_core.entrypoints.httpapp import response_for_summary
from whitelist_core.entrypoints.webhook import HttpResponse, error_response, response_for_error
from whitelist_core.errors import (
    BadEvent,
    BadSignature,
    ConfigError,
    PermanentCloudError,
    PolicyError,
    Problem,
    TransientCloudError,
    WhitelistError,
)
from whitelist_core.outcome import (
    CloudFailure,
    ConfigFailure,
    RunResult,
    RunStatus,
    TargetResult,
    TargetStatus,
)
from whitelist_core.summary import Summary


def test_to_fc_gives_the_fc3_response_shape() -> None:
    response = HttpResponse(405, {"error": "x", "message": "é"}, {"Allow": "GET"})
    fc = response.to_fc()
    assert fc == {
        "statusCode": 405,
        "headers": {"Content-Type": "application/json", "Allow": "GET"},
        "body": fc["body"],
        "isBase64Encoded": False,
    }
    assert isinstance(fc["body"], str)
    assert json.loads(fc["body"]) == {"error": "x", "message": "é"}


def test_to_fc_never_fails_on_values_json_does_not_know() -> None:
    fc = HttpResponse(200, {"targets": ("a",), "when": object}).to_fc()
    body = json.loads(str(fc["body"]))
    assert body["targets"] == ["a"]
    assert "object" in body["when"]


def test_error_response_body_and_headers() -> None:
    response = error_response(404, "not_found", "no route", {"X": "1"})
    assert response == HttpResponse(404, {"error": "not_found", "message": "no route"}, {"X": "1"})


def _run(status: TargetStatus, **blocked: tuple[str, ...]) -> RunResult:
    """A run of targets ``a`` (and any named in ``blocked``), each in ``status``."""
    names = {"a": (), **blocked}
    plans = [
        TargetPlan(name, "cn-hangzhou", "r-1", "g", "", blocked=b) for name, b in names.items()
    ]
    return RunResult(tuple(TargetResult(plan, status) for plan in plans), dry_run=False)


@pytest.mark.parametrize("status", ["applied", "noop", "planned", "ignored"])
def test_successful_results_are_200_with_the_summary(status: RunStatus) -> None:
    run = _run("noop") if status == "ignored" else _run(cast(TargetStatus, status))
    summary = Summary(status, "http", run=run)
    assert response_for_summary(summary) == HttpResponse(200, summary.to_dict())


@pytest.mark.parametrize("status", ["applied", "noop", "planned"])
def test_any_policy_block_is_422_with_every_reason_and_the_result(status: TargetStatus) -> None:
    summary = Summary.of_run(_run(status, a=("r1", "r2"), b=("r3",)), "http")
    response = response_for_summary(summary)
    assert response.status == 422
    assert response.body["error"] == "policy_rejected"
    assert response.body["reasons"] == ["r1", "r2", "r3"]
    assert response.body["result"] == summary.to_dict()


def test_rejected_request_is_400_with_its_message() -> None:
    response = response_for_summary(Summary("rejected", "http", message="unknown target(s): x"))
    assert response == error_response(400, "bad_request", "unknown target(s): x")


def test_error_result_is_502_with_the_summary() -> None:
    failure = CloudFailure("DescribeSecurityIps", "Forbidden", "no")
    summary = Summary("error", "http", message="DescribeSecurityIps failed", failure=failure)
    response = response_for_summary(summary)
    assert response.status == 502
    assert response.body == {
        "error": "cloud_error",
        "message": "DescribeSecurityIps failed",
        "result": summary.to_dict(),
    }


def test_configuration_error_result_is_500_without_the_details() -> None:
    failure = ConfigFailure(("targets[0].group: reserved",))
    summary = Summary("error", "http", message="invalid configuration", failure=failure)
    response = response_for_summary(summary)
    assert response == HttpResponse(
        500, {"error": "configuration", "message": "invalid configuration"}
    )


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (BadSignature("stale"), 401, "unauthorized"),
        (BadEvent("bad body"), 400, "bad_request"),
        (PolicyError(["a", "b"]), 422, "policy_rejected"),
        (
            TransientCloudError("ModifySecurityIps", "Throttling", "slow down"),
            503,
            "cloud_unavailable",
        ),
        (PermanentCloudError("DescribeSecurityIps", "Forbidden", "no"), 502, "cloud_error"),
        (ConfigError([Problem("targets[0].group", "reserved")]), 500, "configuration_error"),
        (WhitelistError("boom"), 500, "internal"),
    ],
)
def test_response_for_error(error: WhitelistError, status: int, code: str) -> None:
    response = response_for_error(error)
    assert (response.status, response.body["error"]) == (status, code)
    assert "Traceback" not in json.dumps(response.body)


def test_config_error_details_stay_in_the_logs() -> None:
    response = response_for_error(ConfigError([Problem("targets[0].group", "reserved")]))
    assert "targets[0]" not in json.dumps(response.body)


def test_policy_error_lists_reasons() -> None:
    assert response_for_error(PolicyError(["a", "b"])).body["reasons"] == ["a", "b"]


def test_transient_cloud_error_suggests_a_retry() -> None:
    response = response_for_error(TransientCloudError("X", "Throttling", "m", request_id="R1"))
    assert response.headers == {"Retry-After": "60"}
    assert "R1" in str(response.body["message"])
