"""The verified IP events, in the shapes ``localcloud.events`` generates:

- ``ecs:NetworkInterface:PrivateIPAssigned`` / ``PrivateIPUnassigned``: the resource is the
  ENI (its ARN), the detail ``{eniId, primaryPrivateIp, secondaryPrivateIps[],
  ipv4Prefixes[]}`` names no instance, so the region is reconciled;
- ``ecs:Instance:VSwitchChanged``: ``{instanceId, vswitchId, privateIpAddress, vpcId,
  secondaryPrivateIps[]}``; the region's reconcile looks the instance up with the others
  (its new IP goes in) and removes its old IP once nothing holds it.
"""

from __future__ import annotations

import pytest

from localcloud import events as cloud_events
from whitelist_core.entrypoints.events import parse_event
from whitelist_core.intents import ReconcileTargets

ENI = "eni-bp1example0000001"
INSTANCE = "i-bp1example000000007"


@pytest.mark.parametrize("assigned", [True, False])
def test_an_eni_ip_event_reconciles_its_region(assigned: bool) -> None:
    event = cloud_events.eni_private_ip_change(
        ENI, "10.0.1.5", ["10.0.1.6"], ["10.0.3.0/28"], assigned=assigned, region="cn-beijing"
    )
    kind = "PrivateIPAssigned" if assigned else "PrivateIPUnassigned"
    assert parse_event(event) == ReconcileTargets(
        region="cn-beijing",
        trigger="eventbridge",
        event_id=f"acs.ecs/{event['id']}",
        reason=f"ecs:NetworkInterface:{kind}",
        hint_instance_ids=(),
    )


def test_an_eni_ip_event_takes_its_region_from_the_eni_arn() -> None:
    event = cloud_events.eni_private_ip_change(ENI, "10.0.1.5", region="ap-southeast-1")
    del event["aliyunregionid"]
    intent = parse_event(event)
    assert isinstance(intent, ReconcileTargets)
    assert intent.region == "ap-southeast-1"
    assert intent.targets is None


@pytest.mark.parametrize("assigned", [True, False])
def test_a_cloudmonitor_eni_ip_event_reconciles_its_region(assigned: bool) -> None:
    event = cloud_events.cloudmonitor_eni_private_ip_change(
        ENI, "10.0.1.5", ["10.0.1.6"], assigned=assigned, region="cn-shanghai"
    )
    intent = parse_event(event)
    assert isinstance(intent, ReconcileTargets)
    assert (intent.region, intent.trigger, intent.hint_instance_ids) == (
        "cn-shanghai",
        "cloudmonitor",
        (),
    )
    assert intent.reason.startswith("NetworkInterface:PrivateIP")


def test_a_vswitch_change_reconciles_the_region_of_that_instance() -> None:
    event = cloud_events.vswitch_changed(
        INSTANCE, "vsw-bp1new", "10.0.9.7", vpc_id="vpc-demo01", secondary_ips=["10.0.9.8"]
    )
    assert parse_event(event) == ReconcileTargets(
        region="cn-hangzhou",
        trigger="eventbridge",
        event_id=f"acs.ecs/{event['id']}",
        reason="ecs:Instance:VSwitchChanged",
        hint_instance_ids=(INSTANCE,),
    )


def test_the_generated_shapes_are_the_verified_ones() -> None:
    eni = cloud_events.eni_private_ip_change(ENI, "10.0.1.5", ["10.0.1.6"], ["10.0.3.0/28"])
    assert eni["subject"] == f"acs:ecs:cn-hangzhou:{cloud_events.ACCOUNT}:eni/{ENI}"
    assert eni["data"] == {
        "eniId": ENI,
        "primaryPrivateIp": "10.0.1.5",
        "secondaryPrivateIps": ["10.0.1.6"],
        "ipv4Prefixes": ["10.0.3.0/28"],
    }
    moved = cloud_events.vswitch_changed(INSTANCE, "vsw-x", "10.0.9.7", vpc_id="vpc-y")
    assert moved["data"] == {
        "instanceId": INSTANCE,
        "vswitchId": "vsw-x",
        "privateIpAddress": "10.0.9.7",
        "vpcId": "vpc-y",
        "secondaryPrivateIps": [],
    }
    cm = cloud_events.cloudmonitor_eni_private_ip_change(ENI, "10.0.1.5", assigned=False)
    assert cm["resourceId"].endswith(f":eni/{ENI}")
    assert cm["name"] == "NetworkInterface:PrivateIPUnassigned"
    assert set(cm["content"]) == {
        "eniId",
        "primaryPrivateIp",
        "secondaryPrivateIps",
        "ipv4Prefixes",
    }


def test_the_lifecycle_hook_generator_gives_the_camel_case_shape() -> None:
    """The shape is unverified: these are the keys the OOS lifecycle templates read."""
    out = cloud_events.ess_lifecycle_hook(["i-bp1a0000000000001"], hook_id="ash-1", token="t-1")
    assert out["type"] == "ess:LifecycleHook:ScaleOut"
    assert out["data"] == {
        "lifecycleHookId": "ash-1",
        "lifecycleActionToken": "t-1",
        "instanceIds": ["i-bp1a0000000000001"],
        "scalingGroupId": "asg-bp1example0000001",
        "lifecycleTransition": "SCALE_OUT",
        "regionId": "cn-hangzhou",
    }
    scale_in = cloud_events.ess_lifecycle_hook([], transition="SCALE_IN")
    assert scale_in["type"] == "ess:LifecycleHook:ScaleIn"
    assert scale_in["data"]["lifecycleTransition"] == "SCALE_IN"
