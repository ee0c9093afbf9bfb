"""The events the cloud would deliver to the function (EventBridge CloudEvents,
CloudMonitor system events, FC timer and FC 3.0 HTTP trigger events), in the shapes
``tests/events/README.md`` gives the provenance of. Used by tests, the demo and the
benchmarks.

Account ids, ARNs and times are fixed placeholders; event ids are unique per process.
"""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Mapping, Sequence
from typing import Any

ACCOUNT = "1234567890123456"
_ids = itertools.count(1)


def ecs_state_change(
    instance_id: str, state: str, region: str = "cn-hangzhou", event_id: str | None = None
) -> dict[str, Any]:
    """An EventBridge ``acs.ecs`` ``ecs:Instance:StateChange`` CloudEvent."""
    return {
        "id": event_id or f"evt-{next(_ids)}",
        "source": "acs.ecs",
        "specversion": "1.0",
        "type": "ecs:Instance:StateChange",
        "subject": f"acs:ecs:{region}:{ACCOUNT}:instance/{instance_id}",
        "time": "2024-01-02T11:04:05+08:00",
        "aliyunaccountid": ACCOUNT,
        "aliyunregionid": region,
        "data": {
            "resourceId": instance_id,
            "resourceType": "ALIYUN::ECS::Instance",
            "state": state,
        },
    }


def cloudmonitor_state_change(
    instance_id: str, state: str, region: str = "cn-hangzhou"
) -> dict[str, Any]:
    """A CloudMonitor ECS ``Instance:StateChange`` system event."""
    return {
        "ver": "1.0",
        "id": f"cm-{next(_ids)}",
        "product": "ECS",
        "resourceId": f"acs:ecs:{region}:{ACCOUNT}:instance/{instance_id}",
        "level": "INFO",
        "name": "Instance:StateChange",
        "userId": ACCOUNT,
        "eventTime": "20181226T220114.058+0800",
        "regionId": region,
        "content": {
            "resourceId": instance_id,
            "resourceType": "ALIYUN::ECS::Instance",
            "state": state,
        },
    }


def ess_scale_out(instance_ids: Sequence[str], region: str = "cn-hangzhou") -> dict[str, Any]:
    """An EventBridge ``acs.ess`` ``ScaleOutSuccess`` CloudEvent naming the new instances
    (the ``data`` keys are unverified; see the reference's events README)."""
    return {
        "id": f"ess-{next(_ids)}",
        "source": "acs.ess",
        "specversion": "1.0",
        "type": "ess:ScalingActivity:ScaleOutSuccess",
        "subject": f"acs:ess:{region}:{ACCOUNT}:scalinggroup/asg-bp1example0000001",
        "time": "2024-01-02T11:10:00+08:00",
        "aliyunregionid": region,
        "data": {
            "scalingGroupId": "asg-bp1example0000001",
            "scalingActivityId": "asa-bp1example0000001",
            "instanceIds": list(instance_ids),
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


def _eni_arn(eni_id: str, region: str) -> str:
    # The resource type segment follows ECS's RAM resource ARNs (eni/<id>).
    return f"acs:ecs:{region}:{ACCOUNT}:eni/{eni_id}"


def eni_private_ip_change(
    eni_id: str,
    primary_ip: str,
    secondary_ips: Sequence[str] = (),
    ipv4_prefixes: Sequence[str] = (),
    *,
    assigned: bool = True,
    region: str = "cn-hangzhou",
) -> dict[str, Any]:
    """An EventBridge ``ecs:NetworkInterface:PrivateIPAssigned`` (or ``...Unassigned``).

    The resource is the ENI (``subject`` is its ARN) and ``data`` is the ECS event's
    content, ``{eniId, primaryPrivateIp, secondaryPrivateIps[], ipv4Prefixes[]}``: the
    IPs the ENI holds after the change, and no instance id.
    """
    kind = "PrivateIPAssigned" if assigned else "PrivateIPUnassigned"
    return {
        "id": f"eni-evt-{next(_ids)}",
        "source": "acs.ecs",
        "specversion": "1.0",
        "type": f"ecs:NetworkInterface:{kind}",
        "subject": _eni_arn(eni_id, region),
        "time": "2024-01-02T11:04:05+08:00",
        "aliyunaccountid": ACCOUNT,
        "aliyunregionid": region,
        "data": _eni_detail(eni_id, primary_ip, secondary_ips, ipv4_prefixes),
    }


def cloudmonitor_eni_private_ip_change(
    eni_id: str,
    primary_ip: str,
    secondary_ips: Sequence[str] = (),
    ipv4_prefixes: Sequence[str] = (),
    *,
    assigned: bool = True,
    region: str = "cn-hangzhou",
) -> dict[str, Any]:
    """The same ENI event as a CloudMonitor system event (``resourceId`` the ENI's ARN)."""
    kind = "PrivateIPAssigned" if assigned else "PrivateIPUnassigned"
    return {
        "ver": "1.0",
        "id": f"cm-eni-{next(_ids)}",
        "product": "ECS",
        "resourceId": _eni_arn(eni_id, region),
        "level": "INFO",
        "name": f"NetworkInterface:{kind}",
        "userId": ACCOUNT,
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
) -> dict[str, Any]:
    """An EventBridge ``ecs:Instance:VSwitchChanged``: the instance now in ``vswitch_id``
    with ``private_ip`` (``data``: instanceId, vswitchId, privateIpAddress, vpcId,
    secondaryPrivateIps[])."""
    return {
        "id": f"vsw-evt-{next(_ids)}",
        "source": "acs.ecs",
        "specversion": "1.0",
        "type": "ecs:Instance:VSwitchChanged",
        "subject": f"acs:ecs:{region}:{ACCOUNT}:instance/{instance_id}",
        "time": "2024-01-02T11:04:05+08:00",
        "aliyunaccountid": ACCOUNT,
        "aliyunregionid": region,
        "data": {
            "instanceId": instance_id,
            "vswitchId": vswitch_id,
            "privateIpAddress": private_ip,
            "vpcId": vpc_id,
            "secondaryPrivateIps": list(secondary_ips),
        },
    }


def ess_lifecycle_hook(
    instance_ids: Sequence[str],
    *,
    hook_id: str = "ash-bp1example0000001",
    token: str = "6b1a9e3c-0000-4000-8000-lifecycletoken",  # noqa: S107 - not a secret
    scaling_group_id: str = "asg-bp1example0000001",
    transition: str = "SCALE_OUT",
    region: str = "cn-hangzhou",
) -> dict[str, Any]:
    """An EventBridge ``ess:LifecycleHook:ScaleOut`` (``ScaleIn`` for ``SCALE_IN``).

    UNVERIFIED shape: no published example of its ``data`` was found. The camelCase keys
    are the ones Alibaba's OOS lifecycle templates are filled from (``lifecycleHookId``,
    ``lifecycleActionToken``, ``instanceIds``, ``regionId``) plus the ESS API's
    ``scalingGroupId`` and ``lifecycleTransition``.
    """
    direction = "ScaleIn" if transition == "SCALE_IN" else "ScaleOut"
    return {
        "id": f"ess-hook-{next(_ids)}",
        "source": "acs.ess",
        "specversion": "1.0",
        "type": f"ess:LifecycleHook:{direction}",
        "subject": f"acs:ess:{region}:{ACCOUNT}:scalinggroup/{scaling_group_id}",
        "time": "2024-01-02T11:10:00+08:00",
        "aliyunaccountid": ACCOUNT,
        "aliyunregionid": region,
        "data": {
            "lifecycleHookId": hook_id,
            "lifecycleActionToken": token,
            "instanceIds": list(instance_ids),
            "scalingGroupId": scaling_group_id,
            "lifecycleTransition": transition,
            "regionId": region,
        },
    }


def timer_event(
    payload: Any = "awesome-fc", trigger_time: str = "2023-12-26T07:49:00Z"
) -> dict[str, Any]:
    """An FC timer event; a non-string ``payload`` is sent as JSON text."""
    text = payload if isinstance(payload, str) else json.dumps(payload)
    return {"triggerTime": trigger_time, "triggerName": "timer-trigger", "payload": text}


def http_event(
    method: str,
    path: str,
    body: bytes = b"",
    headers: Mapping[str, str] | None = None,
    *,
    base64_body: bool = False,
    request_id: str | None = None,
) -> dict[str, Any]:
    """An FC 3.0 HTTP trigger event with exactly these headers (nothing is signed here)."""
    text = (
        base64.b64encode(body).decode("ascii")
        if base64_body
        else body.decode("utf-8", "surrogateescape")
    )
    return {
        "version": "v1",
        "rawPath": path,
        "body": text,
        "isBase64Encoded": base64_body,
        "headers": dict(headers or {}),
        "queryParameters": {},
        "requestContext": {
            "accountId": ACCOUNT,
            "domainName": "redis-wl-sync-abcdefghij.cn-hangzhou.fcapp.run",
            "domainPrefix": "redis-wl-sync-abcdefghij",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "11.11.11.11",
                "userAgent": "curl/8.5.0",
            },
            "requestId": request_id or f"1-64f6cd87-{next(_ids):024x}",
            "time": "2023-09-05T06:41:11Z",
            "timeEpoch": "1693896071895",
        },
    }


def encode(event: Any) -> bytes:
    """An event as FC hands it to the handler: JSON bytes."""
    return json.dumps(event).encode("utf-8")
