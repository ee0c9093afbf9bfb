"""RDS, PolarDB and MongoDB through their official Tea SDKs (V3 signature) against the server.

One table says how each product names things; the behaviour under test is each product's own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from alibabacloud_dds20151201 import models as dds_models
from alibabacloud_dds20151201.client import Client as DdsClient
from alibabacloud_polardb20170801 import models as polardb_models
from alibabacloud_polardb20170801.client import Client as PolardbClient
from alibabacloud_r_kvstore20150101 import models as kv_models
from alibabacloud_rds20140815 import models as rds_models
from alibabacloud_rds20140815.client import Client as RdsClient
from localcloud_support import DATABASES, Running, config, failure, kvstore

from localcloud.builders import make_db_group, make_db_instance


@dataclass(frozen=True)
class Product:
    """How one product's SDK is driven: its client, calls and wire names."""

    key: str
    client: Callable[[Any], Any]
    groups_field: str
    name_field: str
    list_field: str
    read: Callable[[Any, str], dict[str, Any]]
    write: Callable[..., Any]


def _rds_read(client: RdsClient, instance_id: str) -> dict[str, Any]:
    request = rds_models.DescribeDBInstanceIPArrayListRequest(dbinstance_id=instance_id)
    body: dict[str, Any] = client.describe_dbinstance_iparray_list(request).body.to_map()
    return body


def _rds_write(
    client: RdsClient, instance_id: str, ips: str, group: str, mode: str, **kw: Any
) -> Any:
    request = rds_models.ModifySecurityIpsRequest(
        dbinstance_id=instance_id, security_ips=ips, dbinstance_iparray_name=group,
        modify_mode=mode, **kw,
    )  # fmt: skip
    return client.modify_security_ips(request)


def _polardb_read(client: PolardbClient, cluster_id: str) -> dict[str, Any]:
    request = polardb_models.DescribeDBClusterAccessWhitelistRequest(dbcluster_id=cluster_id)
    body: dict[str, Any] = client.describe_dbcluster_access_whitelist(request).body.to_map()
    return body


def _polardb_write(
    client: PolardbClient, cluster_id: str, ips: str, group: str, mode: str, **kw: Any
) -> Any:
    request = polardb_models.ModifyDBClusterAccessWhitelistRequest(
        dbcluster_id=cluster_id, security_ips=ips, dbcluster_iparray_name=group,
        modify_mode=mode, **kw,
    )  # fmt: skip
    return client.modify_dbcluster_access_whitelist(request)


def _dds_read(client: DdsClient, instance_id: str) -> dict[str, Any]:
    request = dds_models.DescribeSecurityIpsRequest(dbinstance_id=instance_id)
    body: dict[str, Any] = client.describe_security_ips(request).body.to_map()
    return body


def _dds_write(
    client: DdsClient, instance_id: str, ips: str, group: str, mode: str, **kw: Any
) -> Any:
    request = dds_models.ModifySecurityIpsRequest(
        dbinstance_id=instance_id, security_ips=ips, security_ip_group_name=group,
        modify_mode=mode, **kw,
    )  # fmt: skip
    return client.modify_security_ips(request)


RDS = Product("rds", RdsClient, "DBInstanceIPArray", "DBInstanceIPArrayName", "SecurityIPList",
              _rds_read, _rds_write)  # fmt: skip
POLARDB = Product("polardb", PolardbClient, "DBClusterIPArray", "DBClusterIPArrayName",
                  "SecurityIps", _polardb_read, _polardb_write)  # fmt: skip
MONGODB = Product("mongodb", DdsClient, "SecurityIpGroups", "SecurityIpGroupName",
                  "SecurityIpList", _dds_read, _dds_write)  # fmt: skip
ALL = [RDS, POLARDB, MONGODB]
INSTANCE_WIDE = [RDS, POLARDB]


def _client(lc: Running, product: Product) -> Any:
    return product.client(config(lc.endpoint))


def write(lc: Running, product: Product, ips: str, group: str = "ecsorders",
          mode: str = "Append", instance_id: str = "", **kw: Any) -> Any:  # fmt: skip
    client = _client(lc, product)
    return product.write(client, instance_id or DATABASES[product.key], ips, group, mode, **kw)


def groups(lc: Running, product: Product, instance_id: str = "") -> dict[str, str]:
    """name -> list of the instance's groups, from the state dump."""
    wanted = instance_id or DATABASES[product.key]
    for instances in lc.admin("GET", "state").json()[product.key].values():
        for instance in instances:
            if wanted in instance.values():
                return {
                    g[product.name_field]: g[product.list_field]
                    for g in instance[product.groups_field]
                }
    raise AssertionError(wanted)


def _seed_groups(lc: Running, product: Product, *groups: dict[str, Any]) -> None:
    instance = make_db_instance(product.key, DATABASES[product.key], list(groups))
    lc.admin("POST", product.key, {"region": "cn-hangzhou", "put": [instance]})


# -- reads -------------------------------------------------------------------------------


def test_rds_read_answers_items_with_network_type(lc: Running) -> None:
    body = _rds_read(_client(lc, RDS), DATABASES["rds"])
    listed = body["Items"]["DBInstanceIPArray"]
    assert [g["DBInstanceIPArrayName"] for g in listed] == [
        "default", "ali_dms_group", "hdm_security_ips", "rds_replica_group", "ecsorders",
    ]  # fmt: skip
    assert listed[4] == {
        "DBInstanceIPArrayName": "ecsorders",
        "DBInstanceIPArrayAttribute": "",
        "SecurityIPList": "10.0.1.1,10.0.9.99",
        "SecurityIPType": "IPv4",
    }  # the SDK model keeps only its own fields
    assert listed[3]["DBInstanceIPArrayAttribute"] == "hidden"


def test_polardb_read_answers_items_and_security_groups(lc: Running) -> None:
    body = _polardb_read(_client(lc, POLARDB), DATABASES["polardb"])
    listed = body["Items"]["DBClusterIPArray"]
    assert listed[4] == {
        "DBClusterIPArrayName": "ecsorders",
        "DBClusterIPArrayAttribute": "",
        "SecurityIps": "10.0.1.1,10.0.9.99",
    }
    assert body["DBClusterSecurityGroups"] == {"DBClusterSecurityGroup": []}


def test_mongodb_read_hides_the_das_group_unless_asked(lc: Running) -> None:
    client = _client(lc, MONGODB)
    body = _dds_read(client, DATABASES["mongodb"])
    names = [g["SecurityIpGroupName"] for g in body["SecurityIpGroups"]["SecurityIpGroup"]]
    assert "hdm_security_ips" not in names
    assert body["SecurityIps"] == "127.0.0.1"
    request = dds_models.DescribeSecurityIpsRequest(
        dbinstance_id=DATABASES["mongodb"], show_hdmips=True
    )
    shown = client.describe_security_ips(request).body.to_map()
    assert "hdm_security_ips" in [
        g["SecurityIpGroupName"] for g in shown["SecurityIpGroups"]["SecurityIpGroup"]
    ]


def test_dds_and_redis_share_action_names_but_not_answers(lc: Running) -> None:
    redis = kvstore(lc.endpoint).describe_security_ips(
        kv_models.DescribeSecurityIpsRequest(instance_id="r-bp1orders0000001")
    )
    names = [g.security_ip_group_name for g in redis.body.security_ip_groups.security_ip_group]
    assert "ecs_orders" in names
    error = failure(lambda: _dds_read(_client(lc, MONGODB), "r-bp1orders0000001"))
    assert (error.code, error.status_code) == ("InvalidDBInstanceId.NotFound", 404)
    counts = lc.admin("GET", "calls").json()["counts"]
    assert counts == {"DescribeSecurityIps": 2}


# -- writes ------------------------------------------------------------------------------


@pytest.mark.parametrize("product", ALL, ids=lambda p: p.key)
def test_append_delete_cover_change_the_state(lc: Running, product: Product) -> None:
    write(lc, product, "10.0.1.2,10.0.1.4/32")
    assert groups(lc, product)["ecsorders"] == "10.0.1.1,10.0.9.99,10.0.1.2,10.0.1.4"
    write(lc, product, "10.0.9.99", mode="Delete")
    assert groups(lc, product)["ecsorders"] == "10.0.1.1,10.0.1.2,10.0.1.4"
    write(lc, product, "127.0.0.1", mode="Cover")
    assert groups(lc, product)["ecsorders"] == "127.0.0.1"


@pytest.mark.parametrize("product", ALL, ids=lambda p: p.key)
def test_an_unknown_group_name_creates_the_group(lc: Running, product: Product) -> None:
    write(lc, product, "10.0.1.5", group="ecsnew")
    assert groups(lc, product)["ecsnew"] == "10.0.1.5"


def test_rds_answers_a_task_id(lc: Running) -> None:
    body = write(lc, RDS, "10.0.1.6").body.to_map()
    assert set(body) == {"RequestId", "TaskId"}


@pytest.mark.parametrize(
    ("product", "code"),
    [(RDS, "InvalidInstanceIp.Duplicate"), (POLARDB, "InvalidInstanceIp.Duplicate"),
     (MONGODB, "InvalidInstanceIp.Duplicate")],
    ids=["rds", "polardb", "mongodb"],
)  # fmt: skip
def test_append_of_a_present_entry_is_refused(lc: Running, product: Product, code: str) -> None:
    error = failure(lambda: write(lc, product, "10.0.1.1,10.0.1.7"))
    assert (error.code, error.status_code) == (code, 400)
    assert groups(lc, product)["ecsorders"] == "10.0.1.1,10.0.9.99"


def test_mongodb_extend_merges_present_entries(lc: Running) -> None:
    write(lc, MONGODB, "10.0.1.1,10.0.1.7", mode="Extend")
    assert groups(lc, MONGODB)["ecsorders"] == "10.0.1.1,10.0.9.99,10.0.1.7"


@pytest.mark.parametrize("product", ALL, ids=lambda p: p.key)
def test_delete_of_an_absent_or_the_last_entry_is_refused(lc: Running, product: Product) -> None:
    absent = failure(lambda: write(lc, product, "10.0.1.200", mode="Delete"))
    last = failure(lambda: write(lc, product, "10.0.1.1,10.0.9.99", mode="Delete"))
    for error in (absent, last):
        assert (error.code, error.status_code) == ("InvalidSecurityIPs.NotFound", 404)
    assert groups(lc, product)["ecsorders"] == "10.0.1.1,10.0.9.99"


@pytest.mark.parametrize("product", ALL, ids=lambda p: p.key)
@pytest.mark.parametrize("group", ["ali_dms_group", "hdm_security_ips", "rds_replica_group"])
def test_system_and_hidden_groups_are_read_only(lc: Running, product: Product, group: str) -> None:
    if product is POLARDB and "_" in group:
        name = failure(lambda: write(lc, product, "10.0.1.8", group=group))
        assert name.code == "InvalidDBClusterIPArrayName.Malformed"  # its names have no "_"
        return
    error = failure(lambda: write(lc, product, "10.0.1.8", group=group))
    assert (error.code, error.status_code) == ("OperationDenied.SystemGroup", 403)


@pytest.mark.parametrize("product", ALL, ids=lambda p: p.key)
def test_dms_group_is_read_only_when_seeded_visible(lc: Running, product: Product) -> None:
    _seed_groups(lc, product, make_db_group(product.key, "default"),
                 make_db_group(product.key, "dms", ["100.104.0.0/16"]))  # fmt: skip
    error = failure(lambda: write(lc, product, "10.0.1.8", group="dms"))
    assert error.code == "OperationDenied.SystemGroup"


@pytest.mark.parametrize(
    ("product", "code", "status"),
    [(RDS, "InvalidDBInstance.NotFound", 404), (POLARDB, "InvalidDBClusterId.NotFound", 404),
     (MONGODB, "InvalidDBInstanceId.NotFound", 404)],
    ids=["rds", "polardb", "mongodb"],
)  # fmt: skip
def test_unknown_instance(lc: Running, product: Product, code: str, status: int) -> None:
    read = failure(lambda: product.read(_client(lc, product), "rm-doesnotexist01"))
    written = failure(lambda: write(lc, product, "10.0.1.9", instance_id="pc-doesnotexist01"))
    for error in (read, written):
        assert (error.code, error.status_code) == (code, status)


@pytest.mark.parametrize(
    ("product", "code", "status"),
    [(RDS, "IncorrectDBInstanceState", 403), (POLARDB, "OperationDenied.DBClusterStatus", 400),
     (MONGODB, "IncorrectDBInstanceState", 400)],
    ids=["rds", "polardb", "mongodb"],
)  # fmt: skip
def test_an_instance_not_running_refuses_writes(
    lc: Running, product: Product, code: str, status: int
) -> None:
    changing = DATABASES[product.key].replace("orders", "chang")
    product.read(_client(lc, product), changing)  # reads still answer
    error = failure(lambda: write(lc, product, "10.0.1.9", group="default", instance_id=changing))
    assert (error.code, error.status_code) == (code, status)


@pytest.mark.parametrize("product", ALL, ids=lambda p: p.key)
def test_bad_entries_and_names(lc: Running, product: Product) -> None:
    bad_ip = failure(lambda: write(lc, product, "10.0.1.300"))
    repeated = failure(lambda: write(lc, product, "10.0.1.10,10.0.1.10"))
    bad_name = failure(lambda: write(lc, product, "10.0.1.10", group="Bad-Name"))
    assert bad_ip.code.endswith("SecurityIPList.Format")
    assert repeated.code == "InvalidSecurityIPList.Duplicate"
    assert bad_name.status_code == 400
    assert groups(lc, product)["ecsorders"] == "10.0.1.1,10.0.9.99"


# -- capacity ----------------------------------------------------------------------------


def _block(prefix: int, count: int) -> list[str]:
    return [f"10.{prefix}.{n // 250}.{n % 250 + 1}" for n in range(count)]


@pytest.mark.parametrize("product", INSTANCE_WIDE, ids=lambda p: p.key)
def test_instance_wide_cap_counts_foreign_groups(lc: Running, product: Product) -> None:
    _seed_groups(lc, product, make_db_group(product.key, "default", _block(1, 600)),
                 make_db_group(product.key, "ecsorders", _block(2, 390)))  # fmt: skip
    write(lc, product, ",".join(_block(3, 10)))  # exactly 1000 in all
    error = failure(lambda: write(lc, product, "10.9.9.9", group="other"))
    assert (error.code, error.status_code) == ("InvalidSecurityIPList.QuotaExceeded", 400)
    assert "other" not in groups(lc, product)
    cover = failure(lambda: write(lc, product, ",".join(_block(4, 401)), mode="Cover"))
    assert cover.code == "InvalidSecurityIPList.QuotaExceeded"


def test_mongodb_cap_is_per_group(lc: Running) -> None:
    _seed_groups(lc, MONGODB, make_db_group("mongodb", "default", _block(1, 1000)),
                 make_db_group("mongodb", "ecsorders", _block(2, 999)))  # fmt: skip
    write(lc, MONGODB, "10.9.9.9")  # 1000 in this group, 2000 in all: fine
    error = failure(lambda: write(lc, MONGODB, "10.9.9.10"))
    assert error.code == "InvalidSecurityIPList.QuotaExceeded"


def test_polardb_group_limit(lc: Running) -> None:
    many = [make_db_group("polardb", f"g{n}", [f"10.5.0.{n + 1}"]) for n in range(50)]
    _seed_groups(lc, POLARDB, *many)
    error = failure(lambda: write(lc, POLARDB, "10.9.9.9", group="onemore"))
    assert error.code == "QuotaExceeded.WhitelistGroup"


# -- RDS network types -------------------------------------------------------------------


def test_rds_standard_mode_keeps_mix_groups(lc: Running) -> None:
    write(lc, RDS, "10.0.1.11", group="ecsnew")
    state = lc.admin("GET", "state").json()["rds"]["cn-hangzhou"][0]["DBInstanceIPArray"]
    assert state[-1]["WhitelistNetworkType"] == "MIX"
    error = failure(lambda: write(lc, RDS, "10.0.1.12", whitelist_network_type="VPC"))
    assert error.code == "InvalidWhitelistNetworkType"


def test_rds_enhanced_mode_needs_a_network_type(lc: Running) -> None:
    instance = make_db_instance("rds", DATABASES["rds"], [make_db_group("rds", "default")],
                                SecurityIPMode="safety")  # fmt: skip
    lc.admin("POST", "rds", {"region": "cn-hangzhou", "put": [instance]})
    error = failure(lambda: write(lc, RDS, "10.0.1.13", group="ecsvpc"))
    assert error.code == "InvalidWhitelistNetworkType"
    write(lc, RDS, "10.0.1.13", group="ecsvpc", whitelist_network_type="VPC")
    write(lc, RDS, "10.0.1.14", group="ecsvpc")  # the group's type is kept
    request = rds_models.DescribeDBInstanceIPArrayListRequest(
        dbinstance_id=DATABASES["rds"], whitelist_network_type="VPC"
    )
    body = _client(lc, RDS).describe_dbinstance_iparray_list(request).body.to_map()
    assert [g["SecurityIPList"] for g in body["Items"]["DBInstanceIPArray"]] == [
        "10.0.1.13,10.0.1.14"
    ]


# -- errors carry the product ------------------------------------------------------------


@pytest.mark.parametrize(
    ("product", "name"), [(RDS, "Rds"), (POLARDB, "polardb"), (MONGODB, "Dds")],
    ids=["rds", "polardb", "mongodb"],
)  # fmt: skip
def test_error_recommend_names_the_product(lc: Running, product: Product, name: str) -> None:
    error = failure(lambda: write(lc, product, "10.0.1.300"))
    assert f"product={name}" in str(error.data)
