"""The same backend mounted on ``responses`` (no socket), driven by the Tea SDK and requests."""

from __future__ import annotations

import pytest
import requests
import responses
from alibabacloud_ecs20140526 import models as ecs_models
from alibabacloud_r_kvstore20150101 import models as kv_models
from alibabacloud_tea_openapi.exceptions import AlibabaCloudException
from aliyunsdkcore.auth.composer import rpc_signature_composer
from localcloud_support import ID, SECRET, demo_seed, ecs, kvstore

from localcloud.builders import make_instance
from localcloud.mock import LocalCloud

BASE = "http://localcloud.test"
ENDPOINT = "localcloud.test"
R = "r-bp1orders0000001"


def signed(action: str, **params: str) -> str:
    query = {"Action": action, "Version": "2015-01-01", "InstanceId": R, **params}
    path, _ = rpc_signature_composer.get_signed_url(query, ID, SECRET, "JSON", "GET", {})
    return f"{BASE}{path}"


def test_tea_sdk_through_the_mock() -> None:
    with LocalCloud.mocked(demo_seed(), base_url=BASE) as cloud:
        client = kvstore(ENDPOINT)
        client.modify_security_ips(
            kv_models.ModifySecurityIpsRequest(
                instance_id=R,
                security_ips="10.0.8.8",
                security_ip_group_name="ecs_orders",
                modify_mode="Append",
            )
        )
        groups = client.describe_security_ips(kv_models.DescribeSecurityIpsRequest(instance_id=R))
        lists = {
            g.security_ip_group_name: g.security_ip_list
            for g in groups.body.security_ip_groups.security_ip_group
        }
        assert set(lists["ecs_orders"].split(",")) == {"10.0.1.1", "10.0.9.99", "10.0.8.8"}
        cloud.put_instances("cn-hangzhou", [make_instance("i-bp1mocked00000000x", "10.0.8.8")])
        cloud.delete_instances("cn-hangzhou", ["i-bp1otherzone000000x"])
        request = ecs_models.DescribeInstancesRequest(
            region_id="cn-hangzhou", private_ip_addresses='["10.0.8.8"]'
        )
        body = ecs(ENDPOINT).describe_instances(request).body
        assert [i.instance_id for i in body.instances.instance] == ["i-bp1mocked00000000x"]
        assert cloud.calls()["counts"] == {
            "ModifySecurityIps": 1,
            "DescribeSecurityIps": 1,
            "DescribeInstances": 1,
        }
        assert "i-bp1otherzone000000x" not in str(cloud.state()["ecs"])


def test_signature_is_checked_in_the_mock_too() -> None:
    with LocalCloud.mocked(demo_seed(), base_url=BASE):
        with pytest.raises(AlibabaCloudException) as caught:
            kvstore(ENDPOINT, secret="wrong").describe_security_ips(
                kv_models.DescribeSecurityIpsRequest(instance_id=R)
            )
        assert caught.value.code == "SignatureDoesNotMatch"


def test_faults_status_and_instance_state_in_the_mock() -> None:
    with LocalCloud.mocked(demo_seed(), base_url=BASE) as cloud:
        cloud.set_instance_status(R, "Changing")
        refused = requests.get(signed("ModifySecurityIps", SecurityIps="10.0.0.1"), timeout=5)
        assert (refused.status_code, refused.json()["Code"]) == (403, "IncorrectDBInstanceState")
        cloud.add_fault(action="DescribeSecurityIps", status=400, code="Throttling.User", count=1)
        throttled = requests.get(signed("DescribeSecurityIps"), timeout=5)
        assert throttled.json()["Code"] == "Throttling.User"
        assert requests.get(signed("DescribeSecurityIps"), timeout=5).status_code == 200
        cloud.reset_calls()
        assert cloud.calls() == {"counts": {}, "calls": []}


def test_reset_and_timeout_raise_requests_exceptions() -> None:
    with LocalCloud.mocked(demo_seed(), base_url=BASE) as cloud:
        cloud.add_fault({"action": "DescribeSecurityIps", "reset": True, "count": 1})
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.get(signed("DescribeSecurityIps"), timeout=5)
        cloud.add_fault(action="DescribeSecurityIps", timeout=True, count=1)
        with pytest.raises(requests.exceptions.ReadTimeout):
            requests.get(signed("DescribeSecurityIps"), timeout=5)
        assert [c["code"] for c in cloud.calls()["calls"]] == [
            "localcloud.Reset",
            "localcloud.Timeout",
        ]


def test_admin_endpoints_answer_in_the_mock_and_existing_mock_is_reused() -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.get("http://elsewhere.test/ping", json={"pong": True})
        with LocalCloud.mocked(demo_seed(), base_url=BASE, rsps=rsps):
            assert requests.get(f"{BASE}/_localcloud/state", timeout=5).json()["kvstore"]
            assert requests.get("http://elsewhere.test/ping", timeout=5).json() == {"pong": True}


def test_plain_backend_reset() -> None:
    cloud = LocalCloud(demo_seed())
    cloud.put_redis_instances("cn-beijing", [{"InstanceId": "r-2ze1", "InstanceStatus": "Normal"}])
    assert cloud.state()["kvstore"]["cn-beijing"] == [
        {"InstanceId": "r-2ze1", "InstanceStatus": "Normal", "SecurityIpGroups": []}
    ]
    cloud.reset()
    assert "cn-beijing" not in cloud.state()["kvstore"]


def test_a_denied_caller_sees_an_empty_listing_and_dry_run_reveals_the_refusal() -> None:
    """The older answer (before ECS moved to 403 Forbidden.RAM), seeded per credential:
    without ecs:DescribeInstances the answer is an empty list."""
    seed = demo_seed()
    seed["credentials"] = [
        {
            "AccessKeyId": "denied-id",
            "AccessKeySecret": "denied-secret",
            "Denied": ["DescribeInstances", "ModifySecurityIps"],
            "DeniedAnswer": "empty-list",
        }
    ]
    with LocalCloud.mocked(seed, base_url=BASE) as cloud:
        client = ecs(ENDPOINT, key="denied-id", secret="denied-secret")
        listing = client.describe_instances(
            ecs_models.DescribeInstancesRequest(region_id="cn-hangzhou")
        )
        assert listing.body.instances.instance == []
        assert (
            ecs(ENDPOINT)
            .describe_instances(ecs_models.DescribeInstancesRequest(region_id="cn-hangzhou"))
            .body.instances.instance
        ), "an allowed caller still sees the fleet"
        with pytest.raises(AlibabaCloudException) as dry:
            client.describe_instances(
                ecs_models.DescribeInstancesRequest(region_id="cn-hangzhou", dry_run=True)
            )
        assert dry.value.code == "Forbidden.RAM"
        with pytest.raises(AlibabaCloudException) as write:
            kvstore(ENDPOINT, key="denied-id", secret="denied-secret").modify_security_ips(
                kv_models.ModifySecurityIpsRequest(
                    instance_id=R, security_ips="10.0.8.8", security_ip_group_name="ecs_orders"
                )
            )
        assert write.value.code == "Forbidden.RAM"
        assert "10.0.8.8" not in str(cloud.state()["kvstore"])
        dumped = cloud.state()["credentials"]
        assert {
            "AccessKeyId": "denied-id",
            "AccessKeySecret": "denied-secret",
            "Denied": ["DescribeInstances", "ModifySecurityIps"],
            "DeniedAnswer": "empty-list",
        } in dumped
