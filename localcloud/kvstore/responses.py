"""R-KVStore actions: parameters in, response bodies out."""

from __future__ import annotations

from typing import Any

from localcloud.context import CallContext
from localcloud.errors import InvalidParameter
from localcloud.inventory import Listing
from localcloud.kvstore import entries as rules
from localcloud.kvstore.models import MODES, KvstoreModel, Modification
from localcloud.wire import Params

VERSION = "2015-01-01"
PRODUCT = "R-kvstore"
HOST = "r-kvstore.aliyuncs.com"


def describe_security_ips(model: KvstoreModel, params: Params, ctx: CallContext) -> dict[str, Any]:
    """DescribeSecurityIps(InstanceId) → ``{"SecurityIpGroups": {"SecurityIpGroup": [...]}}``."""
    instance_id = params.require("InstanceId")
    ctx.pause()
    return {"SecurityIpGroups": {"SecurityIpGroup": model.describe(instance_id)}}


def modify_security_ips(model: KvstoreModel, params: Params, ctx: CallContext) -> dict[str, Any]:
    """ModifySecurityIps(InstanceId, SecurityIps, SecurityIpGroupName, ..., ModifyMode) → ``{}``."""
    change = parse_modification(params)
    model.modify(change, ctx.pause)
    return {}


def parse_modification(params: Params) -> Modification:
    """The request's parameters checked in the gateway's order: presence, enums, formats."""
    instance_id = params.require("InstanceId")
    text = params.require("SecurityIps")
    mode = params.get("ModifyMode") or "Cover"
    if mode not in MODES:
        raise InvalidParameter("ModifyMode", f"Valid values: {', '.join(MODES)}.")
    attribute = params.get("SecurityIpGroupAttribute", "")
    if attribute not in ("", "hidden"):
        raise InvalidParameter("SecurityIpGroupAttribute", "Valid values: hidden.")
    group = rules.check_group_name(params.get("SecurityIpGroupName") or rules.DEFAULT_GROUP)
    entries = tuple(rules.parse_list(text))
    return Modification(instance_id, group, attribute, mode, entries)


# DescribeInstances([RegionId], [InstanceIds], [InstanceStatus], PageNumber, PageSize)
LISTING = Listing(
    items=("Instances", "KVStoreInstance"),
    id_field="InstanceId",
    status_field="InstanceStatus",
    ids_param="InstanceIds",
    status_param="InstanceStatus",
    sizes=range(1, 51),  # "Maximum value: 50. Default value: 30."
    total_key="TotalCount",
    size_key="PageSize",
    region_required=False,
)
