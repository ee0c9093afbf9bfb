"""DescribeInstances filters and paging, directly on the ECS model."""

from __future__ import annotations

import json
from typing import Any

import pytest

from localcloud.builders import make_instance
from localcloud.context import CallContext
from localcloud.ecs.models import EcsModel
from localcloud.ecs.responses import describe_instances
from localcloud.errors import CloudError
from localcloud.wire import Params


def fleet() -> EcsModel:
    model = EcsModel()
    model.put(
        "cn-hangzhou",
        [
            make_instance(
                "i-bp1c",
                "10.0.0.3",
                name="web-3",
                tags={"app": "orders", "env": "prod"},
                vswitch_id="vsw-b",
                security_group_ids=["sg-1", "sg-2"],
                status="Stopped",
            ),
            make_instance("i-bp1a", "10.0.0.1", name="web-1", tags={"app": "orders"}),
            make_instance(
                "i-bp1b",
                "10.0.0.2",
                name="db-1",
                tags={"app": "billing", "env": ""},
                vpc_id="vpc-2",
                zone_id="cn-hangzhou-k",
                resource_group_id="rg-2",
            ),
        ],
    )
    classic = make_instance("i-bp1d", "10.0.0.4", name="old.box")
    classic.update(InstanceNetworkType="classic", InnerIpAddress={"IpAddress": ["10.100.0.4"]})
    model.put("cn-hangzhou", [classic])
    model.put("cn-shanghai", [make_instance("i-uf6z", "10.1.0.1")])
    return model


def ids(params: dict[str, str], model: EcsModel | None = None) -> list[str]:
    body = describe_instances(
        model or fleet(), Params({"RegionId": "cn-hangzhou", **params}), CallContext()
    )
    return [i["InstanceId"] for i in body["Instances"]["Instance"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["i-bp1a", "i-bp1b", "i-bp1c", "i-bp1d"]),
        ({"VpcId": "vpc-2"}, ["i-bp1b"]),
        ({"VSwitchId": "vsw-b"}, ["i-bp1c"]),
        ({"SecurityGroupId": "sg-2"}, ["i-bp1c"]),
        ({"ZoneId": "cn-hangzhou-k"}, ["i-bp1b"]),
        ({"ResourceGroupId": "rg-2"}, ["i-bp1b"]),
        ({"Status": "Stopped"}, ["i-bp1c"]),
        ({"InstanceNetworkType": "classic"}, ["i-bp1d"]),
        ({"InstanceName": "web-*"}, ["i-bp1a", "i-bp1c"]),
        ({"InstanceName": "*-1"}, ["i-bp1a", "i-bp1b"]),
        ({"InstanceName": "web-1"}, ["i-bp1a"]),
        ({"InstanceName": "old?box"}, []),
        ({"InstanceName": "old.box"}, ["i-bp1d"]),
        ({"InstanceIds": json.dumps(["i-bp1c", "i-bp1a", "i-nope"])}, ["i-bp1a", "i-bp1c"]),
        ({"InstanceIds": "[]"}, []),
        ({"PrivateIpAddresses": json.dumps(["10.0.0.2", "10.0.0.3"])}, ["i-bp1b", "i-bp1c"]),
        ({"InnerIpAddresses": json.dumps(["10.100.0.4"])}, ["i-bp1d"]),
        ({"Tag.1.Key": "app", "Tag.1.Value": "orders"}, ["i-bp1a", "i-bp1c"]),
        ({"Tag.1.Key": "env"}, ["i-bp1b", "i-bp1c"]),
        ({"Tag.1.Key": "env", "Tag.1.Value": ""}, ["i-bp1b"]),
        ({"Tag.1.Key": "app", "Tag.1.Value": "orders", "Tag.2.Key": "env"}, ["i-bp1c"]),
        ({"Tag.1.Key": "app", "Tag.1.Value": "Orders"}, []),
        ({"Tag.1.Key": "app", "Tag.1.Value": "orders", "VSwitchId": "vsw-demo01"}, ["i-bp1a"]),
    ],
)
def test_filters(params: dict[str, str], expected: list[str]) -> None:
    assert ids(params) == expected


def test_regions_are_separate_and_unknown_region_is_empty() -> None:
    assert ids({"RegionId": "cn-shanghai"}) == ["i-uf6z"]
    assert ids({"RegionId": "eu-central-1"}) == []


@pytest.mark.parametrize(
    ("params", "code", "status"),
    [
        ({"RegionId": ""}, "MissingRegionId", 400),
        ({"InstanceIds": "i-bp1a"}, "InvalidInstanceIds.Malformed", 400),
        ({"InstanceIds": "[1, 2]"}, "InvalidInstanceIds.Malformed", 400),
        (
            {"InstanceIds": json.dumps([f"i-{n}" for n in range(101)])},
            "InvalidParameter.TooManyInstanceIds",
            403,
        ),
        ({"PrivateIpAddresses": "10.0.0.1"}, "InvalidParameter", 400),
        ({"Tag.21.Key": "app"}, "InvalidParameter", 400),
        ({"Tag.1.Value": "orders"}, "InvalidParameter", 400),
        ({"Status": "running"}, "InvalidStatus", 400),
        ({"InstanceNetworkType": "VPC"}, "InvalidInstanceNetworkType", 400),
        ({"MaxResults": "ten"}, "InvalidMaxResults", 400),
        ({"NextToken": "forged"}, "InvalidNextToken", 400),
        ({"PageSize": "101"}, "InvalidPageSize", 400),
        ({"PageSize": "0"}, "InvalidPageSize", 400),
        ({"PageNumber": "0"}, "InvalidPageNumber", 400),
        ({"DryRun": "true"}, "DryRunOperation", 400),
    ],
)
def test_errors(params: dict[str, str], code: str, status: int) -> None:
    with pytest.raises(CloudError) as caught:
        ids(params)
    assert (caught.value.code, caught.value.status) == (code, status)


def big_fleet(count: int) -> EcsModel:
    model = EcsModel()
    model.put(
        "cn-hangzhou",
        [make_instance(f"i-bp1n{n:04d}", f"10.2.{n // 200}.{n % 200}") for n in range(count)],
    )
    return model


def call(model: EcsModel, **params: str) -> dict[str, Any]:
    return describe_instances(model, Params({"RegionId": "cn-hangzhou", **params}), CallContext())


def test_max_results_and_next_token_walk_every_instance_once() -> None:
    model = big_fleet(25)
    seen: list[str] = []
    token, pages = "", 0
    while True:
        body = call(model, MaxResults="10", NextToken=token)
        seen += [i["InstanceId"] for i in body["Instances"]["Instance"]]
        token, pages = body["NextToken"], pages + 1
        if not token:
            break
    assert pages == 3
    assert seen == sorted(f"i-bp1n{n:04d}" for n in range(25))


@pytest.mark.parametrize(
    ("asked", "size"), [("1", 10), ("10", 10), ("55", 55), ("100", 100), ("500", 100)]
)
def test_max_results_is_clamped_to_10_100(asked: str, size: int) -> None:
    body = call(big_fleet(150), MaxResults=asked)
    assert body["PageSize"] == size
    assert len(body["Instances"]["Instance"]) == size
    assert body["NextToken"] != ""


def test_token_survives_deletion_of_served_instances() -> None:
    model = big_fleet(20)
    first = call(model, MaxResults="10")
    model.delete("cn-hangzhou", ["i-bp1n0000", "i-bp1n0001"])
    second = call(model, MaxResults="10", NextToken=first["NextToken"])
    assert second["Instances"]["Instance"][0]["InstanceId"] == "i-bp1n0010"
    assert second["NextToken"] == ""


def test_page_size_and_page_number() -> None:
    model = big_fleet(25)
    default = call(model)
    assert (default["PageSize"], default["PageNumber"], default["TotalCount"]) == (10, 1, 25)
    third = call(model, PageSize="10", PageNumber="3")
    assert [i["InstanceId"] for i in third["Instances"]["Instance"]] == [
        f"i-bp1n{n:04d}" for n in range(20, 25)
    ]
    assert third["NextToken"] == ""
    assert call(model, PageSize="10", PageNumber="4")["Instances"]["Instance"] == []
    assert call(model, PageSize="100")["TotalCount"] == 25


def test_fields_pass_through_unchanged() -> None:
    model = EcsModel()
    original = make_instance("i-bp1x", "10.0.0.1", secondary_ips=["10.0.0.9"])
    original["OperationLocks"] = {"LockReason": []}
    model.put("cn-hangzhou", [original])
    assert call(model)["Instances"]["Instance"] == [original]
