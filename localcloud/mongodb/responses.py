"""MongoDB (Dds 2015-12-01) actions: DescribeSecurityIps and ModifySecurityIps.

The action names are R-KVStore's; the version (and so the dispatch) is not.
"""

from __future__ import annotations

import re
from typing import Any

from localcloud.context import CallContext
from localcloud.errors import DryRunOperation
from localcloud.inventory import Listing
from localcloud.mongodb.models import RULES
from localcloud.whitelist.models import WhitelistModel
from localcloud.whitelist.responses import WriteNames, parse_change
from localcloud.wire import Params

VERSION = "2015-12-01"
PRODUCT = "Dds"
HOST = "mongodb.aliyuncs.com"
DAS_GROUP = "hdm_security_ips"
NAMES = WriteNames(
    id_param="DBInstanceId",
    group_param="SecurityIpGroupName",
    attribute_param="SecurityIpGroupAttribute",
    modes=("Cover", "Append", "Extend", "Delete"),
    # Documented: letters and digits, at most 120 characters.
    attribute=re.compile(r"[A-Za-z0-9]{0,120}"),
)


def describe_security_ips(
    model: WhitelistModel, params: Params, ctx: CallContext
) -> dict[str, Any]:
    """DescribeSecurityIps(DBInstanceId[, ShowHDMIps]) →
    ``{"SecurityIpGroups": {"SecurityIpGroup": [...]}, "SecurityIps": <default's list>}``.

    The DAS group is listed only with ``ShowHDMIps=true`` (INFERRED from the parameter's
    description, "whether to display DAS whitelist information").
    """
    instance_id = params.require("DBInstanceId")
    show_das = params.boolean("ShowHDMIps")
    ctx.pause()
    groups = [
        g for g in model.describe(instance_id) if show_das or g["SecurityIpGroupName"] != DAS_GROUP
    ]
    default = next(
        (g["SecurityIpList"] for g in groups if g["SecurityIpGroupName"] == RULES.default_group), ""
    )
    return {"SecurityIpGroups": {"SecurityIpGroup": groups}, "SecurityIps": default}


def modify_security_ips(model: WhitelistModel, params: Params, ctx: CallContext) -> dict[str, Any]:
    """ModifySecurityIps(DBInstanceId, SecurityIps, SecurityIpGroupName, ...) → ``{}``."""
    change = parse_change(RULES, NAMES, params)
    if params.boolean("DryRun"):
        model.find(change.instance_id)
        raise DryRunOperation()
    model.modify(change, ctx.pause)
    return {}


# DescribeDBInstances(RegionId, [DBInstanceId], [DBInstanceStatus], [DBInstanceType],
# PageNumber, PageSize)
LISTING = Listing(
    items=("DBInstances", "DBInstance"),
    id_field="DBInstanceId",
    status_field="DBInstanceStatus",
    ids_param="DBInstanceId",
    status_param="DBInstanceStatus",
    sizes=(30, 50, 100),
    total_key="TotalCount",
    size_key="PageSize",
    type_param="DBInstanceType",
    default_type="replicate",  # the request's documented default: sharded clusters need asking
)
