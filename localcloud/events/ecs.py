"""ECS events: instance state changes, ENI private-IP changes, vSwitch changes.

EventBridge builders take ``account`` (where it happened; default the default account)
and ``original_account`` (set ``aliyunoriginalaccountid``, for an event forwarded from
another account's bus); CloudMonitor builders take ``account`` (``userId`` and the ARNs).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from localcloud.events.common import ACCOUNT, cloud_event, next_id

_TIME = "2024-01-02T11:04:05+08:00"


def ecs_state_change(
    instance_id: str,
    state: str,
    region: str = "cn-hangzhou",
    event_id: str | None = None,
    *,
    account: str = ACCOUNT,
    original_account: str | None = None,
) -> dict[str, Any]:
    """An EventBridge ``acs.ecs`` ``ecs:Instance:StateChange`` CloudEvent."""
    return cloud_event(
        event_id=event_id or next_id("evt"),
        source="acs.ecs",
        kind="ecs:Instance:StateChange",
        subject=f"acs:ecs:{region}:{account}:instance/{instance_id}",
        time=_TIME,
        region=region,
        account=account,
        original_account=original_account,
        data={"resourceId": instance_id, "resourceType": "ALIYUN::ECS::Instance", "state": state},
    )


def cloudmonitor_state_change(
    instance_id: str, state: str, region: str = "cn-hangzhou", *, account: str = ACCOUNT
) -> dict[str, Any]:
    """A CloudMonitor ECS ``Instance:StateChange`` system event."""
    return {
        "ver": "1.0",
        "id": next_id("cm"),
        "product": "ECS",
        "resourceId": f"acs:ecs:{region}:{account}:instance/{instance_id}",
        "level": "INFO",
        "name": "Instance:StateChange",
        "userId": account,
        "eventTime": "20181226T220114.058+0800",
        "regionId": region,
        "content": {
            "resourceId": instance_id,
            "resourceType": "ALIYUN::ECS::Instance",
            "state": state,
        },
    }


def _eni_detail(
    eni_id: str, primary_ip: str, secondary_ips: Sequence[str], ipv4_prefixes: Sequence[str]
) -> dict[str, Any]:
    return {
        "eniId": eni_id,
        "primaryPrivateIp": primary_ip,
        "secondaryPrivateIps": list(secondary_ips),
        "ipv4Prefixes": list(ipv4_prefixes),
    }


def _eni_arn(eni_id: str, region: str, account: str) -> str:
    # The resource type segment follows ECS's RAM resource ARNs (eni/<id>).
    return f"acs:ecs:{region}:{account}:eni/{eni_id}"


def eni_private_ip_change(
    eni_id: str,
    primary_ip: str,
    secondary_ips: Sequence[str] = (),
    ipv4_prefixes: Sequence[str] = (),
    *,
    assigned: bool = True,
    region: str = "cn-hangzhou",
    account: str = ACCOUNT,
    original_account: str | None = None,
) -> dict[str, Any]:
    """An EventBridge ``ecs:NetworkInterface:PrivateIPAssigned`` (or ``...Unassigned``).

    The resource is the ENI (``subject`` is its ARN) and ``data`` is the ECS event's
    content, ``{eniId, primaryPrivateIp, secondaryPrivateIps[], ipv4Prefixes[]}``: the
    IPs the ENI holds after the change, and no instance id.
    """
    kind = "PrivateIPAssigned" if assigned else "PrivateIPUnassigned"
    return cloud_event(
        event_id=next_id("eni-evt"),
        source="acs.ecs",
        kind=f"ecs:NetworkInterface:{kind}",
        subject=_eni_arn(eni_id, region, account),
        time=_TIME,
        region=region,
        account=account,
        original_account=original_account,
        data=_eni_detail(eni_id, primary_ip, secondary_ips, ipv4_prefixes),
    )


def cloudmonitor_eni_private_ip_change(
    eni_id: str,
    primary_ip: str,
    secondary_ips: Sequence[str] = (),
    ipv4_prefixes: Sequence[str] = (),
    *,
    assigned: bool = True,
    region: str = "cn-hangzhou",
    account: str = ACCOUNT,
) -> dict[str, Any]:
    """The same ENI event as a CloudMonitor system event (``resourceId`` the ENI's ARN)."""
    kind = "PrivateIPAssigned" if assigned else "PrivateIPUnassigned"
    return {
        "ver": "1.0",
        "id": next_id("cm-eni"),
        "product": "ECS",
        "resourceId": _eni_arn(eni_id, region, account),
        "level": "INFO",
        "name": f"NetworkInterface:{kind}",
        "userId": account,
        "eventTime": "20240102T110405.179+0800",
        "regionId": region,
        "content": _eni_detail(eni_id, primary_ip, secondary_ips, ipv4_prefixes),
    }


def vswitch_changed(
    instance_id: str,
    vswitch_id: str,
    private_ip: str,
    *,
    vpc_id: str = "vpc-demo01",
    secondary_ips: Sequence[str] = (),
    region: str = "cn-hangzhou",
    account: str = ACCOUNT,
    original_account: str | None = None,
) -> dict[str, Any]:
    """An EventBridge ``ecs:Instance:VSwitchChanged``: the instance now in ``vswitch_id``
    with ``private_ip`` (``data``: instanceId, vswitchId, privateIpAddress, vpcId,
    secondaryPrivateIps[])."""
    return cloud_event(
        event_id=next_id("vsw-evt"),
        source="acs.ecs",
        kind="ecs:Instance:VSwitchChanged",
        subject=f"acs:ecs:{region}:{account}:instance/{instance_id}",
        time=_TIME,
        region=region,
        account=account,
        original_account=original_account,
        data={
            "instanceId": instance_id,
            "vswitchId": vswitch_id,
            "privateIpAddress": private_ip,
            "vpcId": vpc_id,
            "secondaryPrivateIps": list(secondary_ips),
        },
    )
