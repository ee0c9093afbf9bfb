"""DescribeInstances filters: parsed from the parameters, matched against instances."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from localcloud.ecs.exceptions import (
    EcsInvalidParameter,
    InvalidInstanceIdsMalformed,
    TooManyInstanceIds,
)
from localcloud.errors import InvalidParameter
from localcloud.wire import Params

STATUSES = ("Pending", "Running", "Starting", "Stopping", "Stopped")
NETWORK_TYPES = ("vpc", "classic")
MAX_LIST = 100
MAX_TAGS = 20
_TAG_PARAM = re.compile(r"Tag\.(\d+)\.(Key|Value)")
# Plain equality filters: parameter name -> path in the instance.
_FIELDS: dict[str, tuple[str, ...]] = {
    "VpcId": ("VpcAttributes", "VpcId"),
    "VSwitchId": ("VpcAttributes", "VSwitchId"),
    "ZoneId": ("ZoneId",),
    "ResourceGroupId": ("ResourceGroupId",),
    "Status": ("Status",),
    "InstanceNetworkType": ("InstanceNetworkType",),
}
# IP list filters: parameter name -> path of the instance's address list.
_IP_LISTS: dict[str, tuple[str, ...]] = {
    "PrivateIpAddresses": ("VpcAttributes", "PrivateIpAddress", "IpAddress"),
    "InnerIpAddresses": ("InnerIpAddress", "IpAddress"),
    "PublicIpAddresses": ("PublicIpAddress", "IpAddress"),
}


@dataclass(frozen=True)
class InstanceQuery:
    """Every filter of one DescribeInstances call; all given filters must match."""

    fields: tuple[tuple[tuple[str, ...], str], ...] = ()
    instance_ids: frozenset[str] | None = None
    ip_lists: tuple[tuple[tuple[str, ...], frozenset[str]], ...] = ()
    security_group_id: str | None = None
    name: re.Pattern[str] | None = None
    tags: tuple[tuple[str, str | None], ...] = ()

    def matches(self, instance: Mapping[str, Any]) -> bool:
        """True when ``instance`` passes every filter."""
        if self.instance_ids is not None and instance.get("InstanceId") not in self.instance_ids:
            return False
        if any(_dig(instance, path) != value for path, value in self.fields):
            return False
        if any(not wanted & set(_dig(instance, path) or []) for path, wanted in self.ip_lists):
            return False
        groups = _dig(instance, ("SecurityGroupIds", "SecurityGroupId")) or []
        if self.security_group_id is not None and self.security_group_id not in groups:
            return False
        if self.name is not None and not self.name.fullmatch(instance.get("InstanceName", "")):
            return False
        return _tags_match(instance, self.tags)


def parse_query(params: Params) -> InstanceQuery:
    """The filters present in ``params``, checked as the API checks them."""
    fields = tuple((path, params[name]) for name, path in _FIELDS.items() if params.get(name))
    _check_enum(params, "Status", STATUSES)
    _check_enum(params, "InstanceNetworkType", NETWORK_TYPES)
    ids = params.get("InstanceIds")
    ip_lists = tuple(
        (path, frozenset(_json_list(params, name)))
        for name, path in _IP_LISTS.items()
        if params.get(name)
    )
    name = params.get("InstanceName")
    return InstanceQuery(
        fields=fields,
        instance_ids=None if not ids else frozenset(_instance_ids(params)),
        ip_lists=ip_lists,
        security_group_id=params.get("SecurityGroupId") or None,
        name=_glob(name) if name else None,
        tags=_tags(params),
    )


def _check_enum(params: Params, name: str, allowed: tuple[str, ...]) -> None:
    value = params.get(name)
    if value and value not in allowed:
        raise InvalidParameter(name, f"Valid values: {', '.join(allowed)}.")


def _instance_ids(params: Params) -> list[str]:
    try:
        return _json_list(params, "InstanceIds")
    except EcsInvalidParameter:
        raise InvalidInstanceIdsMalformed() from None


def _json_list(params: Params, name: str) -> list[str]:
    try:
        value = json.loads(params[name])
    except ValueError:
        raise EcsInvalidParameter(name) from None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise EcsInvalidParameter(name)
    if len(value) > MAX_LIST:
        if name == "InstanceIds":
            raise TooManyInstanceIds()
        raise EcsInvalidParameter(name)
    return value


def _tags(params: Params) -> tuple[tuple[str, str | None], ...]:
    keys: dict[int, str] = {}
    values: dict[int, str] = {}
    for param, value in params.items():
        found = _TAG_PARAM.fullmatch(param)
        if not found:
            continue
        index = int(found.group(1))
        if not 1 <= index <= MAX_TAGS:
            raise EcsInvalidParameter(param)
        (keys if found.group(2) == "Key" else values)[index] = value
    if set(values) - set(keys):
        raise EcsInvalidParameter(f"Tag.{min(set(values) - set(keys))}.Key")
    return tuple((keys[i], values.get(i)) for i in sorted(keys))


def _tags_match(instance: Mapping[str, Any], wanted: tuple[tuple[str, str | None], ...]) -> bool:
    held = {t.get("TagKey"): t.get("TagValue") for t in _dig(instance, ("Tags", "Tag")) or []}
    return all(key in held and (value is None or held[key] == value) for key, value in wanted)


def _glob(pattern: str) -> re.Pattern[str]:
    # Only '*' is special in InstanceName; everything else matches literally.
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")), re.DOTALL)


def _dig(instance: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = instance
    for key in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node
