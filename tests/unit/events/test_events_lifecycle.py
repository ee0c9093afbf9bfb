"""``ess:LifecycleHook:*`` events: the hook to answer, parsed tolerantly (the payload is
unverified: camelCase or PascalCase, ids as a list or a comma-separated string)."""

from __future__ import annotations

from typing import Any

import pytest

from whitelist_core.entrypoints.events import parse_event
from whitelist_core.errors import BadEvent
from whitelist_core.intents import LifecycleAction, ReconcileTargets, SyncInstances

A, B = "i-bp1hook00000000a1", "i-bp1hook00000000b2"


def hook_event(type_: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "h-1",
        "source": "acs.ess",
        "specversion": "1.0",
        "type": type_,
        "aliyunregionid": "cn-beijing",
        "data": data,
    }


CAMEL = {
    "lifecycleHookId": "ash-1",
    "lifecycleActionToken": "tok-1",
    "scalingGroupId": "asg-1",
    "instanceIds": [A, B],
}
PASCAL = {
    "LifecycleHookId": "ash-1",
    "LifecycleActionToken": "tok-1",
    "ScalingGroupId": "asg-1",
    "InstanceIds": f"{A},{B}",
}


@pytest.mark.parametrize("data", [CAMEL, PASCAL], ids=["camel", "pascal"])
def test_scale_out_hook_syncs_its_instances_and_carries_the_hook(data: dict[str, Any]) -> None:
    intent = parse_event(hook_event("ess:LifecycleHook:ScaleOut", data))

    assert intent == SyncInstances(
        (A, B),
        "cn-beijing",
        trigger="ess",
        event_id="acs.ess/h-1",
        reason="ess:LifecycleHook:ScaleOut",
        lifecycle=LifecycleAction("ash-1", "tok-1", "asg-1", scale_out=True),
    )


def test_scale_in_hook_is_only_answered_nothing_is_looked_up() -> None:
    intent = parse_event(hook_event("ess:LifecycleHook:ScaleIn", CAMEL))

    assert isinstance(intent, SyncInstances)
    assert intent.instance_ids == ()
    assert intent.lifecycle == LifecycleAction("ash-1", "tok-1", "asg-1", scale_out=False)


@pytest.mark.parametrize(
    ("type_", "transition", "scale_out"),
    [
        ("ess:LifecycleHook:ScaleOut", "SCALE_IN", True),
        ("ess:LifecycleHook:ScaleIn", "SCALE_OUT", False),
        ("ess:LifecycleHook:ScaleOut", None, True),
    ],
)
def test_the_type_decides_the_direction(
    type_: str, transition: str | None, scale_out: bool
) -> None:
    data = CAMEL | ({"lifecycleTransition": transition} if transition else {})
    intent = parse_event(hook_event(type_, data))

    assert isinstance(intent, SyncInstances)
    assert intent.lifecycle is not None
    assert intent.lifecycle.scale_out is scale_out


def test_camel_case_wins_over_its_pascal_twin() -> None:
    data = CAMEL | {"LifecycleActionToken": "other"}
    intent = parse_event(hook_event("ess:LifecycleHook:ScaleOut", data))

    assert isinstance(intent, SyncInstances)
    assert intent.lifecycle is not None
    assert intent.lifecycle.token == "tok-1"


def test_without_a_token_it_is_handled_like_any_ess_event() -> None:
    data = {"lifecycleHookId": "ash-1", "instanceIds": [A]}
    out = parse_event(hook_event("ess:LifecycleHook:ScaleOut", data))
    inn = parse_event(hook_event("ess:LifecycleHook:ScaleIn", data))

    assert isinstance(out, SyncInstances)
    assert out.lifecycle is None
    assert isinstance(inn, ReconcileTargets)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (CAMEL | {"instanceIds": ["i-NOPE"]}, "data.instanceIds[0]"),
        (CAMEL | {"lifecycleActionToken": 5}, "data.lifecycleActionToken"),
        (CAMEL | {"lifecycleHookId": "x" * 200}, "data.lifecycleHookId"),
    ],
)
def test_bad_hook_fields_are_rejected_naming_the_field(data: dict[str, Any], message: str) -> None:
    with pytest.raises(BadEvent, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_event(hook_event("ess:LifecycleHook:ScaleOut", data))
