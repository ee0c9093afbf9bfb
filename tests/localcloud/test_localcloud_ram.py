"""RAM refusals as the cloud answers them now: 403 ``Forbidden.RAM`` with ``AccessDeniedDetail``.

Since 2025-12-20 ECS answers a RAM user or role without ``ecs:DescribeInstances`` with a
403 instead of an empty list; the old answer stays available per credential
(``"DeniedAnswer": "empty-list"``) so the function's empty-listing guard stays tested.
"""

from __future__ import annotations

from typing import Any

import pytest
from alibabacloud_dds20151201 import models as dds_models
from alibabacloud_dds20151201.client import Client as DdsClient
from alibabacloud_ecs20140526 import models as ecs_models
from alibabacloud_r_kvstore20150101 import models as kv_models
from alibabacloud_rds20140815 import models as rds_models
from alibabacloud_rds20140815.client import Client as RdsClient
from alibabacloud_tea_openapi.exceptions import AlibabaCloudException, ClientException
from localcloud_support import DATABASES, config, demo_seed, ecs, kvstore

from localcloud.mock import LocalCloud

BASE = "http://localcloud.test"
ENDPOINT = "localcloud.test"
R = "r-bp1orders0000001"
KEY, SECRET = "denied-id", "denied-secret"
DETAIL_KEYS = {
    "AuthAction",
    "AuthPrincipalType",
    "AuthPrincipalDisplayName",
    "AuthPrincipalOwnerId",
    "NoPermissionType",
    "PolicyType",
    "EncodedDiagnosticMessage",
}


def denied_seed(*actions: str, **extra: Any) -> dict[str, Any]:
    seed = demo_seed()
    seed["credentials"] = [
        {"AccessKeyId": KEY, "AccessKeySecret": SECRET, "Denied": list(actions), **extra}
    ]
    return seed


def list_instances(key: str = KEY, secret: str = SECRET, **request: Any) -> Any:
    return ecs(ENDPOINT, key=key, secret=secret).describe_instances(
        ecs_models.DescribeInstancesRequest(region_id="cn-hangzhou", **request)
    )


def test_a_denied_describe_instances_is_a_403_with_the_access_denied_detail() -> None:
    with LocalCloud.mocked(denied_seed("DescribeInstances"), base_url=BASE) as cloud:
        with pytest.raises(ClientException) as refused:
            list_instances()
        error = refused.value
        assert (error.code, error.status_code) == ("Forbidden.RAM", 403)
        assert "not authorized" in error.message
        assert error.request_id
        detail = error.access_denied_detail
        assert set(detail) == DETAIL_KEYS
        assert detail["AuthAction"] == "ecs:DescribeInstances"
        assert detail["NoPermissionType"] == "ImplicitDeny"
        assert detail["AuthPrincipalDisplayName"] == KEY
        body = error.data
        assert body["Recommend"].startswith("https://api.aliyun.com/troubleshoot?q=Forbidden.RAM")
        assert "product=Ecs" in body["Recommend"]
        assert body["AccessDeniedDetail"] == detail
        assert list_instances("localcloud-id", "localcloud-secret").body.instances.instance
        assert cloud.calls()["calls"][0] == {
            "action": "DescribeInstances",
            "status": 403,
            "code": "Forbidden.RAM",
        }


def test_dry_run_of_a_denied_listing_is_the_same_403() -> None:
    with LocalCloud.mocked(denied_seed("DescribeInstances"), base_url=BASE):
        with pytest.raises(ClientException) as refused:
            list_instances(dry_run=True)
        assert refused.value.code == "Forbidden.RAM"
        assert refused.value.access_denied_detail["AuthAction"] == "ecs:DescribeInstances"


def test_other_denied_actions_get_the_same_detailed_403() -> None:
    seed = denied_seed("DescribeSecurityIps", "ModifySecurityIps")
    with LocalCloud.mocked(seed, base_url=BASE) as cloud:
        client = kvstore(ENDPOINT, key=KEY, secret=SECRET)
        with pytest.raises(ClientException) as read:
            client.describe_security_ips(kv_models.DescribeSecurityIpsRequest(instance_id=R))
        with pytest.raises(ClientException) as write:
            client.modify_security_ips(
                kv_models.ModifySecurityIpsRequest(
                    instance_id=R, security_ips="10.0.8.8", security_ip_group_name="ecs_orders"
                )
            )
        assert read.value.access_denied_detail["AuthAction"] == "kvstore:DescribeSecurityIps"
        assert write.value.access_denied_detail["AuthAction"] == "kvstore:ModifySecurityIps"
        assert "product=R-kvstore" in write.value.data["Recommend"]
        assert "10.0.8.8" not in str(cloud.state()["kvstore"])
        assert list_instances().body.instances.instance, "only the named actions are denied"


def test_the_old_empty_list_answer_only_when_the_credential_asks_for_it() -> None:
    seed = denied_seed("DescribeInstances", "ModifySecurityIps", DeniedAnswer="empty-list")
    with LocalCloud.mocked(seed, base_url=BASE) as cloud:
        listing = list_instances()
        assert listing.body.instances.instance == []
        assert listing.body.total_count == 0
        with pytest.raises(AlibabaCloudException) as dry:
            list_instances(dry_run=True)
        assert dry.value.code == "Forbidden.RAM"
        with pytest.raises(ClientException) as redis_listing:  # R-KVStore's has no old answer
            kvstore(ENDPOINT, key=KEY, secret=SECRET).describe_instances(
                kv_models.DescribeInstancesRequest(region_id="cn-hangzhou")
            )
        assert redis_listing.value.access_denied_detail["AuthAction"] == "kvstore:DescribeInstances"
        with pytest.raises(ClientException) as write:
            kvstore(ENDPOINT, key=KEY, secret=SECRET).modify_security_ips(
                kv_models.ModifySecurityIpsRequest(instance_id=R, security_ips="10.0.8.8")
            )
        assert write.value.access_denied_detail["AuthAction"] == "kvstore:ModifySecurityIps"
        assert {
            "AccessKeyId": KEY,
            "AccessKeySecret": SECRET,
            "Denied": ["DescribeInstances", "ModifySecurityIps"],
            "DeniedAnswer": "empty-list",
        } in cloud.state()["credentials"]


@pytest.mark.parametrize("answer", ["empty", "EMPTY-LIST", 3])
def test_an_unknown_denied_answer_is_refused_at_load(answer: object) -> None:
    with pytest.raises(ValueError, match="DeniedAnswer"):
        LocalCloud(denied_seed("DescribeInstances", DeniedAnswer=answer))


def test_every_product_names_its_own_ram_action() -> None:
    seed = denied_seed("ModifySecurityIps", "DescribeSecurityIps")
    with LocalCloud.mocked(seed, base_url=BASE):
        rds = RdsClient(config(ENDPOINT, key=KEY, secret=SECRET))
        with pytest.raises(ClientException) as rds_write:
            rds.modify_security_ips(
                rds_models.ModifySecurityIpsRequest(
                    dbinstance_id=DATABASES["rds"], security_ips="10.0.8.8"
                )
            )
        dds = DdsClient(config(ENDPOINT, key=KEY, secret=SECRET))
        with pytest.raises(ClientException) as dds_read:
            dds.describe_security_ips(
                dds_models.DescribeSecurityIpsRequest(dbinstance_id=DATABASES["mongodb"])
            )
        assert rds_write.value.access_denied_detail["AuthAction"] == "rds:ModifySecurityIps"
        assert dds_read.value.access_denied_detail["AuthAction"] == "dds:DescribeSecurityIps"
        assert "product=Rds" in rds_write.value.data["Recommend"]
