"""Test support for the localcloud tests: seed, running-server handle, SDK clients.

Not a test module; a unique name so it cannot clash with other folders' helpers.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from alibabacloud_ecs20140526 import models as ecs_models
from alibabacloud_ecs20140526.client import Client as EcsClient
from alibabacloud_r_kvstore20150101.client import Client as KvstoreClient
from alibabacloud_sts20150401.client import Client as StsClient
from alibabacloud_tea_openapi.exceptions import AlibabaCloudException
from alibabacloud_tea_openapi.models import Config
from aliyunsdkcore.client import AcsClient
from aliyunsdkcore.request import CommonRequest

from localcloud.backend import Backend
from localcloud.builders import (
    make_db_group,
    make_db_instance,
    make_group,
    make_instance,
    make_redis_instance,
    make_role,
    make_seed,
    trust_policy,
)
from localcloud.server import LocalCloudServer

ID, SECRET = "localcloud-id", "localcloud-secret"


def demo_seed() -> dict[str, Any]:
    """Twelve ECS instances (for paging) and three Redis instances."""
    ecs = [
        make_instance(
            f"i-bp1test0000000000{n:02d}",
            f"10.0.1.{n}",
            name=f"orders-web-{n}" if n <= 8 else f"billing-{n}",
            tags={"app": "orders" if n <= 8 else "billing", "env": "prod"},
            vswitch_id="vsw-a" if n % 2 else "vsw-b",
            security_group_ids=["sg-a"] if n <= 4 else ["sg-b"],
            status="Running" if n != 3 else "Stopped",
            secondary_ips=[f"10.0.2.{n}"] if n == 1 else (),
        )
        for n in range(1, 13)
    ]
    ecs.append(
        make_instance(
            "i-bp1otherzone000000x", "10.9.0.1", vpc_id="vpc-other", zone_id="cn-hangzhou-k"
        )
    )
    kvstore = [
        make_redis_instance(
            "r-bp1orders0000001",
            [
                make_group("default"),
                make_group("ali_dms_group", ["100.104.205.0/24"]),
                make_group("rds_replica_group", ["100.100.202.0/24"], hidden=True),
                make_group("ecs_orders", ["10.0.1.1", "10.0.9.99"]),
                make_group("ecs_hidden", ["10.0.1.2"], hidden=True, system=False),
            ],
        ),
        make_redis_instance("r-bp1changing00001", status="Changing"),
    ]
    seed = make_seed(ecs, kvstore, credentials={"second-id": "second-secret"})
    seed["kvstore"]["cn-shanghai"] = [make_redis_instance("r-uf6shanghai00001")]
    seed.update({product: {"cn-hangzhou": databases(product)} for product in DATABASES})
    return seed


DATABASES = {
    "rds": "rm-bp1orders000001",
    "polardb": "pc-bp1orders000001",
    "mongodb": "dds-bp1orders00001",
}
"""One instance of each database product in the demo seed (product -> id)."""


def databases(product: str) -> list[dict[str, Any]]:
    """The demo seed's instances of ``product``: one with the usual groups, one changing."""
    groups = [
        make_db_group(product, "default"),
        make_db_group(product, "ali_dms_group", ["100.104.205.0/24"]),
        make_db_group(product, "hdm_security_ips", ["100.104.206.0/24"]),
        make_db_group(product, "rds_replica_group", ["100.100.202.0/24"], hidden=True),
        make_db_group(product, "ecsorders", ["10.0.1.1", "10.0.9.99"]),
    ]
    changing = DATABASES[product].replace("orders", "chang")
    return [
        make_db_instance(product, DATABASES[product], groups),
        make_db_instance(product, changing, status="Creating"),
    ]


@dataclass
class Running:
    """A running server: its URL, host:port, and backend (for white-box checks)."""

    url: str
    endpoint: str
    backend: Backend

    def admin(self, method: str, path: str, body: Any = None) -> requests.Response:
        return requests.request(method, f"{self.url}/_localcloud/{path}", json=body, timeout=10)


@contextmanager
def serving(backend: Backend) -> Iterator[Running]:
    """``backend`` served from a thread on 127.0.0.1 (a free port) until the block ends."""
    server = LocalCloudServer(backend, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = server.base_url
        yield Running(url, url.removeprefix("http://"), server.backend)
    finally:
        server.stop()
        thread.join(timeout=5)


def failure(call: Callable[[], Any]) -> AlibabaCloudException:
    """The error an SDK call must raise."""
    with pytest.raises(AlibabaCloudException) as caught:
        call()
    return caught.value


def config(endpoint: str, key: str = ID, secret: str = SECRET, token: str | None = None) -> Config:
    return Config(
        access_key_id=key,
        access_key_secret=secret,
        security_token=token,
        endpoint=endpoint,
        protocol="http",
        region_id="cn-hangzhou",
    )


def sts(endpoint: str, **kwargs: Any) -> StsClient:
    return StsClient(config(endpoint, **kwargs))


CENTRAL, MEMBER, SHARED, OUTSIDE = (
    "1234567890123456",  # the default account: the function's own
    "2222222222222222",
    "3333333333333333",
    "5555555555555555",
)
FN_KEY, FN_SECRET = "fn-role-id", "fn-role-secret"  # the function's role, as FC hands it over
OUT_KEY, OUT_SECRET = "outsider-id", "outsider-secret"
MEMBER_ROLE = f"acs:ram::{MEMBER}:role/whitelist-member"
EXTERNAL_ROLE = f"acs:ram::{MEMBER}:role/whitelist-external"
SHARED_ROLE = f"acs:ram::{SHARED}:role/shared-db"
MEMBER_REDIS = "r-bp1member000001"
SHARED_RDS = "rm-bp1shared00001"


def accounts_seed() -> dict[str, Any]:
    """The central (default) account and three others; the same IP in two of them."""
    fn_role = f"acs:ram::{CENTRAL}:role/whitelist-fn"
    return {
        "credentials": [
            {"AccessKeyId": FN_KEY, "AccessKeySecret": FN_SECRET, "Role": "whitelist-fn"},
            {"AccessKeyId": OUT_KEY, "AccessKeySecret": OUT_SECRET, "Account": OUTSIDE},
        ],
        "ecs": {"cn-hangzhou": [make_instance("i-bp1central00001", "10.0.1.5")]},
        "kvstore": {"cn-hangzhou": [make_redis_instance("r-bp1central00001")]},
        "accounts": {
            MEMBER: {
                "ecs": {"cn-hangzhou": [make_instance("i-bp1member000001", "10.0.1.5")]},
                "kvstore": {"cn-hangzhou": [make_redis_instance(MEMBER_REDIS)]},
                "roles": [
                    make_role(MEMBER, "whitelist-member", [fn_role]),
                    {  # no Arn: it is derived
                        "RoleName": "whitelist-external",
                        "AssumeRolePolicyDocument": trust_policy(
                            f"acs:ram::{CENTRAL}:root", external_id="ext-0123"
                        ),
                        "MaxSessionDuration": 7200,
                    },
                ],
            },
            SHARED: {
                "rds": {"cn-hangzhou": [make_db_instance("rds", SHARED_RDS)]},
                "roles": [
                    {
                        "RoleName": "shared-db",
                        "Arn": SHARED_ROLE,
                        "AssumeRolePolicyDocument": json.dumps(  # as the RAM API carries it
                            trust_policy(f"acs:ram::{CENTRAL}:root", f"acs:ram::{MEMBER}:root")
                        ),
                    }
                ],
            },
            OUTSIDE: {},
        },
    }


def kvstore(endpoint: str, **kwargs: Any) -> KvstoreClient:
    return KvstoreClient(config(endpoint, **kwargs))


def ecs(endpoint: str, **kwargs: Any) -> EcsClient:
    return EcsClient(config(endpoint, **kwargs))


def session_client(endpoint: str, body: Any, product: Callable[..., Any] = ecs) -> Any:
    """A ``product`` client signing with the temporary credentials of AssumeRole's ``body``."""
    credentials = body.credentials
    return product(
        endpoint,
        key=credentials.access_key_id,
        secret=credentials.access_key_secret,
        token=credentials.security_token,
    )


def listed_hosts(client: Any) -> list[str]:
    """The ECS instance ids ``client`` lists in cn-hangzhou."""
    request = ecs_models.DescribeInstancesRequest(region_id="cn-hangzhou")
    return [i.instance_id for i in client.describe_instances(request).body.instances.instance]


def legacy_call(
    endpoint: str,
    version: str,
    action: str,
    params: dict[str, str],
    *,
    key: str = ID,
    secret: str = SECRET,
    body: bool = False,
) -> bytes:
    """One call through aliyunsdkcore (v1 HMAC-SHA1 signature), query or form params."""
    host, port = endpoint.split(":")
    client = AcsClient(key, secret, "cn-hangzhou", port=int(port), auto_retry=False)
    request = CommonRequest(domain=host, version=version, action_name=action)
    request.set_protocol_type("http")
    request.set_method("POST")
    for name, value in params.items():
        if body:
            request.add_body_params(name, value)
        else:
            request.add_query_param(name, value)
    result: bytes = client.do_action_with_exception(request)
    return result
