"""Auto Scaling events: a scale-out activity, a lifecycle hook (EventBridge CloudEvents)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from localcloud.events.common import ACCOUNT, cloud_event, next_id

_TIME = "2024-01-02T11:10:00+08:00"


def ess_scale_out(
    instance_ids: Sequence[str],
    region: str = "cn-hangzhou",
    *,
    account: str = ACCOUNT,
    original_account: str | None = None,
) -> dict[str, Any]:
    """An EventBridge ``acs.ess`` ``ScaleOutSuccess`` CloudEvent naming the new instances
    (the ``data`` keys are unverified; see the reference's events README)."""
    return cloud_event(
        event_id=next_id("ess"),
        source="acs.ess",
        kind="ess:ScalingActivity:ScaleOutSuccess",
        subject=f"acs:ess:{region}:{account}:scalinggroup/asg-bp1example0000001",
        time=_TIME,
        region=region,
        account=account,
        original_account=original_account,
        data={
            "scalingGroupId": "asg-bp1example0000001",
            "scalingActivityId": "asa-bp1example0000001",
            "instanceIds": list(instance_ids),
        },
    )


def ess_lifecycle_hook(
    instance_ids: Sequence[str],
    *,
    hook_id: str = "ash-bp1example0000001",
    token: str = "6b1a9e3c-0000-4000-8000-lifecycletoken",  # noqa: S107 - not a secret
    scaling_group_id: str = "asg-bp1example0000001",
    transition: str = "SCALE_OUT",
    region: str = "cn-hangzhou",
    account: str = ACCOUNT,
    original_account: str | None = None,
) -> dict[str, Any]:
    """An EventBridge ``ess:LifecycleHook:ScaleOut`` (``ScaleIn`` for ``SCALE_IN``).

    UNVERIFIED shape: no published example of its ``data`` was found. The camelCase keys
    are the ones Alibaba's OOS lifecycle templates are filled from (``lifecycleHookId``,
    ``lifecycleActionToken``, ``instanceIds``, ``regionId``) plus the ESS API's
    ``scalingGroupId`` and ``lifecycleTransition``.
    """
    direction = "ScaleIn" if transition == "SCALE_IN" else "ScaleOut"
    return cloud_event(
        event_id=next_id("ess-hook"),
        source="acs.ess",
        kind=f"ess:LifecycleHook:{direction}",
        subject=f"acs:ess:{region}:{account}:scalinggroup/{scaling_group_id}",
        time=_TIME,
        region=region,
        account=account,
        original_account=original_account,
        data={
            "lifecycleHookId": hook_id,
            "lifecycleActionToken": token,
            "instanceIds": list(instance_ids),
            "scalingGroupId": scaling_group_id,
            "lifecycleTransition": transition,
            "regionId": region,
        },
    )
