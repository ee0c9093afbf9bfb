"""PolarDB 2017-08-01 actions: DescribeDBClusterAccessWhitelist, ModifyDBClusterAccessWhitelist."""

from __future__ import annotations

from typing import Any

from localcloud.context import CallContext
from localcloud.errors import InvalidParameter
from localcloud.inventory import Listing
from localcloud.polardb.models import RULES
from localcloud.whitelist.models import WhitelistModel
from localcloud.whitelist.responses import WriteNames, parse_change
from localcloud.wire import Params

VERSION = "2017-08-01"
PRODUCT = "polardb"
HOST = "polardb.aliyuncs.com"
NAMES = WriteNames(
    id_param="DBClusterId",
    group_param="DBClusterIPArrayName",
    attribute_param="DBClusterIPArrayAttribute",
)


def describe_db_cluster_access_whitelist(
    model: WhitelistModel, params: Params, ctx: CallContext
) -> dict[str, Any]:
    """DescribeDBClusterAccessWhitelist(DBClusterId) → ``{"Items": {"DBClusterIPArray": [...]}}``
    (plus the cluster's security groups, always none here)."""
    cluster_id = params.require("DBClusterId")
    ctx.pause()
    return {
        "Items": {"DBClusterIPArray": model.describe(cluster_id)},
        "DBClusterSecurityGroups": {"DBClusterSecurityGroup": []},
    }


def modify_db_cluster_access_whitelist(
    model: WhitelistModel, params: Params, ctx: CallContext
) -> dict[str, Any]:
    """ModifyDBClusterAccessWhitelist(DBClusterId, SecurityIps, DBClusterIPArrayName, ...) → ``{}``.

    An unknown group name creates the group (documented).
    """
    kind = params.get("WhiteListType") or "IP"
    if kind not in ("IP", "SecurityGroup"):
        raise InvalidParameter("WhiteListType", "Valid values: IP, SecurityGroup.")
    if kind == "SecurityGroup":
        raise InvalidParameter("WhiteListType", "localcloud serves IP whitelists only.")
    model.modify(parse_change(RULES, NAMES, params), ctx.pause)
    return {}


# DescribeDBClusters(RegionId, [DBClusterIds], [DBClusterStatus], PageNumber, PageSize)
LISTING = Listing(
    items=("Items", "DBCluster"),
    id_field="DBClusterId",
    status_field="DBClusterStatus",
    ids_param="DBClusterIds",
    status_param="DBClusterStatus",
    sizes=(30, 50, 100),
    total_key="TotalRecordCount",
    size_key="PageRecordCount",
)
