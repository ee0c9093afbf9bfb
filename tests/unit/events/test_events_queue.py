"""MNS queue records (the batched path): each record's message body is an original event,
possibly Base64; the envelope is read tolerantly and a record that is not an event is
rejected alone."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from localcloud.events import ecs_state_change
from whitelist_core.entrypoints.events import Batch, Rejected, parse_event
from whitelist_core.errors import BadEvent
from whitelist_core.intents import ReconcileTargets, SyncInstances

IID = "i-bp1queue00000001"
EVENT = ecs_state_change(IID, "Running", "cn-hangzhou", "evt-q1")


def stream_record(body: Any, key: str = "messageBody") -> dict[str, Any]:
    """A record as FC's MNS event stream pushes it (CloudEvents delivery)."""
    return {
        "id": "c2g71017-6f65-fhcf-a814-a396fc8d0001",
        "source": "MNS-redis-whitelist-sync-events",
        "specversion": "1.0",
        "type": "mns:Queue:SendMessage",
        "subject": "acs:mns:cn-hangzhou:1234567890123456:queues/redis-whitelist-sync-events",
        "aliyunregionid": "cn-hangzhou",
        "data": {"requestId": "606EA3074344430D4C810001", "messageId": "C6DB60D1", key: body},
    }


def raw_record(body: Any) -> dict[str, Any]:
    """The same message with RawData delivery: no CloudEvent around it."""
    return {"requestId": "606EA3074344430D4C810002", "messageId": "C6DB60D2", "messageBody": body}


TEXT = json.dumps(EVENT)
B64 = base64.b64encode(TEXT.encode()).decode()


@pytest.mark.parametrize(
    "record",
    [
        pytest.param(stream_record(TEXT), id="stream-json-text"),
        pytest.param(stream_record(B64), id="stream-base64"),
        pytest.param(stream_record(EVENT), id="stream-object"),
        pytest.param(stream_record(TEXT, key="MessageBody"), id="stream-pascal-key"),
        pytest.param(stream_record(f"  {TEXT}\n"), id="stream-padded-text"),
        pytest.param(raw_record(TEXT), id="raw-json-text"),
        pytest.param(raw_record(B64), id="raw-base64"),
    ],
)
def test_a_record_is_the_event_it_carries(record: dict[str, Any]) -> None:
    assert parse_event([record]) == Batch((parse_event(EVENT),))  # type: ignore[arg-type]
    assert parse_event(record) == parse_event(EVENT)


def test_the_inner_event_keeps_its_own_id_for_deduplication() -> None:
    intent = parse_event(stream_record(TEXT))

    assert isinstance(intent, SyncInstances)
    assert intent.event_id == "acs.ecs/evt-q1"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("hello world", "neither JSON nor Base64"),
        (base64.b64encode(b"plain text").decode(), "not JSON"),
        ("{not json", "messageBody is not valid JSON"),
        ("[1, 2]", "one event object, not list"),
        (None, "not null"),
        (42, "not int"),
        (json.dumps({"unknown": "shape"}), "unknown event shape"),
        (json.dumps(raw_record(TEXT)), "a queued record inside a queued record"),
    ],
)
def test_a_record_that_is_not_an_event_is_rejected_alone(body: Any, message: str) -> None:
    parsed = parse_event([stream_record(body), stream_record(TEXT)])

    assert isinstance(parsed, Batch)
    bad, good = parsed.items
    assert isinstance(bad, Rejected)
    assert message in bad.message
    assert bad.message.startswith("event[0]: ")
    assert isinstance(good, SyncInstances)
    with pytest.raises(BadEvent, match=r"messageBody|unknown event shape"):
        parse_event(stream_record(body))


def test_queued_deleted_events_are_reconcile_items() -> None:
    deleted = ecs_state_change(IID, "Deleted", "cn-hangzhou", "evt-q2")

    parsed = parse_event([stream_record(json.dumps(deleted))])

    assert isinstance(parsed, Batch)
    (item,) = parsed.items
    assert isinstance(item, ReconcileTargets)
    assert item.region == "cn-hangzhou"
