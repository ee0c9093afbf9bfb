"""ESS endpoints (the official SDK's map), WHITELIST_ENDPOINT / WHITELIST_ESS_ENDPOINT,
and the idempotency token of a lifecycle answer."""

from __future__ import annotations

import pytest
from alibabacloud_ess20220222.client import Client as EssClient
from alibabacloud_tea_openapi.models import Config

from whitelist_core.aliyun.ess import client_token
from whitelist_core.aliyun.transport.endpoints import Endpoints, sdk_host
from whitelist_core.errors import ConfigError


@pytest.mark.parametrize(
    "region", ["cn-hangzhou", "cn-beijing", "ap-southeast-1", "cn-chengdu", "eu-central-1"]
)
def test_ess_host_is_the_official_sdks(region: str) -> None:
    sdk = EssClient(Config(region_id=region, access_key_id="x", access_key_secret="y"))
    assert sdk_host("ess", region) == sdk._endpoint


@pytest.mark.parametrize(
    ("environ", "ecs", "ess"),
    [
        ({}, "https://ecs-cn-hangzhou.aliyuncs.com", "https://ess.aliyuncs.com"),
        (
            {"WHITELIST_ENDPOINT": "http://127.0.0.1:8080"},
            "http://127.0.0.1:8080",
            "http://127.0.0.1:8080",
        ),
        (
            {"WHITELIST_ENDPOINT": "http://127.0.0.1:8080", "WHITELIST_ESS_ENDPOINT": "http://h:1"},
            "http://127.0.0.1:8080",
            "http://h:1",
        ),
        ({"WHITELIST_ESS_ENDPOINT": "https://ess-vpc.cn-hangzhou.aliyuncs.com"},
         "https://ecs-cn-hangzhou.aliyuncs.com", "https://ess-vpc.cn-hangzhou.aliyuncs.com"),
    ],
)  # fmt: skip
def test_a_products_own_variable_wins_over_whitelist_endpoint(
    environ: dict[str, str], ecs: str, ess: str
) -> None:
    endpoints = Endpoints.from_environ(environ)
    assert endpoints.base_url("ecs", "cn-hangzhou") == ecs
    assert endpoints.base_url("ess", "cn-hangzhou") == ess


def test_a_bad_whitelist_endpoint_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="WHITELIST_ENDPOINT"):
        Endpoints.from_environ({"WHITELIST_ENDPOINT": "localhost:8080"})


def test_client_token_is_stable_and_differs_per_answer() -> None:
    assert client_token("ash-1", "t", "CONTINUE") == client_token("ash-1", "t", "CONTINUE")
    assert client_token("ash-1", "t", "CONTINUE") != client_token("ash-1", "u", "CONTINUE")
    assert len(client_token("a", "b", "CONTINUE")) <= 64
