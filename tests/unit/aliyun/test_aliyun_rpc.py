"""Transport: wire format, error mapping, retries with backoff inside the deadline, logs."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import responses
from alibabacloud_tea_openapi.utils import Utils
from aliyun_fakes import (
    CREDS,
    ECS_URL,
    FakeTime,
    RpcFactory,
    error_body,
    query_of,
    reply,
)
from structlog.testing import capture_logs

from whitelist_core.aliyun.transport import rpc as rpc_module
from whitelist_core.aliyun.transport.retry import Backoff, is_transient, retry_after_seconds
from whitelist_core.aliyun.transport.rpc import Call
from whitelist_core.errors import PermanentCloudError, TransientCloudError

CALL = Call(ECS_URL.rstrip("/"), "ecs", "cn-hangzhou", "DescribeInstances", "2014-05-26",
            {"RegionId": "cn-hangzhou", "Tag.1.Value": "a b*c~", "InstanceIds": '["i-1"]'})  # fmt: skip
OK = {"RequestId": "REQ-OK", "Instances": {"Instance": []}}


def _sequence(mocked: responses.RequestsMock, *answers: object) -> None:
    """Answer successive calls with ``answers`` (tuples, or exceptions to raise)."""
    queue = list(answers)

    def callback(request: requests.PreparedRequest) -> object:
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    mocked.add_callback(responses.POST, ECS_URL, callback=callback)  # type: ignore[arg-type]


def test_request_is_signed_post_with_query_and_empty_body(
    mocked: responses.RequestsMock, make_rpc: RpcFactory
) -> None:
    mocked.add(responses.POST, ECS_URL, json=OK)
    assert make_rpc().call(CALL) == OK
    sent = mocked.calls[0].request
    assert sent.method == "POST"
    assert not sent.body
    assert query_of(sent) == dict(CALL.params)
    assert "%20" in (sent.url or "")
    assert "%2A" in (sent.url or "")
    headers = {k.lower(): v for k, v in sent.headers.items()}
    assert headers["x-acs-action"] == "DescribeInstances"
    assert headers["x-acs-version"] == "2014-05-26"
    assert headers["x-acs-security-token"] == CREDS.security_token
    assert headers["x-acs-date"] == "2024-01-02T03:04:05Z"
    assert len(headers["x-acs-signature-nonce"]) == 32
    # the official SDK, given what went over the wire, computes the same Authorization
    signed = {k: v for k, v in headers.items() if k == "host" or k.startswith("x-acs-")}
    query = dict(parse_qsl(urlsplit(sent.url or "").query, keep_blank_values=True))
    request = SimpleNamespace(pathname="/", method="POST", query=query, headers=signed)
    expected = Utils.get_authorization(
        request, "ACS3-HMAC-SHA256", headers["x-acs-content-sha256"],
        CREDS.access_key_id, CREDS.access_key_secret,
    )  # fmt: skip
    assert headers["authorization"] == expected


def test_nonce_differs_per_attempt(mocked: responses.RequestsMock, make_rpc: RpcFactory) -> None:
    _sequence(mocked, reply(503, error_body("ServiceUnavailable")), reply(200, OK))
    make_rpc().call(CALL)
    nonces = {c.request.headers["x-acs-signature-nonce"] for c in mocked.calls}
    assert len(nonces) == 2


@pytest.mark.parametrize(
    "failure",
    [
        reply(400, error_body("Throttling.User")),
        reply(400, error_body("LockTimeout")),
        reply(403, error_body("IncorrectDBInstanceState")),
        reply(503, "<html>busy</html>"),
        reply(200, "not json"),
        requests.ConnectionError("reset"),
        requests.exceptions.ReadTimeout("slow"),
    ],
    ids=["throttled", "lock", "state", "503", "malformed", "connection", "timeout"],
)
def test_transient_twice_then_ok_takes_three_attempts(
    failure: object, mocked: responses.RequestsMock, make_rpc: RpcFactory, fake_time: FakeTime
) -> None:
    _sequence(mocked, failure, failure, reply(200, OK))
    assert make_rpc(rand=lambda: 0.5).call(CALL) == OK
    assert len(mocked.calls) == 3
    assert fake_time.sleeps == [pytest.approx(0.1), pytest.approx(0.2)]  # full jitter * 0.5


def test_retry_after_header_is_a_floor_in_milliseconds(
    mocked: responses.RequestsMock, make_rpc: RpcFactory, fake_time: FakeTime
) -> None:
    throttled = reply(400, error_body("Throttling.Api"), {"x-acs-retry-after": "1500"})
    _sequence(mocked, throttled, reply(200, OK))
    make_rpc(rand=lambda: 0.0).call(CALL)
    assert fake_time.sleeps == [1.5]


def test_deadline_stops_retries_with_last_error(
    mocked: responses.RequestsMock, make_rpc: RpcFactory, fake_time: FakeTime
) -> None:
    start = fake_time.now
    codes = iter(range(100))

    def throttled(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        return reply(400, error_body("Throttling.User", f"REQ-{next(codes)}"))

    mocked.add_callback(responses.POST, ECS_URL, callback=throttled)
    client = make_rpc(budget=3.0, backoff=Backoff(max_attempts=50))
    with pytest.raises(TransientCloudError) as caught:
        client.call(CALL)
    # margin 0.5 leaves 2.5 s: sleeps 0.2, 0.4, 0.8 fit; the next 1.6 would not
    assert fake_time.sleeps == pytest.approx([0.2, 0.4, 0.8])
    assert fake_time.now <= start + 3.0 - 0.5
    assert len(mocked.calls) == 4
    assert caught.value.code == "Throttling.User"
    assert caught.value.request_id == "REQ-3"
    assert caught.value.http_status == 400


def test_retry_after_beyond_deadline_is_not_slept(
    mocked: responses.RequestsMock, make_rpc: RpcFactory, fake_time: FakeTime
) -> None:
    _sequence(mocked, reply(400, error_body("Throttling"), {"x-acs-retry-after": "60000"}))
    with pytest.raises(TransientCloudError):
        make_rpc(budget=10.0).call(CALL)
    assert fake_time.sleeps == []
    assert len(mocked.calls) == 1


def test_no_time_left_raises_without_calling(
    mocked: responses.RequestsMock, make_rpc: RpcFactory
) -> None:
    mocked.add(responses.POST, ECS_URL, json=OK)
    with pytest.raises(TransientCloudError) as caught:
        make_rpc(budget=0.4).call(CALL)  # less than the 0.5 s margin
    assert caught.value.code == "DeadlineExceeded"
    assert len(mocked.calls) == 0


def test_timeouts_never_exceed_remaining_time(
    monkeypatch: pytest.MonkeyPatch, make_rpc: RpcFactory
) -> None:
    seen: list[object] = []

    def fake_post(self: requests.Session, url: str, **kw: object) -> requests.Response:
        seen.append(kw["timeout"])
        response = requests.Response()
        response.status_code, response._content = 200, b'{"RequestId": "R"}'
        return response

    monkeypatch.setattr(requests.Session, "post", fake_post)
    make_rpc(budget=2.5).call(CALL)
    make_rpc(budget=60).call(CALL)
    assert seen == [(2.0, 2.0), (3.0, 10.0)]


def test_max_attempts_bounds_retries(mocked: responses.RequestsMock, make_rpc: RpcFactory) -> None:
    _sequence(mocked, reply(500, error_body("InternalError")))
    with pytest.raises(TransientCloudError) as caught:
        make_rpc(budget=600, backoff=Backoff(max_attempts=3)).call(CALL)
    assert len(mocked.calls) == 3
    assert caught.value.code == "InternalError"


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, "SignatureDoesNotMatch"),
        (404, "InvalidAccessKeyId.NotFound"),
        (400, "InvalidGroupName.Format"),
        (404, "InvalidInstanceId.NotFound"),
        (403, "Forbidden.RAM"),
        (400, "InvalidParameter.Tag"),
        (400, "MissingParameter"),
    ],
)
def test_permanent_errors_are_not_retried_and_keep_request_id(
    status: int, code: str, mocked: responses.RequestsMock, make_rpc: RpcFactory,
    fake_time: FakeTime,
) -> None:  # fmt: skip
    mocked.add(responses.POST, ECS_URL, status=status, json=error_body(code, "REQ-P", "no"))
    with pytest.raises(PermanentCloudError) as caught:
        make_rpc().call(CALL)
    assert len(mocked.calls) == 1
    assert fake_time.sleeps == []
    error = caught.value
    assert (error.code, error.request_id, error.http_status, error.message) == (
        code,
        "REQ-P",
        status,
        "no",
    )
    assert error.action == "DescribeInstances"
    assert not error.retryable


def test_error_without_json_body_gets_http_code_and_header_request_id(
    mocked: responses.RequestsMock, make_rpc: RpcFactory
) -> None:
    mocked.add(responses.POST, ECS_URL, status=404, body="nope",
               headers={"x-acs-request-id": "HDR-1"})  # fmt: skip
    with pytest.raises(PermanentCloudError) as caught:
        make_rpc().call(CALL)
    assert (caught.value.code, caught.value.request_id) == ("HTTP404", "HDR-1")


def test_lowercase_error_keys_are_read(
    mocked: responses.RequestsMock, make_rpc: RpcFactory
) -> None:
    body = {"requestId": "r-low", "code": "Forbidden", "message": "m"}
    mocked.add(responses.POST, ECS_URL, status=403, json=body)
    with pytest.raises(PermanentCloudError) as caught:
        make_rpc().call(CALL)
    assert (caught.value.code, caught.value.request_id) == ("Forbidden", "r-low")


@pytest.mark.parametrize(
    ("code", "status", "transient"),
    [
        ("Throttling", 400, True),
        ("Throttling.User", 400, True),
        ("Throttling.Api", 400, True),
        ("Rejected.Throttling", 400, True),
        ("ServiceUnavailable", 503, True),
        ("InternalError", 500, True),
        ("UnknownError", 400, True),
        ("LockTimeout", 400, True),
        ("IncorrectDBInstanceState", 403, True),
        ("OperationDenied.KVstoreInstanceStatus", 403, True),
        ("OperationDenied.DBInstanceStatus", 400, True),
        ("Task.Conflict", 400, True),
        ("AnythingElse", 502, True),
        ("HTTP429", 429, True),
        ("SignatureDoesNotMatch", 400, False),
        ("InvalidAccessKeyId.NotFound", 404, False),
        ("OperationDenied", 403, False),
        ("Forbidden.RAM", 403, False),
        ("InvalidParameter", 400, False),
    ],
)
def test_classification(code: str, status: int, transient: bool) -> None:
    assert is_transient(code, status) is transient


@pytest.mark.parametrize(
    ("value", "seconds"), [("250", 0.25), ("0", None), ("-1", None), ("x", None), ("", None)]
)
def test_retry_after_parsing(value: str, seconds: float | None) -> None:
    assert retry_after_seconds({"x-acs-retry-after": value}) == seconds


def test_backoff_is_capped_full_jitter() -> None:
    backoff = Backoff(base=0.2, cap=5.0)
    assert [backoff.delay(n, lambda: 1.0, None) for n in (1, 2, 3, 6, 7, 20)] == [
        0.2, 0.4, 0.8, 5.0, 5.0, 5.0,
    ]  # fmt: skip
    assert backoff.delay(3, lambda: 0.25, None) == pytest.approx(0.2)
    assert backoff.delay(1, lambda: 0.0, None) == 0.0


def test_one_log_line_per_attempt_without_secrets(
    mocked: responses.RequestsMock, make_rpc: RpcFactory
) -> None:
    _sequence(mocked, reply(400, error_body("Throttling.User", "REQ-T")), reply(200, OK))
    with capture_logs() as logs:
        make_rpc().call(CALL)
    calls = [line for line in logs if line["event"] == "cloud_call"]
    assert [
        (c["attempt"], c["outcome"], c["code"], c["cloud_request_id"], c["http_status"])
        for c in calls
    ] == [
        (1, "retry", "Throttling.User", "REQ-T", 400),
        (2, "ok", "", "REQ-OK", 200),
    ]
    for line in calls:
        assert {"action", "product", "region", "latency_ms"} <= line.keys()
        assert line["product"] == "ecs"
        assert line["region"] == "cn-hangzhou"
    text = repr(logs)
    for secret in (CREDS.access_key_secret, CREDS.security_token, "Signature=", "ACS3-"):
        assert secret not in text


def test_permanent_and_gave_up_outcomes_are_logged(
    mocked: responses.RequestsMock, make_rpc: RpcFactory
) -> None:
    _sequence(mocked, reply(400, error_body("InvalidParameter")))
    with capture_logs() as logs, pytest.raises(PermanentCloudError):
        make_rpc().call(CALL)
    assert [line["outcome"] for line in logs] == ["permanent"]


def test_shared_session_is_created_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rpc_module, "_SESSION", None)
    first = rpc_module.shared_session()
    assert rpc_module.shared_session() is first
    assert first.trust_env is False
