"""EcsInventory: filters, chunking, paging, extraction into ports.Instance, the run cache."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from aliyun_fakes import ECS_URL, RpcFactory, query_of, reply
from structlog.testing import capture_logs

from whitelist_core.aliyun.ecs.cache import CachedInventory
from whitelist_core.aliyun.ecs.instances import instance_from_wire
from whitelist_core.aliyun.ecs.inventory import EcsInventory
from whitelist_core.aliyun.ecs.listing import IncompleteListing
from whitelist_core.aliyun.transport.endpoints import Endpoints
from whitelist_core.aliyun.transport.retry import Backoff
from whitelist_core.errors import PermanentCloudError, TransientCloudError
from whitelist_core.ports import Instance, InstanceQuery

ANY_ECS = re.compile(r"https://ecs[-.][a-z0-9-]+\.aliyuncs\.com/.*")
SAMPLE = json.loads((Path(__file__).parent / "ecs-describe-instances-response.json").read_text())


def _item(instance_id: str, ip: str, **extra: Any) -> dict[str, Any]:
    return {
        "InstanceId": instance_id,
        "VpcAttributes": {"PrivateIpAddress": {"IpAddress": [ip]}},
        **extra,
    }


def _paged(
    mocked: responses.RequestsMock, pages: list[list[dict[str, Any]]]
) -> list[dict[str, str]]:
    """Serve ``pages`` by NextToken (``t1``, ``t2``...); returns the queries received."""
    seen: list[dict[str, str]] = []

    def callback(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        query = query_of(request)
        seen.append(query)
        index = int(query.get("NextToken", "t0")[1:])
        token = f"t{index + 1}" if index + 1 < len(pages) else ""
        body = {
            "RequestId": f"R{index}",
            "NextToken": token,
            "TotalCount": sum(len(page) for page in pages),
            "Instances": {"Instance": pages[index]},
        }
        return reply(200, body)

    mocked.add_callback(responses.POST, ANY_ECS, callback=callback)
    return seen


@pytest.fixture
def inventory(make_rpc: RpcFactory) -> EcsInventory:
    return EcsInventory(make_rpc(), Endpoints())


def test_sample_response_extraction() -> None:
    web1, web2 = (instance_from_wire(i, "cn-hangzhou") for i in SAMPLE["Instances"]["Instance"])
    assert web1 == Instance(
        instance_id="i-bp1example000000001",
        region="cn-hangzhou",
        name="web-01",
        status="Running",
        vpc_id="vpc-bp1example0000",
        vswitch_id="vsw-bp1example0000",
        security_group_ids=frozenset({"sg-bp1example0000"}),
        tags={"redis-whitelist": "r-bp1example", "env": "prod"},
        resource_group_id="rg-acfmexample0000",
        private_ips=("172.16.1.10",),
        secondary_ips=("172.16.1.20", "172.16.2.30"),
    )
    assert web1.tags == {"redis-whitelist": "r-bp1example", "env": "prod"}
    assert web2 is not None
    assert (web2.status, web2.private_ips, web2.secondary_ips) == ("Stopped", ("172.16.1.11",), ())


def test_classic_inner_ip_is_a_private_ip() -> None:
    item = {"InstanceId": "i-c", "InnerIpAddress": {"IpAddress": ["10.1.2.3"]},
            "VpcAttributes": {"VpcId": "", "PrivateIpAddress": {"IpAddress": []}}}  # fmt: skip
    instance = instance_from_wire(item, "cn-hangzhou")
    assert instance is not None
    assert (instance.private_ips, instance.secondary_ips, instance.vpc_id) == (
        ("10.1.2.3",),
        (),
        "",
    )


@pytest.mark.parametrize(
    "item",
    [
        {"InstanceId": "i-x"},
        {"InstanceId": "i-x", "VpcAttributes": None, "Tags": None, "NetworkInterfaces": {}},
        {
            "InstanceId": "i-x",
            "VpcAttributes": {"PrivateIpAddress": {"IpAddress": [""]}},
            "Tags": {"Tag": [{"TagKey": ""}, "junk"]},
            "SecurityGroupIds": {"SecurityGroupId": None},
            "NetworkInterfaces": {"NetworkInterface": [{"PrivateIpSets": {"PrivateIpSet": [{}]}}]},
        },
    ],
    ids=["bare", "nulls", "empties"],
)
def test_missing_keys_give_empty_values(item: dict[str, Any]) -> None:
    instance = instance_from_wire(item, "cn-hangzhou")
    assert instance == Instance("i-x", "cn-hangzhou", status="", tags={})


def test_unparseable_ip_is_skipped_and_logged() -> None:
    item = _item("i-bad", "not-an-ip")
    item["NetworkInterfaces"] = {"NetworkInterface": [
        {"PrivateIpSets": {"PrivateIpSet": [{"PrivateIpAddress": "10.0.0.9"}, {"PrivateIpAddress": "fe80::1"}]}}
    ]}  # fmt: skip
    with capture_logs() as logs:
        instance = instance_from_wire(item, "cn-hangzhou")
    assert instance is not None
    assert (instance.private_ips, instance.secondary_ips) == ((), ("10.0.0.9",))
    assert [(line["event"], line["ip"]) for line in logs] == [
        ("instance_ip_skipped", "not-an-ip"),
        ("instance_ip_skipped", "fe80::1"),
    ]


def test_item_without_id_is_skipped() -> None:
    assert instance_from_wire({"InstanceName": "ghost"}, "cn-hangzhou") is None
    assert instance_from_wire("junk", "cn-hangzhou") is None


def test_paging_across_seven_pages(mocked: responses.RequestsMock, inventory: EcsInventory) -> None:
    pages = [[_item(f"i-{p}-{n}", f"10.0.{p}.{n}") for n in range(1, 4)] for p in range(7)]
    seen = _paged(mocked, pages)
    found = inventory.list_instances("cn-hangzhou")
    assert [i.instance_id for i in found] == [f"i-{p}-{n}" for p in range(7) for n in range(1, 4)]
    assert [q.get("NextToken") for q in seen] == [None, "t1", "t2", "t3", "t4", "t5", "t6"]
    assert all(q["MaxResults"] == "100" and q["RegionId"] == "cn-hangzhou" for q in seen)


def test_a_next_token_loop_is_caught_at_the_first_page_that_brings_nothing_new(
    mocked: responses.RequestsMock, inventory: EcsInventory
) -> None:
    tokens = itertools.count(1)
    page = [_item("i-a", "10.0.0.1"), _item("i-b", "10.0.0.2")]

    def callback(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        body = {"RequestId": "R-loop", "NextToken": f"t{next(tokens)}", "TotalCount": 2,
                "Instances": {"Instance": page}}  # fmt: skip
        return reply(200, body)

    mocked.add_callback(responses.POST, ECS_URL, callback=callback)
    with pytest.raises(IncompleteListing) as caught:
        inventory.list_instances("cn-hangzhou")
    assert (caught.value.code, caught.value.request_id) == ("RepeatedPage", "R-loop")
    assert caught.value.retryable
    assert len(mocked.calls) == 4  # two pages, and the listing read once more


def test_empty_pages_with_ever_new_tokens_stop_where_total_count_allows(
    mocked: responses.RequestsMock, inventory: EcsInventory
) -> None:
    tokens = itertools.count(1)

    def callback(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        body = {"RequestId": "R", "NextToken": f"t{next(tokens)}", "TotalCount": 150,
                "Instances": {"Instance": []}}  # fmt: skip
        return reply(200, body)

    mocked.add_callback(responses.POST, ECS_URL, callback=callback)
    with pytest.raises(IncompleteListing) as caught:
        inventory.list_instances("cn-hangzhou")
    assert caught.value.code == "TooManyPages"
    assert len(mocked.calls) == 2 * 4  # 150 needs 2 pages of 100, plus 2 spare; twice


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"RequestId": "R", "TotalCount": 1, "Instances": [_item("i-a", "10.0.0.1")]},
        {
            "RequestId": "R",
            "TotalCount": 1,
            "InstanceSet": {"Instance": [_item("i-a", "10.0.0.1")]},
        },
        {"RequestId": "R", "TotalCount": 1, "Instances": {"Instance": {"i": 1}}},
        {
            "RequestId": "R",
            "TotalCount": "1",
            "Instances": {"Instance": [_item("i-a", "10.0.0.1")]},
        },
        {"RequestId": "R", "Instances": {"Instance": []}},
    ],
    ids=["empty-body", "instances-list", "renamed", "instance-object", "total-text", "no-total"],
)
def test_a_page_of_another_shape_is_malformed_and_retried_never_no_instances(
    mocked: responses.RequestsMock, inventory: EcsInventory, body: dict[str, Any]
) -> None:
    good = {"RequestId": "R2", "TotalCount": 1, "NextToken": "",
            "Instances": {"Instance": [_item("i-a", "10.0.0.1")]}}  # fmt: skip
    mocked.add(responses.POST, ECS_URL, json=body)
    mocked.add(responses.POST, ECS_URL, json=good)
    assert [i.instance_id for i in inventory.list_instances("cn-hangzhou")] == ["i-a"]
    assert len(mocked.calls) == 2


def test_a_persistently_malformed_page_raises_a_transient_error(
    mocked: responses.RequestsMock, make_rpc: RpcFactory
) -> None:
    mocked.add(responses.POST, ECS_URL, json={"RequestId": "R", "Instances": []})
    inventory = EcsInventory(make_rpc(backoff=Backoff(max_attempts=3)), Endpoints())
    with pytest.raises(TransientCloudError) as caught:
        inventory.list_instances("cn-hangzhou")
    assert caught.value.code == "MalformedResponse"
    assert len(mocked.calls) == 3


def test_pages_short_of_total_count_are_a_truncated_listing(
    mocked: responses.RequestsMock, inventory: EcsInventory
) -> None:
    page = [_item(f"i-{n}", f"10.0.0.{n}") for n in range(1, 21)]
    body = {"RequestId": "R-short", "TotalCount": 21, "NextToken": "",
            "Instances": {"Instance": page}}  # fmt: skip
    mocked.add(responses.POST, ECS_URL, json=body)
    with pytest.raises(IncompleteListing) as caught:
        inventory.list_instances("cn-hangzhou")
    assert (caught.value.code, caught.value.request_id) == ("TruncatedListing", "R-short")
    assert len(mocked.calls) == 2


def test_pages_whose_total_count_changes_are_a_drifting_listing(
    mocked: responses.RequestsMock, inventory: EcsInventory
) -> None:
    """Every page well formed and the instances add up to the smaller TotalCount, but it
    changed between pages: a boundary may have hidden one, so the listing is not believed."""
    first = [_item(f"i-{n:03d}", f"10.0.0.{n}") for n in range(1, 101)]
    pages = [
        {"RequestId": "R1", "TotalCount": 150, "NextToken": "t1", "Instances": {"Instance": first}},
        {"RequestId": "R2", "TotalCount": 149, "NextToken": "",
         "Instances": {"Instance": [_item(f"i-{n:03d}", f"10.0.1.{n}") for n in range(102, 151)]}},
    ]  # fmt: skip
    for _ in range(2):  # read once more, drifting again
        for page in pages:
            mocked.add(responses.POST, ECS_URL, json=page)
    with pytest.raises(IncompleteListing) as caught:
        inventory.list_instances("cn-hangzhou")
    assert (caught.value.code, caught.value.request_id) == ("DriftingListing", "R2")
    assert len(mocked.calls) == 4


def test_repeated_items_do_not_count_towards_total_count(
    mocked: responses.RequestsMock, inventory: EcsInventory
) -> None:
    page = [_item("i-a", "10.0.0.1"), _item("i-a", "10.0.0.1")]
    body = {"RequestId": "R", "TotalCount": 2, "NextToken": "", "Instances": {"Instance": page}}
    mocked.add(responses.POST, ECS_URL, json=body)
    with pytest.raises(IncompleteListing):
        inventory.list_instances("cn-hangzhou")


def test_instance_ids_are_chunked_by_100(
    mocked: responses.RequestsMock, inventory: EcsInventory
) -> None:
    ids = [f"i-{n:04d}" for n in range(250)]
    sent: list[list[str]] = []

    def callback(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        chunk = json.loads(query_of(request)["InstanceIds"])
        sent.append(chunk)
        items = [_item(i, f"10.1.{n // 200}.{n % 200 + 1}") for n, i in enumerate(chunk)]
        body = {"RequestId": "R", "NextToken": "", "TotalCount": len(items),
                "Instances": {"Instance": items}}  # fmt: skip
        return reply(200, body)

    mocked.add_callback(responses.POST, ECS_URL, callback=callback)
    found = inventory.get_instances("cn-hangzhou", [*ids, ids[0]])
    assert [len(c) for c in sent] == [100, 100, 50]
    assert [i for c in sent for i in c] == ids
    assert [i.instance_id for i in found] == ids


def test_get_instances_with_no_ids_makes_no_call(
    mocked: responses.RequestsMock, inventory: EcsInventory
) -> None:
    assert inventory.get_instances("cn-hangzhou", []) == []
    assert len(mocked.calls) == 0


def test_query_filters_on_the_wire(mocked: responses.RequestsMock, inventory: EcsInventory) -> None:
    seen = _paged(mocked, [[]])
    query = InstanceQuery(vpc_id="vpc-1", tags=(("app", "orders"), ("team", "*"), ("env", "")),
                          private_ips=("10.0.0.1", "10.0.0.2"))  # fmt: skip
    inventory.list_instances("cn-shanghai", query)
    assert mocked.calls[0].request.url.startswith("https://ecs.cn-shanghai.aliyuncs.com/?")
    assert seen == [{
        "RegionId": "cn-shanghai", "MaxResults": "100", "VpcId": "vpc-1",
        "Tag.1.Key": "app", "Tag.1.Value": "orders", "Tag.2.Key": "team", "Tag.3.Key": "env",
        "PrivateIpAddresses": '["10.0.0.1","10.0.0.2"]',
    }]  # fmt: skip


def test_more_than_twenty_tags_are_truncated_to_a_broader_filter(
    mocked: responses.RequestsMock, inventory: EcsInventory
) -> None:
    seen = _paged(mocked, [[]])
    inventory.list_instances(
        "cn-hangzhou", InstanceQuery(tags=tuple((f"k{n}", "v") for n in range(25)))
    )
    assert "Tag.20.Key" in seen[0]
    assert "Tag.21.Key" not in seen[0]


def _holders_listing() -> list[list[dict[str, Any]]]:
    secondary = _item("i-sec", "10.0.0.5")
    secondary["NetworkInterfaces"] = {"NetworkInterface": [
        {"PrimaryIpAddress": "10.0.0.5", "PrivateIpSets": {"PrivateIpSet": [{"PrivateIpAddress": "10.0.0.77"}]}}
    ]}  # fmt: skip
    return [[_item("i-a", "10.0.0.1"), _item("i-b", "10.0.0.2")], [secondary]]


def _directly(mocked: responses.RequestsMock) -> list[dict[str, str]]:
    """ECS answering point lookups only: i-b holds 10.0.0.2 as its VPC primary IP, i-sec
    holds 10.0.0.77 on an ENI; a region listing (no filter) is refused."""
    seen: list[dict[str, str]] = []
    secondary = _item("i-sec", "10.0.0.5")
    secondary["NetworkInterfaces"] = {"NetworkInterface": [
        {"PrimaryIpAddress": "10.0.0.5", "PrivateIpSets": {"PrivateIpSet": [{"PrivateIpAddress": "10.0.0.77"}]}}
    ]}  # fmt: skip

    def callback(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        query = query_of(request)
        seen.append(query)
        if request.headers.get("x-acs-action") == "DescribeNetworkInterfaces":
            asked = {v for k, v in query.items() if k.startswith("PrivateIpAddress.")}
            enis = (
                [{"NetworkInterfaceId": "eni-sec", "InstanceId": "i-sec"}]
                if "10.0.0.77" in asked
                else []
            )
            body = {"RequestId": "E", "NextToken": "", "TotalCount": len(enis),
                    "NetworkInterfaceSets": {"NetworkInterfaceSet": enis}}  # fmt: skip
            return reply(200, body)
        if "PrivateIpAddresses" in query:
            items = [_item("i-b", "10.0.0.2")] if "10.0.0.2" in query["PrivateIpAddresses"] else []
        elif "InstanceIds" in query:
            items = [secondary] if "i-sec" in query["InstanceIds"] else []
        elif "InnerIpAddresses" in query:
            items = []
        else:
            return reply(400, {"Code": "NotAPointLookup", "Message": "a region listing"})
        return reply(200, {"RequestId": "R", "NextToken": "", "TotalCount": len(items),
                           "Instances": {"Instance": items}})  # fmt: skip

    mocked.add_callback(responses.POST, ANY_ECS, callback=callback)
    return seen


def test_find_by_private_ips_looks_each_address_up_directly(
    mocked: responses.RequestsMock, inventory: EcsInventory
) -> None:
    seen = _directly(mocked)
    found = inventory.find_by_private_ips(
        "cn-hangzhou", ["10.0.0.2", "10.0.0.77", "10.9.9.9", "10.0.0.0/24"]
    )
    assert sorted(i.instance_id for i in found) == ["i-b", "i-sec"]
    assert seen[0]["PrivateIpAddresses"] == '["10.0.0.2","10.0.0.77","10.9.9.9"]'
    assert seen[1]["InnerIpAddresses"] == '["10.0.0.2","10.0.0.77","10.9.9.9"]'
    assert [seen[2][f"PrivateIpAddress.{n}"] for n in (1, 2, 3)] == [
        "10.0.0.2",
        "10.0.0.77",
        "10.9.9.9",
    ]
    assert seen[3]["InstanceIds"] == '["i-sec"]'


def test_find_by_private_ips_primary_only_makes_one_lookup(
    mocked: responses.RequestsMock, inventory: EcsInventory
) -> None:
    seen = _directly(mocked)
    found = inventory.find_by_private_ips(
        "cn-hangzhou", ["10.0.0.2", "10.0.0.1"], primary_only=True
    )
    assert [i.instance_id for i in found] == ["i-b"]
    assert [set(q) & {"PrivateIpAddresses", "InnerIpAddresses", "InstanceIds"} for q in seen] == [
        {"PrivateIpAddresses"}
    ]


def test_find_by_private_ips_of_only_cidrs_makes_no_call(
    mocked: responses.RequestsMock, inventory: EcsInventory
) -> None:
    assert inventory.find_by_private_ips("cn-hangzhou", ["10.0.0.0/8"]) == []
    assert len(mocked.calls) == 0


def test_cached_inventory_lists_once_per_region_and_query(
    mocked: responses.RequestsMock, inventory: EcsInventory
) -> None:
    _paged(mocked, _holders_listing())
    cached = CachedInventory(inventory)
    first = cached.list_instances("cn-hangzhou")
    again = cached.list_instances("cn-hangzhou", InstanceQuery())
    assert first == again
    assert len(first) == 3
    assert len(mocked.calls) == 2  # two pages, once
    cached.list_instances("cn-hangzhou", InstanceQuery(vpc_id="vpc-1"))
    cached.list_instances("cn-shanghai")
    assert len(mocked.calls) == 6
    first.clear()  # callers get copies
    assert len(cached.list_instances("cn-hangzhou")) == 3
    cached.find_by_private_ips("cn-hangzhou", ["10.0.0.1"], primary_only=True)  # always fresh
    cached.find_by_private_ips("cn-hangzhou", ["10.0.0.1"], primary_only=True)
    assert len(mocked.calls) == 10


def _empty_then(mocked: responses.RequestsMock, status: int, body: Any) -> list[dict[str, str]]:
    """An empty listing, then the answer to the DryRun that checks it."""
    seen: list[dict[str, str]] = []

    def answer(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        query = query_of(request)
        seen.append(query)
        if query.get("DryRun") == "true":
            return reply(status, body)
        empty = {"RequestId": "R", "Instances": {"Instance": []}, "NextToken": "", "TotalCount": 0}
        return reply(200, empty)

    mocked.add_callback(responses.POST, ECS_URL, callback=answer)
    return seen


def test_an_empty_region_listing_is_confirmed_with_dry_run(
    mocked: responses.RequestsMock, inventory: EcsInventory
) -> None:
    allowed = {"RequestId": "R", "Code": "DryRunOperation", "Message": "passed"}
    seen = _empty_then(mocked, 400, allowed)
    assert inventory.list_instances("cn-hangzhou") == []
    assert [q.get("DryRun") for q in seen] == [None, "true"]


def test_an_empty_listing_of_an_unauthorised_role_raises_instead_of_looking_empty(
    mocked: responses.RequestsMock, inventory: EcsInventory
) -> None:
    refused = {"RequestId": "R-RAM", "Code": "Forbidden.RAM", "Message": "not authorized"}
    _empty_then(mocked, 403, refused)
    with pytest.raises(PermanentCloudError) as caught:
        inventory.list_instances("cn-hangzhou")
    assert (caught.value.code, caught.value.request_id) == ("Forbidden.RAM", "R-RAM")


def test_an_empty_lookup_by_id_is_not_double_checked(
    mocked: responses.RequestsMock, inventory: EcsInventory
) -> None:
    seen = _empty_then(mocked, 403, {"Code": "Forbidden.RAM"})
    assert inventory.get_instances("cn-hangzhou", ["i-gone00000001"]) == []
    assert len(seen) == 1
