"""ECS DescribeNetworkInterfaces (2014-05-26): the ENIs of the region's instances.

Each instance's ``NetworkInterfaces`` (the DescribeInstances shape) are its ENIs, in use
and attached to it. Filters (all ANDed, as the SDK model documents them):
``PrivateIpAddress.N`` (1-100) matches an ENI holding any of the addresses among its
private IPs (``PrivateIpSets``; the SDK calls them secondary; that it also matches the
ENI's own primary address, listed there with ``Primary: true``, is an INFERENCE),
``PrimaryIpAddress``, ``InstanceId``, ``NetworkInterfaceId.N``, ``VpcId``,
``VSwitchId``, ``Type`` (``Primary``/``Secondary``). Paging: ``MaxResults`` 10-500 and
``NextToken`` (an opaque cursor on the ENI id, so instances coming and going between
pages move no boundary), ``TotalCount`` on every page.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from localcloud.context import CallContext
from localcloud.ecs.exceptions import EcsInvalidParameter
from localcloud.ecs.models import EcsModel
from localcloud.errors import InvalidParameter
from localcloud.wire import Params

MAX_LIST = 100
MIN_PAGE, MAX_PAGE = 10, 500
_LISTED = re.compile(r"(PrivateIpAddress|NetworkInterfaceId)\.(\d+)")
_TOKENS: dict[str, str] = {}


def describe_network_interfaces(
    model: EcsModel, params: Params, ctx: CallContext
) -> dict[str, Any]:
    """The matching ENIs of ``RegionId``, one page of them."""
    region = params.require("RegionId")
    lists = _lists(params)
    _check_type(params.get("Type", ""))
    ctx.pause()
    found = sorted(
        (eni for eni in _interfaces(model, region) if _matches(eni, params, lists)),
        key=lambda eni: str(eni["NetworkInterfaceId"]),
    )
    size = min(max(params.integer("MaxResults") or MIN_PAGE, MIN_PAGE), MAX_PAGE)
    token = params.get("NextToken", "")
    if token and token not in _TOKENS:
        raise InvalidParameter("NextToken")
    cursor = _TOKENS.get(token, "")
    rest = [eni for eni in found if str(eni["NetworkInterfaceId"]) > cursor]
    page, more = rest[:size], len(rest) > size
    next_token = ""
    if more:
        next_token = uuid.uuid4().hex
        _TOKENS[next_token] = str(page[-1]["NetworkInterfaceId"])
    return {
        "NextToken": next_token,
        "TotalCount": len(found),
        "NetworkInterfaceSets": {"NetworkInterfaceSet": page},
    }


def _lists(params: Params) -> dict[str, set[str]]:
    lists: dict[str, set[str]] = {"PrivateIpAddress": set(), "NetworkInterfaceId": set()}
    for name, value in params.items():
        listed = _LISTED.fullmatch(name)
        if not listed:
            continue
        if not 1 <= int(listed.group(2)) <= MAX_LIST:
            raise EcsInvalidParameter(name)
        lists[listed.group(1)].add(value)
    return lists


def _check_type(kind: str) -> None:
    if kind and kind not in ("Primary", "Secondary"):
        raise InvalidParameter("Type", "Valid values: Primary, Secondary.")


def _interfaces(model: EcsModel, region: str) -> Iterable[dict[str, Any]]:
    for instance in model.dump().get(region, []):
        vpc = instance.get("VpcAttributes") or {}
        nics = (instance.get("NetworkInterfaces") or {}).get("NetworkInterface") or []
        for index, nic in enumerate(nics):
            yield {
                "NetworkInterfaceId": nic.get("NetworkInterfaceId", ""),
                "InstanceId": instance["InstanceId"],
                "Type": nic.get("Type") or ("Primary" if index == 0 else "Secondary"),
                "Status": "InUse",
                "VpcId": vpc.get("VpcId", ""),
                "VSwitchId": vpc.get("VSwitchId", ""),
                "ZoneId": instance.get("ZoneId", ""),
                "MacAddress": nic.get("MacAddress", ""),
                "PrivateIpAddress": nic.get("PrimaryIpAddress", ""),
                "PrivateIpSets": nic.get("PrivateIpSets") or {"PrivateIpSet": []},
            }


def _matches(eni: Mapping[str, Any], params: Params, lists: Mapping[str, set[str]]) -> bool:
    held = {s.get("PrivateIpAddress") for s in eni["PrivateIpSets"].get("PrivateIpSet", [])}
    held.add(eni["PrivateIpAddress"])
    if lists["PrivateIpAddress"] and not lists["PrivateIpAddress"] & held:
        return False
    if lists["NetworkInterfaceId"] and eni["NetworkInterfaceId"] not in lists["NetworkInterfaceId"]:
        return False
    equal = {
        "PrimaryIpAddress": eni["PrivateIpAddress"],
        "InstanceId": eni["InstanceId"],
        "VpcId": eni["VpcId"],
        "VSwitchId": eni["VSwitchId"],
        "Type": eni["Type"],
    }
    return all(not params.get(name) or params[name] == value for name, value in equal.items())
