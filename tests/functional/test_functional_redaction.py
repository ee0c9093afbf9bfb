"""Secrets never leave through any door: results, HTTP bodies, exception messages, logs.

The cloud's error message here echoes the request, credentials included (as a proxy or a
verbose gateway may); an endpoint override carries credentials of its own. None of it may
reach the returned result, the webhook's answers, the raised exception or a log line.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import pytest
from whitelist_testkit import (
    ACCESS_KEY_SECRET,
    WEB2,
    eventbridge_state_change,
    http_event,
)

from whitelist_core.aliyun import factory
from whitelist_core.aliyun.transport.rpc import RpcClient
from whitelist_core.errors import TransientCloudError

TOKEN = "sts-token-CAIS9xZlocalcloudsecretpart"
ECHO = f"bad request: AccessKeySecret {ACCESS_KEY_SECRET} SecurityToken {TOKEN}"


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(factory, "RpcClient", functools.partial(RpcClient, sleep=lambda s: None))


@pytest.fixture
def with_token(configured: Any, function_env: pytest.MonkeyPatch) -> Any:
    function_env.setenv("ALIBABA_CLOUD_SECURITY_TOKEN", TOKEN)
    return configured


def _clean(*texts: str) -> None:
    for text in texts:
        assert ACCESS_KEY_SECRET not in text
        assert TOKEN not in text


def test_an_echoed_secret_never_reaches_the_result(
    with_token: Any, invoke: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    with_token.add_fault(action="ModifySecurityIps", status=400, code="InvalidParameter",
                         message=ECHO)  # fmt: skip
    result = invoke(eventbridge_state_change(WEB2, "Running"))
    assert result["status"] == "error"
    assert "***" in json.dumps(result)
    _clean(json.dumps(result), capfd.readouterr().out)


def test_an_echoed_secret_never_reaches_the_raised_exception(
    with_token: Any, invoke: Any, no_backoff: None, capfd: pytest.CaptureFixture[str]
) -> None:
    with_token.add_fault(action="ModifySecurityIps", status=503, message=ECHO)
    with pytest.raises(TransientCloudError) as raised:
        invoke(eventbridge_state_change(WEB2, "Running"))
    summary = getattr(raised.value, "summary", {})
    _clean(str(raised.value), repr(raised.value), json.dumps(summary), capfd.readouterr().out)


@pytest.mark.parametrize(("status", "answer"), [(400, 502), (503, 503)])
def test_an_echoed_secret_never_reaches_the_webhook_answer(
    with_token: Any, invoke: Any, no_backoff: None, status: int, answer: int
) -> None:
    with_token.add_fault(action="ModifySecurityIps", status=status, code="InvalidParameter"
                         if status == 400 else None, message=ECHO)  # fmt: skip
    response = invoke(http_event("POST", "/instances", {"instance_ids": [WEB2]}))
    assert response["statusCode"] == answer
    _clean(json.dumps(response))


@pytest.mark.parametrize(
    ("url", "secret"),
    [
        ("http://admin:hunter2pass@127.0.0.1:9/x", "hunter2pass"),
        ("http://127.0.0.1:9/?token=tok3nvalue99", "tok3nvalue99"),
    ],
)
def test_an_endpoint_override_with_credentials_is_masked_in_messages(
    configured: Any, invoke: Any, function_env: pytest.MonkeyPatch, url: str, secret: str,
    capfd: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    function_env.setenv("WHITELIST_ECS_ENDPOINT", url)
    result = invoke(eventbridge_state_change(WEB2, "Running"))
    assert result["status"] == "error"
    assert "WHITELIST_ECS_ENDPOINT" in json.dumps(result)
    assert secret not in json.dumps(result)
    assert secret not in capfd.readouterr().out
