"""parse_event never raises anything but BadEvent, whatever it is given."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from whitelist_core.entrypoints.events import Batch, Rejected, parse_event
from whitelist_core.errors import BadEvent
from whitelist_core.intents import HttpRequest, Ignore, ReconcileTargets, SyncInstances

INTENTS = (SyncInstances, ReconcileTargets, Ignore, HttpRequest)
KEYS = [
    "id", "source", "type", "specversion", "subject", "aliyunregionid", "data", "resourceId",
    "instanceId", "state", "content", "regionId", "instanceIds", "product", "name",
    "triggerName", "triggerTime", "payload", "version", "rawPath", "body", "isBase64Encoded",
    "headers", "requestContext", "http", "method", "requestId", "targets", "dry_run",
]  # fmt: skip
TEXT = st.one_of(
    st.sampled_from(
        [
            "acs.ecs",
            "acs.ess",
            "ecs:Instance:StateChange",
            "ess:ScalingActivity:ScaleOutSuccess",
            "ess:LifecycleHook:ScaleIn",
            "ecs:NetworkInterface:PrivateIPAssigned",
            "Running",
            "Stopped",
            "i-bp1example000000001",
            "i-x",
            "cn-hangzhou",
            "v1",
            "ECS",
            "POST",
            "Instance:StateChange",
            "acs:ecs:cn-hangzhou:1:instance/i-bp1example000000001",
            '{"targets": ["a"]}',
            '{"dry_run": 1}',
            "{",
            "AP8=",
            "",
        ]
    ),
    st.text(max_size=20),
)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), TEXT)
JSONISH = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=5)), inner, max_size=6),
    ),
    max_leaves=30,
)


def check(raw: Any) -> None:
    try:
        result = parse_event(raw)
    except BadEvent as exc:
        message = str(exc)
        assert message, "a BadEvent must say what is wrong"
        return
    if isinstance(result, Batch):
        assert all(isinstance(item, (*INTENTS, Rejected)) for item in result.items)
    else:
        assert isinstance(result, INTENTS)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSONISH)
def test_any_decoded_value_gives_intents_or_bad_event(value: Any) -> None:
    check(value)


@settings(max_examples=300, deadline=None)
@given(JSONISH)
def test_any_json_text_gives_intents_or_bad_event(value: Any) -> None:
    try:
        text = json.dumps(value)
    except ValueError:
        return
    check(text)
    check(text.encode("utf-8", "surrogatepass"))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_give_intents_or_bad_event(raw: bytes) -> None:
    check(raw)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_intents_or_bad_event(raw: str) -> None:
    check(raw)
