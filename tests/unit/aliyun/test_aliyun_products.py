"""The store family for RDS, PolarDB and MongoDB: endpoints and requests checked against
each product's official SDK, and the stores against localcloud's state."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import alibabacloud_dds20151201.client as dds_sdk
import alibabacloud_polardb20170801.client as polardb_sdk
import alibabacloud_rds20140815.client as rds_sdk
import pytest
import requests
import responses
from alibabacloud_dds20151201 import models as dds_models
from alibabacloud_polardb20170801 import models as polardb_models
from alibabacloud_rds20140815 import models as rds_models
from alibabacloud_tea_openapi.models import Config
from alibabacloud_tea_openapi.utils import Utils
from aliyun_fakes import CREDS, FakeTime, RpcFactory, query_of

from localcloud.builders import make_db_group, make_db_instance
from localcloud.mock import LocalCloud
from whitelist_core.aliyun.stores.family import StoreFamily
from whitelist_core.aliyun.stores.network import NetworkChoice
from whitelist_core.aliyun.stores.whitelist import ProductWhitelistStore
from whitelist_core.aliyun.transport.credentials import Credentials
from whitelist_core.aliyun.transport.endpoints import Endpoints
from whitelist_core.aliyun.transport.rpc import RpcClient
from whitelist_core.errors import ConfigError, PermanentCloudError
from whitelist_core.ports import Group
from whitelist_core.products import spec_of

SDKS = {"rds": rds_sdk, "polardb": polardb_sdk, "mongodb": dds_sdk}
REGIONS = ["cn-hangzhou", "cn-shanghai", "cn-qingdao", "ap-southeast-1", "eu-central-1",
           "cn-hangzhou-finance", "us-west-1", "cn-chengdu", "me-east-1"]  # fmt: skip
IDS = {"rds": "rm-bp1orders00001", "polardb": "pc-bp1orders00001", "mongodb": "dds-bp1orders0001"}


# -- endpoints -----------------------------------------------------------------------


@pytest.mark.parametrize("vpc", [False, True])
@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize("product", sorted(SDKS))
def test_endpoints_agree_with_official_sdk(product: str, region: str, vpc: bool) -> None:
    config = {"access_key_id": "a", "access_key_secret": "b", "region_id": region}
    if vpc:
        config["network"] = "vpc"
    sdk_host = SDKS[product].Client(Config(**config))._endpoint
    ours = Endpoints(vpc=vpc).for_rule(spec_of(product).endpoint, region)
    assert ours == f"https://{sdk_host}"


def test_product_variable_wins_over_the_shared_one() -> None:
    environ = {"WHITELIST_RDS_ENDPOINT": "http://127.0.0.1:9001",
               "WHITELIST_ENDPOINT": "http://127.0.0.1:9000"}  # fmt: skip
    endpoints = Endpoints.from_environ(environ)
    assert endpoints.for_rule(spec_of("rds").endpoint, "cn-beijing") == "http://127.0.0.1:9001"
    assert endpoints.for_rule(spec_of("polardb").endpoint, "cn-beijing") == "http://127.0.0.1:9000"
    plain = Endpoints.from_environ({})
    assert plain.for_rule(spec_of("mongodb").endpoint, "cn-beijing") == (
        "https://mongodb.aliyuncs.com"
    )


@pytest.mark.parametrize(
    "variable", ["WHITELIST_RDS_ENDPOINT", "WHITELIST_POLARDB_ENDPOINT", "WHITELIST_DDS_ENDPOINT"]
)
def test_bad_product_override_is_a_config_error_naming_it(variable: str) -> None:
    product = {"WHITELIST_RDS_ENDPOINT": "rds", "WHITELIST_POLARDB_ENDPOINT": "polardb",
               "WHITELIST_DDS_ENDPOINT": "mongodb"}[variable]  # fmt: skip
    endpoints = Endpoints.from_environ({variable: "ftp://nope"})
    with pytest.raises(ConfigError, match=variable):
        endpoints.for_rule(spec_of(product).endpoint, "cn-hangzhou")


# -- our requests against the official SDK's -------------------------------------------

READ_ANSWERS: dict[str, dict[str, Any]] = {
    "rds": {"RequestId": "R", "Items": {"DBInstanceIPArray": []}},
    "polardb": {"RequestId": "R", "Items": {"DBClusterIPArray": []}},
    "mongodb": {"RequestId": "R", "SecurityIpGroups": {"SecurityIpGroup": []}},
}
ENDPOINT = "http://db.local:9000"


def _sdk_read(product: str, client: Any) -> None:
    i = IDS[product]
    if product == "rds":
        client.describe_dbinstance_iparray_list(
            rds_models.DescribeDBInstanceIPArrayListRequest(dbinstance_id=i)
        )
    elif product == "polardb":
        client.describe_dbcluster_access_whitelist(
            polardb_models.DescribeDBClusterAccessWhitelistRequest(dbcluster_id=i)
        )
    else:
        client.describe_security_ips(dds_models.DescribeSecurityIpsRequest(dbinstance_id=i))


def _sdk_append(product: str, client: Any) -> None:
    i, ips = IDS[product], "10.0.0.1,10.0.0.2"
    if product == "rds":
        client.modify_security_ips(
            rds_models.ModifySecurityIpsRequest(
                dbinstance_id=i,
                security_ips=ips,
                dbinstance_iparray_name="ecs_orders",
                dbinstance_iparray_attribute="",
                modify_mode="Append",
                security_iptype="IPv4",
            )
        )
    elif product == "polardb":
        client.modify_dbcluster_access_whitelist(
            polardb_models.ModifyDBClusterAccessWhitelistRequest(
                dbcluster_id=i,
                security_ips=ips,
                dbcluster_iparray_name="ecsorders",
                dbcluster_iparray_attribute="",
                modify_mode="Append",
                white_list_type="IP",
            )
        )
    else:
        client.modify_security_ips(
            dds_models.ModifySecurityIpsRequest(
                dbinstance_id=i,
                security_ips=ips,
                security_ip_group_name="ecs_orders",
                security_ip_group_attribute="",
                modify_mode="Append",
            )
        )


def _captured(mocked: responses.RequestsMock, body: dict[str, Any]) -> list[Any]:
    seen: list[Any] = []

    def answer(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        seen.append(request)
        import json

        return 200, {"Content-Type": "application/json"}, json.dumps(body)

    mocked.add_callback(responses.POST, ENDPOINT + "/", callback=answer)  # type: ignore[arg-type]
    return seen


def _sdk_client(product: str) -> Any:
    config = Config(access_key_id=CREDS.access_key_id, access_key_secret=CREDS.access_key_secret,
                    security_token=CREDS.security_token, endpoint="db.local:9000",
                    protocol="http", region_id="cn-hangzhou")  # fmt: skip
    return SDKS[product].Client(config)


def _ours(product: str, make_rpc: RpcFactory) -> ProductWhitelistStore:
    variable = spec_of(product).endpoint.variable
    endpoints = Endpoints.from_environ({variable: ENDPOINT})
    return ProductWhitelistStore(make_rpc(), endpoints, spec_of(product))


def _same_request(ours: Any, theirs: Any) -> None:
    assert ours.method == theirs.method == "POST"
    assert query_of(ours) == query_of(theirs)
    for header in ("x-acs-action", "x-acs-version", "host"):
        assert ours.headers[header] == theirs.headers[header], header
    assert not ours.body
    assert not theirs.body
    # Our signature is the one the SDK's algorithm computes over our request's signed headers.
    headers = {
        k.lower(): v
        for k, v in ours.headers.items()
        if k.lower() == "host" or k.lower().startswith("x-acs-")
    }
    request = SimpleNamespace(pathname="/", method="POST", query=query_of(ours), headers=headers)
    expected = Utils.get_authorization(
        request, "ACS3-HMAC-SHA256", headers["x-acs-content-sha256"],
        CREDS.access_key_id, CREDS.access_key_secret,
    )  # fmt: skip
    assert ours.headers["Authorization"] == expected


@pytest.mark.parametrize("product", sorted(SDKS))
def test_read_request_is_the_sdks(
    product: str, mocked: responses.RequestsMock, make_rpc: RpcFactory
) -> None:
    seen = _captured(mocked, READ_ANSWERS[product])
    _sdk_read(product, _sdk_client(product))
    assert _ours(product, make_rpc).read_groups("cn-hangzhou", IDS[product]) == []
    _same_request(seen[1], seen[0])


@pytest.mark.parametrize("product", sorted(SDKS))
def test_write_request_is_the_sdks(
    product: str, mocked: responses.RequestsMock, make_rpc: RpcFactory
) -> None:
    seen = _captured(mocked, {"RequestId": "R"})
    _sdk_append(product, _sdk_client(product))
    group = "ecsorders" if product == "polardb" else "ecs_orders"
    _ours(product, make_rpc).append(
        "cn-hangzhou", IDS[product], group, ["10.0.0.1", "10.0.0.2"], ""
    )
    _same_request(seen[1], seen[0])


# -- the stores against localcloud -----------------------------------------------------

BASE = "http://localcloud.test:8080"
GOOD = Credentials("localcloud-id", "localcloud-secret")


def _seed() -> dict[str, Any]:
    def instance(product: str, group: str, **extra: Any) -> dict[str, Any]:
        return make_db_instance(product, IDS[product], [
            make_db_group(product, "default"),
            make_db_group(product, "rds_replica_group", ["100.100.202.0/24"], hidden=True),
            make_db_group(product, group, ["10.0.0.1"]),
        ], **extra)  # fmt: skip

    return {
        "rds": {"cn-hangzhou": [instance("rds", "ecs_orders")]},
        "polardb": {"cn-hangzhou": [instance("polardb", "ecsorders")]},
        "mongodb": {"cn-hangzhou": [instance("mongodb", "ecs_orders")]},
    }


@pytest.fixture
def cloud() -> Iterator[LocalCloud]:
    with LocalCloud.mocked(_seed(), base_url=BASE) as mock:
        yield mock


def _family(fake_time: FakeTime) -> StoreFamily:
    rpc = RpcClient(GOOD, deadline=fake_time.now + 60, session=requests.Session(),
                    clock=fake_time.clock, sleep=fake_time.sleep)  # fmt: skip
    return StoreFamily(rpc, Endpoints.from_environ({"WHITELIST_ENDPOINT": BASE}))


def _held(cloud: LocalCloud, product: str, group: str) -> str:
    fields = {"rds": ("DBInstanceIPArray", "DBInstanceIPArrayName", "SecurityIPList"),
              "polardb": ("DBClusterIPArray", "DBClusterIPArrayName", "SecurityIps"),
              "mongodb": ("SecurityIpGroups", "SecurityIpGroupName", "SecurityIpList")}[product]  # fmt: skip
    (instance,) = cloud.state()[product]["cn-hangzhou"]
    return next(g[fields[2]] for g in instance[fields[0]] if g[fields[1]] == group)


GROUPS = {"rds": "ecs_orders", "polardb": "ecsorders", "mongodb": "ecs_orders"}


@pytest.mark.parametrize("product", sorted(GROUPS))
def test_store_reads_and_edits_localcloud(
    product: str, cloud: LocalCloud, fake_time: FakeTime
) -> None:
    store = _family(fake_time).for_target(product, {})
    group, instance_id = GROUPS[product], IDS[product]
    read = {g.name: g for g in store.read_groups("cn-hangzhou", instance_id)}
    assert read[group] == Group(group, "", ("10.0.0.1",))
    assert read["rds_replica_group"].attribute == "hidden"
    store.append("cn-hangzhou", instance_id, group, ["10.0.0.2", "10.0.0.3"], "")
    assert _held(cloud, product, group) == "10.0.0.1,10.0.0.2,10.0.0.3"
    store.delete("cn-hangzhou", instance_id, group, ["10.0.0.1"], "")
    store.delete("cn-hangzhou", instance_id, group, ["10.0.0.1"], "")  # already absent: confirmed
    store.append("cn-hangzhou", instance_id, group, ["10.0.0.2"], "")  # already there: confirmed
    assert _held(cloud, product, group) == "10.0.0.2,10.0.0.3"
    store.cover("cn-hangzhou", instance_id, group, ["127.0.0.1"], "")
    assert _held(cloud, product, group) == "127.0.0.1"


@pytest.mark.parametrize("product", sorted(GROUPS))
def test_unknown_instance_is_a_permanent_error_with_the_products_code(
    product: str, cloud: LocalCloud, fake_time: FakeTime
) -> None:
    store = _family(fake_time).for_target(product, {})
    with pytest.raises(PermanentCloudError) as caught:
        store.read_groups("cn-hangzhou", IDS[product].replace("orders", "absent"))
    assert caught.value.code in spec_of(product).not_found


def test_family_is_the_redis_store_by_default(fake_time: FakeTime) -> None:
    family = _family(fake_time)
    assert family.for_target("redis", {}).spec.name == "redis"
    assert family.for_target("rds", {}).spec.name == "rds"
    assert family.for_target("rds", {}) is family.for_target("rds", {})


# -- RDS network types -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("read", "group", "wanted", "picked"),
    [
        ({}, "ecs_a", "auto", None),  # never read: the API's default (MIX)
        ({"default": "MIX"}, "ecs_a", "auto", None),  # standard mode
        ({"default": "MIX", "ecs_a": "MIX"}, "ecs_a", "auto", "MIX"),  # keeps its type
        ({"default": "VPC", "default_c": "Classic"}, "ecs_a", "auto", "VPC"),  # enhanced mode
        ({"ecs_a": "Classic", "x": "VPC"}, "ecs_a", "auto", "Classic"),  # an existing group
        ({"default": "MIX"}, "ecs_a", "vpc", "VPC"),  # the target says
        ({"default": "VPC"}, "ecs_a", "classic", "Classic"),
        ({"default": ""}, "ecs_a", "auto", None),  # the answer carried no type
    ],
)
def test_network_choice(read: dict[str, str], group: str, wanted: str, picked: str | None) -> None:
    choice = NetworkChoice()
    if read:
        choice.remember("rm-1", read)
    assert choice.pick("rm-1", group, wanted) == picked


def test_rds_write_names_the_network_of_an_enhanced_instance(fake_time: FakeTime) -> None:
    seed = {"rds": {"cn-hangzhou": [make_db_instance("rds", IDS["rds"], [
        make_db_group("rds", "default", network_type="VPC"),
        make_db_group("rds", "default_c", network_type="Classic"),
    ], SecurityIPMode="safety")]}}  # fmt: skip
    with LocalCloud.mocked(seed, base_url=BASE) as cloud:
        store = _family(fake_time).for_target("rds", {})
        store.read_groups("cn-hangzhou", IDS["rds"])
        store.append("cn-hangzhou", IDS["rds"], "ecs_new", ["10.0.0.9"], "")
        (instance,) = cloud.state()["rds"]["cn-hangzhou"]
        assert instance["DBInstanceIPArray"][-1]["WhitelistNetworkType"] == "VPC"
        classic = _family(fake_time).for_target("rds", {"network_type": "classic"})
        classic.append("cn-hangzhou", IDS["rds"], "ecs_old", ["10.0.0.8"], "")
        (instance,) = cloud.state()["rds"]["cn-hangzhou"]
        assert instance["DBInstanceIPArray"][-1]["WhitelistNetworkType"] == "Classic"
