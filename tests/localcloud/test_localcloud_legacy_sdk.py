"""The legacy core SDK (v1 HMAC-SHA1 signature) against the running server."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkcore.auth.composer import rpc_signature_composer
from aliyunsdkcore.auth.credentials import StsTokenCredential
from aliyunsdkcore.client import AcsClient
from aliyunsdkcore.request import CommonRequest
from aliyunsdkcore.utils import parameter_helper
from localcloud_support import ID, SECRET, Running, legacy_call

R = "r-bp1orders0000001"
KV, ECS = "2015-01-01", "2014-05-26"


def call(
    lc: Running, version: str, action: str, params: dict[str, str], **kw: Any
) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(legacy_call(lc.endpoint, version, action, params, **kw))
    return result


def refused(
    lc: Running, version: str, action: str, params: dict[str, str], **kw: Any
) -> ServerException:
    with pytest.raises(ServerException) as caught:
        legacy_call(lc.endpoint, version, action, params, **kw)
    return caught.value


def test_describe_and_modify_with_query_and_form_params(lc: Running) -> None:
    body = call(lc, KV, "DescribeSecurityIps", {"InstanceId": R})
    assert body["SecurityIpGroups"]["SecurityIpGroup"][0]["SecurityIpList"] == "127.0.0.1"
    modify = {
        "InstanceId": R,
        "SecurityIps": "10.0.1.7,10.0.1.8",
        "SecurityIpGroupName": "ecs_orders",
        "ModifyMode": "Append",
    }
    assert set(call(lc, KV, "ModifySecurityIps", modify, body=True)) == {"RequestId"}
    after = call(lc, KV, "DescribeSecurityIps", {"InstanceId": R})["SecurityIpGroups"][
        "SecurityIpGroup"
    ]
    orders = next(g for g in after if g["SecurityIpGroupName"] == "ecs_orders")
    # Re-sorted by the service, not in write order.
    assert set(orders["SecurityIpList"].split(",")) == {
        "10.0.1.1",
        "10.0.9.99",
        "10.0.1.7",
        "10.0.1.8",
    }


def test_describe_instances_with_tags_and_pages(lc: Running) -> None:
    params = {
        "RegionId": "cn-hangzhou",
        "Tag.1.Key": "app",
        "Tag.1.Value": "orders",
        "PageSize": "3",
        "PageNumber": "2",
    }
    body = call(lc, ECS, "DescribeInstances", params)
    assert body["TotalCount"] == 8
    assert [i["InstanceId"] for i in body["Instances"]["Instance"]] == [
        f"i-bp1test0000000000{n:02d}" for n in (4, 5, 6)
    ]


def test_modify_error_codes(lc: Running) -> None:
    error = refused(
        lc,
        KV,
        "ModifySecurityIps",
        {
            "InstanceId": R,
            "SecurityIps": "10.0.9.99",
            "SecurityIpGroupName": "ecs_orders",
            "ModifyMode": "Append",
        },
        body=True,
    )
    assert (error.error_code, error.http_status) == ("InvalidInstanceIp.Duplicate", 400)
    not_found = refused(lc, KV, "DescribeSecurityIps", {"InstanceId": "r-nope"})
    assert (not_found.error_code, not_found.http_status) == ("InvalidInstanceId.NotFound", 404)


def test_wrong_secret(lc: Running) -> None:
    error = refused(lc, KV, "DescribeSecurityIps", {"InstanceId": R}, secret="wrong")
    assert (error.error_code, error.http_status) == ("SignatureDoesNotMatch", 400)
    # The SDK splits the message on ':' to compare string-to-sign values.
    assert error.get_error_msg().split(":")[1].startswith("POST&%2F&AccessKeyId%3Dlocalcloud-id")
    assert lc.admin("GET", "calls").json()["calls"][-1] == {
        "action": "DescribeSecurityIps",
        "status": 400,
        "code": "SignatureDoesNotMatch",
    }


def test_unknown_key(lc: Running) -> None:
    error = refused(lc, KV, "DescribeSecurityIps", {"InstanceId": R}, key="nobody")
    assert (error.error_code, error.http_status) == ("InvalidAccessKeyId.NotFound", 404)


def test_sts_credential(lc: Running) -> None:
    host, port = lc.endpoint.split(":")
    client = AcsClient(
        credential=StsTokenCredential(ID, SECRET, "CAIS-token"), port=int(port), auto_retry=False
    )
    request = CommonRequest(domain=host, version=KV, action_name="DescribeSecurityIps")
    request.set_protocol_type("http")
    request.add_query_param("InstanceId", R)
    assert json.loads(client.do_action_with_exception(request))["RequestId"]


def signed_url(lc: Running, params: dict[str, str]) -> str:
    """A v1 URL signed by the SDK's own composer (GET)."""
    path, _ = rpc_signature_composer.get_signed_url(dict(params), ID, SECRET, "JSON", "GET", {})
    return f"{lc.url}{path}"


BASE = {"Action": "DescribeSecurityIps", "Version": KV, "InstanceId": R}


def test_replayed_request_is_refused(lc: Running) -> None:
    url = signed_url(lc, BASE)
    assert requests.get(url, timeout=10).status_code == 200
    replay = requests.get(url, timeout=10)
    assert (replay.status_code, replay.json()["Code"]) == (400, "SignatureNonceUsed")


def test_stale_timestamp_is_refused(lc: Running, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parameter_helper, "get_iso_8061_date", lambda: "2020-01-01T00:00:00Z")
    stale = requests.get(signed_url(lc, BASE), timeout=10)
    assert (stale.status_code, stale.json()["Code"]) == (400, "InvalidTimeStamp.Expired")


def test_unsigned_and_unknown_requests(lc: Running) -> None:
    anonymous = requests.post(
        f"{lc.url}/?Action=DescribeSecurityIps&Version={KV}&InstanceId={R}", timeout=10
    )
    assert (anonymous.status_code, anonymous.json()["Code"]) == (400, "MissingSignature")
    unknown = requests.get(signed_url(lc, {**BASE, "Action": "DeleteInstance"}), timeout=10)
    assert (unknown.status_code, unknown.json()["Code"]) == (404, "InvalidApi.NotFound")
    wrong_version = requests.get(signed_url(lc, {**BASE, "Version": "2014-05-26"}), timeout=10)
    assert wrong_version.json()["Code"] == "InvalidApi.NotFound"
    assert anonymous.headers["Content-Type"].startswith("application/json")
