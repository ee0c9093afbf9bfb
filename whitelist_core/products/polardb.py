"""PolarDB (``2017-08-01``): 1000 entries per cluster across all groups; names without ``_``.

What differs from Redis: the cluster-wide limit, the answer's shape
(``Items.DBClusterIPArray``, list in ``SecurityIps``), and group names of lowercase
letters and digits only (the API's documented rule; ``_`` is not allowed).
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
    "cn-hangzhou-finance",
    "cn-hangzhou-internal-prod-1",
    "cn-hangzhou-internal-test-1",
    "cn-hangzhou-internal-test-2",
    "cn-hangzhou-internal-test-3",
    "cn-hangzhou-test-306",
    "cn-heyuan",
    "cn-hongkong-finance-pop",
    "cn-huhehaote-nebula-1",
    "cn-qingdao",
    "cn-qingdao-nebula",
    "cn-shanghai",
    "cn-shanghai-et15-b01",
    "cn-shanghai-et2-b01",
    "cn-shanghai-inner",
    "cn-shanghai-internal-test-1",
    "cn-shenzhen-inner",
    "cn-shenzhen-st4-d01",
    "cn-shenzhen-su18-b01",
    "cn-wuhan",
    "cn-wulanchabu",
    "cn-yushanfang",
    "cn-zhangbei",
    "cn-zhangbei-na61-b01",
    "cn-zhangjiakou-na62-a01",
    "cn-zhengzhou-nebula-1",
    "eu-west-1-oxs",
    "rus-west-1-pop",
]

SPEC = ProductSpec(
    name="polardb",
    title="PolarDB",
    version="2017-08-01",
    instance_id=r"pc-[a-z0-9]{6,40}",
    instance_id_form="pc-...",
    endpoint=Endpoint(
        prefix="polardb",
        variable="WHITELIST_POLARDB_ENDPOINT",
        regional=dict.fromkeys(_CENTRAL, "polardb.aliyuncs.com"),
    ),
    read=Read(
        action="DescribeDBClusterAccessWhitelist",
        id_param="DBClusterId",
        path=("Items", "DBClusterIPArray"),
        name="DBClusterIPArrayName",
        attribute="DBClusterIPArrayAttribute",
        entries="SecurityIps",
    ),
    write=Write(
        action="ModifyDBClusterAccessWhitelist",
        id_param="DBClusterId",
        group_param="DBClusterIPArrayName",
        attribute_param="DBClusterIPArrayAttribute",
        fixed={"WhiteListType": "IP"},
    ),
    ram=Ram(service="polardb", resource="acs:polardb:{region}:{account}:dbcluster/{id}"),
    capacity=Capacity(per_instance=True, groups=50),  # API reference (facts §10.4)
    reserved_groups=RESERVED_GROUPS | {"dms"},
    group_name=r"[a-z][a-z0-9]{0,30}[a-z0-9]",
    group_rule="PolarDB group names use lowercase letters and digits only (no '_')",
    already_there=frozenset({"InvalidInstanceIp.Duplicate"}),
    already_absent=frozenset({"InvalidSecurityIPs.NotFound"}),
    not_found=frozenset({"InvalidDBClusterId.NotFound"}),
    busy=frozenset({"OperationDenied.DBClusterStatus"}),
    catalog=Catalog(
        "DescribeDBClusters", ("Items", "DBCluster"), "DBClusterId", "TotalRecordCount"
    ),
)
