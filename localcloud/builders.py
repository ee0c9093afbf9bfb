"""Builders for seed data in the API shapes, for tests and demos."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def make_instance(
    instance_id: str,
    private_ip: str,
    *,
    vpc_id: str = "vpc-demo01",
    vswitch_id: str = "vsw-demo01",
    tags: Mapping[str, str] | None = None,
    name: str | None = None,
    status: str = "Running",
    security_group_ids: Sequence[str] = ("sg-demo01",),
    secondary_ips: Sequence[str] = (),
    region_id: str = "cn-hangzhou",
    zone_id: str = "cn-hangzhou-i",
    resource_group_id: str = "rg-demo01",
) -> dict[str, Any]:
    """An ECS instance in the DescribeInstances shape (a VPC instance, one primary ENI).

    ``secondary_ips`` become secondary private IPs of the primary ENI; only the
    primary IP appears under ``VpcAttributes``, as on the real API.
    """
    ip_sets = [{"PrivateIpAddress": private_ip, "Primary": True, "PrivateDnsName": ""}]
    ip_sets += [
        {"PrivateIpAddress": ip, "Primary": False, "PrivateDnsName": ""} for ip in secondary_ips
    ]
    eni = {
        "NetworkInterfaceId": f"eni-{instance_id.removeprefix('i-')}",
        "Type": "Primary",
        "MacAddress": "00:16:3e:00:00:01",
        "PrimaryIpAddress": private_ip,
        "PrivateIpSets": {"PrivateIpSet": ip_sets},
    }
    return {
        "InstanceId": instance_id,
        "InstanceName": name or instance_id,
        "HostName": name or instance_id,
        "RegionId": region_id,
        "ZoneId": zone_id,
        "Status": status,
        "InstanceNetworkType": "vpc",
        "ResourceGroupId": resource_group_id,
        "VpcAttributes": {
            "VpcId": vpc_id,
            "VSwitchId": vswitch_id,
            "NatIpAddress": "",
            "PrivateIpAddress": {"IpAddress": [private_ip]},
        },
        "InnerIpAddress": {"IpAddress": []},
        "PublicIpAddress": {"IpAddress": []},
        "SecurityGroupIds": {"SecurityGroupId": list(security_group_ids)},
        "NetworkInterfaces": {"NetworkInterface": [eni]},
        "Tags": {"Tag": [{"TagKey": k, "TagValue": v} for k, v in (tags or {}).items()]},
        "CreationTime": "2024-01-01T08:00Z",
        "StartTime": "2024-01-01T08:01Z",
    }


def make_group(
    name: str,
    entries: Sequence[str] = ("127.0.0.1",),
    *,
    hidden: bool = False,
    system: bool | None = None,
) -> dict[str, Any]:
    """A whitelist group in the seed shape.

    A hidden seeded group counts as a service group (read-only) unless ``system=False``.
    """
    group: dict[str, Any] = {
        "SecurityIpGroupName": name,
        "SecurityIpGroupAttribute": "hidden" if hidden else "",
        "SecurityIpList": ",".join(entries),
    }
    if system is not None:
        group["System"] = system
    return group


def make_redis_instance(
    instance_id: str,
    groups: Sequence[Mapping[str, Any]] | None = None,
    *,
    status: str = "Normal",
    **extra: Any,
) -> dict[str, Any]:
    """A Redis/Tair instance in the seed shape; by default only ``default`` = 127.0.0.1.

    ``extra`` fields pass through (e.g. ``InstanceName``, listed by ``DescribeInstances``).
    """
    return {
        **extra,
        "InstanceId": instance_id,
        "InstanceStatus": status,
        "SecurityIpGroups": [dict(g) for g in groups]
        if groups is not None
        else [make_group("default")],
    }


def make_seed(
    ecs: Sequence[Mapping[str, Any]] = (),
    kvstore: Sequence[Mapping[str, Any]] = (),
    *,
    region: str = "cn-hangzhou",
    credentials: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A seed with everything in one region; ``credentials`` maps AccessKeyId to secret."""
    return {
        "credentials": [
            {"AccessKeyId": k, "AccessKeySecret": v} for k, v in (credentials or {}).items()
        ],
        "ecs": {region: [dict(i) for i in ecs]},
        "kvstore": {region: [dict(i) for i in kvstore]},
    }


def make_db_group(
    product: str,
    name: str,
    entries: Sequence[str] = ("127.0.0.1",),
    *,
    hidden: bool = False,
    system: bool | None = None,
    network_type: str = "MIX",
) -> dict[str, Any]:
    """A whitelist group of an RDS / PolarDB / MongoDB instance, in that product's names.

    A hidden seeded group counts as a service group (read-only) unless ``system=False``.
    ``network_type`` (RDS only): the group's ``WhitelistNetworkType``.
    """
    names, attribute, listed = _GROUP_FIELDS[product]
    group: dict[str, Any] = {
        names: name,
        attribute: "hidden" if hidden else "",
        listed: ",".join(entries),
    }
    if product == "rds":
        group["WhitelistNetworkType"] = network_type
    if system is not None:
        group["System"] = system
    return group


def make_db_instance(
    product: str,
    instance_id: str,
    groups: Sequence[Mapping[str, Any]] | None = None,
    *,
    status: str = "Running",
    **extra: Any,
) -> dict[str, Any]:
    """An RDS / PolarDB / MongoDB instance in the seed shape; by default only ``default``.

    ``extra`` fields pass through (e.g. RDS ``SecurityIPMode="safety"``: enhanced mode).
    """
    id_field, status_field, groups_field = _INSTANCE_FIELDS[product]
    listed = (
        [dict(g) for g in groups] if groups is not None else [make_db_group(product, "default")]
    )
    return {**extra, id_field: instance_id, status_field: status, groups_field: listed}


_GROUP_FIELDS = {
    "rds": ("DBInstanceIPArrayName", "DBInstanceIPArrayAttribute", "SecurityIPList"),
    "polardb": ("DBClusterIPArrayName", "DBClusterIPArrayAttribute", "SecurityIps"),
    "mongodb": ("SecurityIpGroupName", "SecurityIpGroupAttribute", "SecurityIpList"),
}
_INSTANCE_FIELDS = {
    "rds": ("DBInstanceId", "DBInstanceStatus", "DBInstanceIPArray"),
    "polardb": ("DBClusterId", "DBClusterStatus", "DBClusterIPArray"),
    "mongodb": ("DBInstanceId", "DBInstanceStatus", "SecurityIpGroups"),
}


def trust_policy(*principals: str, external_id: str | None = None) -> dict[str, Any]:
    """A RAM trust policy letting ``principals`` (``acs:ram::<uid>:root``, a role's ARN)
    assume the role; with ``external_id``, only callers that pass it."""
    statement: dict[str, Any] = {
        "Action": "sts:AssumeRole",
        "Effect": "Allow",
        "Principal": {"RAM": list(principals)},
    }
    if external_id is not None:
        statement["Condition"] = {"StringEquals": {"sts:ExternalId": external_id}}
    return {"Statement": [statement], "Version": "1"}


def make_role(
    account: str,
    name: str,
    trusted: Sequence[str],
    *,
    external_id: str | None = None,
    max_session: int | None = None,
) -> dict[str, Any]:
    """A RAM role of ``account`` (for its ``roles`` seed key) trusting ``trusted``."""
    role: dict[str, Any] = {
        "RoleName": name,
        "Arn": f"acs:ram::{account}:role/{name}",
        "AssumeRolePolicyDocument": trust_policy(*trusted, external_id=external_id),
    }
    if max_session is not None:
        role["MaxSessionDuration"] = max_session
    return role
