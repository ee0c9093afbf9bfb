"""Faults that make an answer lie while looking fine: shapes, TotalCount, loops, 200 codes,
trickled answers. Driven through the legacy SDK (raw bytes) on the in-thread server."""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkcore.auth.composer import rpc_signature_composer
from localcloud_support import ID, SECRET, Running, legacy_call

from localcloud.faults import parse_fault

ECS = "2014-05-26"
KV = "2015-01-01"
R = "r-bp1orders0000001"


def _fault(lc: Running, **body: Any) -> None:
    response = lc.admin("POST", "faults", body)
    assert response.status_code == 200, response.text


def _list(lc: Running, **params: str) -> dict[str, Any]:
    raw = legacy_call(lc.endpoint, ECS, "DescribeInstances", {"RegionId": "cn-hangzhou", **params})
    return dict(json.loads(raw))


@pytest.mark.parametrize(
    ("shape", "keys"),
    [
        ("empty", set()),
        ("instances-list", {"RequestId", "NextToken", "PageNumber", "PageSize", "TotalCount", "Instances"}),
        ("renamed", {"RequestId", "NextToken", "PageNumber", "PageSize", "TotalCount", "InstanceSet"}),
        ("instance-not-list", {"RequestId", "NextToken", "PageNumber", "PageSize", "TotalCount", "Instances"}),
    ],
)  # fmt: skip
def test_shape_fault_answers_an_undocumented_page(lc: Running, shape: str, keys: set[str]) -> None:
    _fault(lc, action="DescribeInstances", shape=shape, count=1)
    page = _list(lc, MaxResults="100")
    assert set(page) == keys
    if shape == "instances-list":
        assert len(page["Instances"]) == 13
    if shape == "instance-not-list":
        assert isinstance(page["Instances"]["Instance"], dict)
    assert _list(lc, MaxResults="100")["Instances"]["Instance"]  # count 1: next is honest
    codes = [c["code"] for c in lc.admin("GET", "calls").json()["calls"]]
    assert codes == ["localcloud.Lie", None]


def test_truncate_fault_drops_items_but_keeps_total_count(lc: Running) -> None:
    _fault(lc, action="DescribeInstances", truncate=5)
    page = _list(lc, MaxResults="100")
    assert (len(page["Instances"]["Instance"]), page["TotalCount"]) == (8, 13)


def test_loop_fault_serves_the_first_page_again_with_ever_new_tokens(lc: Running) -> None:
    _fault(lc, action="DescribeInstances", loop=True)
    first = _list(lc, MaxResults="10")
    second = _list(lc, MaxResults="10", NextToken=first["NextToken"])
    ids = [[i["InstanceId"] for i in p["Instances"]["Instance"]] for p in (first, second)]
    assert ids[0] == ids[1]
    assert first["NextToken"]
    assert second["NextToken"]
    assert first["NextToken"] != second["NextToken"]


def test_status_200_fault_answers_success_status_with_an_error_code(lc: Running) -> None:
    _fault(lc, action="ModifySecurityIps", status=200, code="Throttling.User", count=1)
    params = {"InstanceId": R, "SecurityIps": "10.0.7.7", "SecurityIpGroupName": "ecs_orders",
              "ModifyMode": "Append"}  # fmt: skip
    body = json.loads(legacy_call(lc.endpoint, KV, "ModifySecurityIps", params))
    assert body["Code"] == "Throttling.User"
    assert body["RequestId"]
    state = lc.admin("GET", "state").json()["kvstore"]["cn-hangzhou"][0]
    owned = next(g for g in state["SecurityIpGroups"] if g["SecurityIpGroupName"] == "ecs_orders")
    assert "10.0.7.7" not in owned["SecurityIpList"]  # not applied (no "apply")


def test_status_200_with_apply_runs_the_action_first(lc: Running) -> None:
    _fault(lc, action="ModifySecurityIps", status=200, code="Throttling.User", apply=True, count=1)
    params = {"InstanceId": R, "SecurityIps": "10.0.7.7", "SecurityIpGroupName": "ecs_orders",
              "ModifyMode": "Append"}  # fmt: skip
    assert json.loads(legacy_call(lc.endpoint, KV, "ModifySecurityIps", params))["Code"]
    with pytest.raises(ServerException) as caught:  # it really landed: now a duplicate
        legacy_call(lc.endpoint, KV, "ModifySecurityIps", params)
    assert caught.value.get_error_code() == "InvalidInstanceIp.Duplicate"


def test_trickle_fault_sends_the_answer_a_byte_at_a_time(lc: Running) -> None:
    _fault(lc, action="*", trickle_ms=30, count=1)
    host, port = lc.endpoint.split(":")
    query = {"Action": "DescribeSecurityIps", "Version": KV, "InstanceId": R}
    path, _ = rpc_signature_composer.get_signed_url(query, ID, SECRET, "JSON", "GET", {})
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {lc.endpoint}\r\n\r\n".encode())
        sizes = [len(sock.recv(4096)) for _ in range(3)]
    # The status line and headers arrive at once, then the body one byte per recv.
    assert sizes[1:] == [1, 1]


@pytest.mark.parametrize(
    "body",
    [
        {"shape": "weird"},
        {"status": 200},
        {"status": 302, "code": "X"},
        {"truncate": -1},
        {"trickle_ms": "slow"},
    ],
)
def test_bad_lying_faults_are_refused(body: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="fault"):
        parse_fault(body)
