"""Credentials (context, environment, redaction) and endpoints (SDK rules, overrides)."""

from __future__ import annotations

from types import SimpleNamespace

import alibabacloud_ecs20140526.client as ecs_sdk
import alibabacloud_r_kvstore20150101.client as kvstore_sdk
import pytest
import requests
import responses
from alibabacloud_tea_openapi.models import Config
from aliyun_fakes import CREDS, ECS_URL, KVSTORE_URL, RpcFactory

from whitelist_core.aliyun.ecs.inventory import EcsInventory
from whitelist_core.aliyun.factory import make_clients
from whitelist_core.aliyun.stores.kvstore import KvstoreWhitelistStore
from whitelist_core.aliyun.transport.credentials import Credentials, load_credentials
from whitelist_core.aliyun.transport.endpoints import Endpoints, host_of, sdk_host
from whitelist_core.errors import ConfigError, CredentialsError

ENV = {
    "ALIBABA_CLOUD_ACCESS_KEY_ID": "env-id",
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "env-secret",
    "ALIBABA_CLOUD_SECURITY_TOKEN": "env-token",
}


# -- credentials ---------------------------------------------------------------------


def test_context_credentials_as_attributes_win_over_environment() -> None:
    context = SimpleNamespace(
        credentials=SimpleNamespace(
            access_key_id="ctx-id", access_key_secret="ctx-secret", security_token="ctx-token"
        )
    )
    assert load_credentials(context, ENV) == Credentials("ctx-id", "ctx-secret", "ctx-token")


def test_context_credentials_as_dict() -> None:
    context = {"credentials": {"access_key_id": "d-id", "access_key_secret": "d-s"}}
    assert load_credentials(context, {}) == Credentials("d-id", "d-s", "")


@pytest.mark.parametrize(
    "context",
    [
        None,
        SimpleNamespace(),
        SimpleNamespace(credentials=None),
        SimpleNamespace(credentials=SimpleNamespace(access_key_id=None, access_key_secret=None)),
        SimpleNamespace(credentials=SimpleNamespace(access_key_id="only-id")),
        {"credentials": {}},
    ],
    ids=["none", "no-attr", "none-creds", "none-values", "incomplete", "empty-dict"],
)
def test_environment_used_when_context_has_no_complete_pair(context: object) -> None:
    assert load_credentials(context, ENV) == Credentials("env-id", "env-secret", "env-token")


def test_environment_without_token() -> None:
    env = {k: v for k, v in ENV.items() if "TOKEN" not in k}
    assert load_credentials(None, env).security_token == ""


def test_missing_everything_names_both_variables() -> None:
    with pytest.raises(CredentialsError) as caught:
        load_credentials(SimpleNamespace(credentials=None), {})
    message = str(caught.value)
    assert "ALIBABA_CLOUD_ACCESS_KEY_ID" in message
    assert "ALIBABA_CLOUD_ACCESS_KEY_SECRET" in message


def test_missing_secret_names_only_it_and_never_a_value() -> None:
    env = {"ALIBABA_CLOUD_ACCESS_KEY_ID": "visible-id-value", "ALIBABA_CLOUD_SECURITY_TOKEN": "tkn"}
    with pytest.raises(CredentialsError) as caught:
        load_credentials(None, env)
    message = str(caught.value)
    assert "ALIBABA_CLOUD_ACCESS_KEY_SECRET" in message
    assert "lacks ALIBABA_CLOUD_ACCESS_KEY_ID" not in message
    assert "visible-id-value" not in message
    assert "tkn" not in message


def test_repr_and_str_redact_secret_and_token() -> None:
    creds = Credentials("LTAI5tExampleKey", "super-secret-value", "sts-token-value")
    for text in (repr(creds), str(creds), f"{creds}", repr([creds])):
        assert "super-secret-value" not in text
        assert "sts-token-value" not in text
        assert "LTAI5tExampleKey" not in text
        assert "LTAI" in text


# -- endpoints -----------------------------------------------------------------------

REGIONS = ["cn-hangzhou", "cn-shanghai", "cn-beijing", "ap-southeast-1", "cn-hangzhou-finance",
           "cn-shanghai-finance-1", "cn-edge-1", "eu-west-1-oxs", "cn-zhangjiakou-na62-a01"]  # fmt: skip


@pytest.mark.parametrize(
    ("product", "region", "vpc", "host"),
    [
        ("ecs", "cn-hangzhou", False, "ecs-cn-hangzhou.aliyuncs.com"),
        ("ecs", "cn-shanghai", False, "ecs.cn-shanghai.aliyuncs.com"),
        ("ecs", "cn-shanghai", True, "ecs-vpc.cn-shanghai.aliyuncs.com"),
        ("ecs", "cn-hangzhou", True, "ecs-cn-hangzhou.aliyuncs.com"),  # the map wins
        ("kvstore", "cn-hangzhou", False, "r-kvstore.aliyuncs.com"),
        ("kvstore", "cn-shanghai", False, "r-kvstore.cn-shanghai.aliyuncs.com"),
        ("kvstore", "cn-shanghai", True, "r-kvstore-vpc.cn-shanghai.aliyuncs.com"),
        ("kvstore", "cn-hangzhou", True, "r-kvstore.aliyuncs.com"),  # the map wins
    ],
)
def test_endpoint_table(product: str, region: str, vpc: bool, host: str) -> None:
    assert Endpoints(vpc=vpc).base_url(product, region) == f"https://{host}"  # type: ignore[arg-type]


@pytest.mark.parametrize("vpc", [False, True])
@pytest.mark.parametrize("region", REGIONS)
def test_endpoints_agree_with_official_sdk(region: str, vpc: bool) -> None:
    config = {"access_key_id": "a", "access_key_secret": "b", "region_id": region}
    if vpc:
        config["network"] = "vpc"
    assert sdk_host("ecs", region, vpc=vpc) == ecs_sdk.Client(Config(**config))._endpoint
    assert sdk_host("kvstore", region, vpc=vpc) == kvstore_sdk.Client(Config(**config))._endpoint


@pytest.mark.parametrize("region", ["", "cn hangzhou", "evil.com/x", "CN-HANGZHOU"])
def test_bad_region_is_refused(region: str) -> None:
    with pytest.raises(ConfigError):
        sdk_host("ecs", region)


def test_override_replaces_every_region_and_keeps_port() -> None:
    endpoints = Endpoints.from_environ(
        {"WHITELIST_ECS_ENDPOINT": "http://127.0.0.1:8080/", "WHITELIST_KVSTORE_ENDPOINT": ""}
    )
    assert endpoints.base_url("ecs", "cn-hangzhou") == "http://127.0.0.1:8080"
    assert endpoints.base_url("ecs", "ap-southeast-1") == "http://127.0.0.1:8080"
    assert (
        endpoints.base_url("kvstore", "cn-shanghai") == "https://r-kvstore.cn-shanghai.aliyuncs.com"
    )
    assert host_of("http://127.0.0.1:8080") == "127.0.0.1:8080"


@pytest.mark.parametrize(
    "url",
    ["127.0.0.1:8080", "ftp://host", "http://host/path", "http://u:p@host", "http://host?x=1"],
)
def test_bad_override_is_a_config_error_naming_the_variable(url: str) -> None:
    with pytest.raises(ConfigError, match="WHITELIST_KVSTORE_ENDPOINT"):
        Endpoints.from_environ({"WHITELIST_KVSTORE_ENDPOINT": url})


def test_override_url_and_signed_host_on_the_wire(
    mocked: responses.RequestsMock, make_rpc: RpcFactory
) -> None:
    mocked.add(
        responses.POST, "http://127.0.0.1:8080/", json={"RequestId": "R", "SecurityIpGroups": {}}
    )
    endpoints = Endpoints.from_environ({"WHITELIST_KVSTORE_ENDPOINT": "http://127.0.0.1:8080"})
    KvstoreWhitelistStore(make_rpc(), endpoints).read_groups("cn-beijing", "r-1")
    sent = mocked.calls[0].request
    assert (sent.url or "").startswith("http://127.0.0.1:8080/?")
    assert sent.headers["host"] == "127.0.0.1:8080"
    assert "host;" in sent.headers["Authorization"]


def test_factory_wires_overrides_and_shares_the_deadline(mocked: responses.RequestsMock) -> None:
    empty = {"RequestId": "R", "TotalCount": 0, "Instances": {"Instance": []}}
    mocked.add(responses.POST, ECS_URL, json=empty)
    mocked.add(responses.POST, "http://kv.local:9000/", json={"RequestId": "R"})
    ecs, kvstore = make_clients(
        CREDS,
        deadline=1e12,
        environ={"WHITELIST_KVSTORE_ENDPOINT": "http://kv.local:9000"},
        session=requests.Session(),
    )
    assert isinstance(ecs, EcsInventory)
    assert isinstance(kvstore.for_target("redis", {}), KvstoreWhitelistStore)
    assert ecs.get_instances("cn-hangzhou", ["i-gone00000001"]) == []
    assert kvstore.read_groups("cn-hangzhou", "r-1") == []
    assert [c.request.url.split("?")[0] for c in mocked.calls] == [ECS_URL, "http://kv.local:9000/"]
    assert KVSTORE_URL not in {c.request.url for c in mocked.calls}
