"""RDS 2014-08-15 actions: DescribeDBInstanceIPArrayList and ModifySecurityIps."""

from __future__ import annotations

import uuid
from typing import Any

from localcloud.context import CallContext
from localcloud.errors import InvalidParameter
from localcloud.inventory import Listing
from localcloud.rds.models import ENHANCED_MODE, NETWORK_TYPES, RULES
from localcloud.whitelist.models import Change, WhitelistModel
from localcloud.whitelist.responses import WriteNames, parse_change
from localcloud.wire import Params

VERSION = "2014-08-15"
PRODUCT = "Rds"
HOST = "rds.aliyuncs.com"
NAMES = WriteNames(
    id_param="DBInstanceId",
    group_param="DBInstanceIPArrayName",
    attribute_param="DBInstanceIPArrayAttribute",
    fields={"WhitelistNetworkType": NETWORK_TYPES},
)


def describe_db_instance_ip_array_list(
    model: WhitelistModel, params: Params, ctx: CallContext
) -> dict[str, Any]:
    """DescribeDBInstanceIPArrayList(DBInstanceId[, WhitelistNetworkType]) →
    ``{"Items": {"DBInstanceIPArray": [...]}}``."""
    instance_id = params.require("DBInstanceId")
    network = params.get("WhitelistNetworkType", "")
    if network and network not in NETWORK_TYPES:
        raise InvalidParameter("WhitelistNetworkType")
    ctx.pause()
    groups = [
        {**group, "SecurityIPType": "IPv4"}
        for group in model.describe(instance_id)
        if not network or group.get("WhitelistNetworkType") == network
    ]
    return {"Items": {"DBInstanceIPArray": groups}}


def modify_security_ips(model: WhitelistModel, params: Params, ctx: CallContext) -> dict[str, Any]:
    """ModifySecurityIps(DBInstanceId, SecurityIps, DBInstanceIPArrayName, ...) → ``{"TaskId"}``."""
    if params.get("SecurityIPType", "IPv4").lower() != "ipv4":
        raise InvalidParameter("SecurityIPType", "IPv6 is not supported.")
    change = _network_checked(model, parse_change(RULES, NAMES, params))
    model.modify(change, ctx.pause)
    return {"TaskId": str(uuid.uuid4().int % 10**9)}


def _network_checked(model: WhitelistModel, change: Change) -> Change:
    """Standard mode has only MIX groups; enhanced mode only Classic and VPC ones.

    INFERRED strictness: the docs say the enhanced mode splits the whitelist into VPC and
    classic/Internet addresses; what the service does with MIX there is not documented,
    so it is refused here (a client must name the network its hosts use).
    """
    instance = model.find(change.instance_id)
    enhanced = instance.extra.get("SecurityIPMode") == ENHANCED_MODE
    existing = instance.groups.get(change.group)
    network = change.fields.get("WhitelistNetworkType") or (
        existing.fields.get("WhitelistNetworkType") if existing else None
    )
    if enhanced and network in (None, "MIX"):
        raise InvalidParameter("WhitelistNetworkType", "Use Classic or VPC in enhanced mode.")
    if not enhanced and network not in (None, "MIX"):
        raise InvalidParameter("WhitelistNetworkType", "Only MIX is valid in standard mode.")
    return change


# DescribeDBInstances(RegionId, [DBInstanceId], [DBInstanceStatus], PageNumber, PageSize
# or MaxResults, NextToken)
LISTING = Listing(
    items=("Items", "DBInstance"),
    id_field="DBInstanceId",
    status_field="DBInstanceStatus",
    ids_param="DBInstanceId",
    status_param="DBInstanceStatus",
    sizes=range(1, 101),
    total_key="TotalRecordCount",
    size_key="PageRecordCount",
    tokens=True,
)
