"""Admin endpoints: state, call log, seeding helpers, reset, loopback-only."""

from __future__ import annotations

import pytest
import requests
from alibabacloud_ecs20140526 import models as ecs_models
from alibabacloud_r_kvstore20150101 import models as kv_models
from alibabacloud_tea_openapi.exceptions import AlibabaCloudException
from localcloud_support import Running, demo_seed, ecs, kvstore

from localcloud.admin import handle_admin
from localcloud.builders import make_instance, make_redis_instance, make_seed
from localcloud.wire import HttpRequest


def region_ids(lc: Running, **fields: str) -> list[str]:
    request = ecs_models.DescribeInstancesRequest(
        region_id="cn-hangzhou", max_results=100, **fields
    )
    return [
        i.instance_id for i in ecs(lc.endpoint).describe_instances(request).body.instances.instance
    ]


def test_state_is_the_seed_plus_default_credentials(lc: Running) -> None:
    state = lc.admin("GET", "state").json()
    seed = demo_seed()
    assert state["credentials"] == [
        {"AccessKeyId": "localcloud-id", "AccessKeySecret": "localcloud-secret"},
        *seed["credentials"],
    ]
    # The seed-only "System" flag is not part of the dump (the dump keeps the API shape).
    for instances in seed["kvstore"].values():
        for instance in instances:
            for group in instance["SecurityIpGroups"]:
                group.pop("System", None)
    assert state["kvstore"] == seed["kvstore"]
    by_id = sorted(seed["ecs"]["cn-hangzhou"], key=lambda i: i["InstanceId"])
    assert state["ecs"]["cn-hangzhou"] == by_id


def test_call_log_counts_api_calls_only_including_refused_ones(lc: Running) -> None:
    client = kvstore(lc.endpoint)
    client.describe_security_ips(
        kv_models.DescribeSecurityIpsRequest(instance_id="r-bp1orders0000001")
    )
    with pytest.raises(AlibabaCloudException, match=r"signature"):
        kvstore(lc.endpoint, secret="bad").describe_security_ips(
            kv_models.DescribeSecurityIpsRequest(instance_id="r-bp1orders0000001")
        )
    region_ids(lc)
    lc.admin("GET", "state")
    calls = lc.admin("GET", "calls").json()
    assert calls == {
        "counts": {"DescribeSecurityIps": 2, "DescribeInstances": 1},
        "calls": [
            {"action": "DescribeSecurityIps", "status": 200, "code": None},
            {"action": "DescribeSecurityIps", "status": 400, "code": "SignatureDoesNotMatch"},
            {"action": "DescribeInstances", "status": 200, "code": None},
        ],
    }
    assert lc.admin("POST", "reset-calls").status_code == 200
    assert lc.admin("GET", "calls").json() == {"counts": {}, "calls": []}


def test_put_and_delete_ecs_instances(lc: Running) -> None:
    added = make_instance("i-bp1added000000000x", "10.0.7.7", tags={"app": "orders"})
    body = {"region": "cn-hangzhou", "put": [added], "delete": ["i-bp1test000000000001"]}
    assert lc.admin("POST", "ecs", body).status_code == 200
    found = region_ids(lc, private_ip_addresses='["10.0.7.7", "10.0.1.1"]')
    assert found == ["i-bp1added000000000x"]
    moved = {**added, "Status": "Stopped"}
    lc.admin("POST", "ecs", {"region": "cn-hangzhou", "put": [moved]})
    assert region_ids(lc, status="Stopped").count("i-bp1added000000000x") == 1


def test_kvstore_put_status_and_delete(lc: Running) -> None:
    body = {
        "region": "cn-beijing",
        "put": [make_redis_instance("r-2zenew000000001")],
        "status": {"r-bp1changing00001": "Normal"},
    }
    assert lc.admin("POST", "kvstore", body).status_code == 200
    client = kvstore(lc.endpoint)
    for instance_id in ("r-2zenew000000001", "r-bp1changing00001"):
        client.modify_security_ips(
            kv_models.ModifySecurityIpsRequest(instance_id=instance_id, security_ips="10.0.0.1")
        )
    assert (
        lc.admin("GET", "state").json()["kvstore"]["cn-beijing"][0]["SecurityIpGroups"][0][
            "SecurityIpList"
        ]
        == "10.0.0.1"
    )
    lc.admin("POST", "kvstore", {"delete": ["r-2zenew000000001"]})
    assert lc.admin("GET", "state").json()["kvstore"]["cn-beijing"] == []
    missing = lc.admin("POST", "kvstore", {"status": {"r-nope": "Normal"}})
    assert (missing.status_code, missing.json()["code"]) == (404, "InvalidInstanceId.NotFound")


def test_reset_with_a_new_seed_and_back(lc: Running) -> None:
    lc.admin("POST", "faults", {"action": "*", "status": 500})
    small = make_seed([make_instance("i-bp1only0000000000x", "10.5.0.1")], [])
    assert lc.admin("POST", "reset", small).status_code == 200
    assert region_ids(lc) == ["i-bp1only0000000000x"]
    assert lc.admin("GET", "faults").json() == {"faults": []}
    assert lc.admin("POST", "reset").status_code == 200
    assert len(region_ids(lc)) == 13


def test_bad_admin_requests(lc: Running) -> None:
    assert lc.admin("GET", "nothing-here").status_code == 404
    assert lc.admin("POST", "ecs", {"put": []}).status_code == 400
    assert (
        lc.admin("POST", "ecs", {"region": "cn-hangzhou", "put": [{"no": "id"}]}).status_code == 400
    )
    assert lc.admin("POST", "reset", {"unknown": 1}).status_code == 400
    garbage = requests.post(f"{lc.url}/_localcloud/faults", data=b"{", timeout=10)
    assert garbage.status_code == 400
    assert lc.admin("GET", "calls").json()["calls"] == []


def test_admin_refuses_non_loopback_clients(lc: Running) -> None:
    remote = HttpRequest("GET", "/_localcloud/state", "", {}, b"", loopback=False)
    assert handle_admin(lc.backend, remote).status == 403
