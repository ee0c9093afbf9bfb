"""localcloud's ESS ``CompleteLifecycleAction`` (2022-02-22) through the official
``alibabacloud-ess20220222`` SDK (V3 signature), recorded as ``ess.lifecycle_actions``."""

from __future__ import annotations

from typing import Any

import pytest
from alibabacloud_ess20220222 import models as ess_models
from alibabacloud_ess20220222.client import Client as EssClient
from alibabacloud_tea_openapi.exceptions import AlibabaCloudException
from localcloud_support import Running, config


def complete(lc: Running, **fields: Any) -> Any:
    fields.setdefault("region_id", "cn-hangzhou")
    request = ess_models.CompleteLifecycleActionRequest(**fields)
    return EssClient(config(lc.endpoint)).complete_lifecycle_action(request)


def actions(lc: Running) -> list[dict[str, str]]:
    return list(lc.admin("GET", "state").json()["ess"]["lifecycle_actions"])


def test_an_answer_is_recorded_oldest_first(lc: Running) -> None:
    first = complete(
        lc, lifecycle_hook_id="ash-1", lifecycle_action_token="tok-1",
        lifecycle_action_result="CONTINUE",
    )  # fmt: skip
    complete(
        lc, lifecycle_hook_id="ash-2", lifecycle_action_token="tok-2",
        lifecycle_action_result="ABANDON",
    )  # fmt: skip

    assert len(first.body.request_id) == 36
    assert actions(lc) == [
        {"LifecycleHookId": "ash-1", "LifecycleActionToken": "tok-1", "LifecycleActionResult": "CONTINUE"},
        {"LifecycleHookId": "ash-2", "LifecycleActionToken": "tok-2", "LifecycleActionResult": "ABANDON"},
    ]  # fmt: skip
    counts = lc.admin("GET", "calls").json()["counts"]
    assert counts == {"CompleteLifecycleAction": 2}


def test_the_same_client_token_is_the_same_answer(lc: Running) -> None:
    for _ in range(3):
        complete(
            lc, lifecycle_hook_id="ash-1", lifecycle_action_token="tok-1",
            lifecycle_action_result="CONTINUE", client_token="same-answer",
        )  # fmt: skip

    assert len(actions(lc)) == 1


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"lifecycle_action_token": "t", "lifecycle_action_result": "CONTINUE"}, "MissingLifecycleHookId"),
        ({"lifecycle_hook_id": "ash-1", "lifecycle_action_result": "CONTINUE"}, "MissingLifecycleActionToken"),
        ({"lifecycle_hook_id": "ash-1", "lifecycle_action_token": "t", "lifecycle_action_result": "MAYBE"}, "InvalidLifecycleActionResult"),
    ],
)  # fmt: skip
def test_bad_requests_are_refused_and_record_nothing(
    lc: Running, fields: dict[str, Any], code: str
) -> None:
    with pytest.raises(AlibabaCloudException) as caught:
        complete(lc, **fields)

    assert (caught.value.code, caught.value.status_code) == (code, 400)
    assert actions(lc) == []


def test_the_state_round_trips_through_a_seed() -> None:
    from localcloud.state import CloudState

    seed = {"ess": {"lifecycle_actions": [
        {"LifecycleHookId": "ash-1", "LifecycleActionToken": "t", "LifecycleActionResult": "CONTINUE"}
    ]}}  # fmt: skip
    assert CloudState(seed).dump()["ess"] == seed["ess"]
