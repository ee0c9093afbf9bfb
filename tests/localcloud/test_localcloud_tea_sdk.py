"""The official Tea SDK clients (V3 signature) against the running server."""

from __future__ import annotations

from typing import Any

import pytest
from alibabacloud_ecs20140526 import models as ecs_models
from alibabacloud_r_kvstore20150101 import models as kv_models
from localcloud_support import Running, ecs, failure, kvstore

R = "r-bp1orders0000001"


def groups(lc: Running, instance_id: str = R) -> dict[str, str]:
    for instances in lc.admin("GET", "state").json()["kvstore"].values():
        for instance in instances:
            if instance["InstanceId"] == instance_id:
                return {
                    g["SecurityIpGroupName"]: g["SecurityIpList"]
                    for g in instance["SecurityIpGroups"]
                }
    raise AssertionError(instance_id)


def modify(lc: Running, **fields: Any) -> Any:
    request = kv_models.ModifySecurityIpsRequest(instance_id=fields.pop("instance_id", R), **fields)
    return kvstore(lc.endpoint).modify_security_ips(request)


def test_describe_security_ips_shape(lc: Running) -> None:
    request = kv_models.DescribeSecurityIpsRequest(instance_id=R)
    body = kvstore(lc.endpoint).describe_security_ips(request).body.to_map()
    assert len(body["RequestId"]) == 36
    assert body["RequestId"] == body["RequestId"].upper()
    described = body["SecurityIpGroups"]["SecurityIpGroup"]
    assert [g["SecurityIpGroupName"] for g in described] == [
        "default",
        "ali_dms_group",
        "rds_replica_group",
        "ecs_orders",
        "ecs_hidden",
    ]
    assert described[2] == {
        "SecurityIpGroupName": "rds_replica_group",
        "SecurityIpGroupAttribute": "hidden",
        "SecurityIpList": "100.100.202.0/24",
    }


def test_instance_found_in_any_region(lc: Running) -> None:
    modify(lc, instance_id="r-uf6shanghai00001", security_ips="10.3.0.1", modify_mode="Cover")
    assert groups(lc, "r-uf6shanghai00001") == {"default": "10.3.0.1"}


def test_append_delete_cover_change_the_state(lc: Running) -> None:
    response = modify(
        lc,
        security_ips="10.0.1.2,10.0.1.4/32",
        security_ip_group_name="ecs_orders",
        modify_mode="Append",
    )
    assert set(response.body.to_map()) == {"RequestId"}
    assert groups(lc)["ecs_orders"] == "10.0.1.1,10.0.9.99,10.0.1.2,10.0.1.4"
    modify(lc, security_ips="10.0.9.99", security_ip_group_name="ecs_orders", modify_mode="Delete")
    assert groups(lc)["ecs_orders"] == "10.0.1.1,10.0.1.2,10.0.1.4"
    modify(lc, security_ips="127.0.0.1", security_ip_group_name="ecs_orders", modify_mode="Cover")
    assert groups(lc)["ecs_orders"] == "127.0.0.1"
    modify(
        lc,
        security_ips="10.0.1.5",
        security_ip_group_name="ecs_new",
        modify_mode="Append",
        security_ip_group_attribute="hidden",
    )
    assert groups(lc)["ecs_new"] == "10.0.1.5"


@pytest.mark.parametrize(
    ("fields", "code", "status"),
    [
        (
            {"security_ips": "10.0.0.1", "security_ip_group_name": "Bad-Name"},
            "InvalidGroupName.Format",
            400,
        ),
        ({"security_ips": "10.0.0.1/40"}, "InvalidSecurityIPList.Format", 400),
        ({"security_ips": "10.0.0.1,10.0.0.1"}, "InvalidSecurityIPList.Duplicate", 400),
        (
            {
                "security_ips": "10.0.1.1",
                "security_ip_group_name": "ecs_orders",
                "modify_mode": "Append",
            },
            "InvalidInstanceIp.Duplicate",
            400,
        ),
        (
            {
                "security_ips": "10.0.5.5",
                "security_ip_group_name": "ecs_orders",
                "modify_mode": "Delete",
            },
            "InvalidSecurityIPs.NotFound",
            404,
        ),
        (
            {
                "security_ips": "10.0.1.1,10.0.9.99",
                "security_ip_group_name": "ecs_orders",
                "modify_mode": "Delete",
            },
            "InvalidSecurityIPs.NotFound",
            404,
        ),
        (
            {
                "security_ips": "10.0.0.1",
                "security_ip_group_name": "ali_dms_group",
                "modify_mode": "Append",
            },
            "OperationDenied.SystemGroup",
            403,
        ),
        (
            {"security_ips": "10.0.0.1", "security_ip_group_name": "rds_replica_group"},
            "OperationDenied.SystemGroup",
            403,
        ),
        ({"security_ips": "10.0.0.1", "instance_id": "r-nope"}, "InvalidInstanceId.NotFound", 404),
        (
            {"security_ips": "10.0.0.1", "instance_id": "r-bp1changing00001"},
            "IncorrectDBInstanceState",
            403,
        ),
        ({}, "MissingSecurityIps", 400),
        ({"security_ips": "10.0.0.1", "modify_mode": "Replace"}, "InvalidModifyMode", 400),
    ],
)
def test_modify_errors_leave_state_alone(
    lc: Running, fields: dict[str, Any], code: str, status: int
) -> None:
    before = lc.admin("GET", "state").json()
    error = failure(lambda: modify(lc, **fields))
    assert (error.code, error.status_code) == (code, status)
    assert lc.admin("GET", "state").json() == before


def test_error_body_shape(lc: Running) -> None:
    error = failure(lambda: modify(lc, security_ips="10.0.0.1", instance_id="r-nope"))
    body = error.data  # the SDK adds its own "statusCode" to the parsed body
    assert {"RequestId", "HostId", "Code", "Message", "Recommend"} <= set(body)
    assert body["HostId"] == lc.endpoint
    assert body["Recommend"] == (
        "https://api.aliyun.com/troubleshoot?q=InvalidInstanceId.NotFound&product=R-kvstore"
        f"&requestId={body['RequestId']}"
    )


def describe(lc: Running, **fields: Any) -> Any:
    fields.setdefault("region_id", "cn-hangzhou")
    return ecs(lc.endpoint).describe_instances(ecs_models.DescribeInstancesRequest(**fields)).body


def instance_ids(body: Any) -> list[str]:
    return [i.instance_id for i in body.instances.instance]


def tag(key: str, value: str | None = None) -> ecs_models.DescribeInstancesRequestTag:
    return ecs_models.DescribeInstancesRequestTag(key=key, value=value)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"vpc_id": "vpc-other"}, ["i-bp1otherzone000000x"]),
        ({"zone_id": "cn-hangzhou-k"}, ["i-bp1otherzone000000x"]),
        (
            {"v_switch_id": "vsw-b", "tag": [tag("app", "orders")]},
            [f"i-bp1test0000000000{n:02d}" for n in (2, 4, 6, 8)],
        ),
        (
            {"security_group_id": "sg-a", "status": "Running"},
            [f"i-bp1test0000000000{n:02d}" for n in (1, 2, 4)],
        ),
        (
            {"instance_ids": '["i-bp1test000000000012", "i-bp1test000000000001"]'},
            ["i-bp1test000000000001", "i-bp1test000000000012"],
        ),
        ({"instance_ids": "[]"}, []),
        ({"private_ip_addresses": '["10.0.1.5", "10.0.2.1"]'}, ["i-bp1test000000000005"]),
        (
            {"instance_name": "billing-*", "tag": [tag("app", "billing"), tag("env")]},
            [f"i-bp1test0000000000{n:02d}" for n in (9, 10, 11, 12)],
        ),
        (
            {
                "resource_group_id": "rg-demo01",
                "instance_network_type": "vpc",
                "instance_name": "orders-web-1",
            },
            ["i-bp1test000000000001"],
        ),
    ],
)
def test_describe_instances_filters(
    lc: Running, fields: dict[str, Any], expected: list[str]
) -> None:
    body = describe(lc, max_results=100, **fields)
    assert instance_ids(body) == expected
    assert body.next_token == ""


def test_describe_instances_response_round_trips_seed(lc: Running) -> None:
    body = describe(lc, instance_ids='["i-bp1test000000000001"]').to_map()
    state = lc.admin("GET", "state").json()["ecs"]["cn-hangzhou"]
    seeded = next(i for i in state if i["InstanceId"] == "i-bp1test000000000001")
    assert body["Instances"]["Instance"] == [seeded]
    assert set(body) == {
        "RequestId",
        "NextToken",
        "PageNumber",
        "PageSize",
        "TotalCount",
        "Instances",
    }


def test_next_token_paging(lc: Running) -> None:
    first = describe(lc, max_results=10)
    assert len(first.instances.instance) == 10
    assert first.next_token
    second = describe(lc, max_results=10, next_token=first.next_token)
    # InstanceId order: "i-bp1otherzone..." sorts before the "i-bp1test..." ones.
    assert instance_ids(second) == [f"i-bp1test0000000000{n}" for n in (10, 11, 12)]
    assert second.next_token == ""
    error = failure(lambda: describe(lc, next_token="not-a-token"))
    assert (error.code, error.status_code) == ("InvalidNextToken", 400)


def test_page_number_paging(lc: Running) -> None:
    page = describe(lc, page_size=5, page_number=3)
    assert (page.page_number, page.page_size, page.total_count) == (3, 5, 13)
    assert instance_ids(page) == [f"i-bp1test0000000000{n}" for n in (10, 11, 12)]


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"region_id": None}, "MissingRegionId"),
        ({"instance_ids": "i-1,i-2"}, "InvalidInstanceIds.Malformed"),
        ({"page_size": 500}, "InvalidPageSize"),
    ],
)
def test_describe_instances_errors(lc: Running, fields: dict[str, Any], code: str) -> None:
    assert failure(lambda: describe(lc, **fields)).code == code


def test_wrong_secret_unknown_key_and_second_credential(lc: Running) -> None:
    request = kv_models.DescribeSecurityIpsRequest(instance_id=R)
    wrong = failure(lambda: kvstore(lc.endpoint, secret="wrong").describe_security_ips(request))
    assert (wrong.code, wrong.status_code) == ("SignatureDoesNotMatch", 400)
    unknown = failure(lambda: kvstore(lc.endpoint, key="nobody").describe_security_ips(request))
    assert (unknown.code, unknown.status_code) == ("InvalidAccessKeyId.NotFound", 404)
    second = kvstore(lc.endpoint, key="second-id", secret="second-secret")
    assert second.describe_security_ips(request).body.request_id


def test_sts_token_is_accepted_for_a_known_key(lc: Running) -> None:
    client = kvstore(lc.endpoint, token="CAIS-any-token")
    modify_request = kv_models.ModifySecurityIpsRequest(
        instance_id=R,
        security_ips="10.0.7.7",
        security_ip_group_name="ecs_orders",
        modify_mode="Append",
    )
    client.modify_security_ips(modify_request)
    assert groups(lc)["ecs_orders"].endswith(",10.0.7.7")
    bad = kvstore(lc.endpoint, key="nobody", token="CAIS-any-token")
    assert (
        failure(lambda: bad.modify_security_ips(modify_request)).code
        == "InvalidAccessKeyId.NotFound"
    )


def interfaces(lc: Running, **fields: Any) -> Any:
    fields.setdefault("region_id", "cn-hangzhou")
    request = ecs_models.DescribeNetworkInterfacesRequest(**fields)
    return ecs(lc.endpoint).describe_network_interfaces(request).body


def test_describe_network_interfaces_finds_an_address_directly(lc: Running) -> None:
    from localcloud.builders import make_instance

    holder = make_instance("i-bp1eni0000000001", "10.0.7.1", secondary_ips=["10.0.7.2", "10.0.7.3"])
    other = make_instance("i-bp1eni0000000002", "10.0.7.9")
    assert lc.admin("POST", "ecs", {"region": "cn-hangzhou", "put": [holder, other]}).ok

    by_secondary = interfaces(lc, private_ip_address=["10.0.7.3", "10.0.99.99"])
    (eni,) = by_secondary.network_interface_sets.network_interface_set
    assert (eni.instance_id, eni.private_ip_address, eni.type) == (
        "i-bp1eni0000000001", "10.0.7.1", "Primary",
    )  # fmt: skip
    assert [s.private_ip_address for s in eni.private_ip_sets.private_ip_set] == [
        "10.0.7.1", "10.0.7.2", "10.0.7.3",
    ]  # fmt: skip
    assert by_secondary.total_count == 1
    by_primary = interfaces(lc, primary_ip_address="10.0.7.9")
    assert [e.instance_id for e in by_primary.network_interface_sets.network_interface_set] == [
        "i-bp1eni0000000002"
    ]
    nobody = interfaces(lc, private_ip_address=["10.0.99.99"])
    assert nobody.network_interface_sets.network_interface_set == []
    assert nobody.total_count == 0
    first = interfaces(lc, max_results=10)
    second = interfaces(lc, max_results=10, next_token=first.next_token)
    listed = [
        e.network_interface_id
        for page in (first, second)
        for e in page.network_interface_sets.network_interface_set
    ]
    assert len(listed) == len(set(listed)) == first.total_count == second.total_count
    assert second.next_token == ""
