"""Redis / Tair (R-KVStore ``2015-01-01``): the default product, 1000 entries per group."""

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

SPEC = ProductSpec(
    name="redis",
    title="Redis / Tair",
    version="2015-01-01",
    instance_id=r"[a-z]{1,3}-[a-z0-9]{6,40}",
    instance_id_form="r-... (or another Tair prefix)",
    # The R-KVStore endpoint map lives in aliyun/transport/endpoints.py ("kvstore").
    endpoint=Endpoint(prefix="r-kvstore", variable="WHITELIST_KVSTORE_ENDPOINT"),
    read=Read(
        action="DescribeSecurityIps",
        id_param="InstanceId",
        path=("SecurityIpGroups", "SecurityIpGroup"),
        name="SecurityIpGroupName",
        attribute="SecurityIpGroupAttribute",
        entries="SecurityIpList",
    ),
    write=Write(
        action="ModifySecurityIps",
        id_param="InstanceId",
        group_param="SecurityIpGroupName",
        attribute_param="SecurityIpGroupAttribute",
    ),
    ram=Ram(service="kvstore", resource="acs:kvstore:{region}:{account}:instance/{id}"),
    capacity=Capacity(per_instance=False),
    reserved_groups=RESERVED_GROUPS,
    already_there=frozenset({"InvalidInstanceIp.Duplicate"}),
    already_absent=frozenset({"InvalidSecurityIPs.NotFound"}),
    not_found=frozenset({"InvalidInstanceId.NotFound", "InvalidDBInstance.NotFound"}),
    busy=frozenset({"IncorrectDBInstanceState", "LockTimeout"}),
    catalog=Catalog(
        "DescribeInstances", ("Instances", "KVStoreInstance"), "InstanceId", "TotalCount"
    ),
)
