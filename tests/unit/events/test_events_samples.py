"""Every payload file in tests/events/ parses to exactly the intent listed here."""

from __future__ import annotations

from pathlib import Path

import pytest

from whitelist_core.entrypoints.events import Batch, Rejected, parse_event
from whitelist_core.errors import BadEvent
from whitelist_core.intents import (
    HttpRequest,
    Ignore,
    LifecycleAction,
    ReconcileTargets,
    SyncInstances,
    Trigger,
)

EVENTS = Path(__file__).resolve().parents[2] / "events"
HZ = "cn-hangzhou"
EB_ID = "acs.ecs/7b0c3f2e-1a2b-4c3d-9e8f-0123456789ab"
CM_ID = "cloudmonitor/9435EAD6-3CF6-4494-8F7A-3A0000000077"
TIMER_ID = "timer/timer-trigger/2023-12-26T07:49:00Z"
HTTP_REQUEST_ID = "1-64f6cd87-0123456789abcdef01234567"


def sync(
    ids: tuple[str, ...], trigger: Trigger, event_id: str, reason: str, region: str | None = HZ
) -> SyncInstances:
    return SyncInstances(ids, region, trigger=trigger, event_id=event_id, reason=reason)


def rec(
    hints: tuple[str, ...], trigger: Trigger, event_id: str, reason: str, region: str | None = HZ
) -> ReconcileTargets:
    return ReconcileTargets(
        region=region,
        trigger=trigger,
        event_id=event_id,
        reason=reason,
        hint_instance_ids=hints,
    )


EB_RUNNING = sync(("i-bp1example000000001",), "eventbridge", EB_ID, "Instance:StateChange Running")
CM_STOPPING = rec(
    ("i-bp1example000000001",), "cloudmonitor", CM_ID, "Instance:StateChange Stopping"
)
TIMER_ALL = ReconcileTargets(trigger="timer", event_id=TIMER_ID, reason="timer 'timer-trigger'")
SCALE_IN = "ess:ScalingActivity:ScaleInSuccess"
SCALE_OUT = "ess:ScalingActivity:ScaleOutSuccess"
EXPECTED: dict[str, object] = {
    "eventbridge-ecs-statechange.json": EB_RUNNING,
    "eventbridge-batch.json": Batch(
        (
            EB_RUNNING,
            rec(
                ("i-bp1example000000002",),
                "eventbridge",
                "acs.ecs/8c1d4a3f-2b3c-4d4e-8f90-123456789abc",
                "Instance:StateChange Stopped",
            ),
        )
    ),
    "eventbridge-ecs-statechange-content.json": rec(
        ("i-bp1example000000005",), "eventbridge", "acs.ecs/a1", "Instance:StateChange Stopped"
    ),
    "eventbridge-ecs-statechange-subject-only.json": sync(
        ("i-uf6example000000001",),
        "eventbridge",
        "acs.ecs/a2",
        "Instance:StateChange Starting",
        "cn-shanghai",
    ),
    "eventbridge-ecs-statechange-instanceid.json": sync(
        ("i-2zeexample000000001",),
        "eventbridge",
        "acs.ecs/a3",
        "Instance:StateChange Pending",
        "cn-beijing",
    ),
    "eventbridge-ecs-statechange-released.json": rec(
        ("i-gov0example00000001",),
        "eventbridge",
        "acs.ecs/a4",
        "Instance:StateChange Released",
        "cn-north-2-gov-1",
    ),
    "eventbridge-ecs-preemptible.json": rec(
        ("i-bp1example000000006",),
        "eventbridge",
        "acs.ecs/a5",
        "ecs:Instance:PreemptibleInstanceInterruption",
    ),
    "eventbridge-eni-ip-assigned.json": rec(
        (),
        "eventbridge",
        "acs.ecs/a6",
        "ecs:NetworkInterface:PrivateIPAssigned",
        "ap-southeast-1",
    ),
    "eventbridge-eni-ip-unassigned.json": rec(
        (), "eventbridge", "acs.ecs/a7", "ecs:NetworkInterface:PrivateIPUnassigned"
    ),
    "eventbridge-ecs-vswitch-changed.json": rec(
        ("i-bp1example000000007",), "eventbridge", "acs.ecs/a8", "ecs:Instance:VSwitchChanged"
    ),
    "eventbridge-ecs-other-type.json": Ignore(
        "'ecs:Disk:ConvertToPostpaidCompleted' does not change private IPs",
        "eventbridge",
        "acs.ecs/a9",
    ),
    "eventbridge-other-source.json": Ignore(
        "source 'acs.oss' is not handled", "eventbridge", "acs.oss/a10"
    ),
    "cloudmonitor-ecs-statechange.json": CM_STOPPING,
    "cloudmonitor-ecs-running.json": sync(
        ("i-bp1example000000001",),
        "cloudmonitor",
        "cloudmonitor/c1",
        "Instance:StateChange Running",
    ),
    "cloudmonitor-ecs-deleted.json": rec(
        ("i-bp1example000000008",),
        "cloudmonitor",
        "cloudmonitor/c2",
        "Instance:StateChange Deleted",
    ),
    "cloudmonitor-eni-ip-assigned.json": rec(
        (), "cloudmonitor", "cloudmonitor/c4", "NetworkInterface:PrivateIPAssigned"
    ),
    "cloudmonitor-ecs-preemptible.json": rec(
        ("i-wz9example000000001",),
        "cloudmonitor",
        "cloudmonitor/c3",
        "Instance:PreemptibleInstanceInterruption",
        "cn-shenzhen",
    ),
    "ess-scaleout.json": sync(
        ("i-bp1example000000003", "i-bp1example000000004"),
        "ess",
        "acs.ess/5f1d2c3b-4a59-4e6f-8a7b-0c1d2e3f4a5b",
        SCALE_OUT,
    ),
    "ess-scalein.json": rec(
        ("i-bp1example000000003", "i-bp1example000000004"), "ess", "acs.ess/e1", SCALE_IN
    ),
    "ess-scaleout-no-ids.json": rec((), "ess", "acs.ess/e2", SCALE_OUT),
    "ess-scaleout-start.json": Ignore(
        "'ess:ScalingActivity:ScaleOutStart' asks for nothing", "ess", "acs.ess/e3"
    ),
    "ess-scaleout-error.json": rec(
        ("i-bp1example000000009",), "ess", "acs.ess/e4", "ess:ScalingActivity:ScaleOutError"
    ),
    "ess-lifecycle-scaleout.json": sync(
        ("i-bp1example000000010", "i-bp1example000000011"),
        "ess",
        "acs.ess/e5",
        "ess:LifecycleHook:ScaleOut",
    ),
    "ess-lifecycle-hook-scaleout.json": SyncInstances(
        ("i-bp1example000000013", "i-bp1example000000014"),
        HZ,
        trigger="ess",
        event_id="acs.ess/e7",
        reason="ess:LifecycleHook:ScaleOut",
        lifecycle=LifecycleAction(
            "ash-bp1example0000001",
            "6b1a9e3c-0000-4000-8000-lifecycletoken",
            "asg-bp1example0000001",
            scale_out=True,
        ),
    ),
    "ess-cloudmonitor-scaleout.json": sync(
        ("i-bp1example000000012",),
        "ess",
        "acs.ess/e6",
        "ess:CloudMonitor:AUTOSCALING[SCALEOUTSUCCESS]",
    ),
    "fc-timer.json": TIMER_ALL,
    "fc-timer-json-targets.json": ReconcileTargets(
        targets=("orders-cache", "sessions"),
        trigger="timer",
        event_id=TIMER_ID,
        reason="timer 'timer-trigger'",
    ),
    "fc-timer-dry-run.json": ReconcileTargets(
        dry_run=True,
        trigger="timer",
        event_id="timer/nightly/2023-12-26T07:49:00Z",
        reason="timer 'nightly'",
    ),
    "fc3-http.json": HttpRequest(
        "POST",
        "/sync",
        {
            "content-type": "application/json",
            "x-signature": "sha256=0000",
            "accept": "*/*,application/json",
        },
        b'{"reason":"manual"}',
        HTTP_REQUEST_ID,
    ),
    "fc3-http-base64.json": HttpRequest(
        "POST",
        "/instances",
        {
            "content-type": "application/json",
            "x-whitelist-timestamp": "1700000000",
            "x-whitelist-signature": "v1=" + "0" * 64,
        },
        b'{"instance_ids": ["i-bp1example000000001"]}',
        HTTP_REQUEST_ID,
    ),
    "batch-mixed.json": Batch(
        (
            sync(
                ("i-bp1example000000001",),
                "eventbridge",
                "acs.ecs/b1",
                "Instance:StateChange Running",
            ),
            Rejected(
                1,
                "event[1]: data.resourceId: 'i-NOT_VALID' is not an ECS instance id "
                "(i- then 8-40 of [a-z0-9])",
            ),
            rec(("i-bp1example000000003", "i-bp1example000000004"), "ess", "acs.ess/b3", SCALE_IN),
            TIMER_ALL,
            Rejected(4, "event[4]: an HTTP trigger event cannot be batched"),
            Rejected(5, "event[5]: an event must be a JSON object, not str"),
            CM_STOPPING,
        )
    ),
}

# Refused payloads: a fragment the BadEvent message must contain (naming the field).
JUNK: dict[str, str] = {
    "junk-invalid-json.json": "event is not valid JSON: Expecting value",
    "junk-wrong-types.json": "id: Input should be a valid string",
    "junk-bad-instance-id.json": "data.resourceId: 'i-bp1example000000001; rm -rf /' is not an ECS",
    "junk-bad-region.json": "aliyunregionid: 'Hangzhou China' is not a region id",
    "junk-not-object.json": "an event must be a JSON object, not str",
    "junk-unknown-shape.json": "unknown event shape",
    "junk-timer-unknown-key.json": "payload.dryrun: Extra inputs are not permitted",
    "junk-timer-wrong-type.json": "payload.targets: Input should be a valid list",
    "junk-http-bad-base64.json": "body: isBase64Encoded is true but body is not valid base64",
    "junk-statechange-no-id.json": "no instance id: expected one of data.resourceId",
    "junk-huge.json": "over the 1048576 byte limit",
    "junk-nested-10000.json": "nested too deeply",
    "junk-non-utf8.bin": "event is not valid UTF-8 (byte 31)",
}

SAMPLES = sorted(p.name for p in EVENTS.iterdir() if p.suffix in (".json", ".bin"))


def test_every_sample_has_an_expectation() -> None:
    assert SAMPLES, "no sample payloads found"
    assert set(SAMPLES) == set(EXPECTED) | set(JUNK)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_parses_to_the_exact_intent(name: str) -> None:
    assert parse_event((EVENTS / name).read_bytes()) == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(JUNK))
def test_junk_sample_is_refused_naming_the_problem(name: str) -> None:
    with pytest.raises(BadEvent) as caught:
        parse_event((EVENTS / name).read_bytes())
    assert JUNK[name] in str(caught.value)


@pytest.mark.parametrize("name", [n for n in sorted(EXPECTED) if n.endswith(".json")])
def test_str_and_bytes_give_the_same_result(name: str) -> None:
    raw = (EVENTS / name).read_bytes()
    assert parse_event(raw.decode("utf-8")) == parse_event(raw) == parse_event(bytearray(raw))
