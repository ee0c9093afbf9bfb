"""Helpers for the aliyun adapter tests: a fake clock, credentials, canned answers."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests

from whitelist_core.aliyun.transport.credentials import Credentials
from whitelist_core.aliyun.transport.rpc import RpcClient

ECS_URL = "https://ecs-cn-hangzhou.aliyuncs.com/"
KVSTORE_URL = "https://r-kvstore.aliyuncs.com/"
CREDS = Credentials("LTAItestkeyid", "test-secret-value", "sts-token-value")


RpcFactory = Callable[..., RpcClient]
"""Builds an ``RpcClient`` on the fake clock (the ``make_rpc`` fixture)."""


class FakeTime:
    """A monotonic clock that only moves when the code under test sleeps."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds


def query_of(request: requests.PreparedRequest) -> dict[str, str]:
    """The decoded query parameters of a captured request."""
    return dict(parse_qsl(urlsplit(request.url or "").query, keep_blank_values=True))


def reply(
    status: int, body: Any, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], str]:
    """A ``responses`` callback answer with a JSON body."""
    text = body if isinstance(body, str) else json.dumps(body)
    return status, {"Content-Type": "application/json", **(headers or {})}, text


def error_body(code: str, request_id: str = "REQ-ERR", message: str = "refused") -> dict[str, str]:
    return {"RequestId": request_id, "HostId": "example", "Code": code, "Message": message}
