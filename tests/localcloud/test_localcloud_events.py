"""Event builders: the samples' envelope, and events from other accounts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from localcloud import events

SAMPLES = Path(__file__).resolve().parents[1] / "events"
PUBLISH_KEYS = {"aliyunpublishtime", "aliyuneventbusname", "aliyunpublishaddr"}
MEMBER, CENTRAL = "2222222222222222", events.ACCOUNT


def sample(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SAMPLES / name).read_text(encoding="utf-8"))
    return loaded


@pytest.mark.parametrize(
    ("built", "name"),
    [
        (
            events.ecs_state_change("i-bp1example000000001", "Running"),
            "eventbridge-ecs-statechange.json",
        ),
        (events.ess_scale_out(["i-bp1example000000003"]), "ess-scaleout.json"),
    ],
)
def test_cloud_events_have_the_samples_envelope(built: dict[str, Any], name: str) -> None:
    assert set(built) == set(sample(name)) - PUBLISH_KEYS
    assert built["aliyunaccountid"] == CENTRAL


def test_an_event_of_another_account() -> None:
    built = events.ecs_state_change("i-bp1member000001", "Running", account=MEMBER)
    assert built["aliyunaccountid"] == MEMBER
    assert built["subject"] == f"acs:ecs:cn-hangzhou:{MEMBER}:instance/i-bp1member000001"
    assert "aliyunoriginalaccountid" not in built
    hook = events.ess_lifecycle_hook(["i-1"], account=MEMBER)
    assert hook["subject"].startswith(f"acs:ess:cn-hangzhou:{MEMBER}:")
    monitor = events.cloudmonitor_state_change("i-bp1member000001", "Running", account=MEMBER)
    assert (monitor["userId"], monitor["resourceId"].split(":")[3]) == (MEMBER, MEMBER)


def test_a_forwarded_event_says_both_accounts() -> None:
    built = events.eni_private_ip_change(
        "eni-bp1member0001", "10.0.1.5", account=CENTRAL, original_account=MEMBER
    )
    assert (built["aliyunaccountid"], built["aliyunoriginalaccountid"]) == (CENTRAL, MEMBER)
    assert list(built)[-1] == "data"
