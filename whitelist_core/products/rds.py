"""ApsaraDB RDS (``2014-08-15``): 1000 entries per instance, across all its groups.

What differs from Redis: the instance-wide limit (foreign groups eat the room), the
answer's shape (``Items.DBInstanceIPArray``), and each group's network type
(``WhitelistNetworkType``: ``MIX`` in the standard whitelist mode, ``VPC`` / ``Classic``
in the enhanced mode); the store picks the type (see ``aliyun/stores/network.py``).
"""

from __future__ import annotations

from whitelist_core.core.entries import RESERVED_GROUPS
from whitelist_core.products.spec import (
    Capacity,
    Catalog,
    Endpoint,
    ProductSpec,
    Ram,
    Read,
    Write,
)

_CENTRAL = [
    "ap-northeast-2-pop",
    "ap-southeast-1",
    "cn-beijing",
    "cn-beijing-finance-1",
    "cn-beijing-finance-pop",
    "cn-beijing-gov-1",
    "cn-beijing-nu16-b01",
    "cn-edge-1",
    "cn-fujian",
    "cn-haidian-cm12-c01",
    "cn-hangzhou",
    "cn-hangzhou-bj-b01",
    "cn-hangzhou-internal-prod-1",
    "cn-hangzhou-internal-test-1",
    "cn-hangzhou-internal-test-2",
    "cn-hangzhou-internal-test-3",
    "cn-hangzhou-test-306",
    "cn-heyuan",
    "cn-hongkong",
    "cn-hongkong-finance-pop",
    "cn-north-2-gov-1",
    "cn-qingdao",
    "cn-qingdao-nebula",
    "cn-shanghai",
    "cn-shanghai-et15-b01",
    "cn-shanghai-et2-b01",
    "cn-shanghai-finance-1",
    "cn-shanghai-inner",
    "cn-shanghai-internal-test-1",
    "cn-shenzhen",
    "cn-shenzhen-finance-1",
    "cn-shenzhen-inner",
    "cn-shenzhen-st4-d01",
    "cn-shenzhen-su18-b01",
    "cn-wuhan",
    "cn-yushanfang",
    "cn-zhangbei",
    "cn-zhangbei-na61-b01",
    "cn-zhangjiakou-na62-a01",
    "cn-zhengzhou-nebula-1",
    "eu-west-1-oxs",
    "rus-west-1-pop",
    "us-east-1",
    "us-west-1",
]

SPEC = ProductSpec(
    name="rds",
    title="ApsaraDB RDS",
    version="2014-08-15",
    instance_id=r"(rm|pgm)-[a-z0-9]{6,40}",
    instance_id_form="rm-... (MySQL, SQL Server, MariaDB) or pgm-... (PostgreSQL)",
    endpoint=Endpoint(
        prefix="rds",
        variable="WHITELIST_RDS_ENDPOINT",
        regional={
            **dict.fromkeys(_CENTRAL, "rds.aliyuncs.com"),
            "cn-hangzhou-finance": "rds-vpc.cn-hangzhou-finance.aliyuncs.com",
        },
    ),
    read=Read(
        action="DescribeDBInstanceIPArrayList",
        id_param="DBInstanceId",
        path=("Items", "DBInstanceIPArray"),
        name="DBInstanceIPArrayName",
        attribute="DBInstanceIPArrayAttribute",
        entries="SecurityIPList",
    ),
    write=Write(
        action="ModifySecurityIps",
        id_param="DBInstanceId",
        group_param="DBInstanceIPArrayName",
        attribute_param="DBInstanceIPArrayAttribute",
        fixed={"SecurityIPType": "IPv4"},
    ),
    ram=Ram(service="rds", resource="acs:rds:{region}:{account}:dbinstance/{id}"),
    capacity=Capacity(per_instance=True, groups=200),  # API reference (facts §10.4)
    reserved_groups=RESERVED_GROUPS | {"dms"},
    already_there=frozenset({"InvalidInstanceIp.Duplicate"}),
    already_absent=frozenset({"InvalidSecurityIPs.NotFound"}),
    not_found=frozenset({"InvalidDBInstance.NotFound", "InvalidDBInstanceId.NotFound"}),
    busy=frozenset({"IncorrectDBInstanceState", "OperationDenied.DBInstanceStatus"}),
    network_param="WhitelistNetworkType",
    catalog=Catalog(
        "DescribeDBInstances", ("Items", "DBInstance"), "DBInstanceId", "TotalRecordCount"
    ),
)
