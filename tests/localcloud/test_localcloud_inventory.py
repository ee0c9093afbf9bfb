"""The products' list APIs through their official SDK clients, paged as each real one pages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from alibabacloud_dds20151201 import models as dds_models
from alibabacloud_dds20151201.client import Client as DdsClient
from alibabacloud_polardb20170801 import models as polardb_models
from alibabacloud_polardb20170801.client import Client as PolardbClient
from alibabacloud_r_kvstore20150101 import models as kv_models
from alibabacloud_rds20140815 import models as rds_models
from alibabacloud_rds20140815.client import Client as RdsClient
from localcloud_support import MEMBER, config, failure, kvstore, serving

from localcloud.backend import Backend
from localcloud.builders import make_db_instance, make_redis_instance

REDIS = [f"r-bp1inv{n:011d}" for n in range(35)]
RDS = [f"rm-bp1inv{n:010d}" for n in range(65)]
POLARDB = [f"pc-bp1inv{n:010d}" for n in range(31)]
MONGODB = [f"dds-bp1inv{n:09d}" for n in range(31)]
SHARDED = ["dds-bp1shard0000001", "dds-bp1shard0000002"]


def seed() -> dict[str, Any]:
    redis = [make_redis_instance(i, InstanceName=f"cache-{i[-2:]}") for i in REDIS]
    redis[0]["InstanceStatus"] = "Changing"
    mongodb = [make_db_instance("mongodb", i) for i in MONGODB]
    mongodb += [make_db_instance("mongodb", i, DBInstanceType="sharding") for i in SHARDED]
    return {
        "kvstore": {
            "cn-hangzhou": redis,
            "cn-shanghai": [make_redis_instance("r-uf6inv0000000001")],
        },
        "rds": {"cn-hangzhou": [make_db_instance("rds", i, Engine="MySQL") for i in RDS]},
        "polardb": {"cn-hangzhou": [make_db_instance("polardb", i) for i in POLARDB]},
        "mongodb": {"cn-hangzhou": mongodb},
        "accounts": {MEMBER: {"rds": {"cn-hangzhou": [make_db_instance("rds", "rm-member1")]}}},
    }


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with serving(Backend(seed())) as running:
        yield running.endpoint


def redis_page(endpoint: str, **fields: Any) -> dict[str, Any]:
    request = kv_models.DescribeInstancesRequest(**fields)
    body: dict[str, Any] = kvstore(endpoint).describe_instances(request).body.to_map()
    return body


def test_redis_describe_instances_pages(endpoint: str) -> None:
    first = redis_page(endpoint, region_id="cn-hangzhou")
    assert set(first) == {"RequestId", "Instances", "PageNumber", "PageSize", "TotalCount"}
    assert (first["PageNumber"], first["PageSize"], first["TotalCount"]) == (1, 30, 35)
    listed = first["Instances"]["KVStoreInstance"]
    assert [i["InstanceId"] for i in listed] == REDIS[:30]
    assert listed[0] == {
        "InstanceId": REDIS[0],
        "InstanceName": "cache-00",
        "InstanceStatus": "Changing",
        "RegionId": "cn-hangzhou",
    }
    second = redis_page(endpoint, region_id="cn-hangzhou", page_number=2)
    assert [i["InstanceId"] for i in second["Instances"]["KVStoreInstance"]] == REDIS[30:]
    past = redis_page(endpoint, region_id="cn-hangzhou", page_number=3, page_size=50)
    assert (past["Instances"]["KVStoreInstance"], past["TotalCount"]) == ([], 35)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"region_id": "cn-shanghai"}, ["r-uf6inv0000000001"]),
        ({"instance_ids": f"{REDIS[3]},{REDIS[1]},r-uf6inv0000000001"}, None),
        ({"region_id": "cn-hangzhou", "instance_status": "Changing"}, [REDIS[0]]),
        ({"region_id": "eu-central-1"}, []),
    ],
)
def test_redis_describe_instances_filters(
    endpoint: str, fields: dict[str, Any], expected: list[str] | None
) -> None:
    body = redis_page(endpoint, page_size=50, **fields)
    found = [i["InstanceId"] for i in body["Instances"]["KVStoreInstance"]]
    assert found == ([REDIS[1], REDIS[3], "r-uf6inv0000000001"] if expected is None else expected)
    assert body["TotalCount"] == len(found)


def test_redis_page_size_is_at_most_50(endpoint: str) -> None:
    error = failure(lambda: redis_page(endpoint, region_id="cn-hangzhou", page_size=100))
    assert (error.code, error.status_code) == ("InvalidPageSize", 400)
    many = ",".join(REDIS[:31])
    assert failure(lambda: redis_page(endpoint, instance_ids=many)).code == "InvalidInstanceIds"


def rds_page(endpoint: str, **fields: Any) -> dict[str, Any]:
    fields.setdefault("region_id", "cn-hangzhou")
    request = rds_models.DescribeDBInstancesRequest(**fields)
    body: dict[str, Any] = RdsClient(config(endpoint)).describe_dbinstances(request).body.to_map()
    return body


def test_rds_describe_db_instances_pages_by_number_and_by_token(endpoint: str) -> None:
    first = rds_page(endpoint)
    assert set(first) == {
        "RequestId", "Items", "PageNumber", "PageRecordCount", "TotalRecordCount", "NextToken"
    }  # fmt: skip
    assert (first["PageRecordCount"], first["TotalRecordCount"]) == (30, 65)
    assert first["Items"]["DBInstance"][0] == {
        "DBInstanceId": RDS[0],
        "DBInstanceStatus": "Running",
        "Engine": "MySQL",
        "RegionId": "cn-hangzhou",
    }
    last = rds_page(endpoint, page_number=3)
    assert (last["PageNumber"], last["PageRecordCount"]) == (3, 5)
    assert [i["DBInstanceId"] for i in last["Items"]["DBInstance"]] == RDS[60:]
    seen: list[str] = []
    token = ""
    while True:
        page = rds_page(endpoint, max_results=40, next_token=token or None)
        seen += [i["DBInstanceId"] for i in page["Items"]["DBInstance"]]
        token = page["NextToken"]
        if not token:
            break
    assert seen == RDS
    assert failure(lambda: rds_page(endpoint, next_token="%%%")).code == "InvalidNextToken"
    assert failure(lambda: rds_page(endpoint, region_id=None)).code == "MissingRegionId"
    assert failure(lambda: rds_page(endpoint, page_size=101)).code == "InvalidPageSize"


def test_rds_lists_the_callers_account_only(endpoint: str) -> None:
    body = rds_page(endpoint, dbinstance_id=f"rm-member1,{RDS[7]}")
    assert [i["DBInstanceId"] for i in body["Items"]["DBInstance"]] == [RDS[7]]


def test_polardb_describe_db_clusters(endpoint: str) -> None:
    client = PolardbClient(config(endpoint))

    def page(**fields: Any) -> dict[str, Any]:
        request = polardb_models.DescribeDBClustersRequest(region_id="cn-hangzhou", **fields)
        body: dict[str, Any] = client.describe_dbclusters(request).body.to_map()
        return body

    first, second = page(), page(page_number=2)
    assert set(first) == {
        "RequestId", "Items", "PageNumber", "PageRecordCount", "TotalRecordCount"
    }  # fmt: skip
    assert (first["PageRecordCount"], second["PageRecordCount"], second["TotalRecordCount"]) == (
        30,
        1,
        31,
    )
    listed = first["Items"]["DBCluster"] + second["Items"]["DBCluster"]
    assert [c["DBClusterId"] for c in listed] == POLARDB
    assert page(page_size=50)["PageRecordCount"] == 31
    assert failure(lambda: page(page_size=40)).code == "InvalidPageSize"
    picked = page(dbcluster_ids=f"{POLARDB[2]},{POLARDB[0]}")["Items"]["DBCluster"]
    assert [c["DBClusterId"] for c in picked] == [POLARDB[0], POLARDB[2]]


def test_mongodb_describe_db_instances_lists_replica_sets_by_default(endpoint: str) -> None:
    client = DdsClient(config(endpoint))

    def page(**fields: Any) -> dict[str, Any]:
        request = dds_models.DescribeDBInstancesRequest(region_id="cn-hangzhou", **fields)
        body: dict[str, Any] = client.describe_dbinstances(request).body.to_map()
        return body

    first = page()
    assert set(first) == {"RequestId", "DBInstances", "PageNumber", "PageSize", "TotalCount"}
    assert (first["PageSize"], first["TotalCount"]) == (30, 31)
    assert [i["DBInstanceId"] for i in first["DBInstances"]["DBInstance"]] == MONGODB[:30]
    sharded = page(dbinstance_type="sharding")["DBInstances"]["DBInstance"]
    assert [i["DBInstanceId"] for i in sharded] == SHARDED
    assert sharded[0]["DBInstanceType"] == "sharding"
    assert page(page_number=2, page_size=100)["DBInstances"]["DBInstance"] == []
    assert failure(lambda: page(page_size=10)).code == "InvalidPageSize"
