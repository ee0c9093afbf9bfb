"""template.yml's batched path (EventDelivery=batched): an EventBridge rule on the default
bus targeting an MNS queue, and an MNS queue trigger in event-streaming mode with a batch
window, instead of the direct trigger. RAM gains nothing: the function never calls MNS."""

from __future__ import annotations

import json
from typing import Any

ASYNC_PAYLOAD_LIMIT = 128 * 1024
RECORD_BYTES = 1100
"""A queued ECS event as the trigger hands it over: ~600 B event, Base64 (x4/3), envelope."""


def resource(template: dict[str, Any], name: str) -> dict[str, Any]:
    return dict(template["Resources"][name])


def test_the_parameter_chooses_one_path(template: dict[str, Any]) -> None:
    param = template["Parameters"]["EventDelivery"]
    assert param["Default"] == "direct"
    assert param["AllowedValues"] == ["direct", "batched"]
    conditions = template["Conditions"]
    assert conditions["DirectDelivery"] == {"Fn::Equals": ["direct", {"Ref": "EventDelivery"}]}
    assert conditions["BatchedDelivery"] == {"Fn::Equals": ["batched", {"Ref": "EventDelivery"}]}
    assert conditions["DirectTrigger"] == {
        "Fn::And": [{"Condition": "DirectDelivery"}, {"Condition": "WithFunction"}]
    }
    assert conditions["QueuedTrigger"] == {
        "Fn::And": [{"Condition": "BatchedDelivery"}, {"Condition": "WithFunction"}]
    }
    assert resource(template, "EventTrigger")["Condition"] == "DirectTrigger"
    batched = [
        n
        for n, r in template["Resources"].items()
        if r.get("Condition") in ("BatchedDelivery", "QueuedTrigger")
    ]
    assert sorted(batched) == ["EventQueue", "EventRule", "QueueTrigger"]


def _direct_types(template: dict[str, Any]) -> tuple[set[str], set[str]]:
    config = resource(template, "EventTrigger")["Properties"]["TriggerConfig"]
    pattern = json.loads(config["eventRuleFilterPattern"])
    return set(pattern["source"]), set(pattern["type"])


def test_the_rule_on_the_default_bus_sends_the_same_events_to_the_queue(
    template: dict[str, Any],
) -> None:
    rule = resource(template, "EventRule")["Properties"]
    assert rule["EventBusName"] == "default"
    assert rule["Status"] == "ENABLE"
    sources, types = _direct_types(template)
    assert (set(rule["FilterPattern"]["source"]), set(rule["FilterPattern"]["type"])) == (
        sources,
        types,
    )
    (target,) = rule["Targets"]
    assert target["Type"] == "acs.mns.queue"
    params = {p["ResourceKey"]: p for p in target["ParamList"]}
    assert params["Body"]["Form"] == "ORIGINAL"  # the message body is the event itself
    assert params["queue"]["Value"] == {"Fn::GetAtt": ["EventQueue", "QueueName"]}


def test_the_queue_trigger_streams_batches_from_that_queue(template: dict[str, Any]) -> None:
    trigger = resource(template, "QueueTrigger")["Properties"]
    assert trigger["FunctionName"] == {"Fn::GetAtt": ["Function", "FunctionName"]}
    assert trigger["TriggerType"] == "eventbridge"
    config = trigger["TriggerConfig"]
    source = config["eventSourceConfig"]
    assert source["eventSourceType"] == "MNS"
    mns = source["eventSourceParameters"]["sourceMNSParameters"]
    assert mns["QueueName"] == {"Fn::GetAtt": ["EventQueue", "QueueName"]}
    run = config["runOptions"]
    assert run["mode"] == "event-streaming"
    assert run["batchWindow"] == {
        "CountBasedWindow": {"Ref": "BatchSize"},
        "TimeBasedWindow": {"Ref": "BatchWindowSeconds"},
    }
    assert run["errorsTolerance"] == "NONE"  # a failed batch is retried, not skipped


def test_the_batch_window_is_tunable_within_the_platforms_limits(template: dict[str, Any]) -> None:
    count = template["Parameters"]["BatchSize"]
    seconds = template["Parameters"]["BatchWindowSeconds"]
    assert 1 <= count["MinValue"] <= count["Default"] <= count["MaxValue"] <= 10000
    assert 0 <= seconds["MinValue"] <= seconds["Default"] <= seconds["MaxValue"] <= 15


def test_a_full_batch_stays_under_the_invocation_payload_limit(template: dict[str, Any]) -> None:
    largest = template["Parameters"]["BatchSize"]["MaxValue"]
    assert largest * RECORD_BYTES < ASYNC_PAYLOAD_LIMIT


def test_the_queue_outlives_the_function_timeout(template: dict[str, Any]) -> None:
    queue = resource(template, "EventQueue")["Properties"]
    assert resource(template, "Function")["Properties"]["Timeout"] == {"Ref": "Timeout"}
    assert queue["VisibilityTimeout"] > template["Parameters"]["Timeout"]["MaxValue"]
    assert queue["MaximumMessageSize"] >= 65536


def test_the_function_role_gains_no_queue_permission(template: dict[str, Any]) -> None:
    role = resource(template, "FunctionRole")["Properties"]
    actions = [
        a
        for p in role["Policies"]
        for listed in p["PolicyDocument"]["Statement"]
        # a conditional statement ({"Fn::If": [condition, statement, NoValue]}): its statement
        for s in [listed["Fn::If"][1] if "Fn::If" in listed else listed]
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    ]
    assert not [a for a in actions if a.startswith(("mns:", "eventbridge:"))]
