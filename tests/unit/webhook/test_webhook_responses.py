"""HttpResponse.to_fc, error_response, response_for_result and response_for_error."""

from __future__ import annotations

import json

import pytest

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
from whitelist_core.webhook import (
    HttpResponse,
    error_response,
    response_for_error,
    response_for_result,
)


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


@pytest.mark.parametrize("status", ["applied", "noop", "planned", "ignored"])
def test_successful_results_are_200_with_the_summary(status: str) -> None:
    summary: dict[str, object] = {
        "status": status,
        "trigger": "http",
        "targets": [{"target": "a", "blocked": []}],
    }
    assert response_for_result(summary) == HttpResponse(200, summary)


def test_partly_blocked_run_is_still_200_and_shows_the_block() -> None:
    summary = {"status": "applied", "targets": [{"target": "a", "blocked": ["too many removals"]}]}
    response = response_for_result(summary)
    assert response.status == 200
    assert response.body["targets"] == summary["targets"]


def test_rejected_result_is_422_with_every_reason() -> None:
    summary = {
        "status": "rejected",
        "targets": [
            {"target": "a", "blocked": ["0.0.0.0/0 is world-open"]},
            {"target": "b", "blocked": ["8.8.8.8 is public", "removal limit"]},
            {"target": "c"},
        ],
    }
    response = response_for_result(summary)
    reasons = ["0.0.0.0/0 is world-open", "8.8.8.8 is public", "removal limit"]
    assert response == HttpResponse(
        422,
        {
            "error": "policy_rejected",
            "message": "; ".join(reasons),
            "reasons": reasons,
            "result": summary,
        },
    )


def test_rejected_result_with_its_own_reasons_list() -> None:
    response = response_for_result({"status": "rejected", "reasons": ["r1"]})
    assert (response.status, response.body["reasons"]) == (422, ["r1"])


def test_error_result_is_502_with_the_summary() -> None:
    summary = {"status": "error", "error": {"code": "InvalidInstanceId.NotFound"}}
    response = response_for_result(summary)
    assert (response.status, response.body["error"], response.body["result"]) == (
        502,
        "cloud_error",
        summary,
    )


@pytest.mark.parametrize("summary", [{}, {"status": "weird"}, {"status": 3}])
def test_unknown_result_is_500(summary: dict[str, object]) -> None:
    assert response_for_result(summary).status == 500


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
