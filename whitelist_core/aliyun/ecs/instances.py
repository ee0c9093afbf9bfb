"""Turn one ``DescribeInstances`` item (wire JSON) into a ``ports.Instance``.

Defensive about shape: missing keys, ``null``s, empty strings and wrong types give empty
values, never a crash. An IP that does not parse as an IPv4 entry is skipped and logged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from whitelist_core.aliyun.transport.answers import as_dict, as_list, as_str, dig
from whitelist_core.aliyun.transport.rpc import logger
from whitelist_core.core.entries import EntryError, parse_entry
from whitelist_core.ports import Instance


def _normalised_ips(instance_id: str, raw: Iterable[object]) -> tuple[str, ...]:
    """Normal entries of ``raw``, duplicates and blanks dropped, bad ones logged and skipped."""
    seen: dict[str, None] = {}
    for item in raw:
        text = as_str(item).strip()
        if not text:
            continue
        try:
            seen.setdefault(parse_entry(text), None)
        except EntryError as exc:
            logger().warning(
                "instance_ip_skipped", instance_id=instance_id, ip=text, reason=str(exc)
            )
    return tuple(seen)


def _interface_ips(item: Mapping[str, Any]) -> list[object]:
    """Every private IPv4 any network interface holds (its primary and its PrivateIpSets)."""
    found: list[object] = []
    for nic in as_list(dig(item, "NetworkInterfaces", "NetworkInterface")):
        found.append(as_dict(nic).get("PrimaryIpAddress"))
        for ip_set in as_list(dig(nic, "PrivateIpSets", "PrivateIpSet")):
            found.append(as_dict(ip_set).get("PrivateIpAddress"))
    return found


def _tags(item: Mapping[str, Any]) -> dict[str, str]:
    tags: dict[str, str] = {}
    for tag in as_list(dig(item, "Tags", "Tag")):
        key = as_str(as_dict(tag).get("TagKey"))
        if key:
            tags[key] = as_str(as_dict(tag).get("TagValue"))
    return tags


def instance_from_wire(item: object, region: str) -> Instance | None:
    """The instance an API item describes, or None (logged) when it has no InstanceId.

    ``private_ips``: the VPC primary IP (``VpcAttributes.PrivateIpAddress.IpAddress``) and
    the classic inner IP (``InnerIpAddress.IpAddress``). ``secondary_ips``: every other
    private IPv4 of any network interface.
    """
    data = as_dict(item)
    instance_id = as_str(data.get("InstanceId"))
    if not instance_id:
        logger().warning("instance_skipped", reason="no InstanceId", region=region)
        return None
    vpc = as_dict(data.get("VpcAttributes"))
    primary = _normalised_ips(
        instance_id,
        [*as_list(dig(vpc, "PrivateIpAddress", "IpAddress")),
         *as_list(dig(data, "InnerIpAddress", "IpAddress"))],
    )  # fmt: skip
    others = _normalised_ips(instance_id, _interface_ips(data))
    return Instance(
        instance_id=instance_id,
        region=as_str(data.get("RegionId")) or region,
        name=as_str(data.get("InstanceName")),
        status=as_str(data.get("Status")),
        vpc_id=as_str(vpc.get("VpcId")),
        vswitch_id=as_str(vpc.get("VSwitchId")),
        security_group_ids=frozenset(
            sg for sg in as_list(dig(data, "SecurityGroupIds", "SecurityGroupId")) if as_str(sg)
        ),
        tags=_tags(data),
        resource_group_id=as_str(data.get("ResourceGroupId")),
        private_ips=primary,
        secondary_ips=tuple(ip for ip in others if ip not in primary),
    )
