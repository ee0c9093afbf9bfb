"""parse_event: mapping rules, precedence, id forms and refusals, one table per rule."""

from __future__ import annotations

import json
from typing import Any

import pytest

from whitelist_core.entrypoints.events import MAX_EVENT_BYTES, Batch, Rejected, parse_event
from whitelist_core.entrypoints.wire import MAX_DEPTH
from whitelist_core.errors import BadEvent
from whitelist_core.intents import HttpRequest, Ignore, ReconcileTargets, SyncInstances

IID = "i-bp1example000000001"


def ecs(type_: str = "ecs:Instance:StateChange", **fields: Any) -> dict[str, Any]:
    event: dict[str, Any] = {"id": "e-1", "source": "acs.ecs", "specversion": "1.0", "type": type_}
    event.update(fields)
    return event


def ess(type_: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    event = {"id": "s-1", "source": "acs.ess", "type": type_, "aliyunregionid": "cn-beijing"}
    return event if data is None else {**event, "data": data}


def timer(payload: Any) -> dict[str, Any]:
    return {"triggerTime": "2024-01-01T00:00:00Z", "triggerName": "t", "payload": payload}


def http(**fields: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "version": "v1",
        "rawPath": "/reconcile",
        "requestContext": {"http": {"method": "post"}, "requestId": "r-1"},
    }
    event.update(fields)
    return event


def refused(raw: object) -> str:
    with pytest.raises(BadEvent) as caught:
        parse_event(raw)
    return str(caught.value)


@pytest.mark.parametrize(
    ("state", "adds"),
    [
        ("Created", True),
        ("Pending", True),
        ("Starting", True),
        ("Running", True),
        ("running", True),
        ("Stopping", False),
        ("Stopped", False),
        ("Deleted", False),
        ("Released", False),
        ("SomethingNew", False),
        (None, False),
    ],
)
def test_state_only_chooses_which_flow_looks(state: str | None, adds: bool) -> None:
    data = {"resourceId": IID} if state is None else {"resourceId": IID, "state": state}
    intent = parse_event(ecs(aliyunregionid="cn-hangzhou", data=data))
    if adds:
        assert intent == SyncInstances(
            (IID,), "cn-hangzhou", event_id="acs.ecs/e-1", reason=f"Instance:StateChange {state}"
        )
    else:
        assert isinstance(intent, ReconcileTargets)
        assert (intent.region, intent.hint_instance_ids, intent.targets) == (
            "cn-hangzhou",
            (IID,),
            None,
        )


@pytest.mark.parametrize(
    ("fields", "instance_id"),
    [
        ({"data": {"resourceId": IID}}, IID),
        ({"data": {"content": {"resourceId": IID}}}, IID),
        ({"data": {"instanceId": IID}}, IID),
        ({"data": {"content": {"instanceId": IID}}}, IID),
        ({"subject": f"acs:ecs:cn-hangzhou:1:instance/{IID}"}, IID),
        # data wins over the subject when both name an instance
        (
            {"data": {"resourceId": "i-fromdata00001"}, "subject": f"acs:ecs::1:instance/{IID}"},
            "i-fromdata00001",
        ),
    ],
)
def test_instance_id_layouts(fields: dict[str, Any], instance_id: str) -> None:
    intent = parse_event(ecs(**fields))
    assert isinstance(intent, ReconcileTargets)
    assert intent.hint_instance_ids == (instance_id,)


@pytest.mark.parametrize(
    ("fields", "region"),
    [
        (
            {"aliyunregionid": "cn-hangzhou", "subject": "acs:ecs:cn-beijing:1:instance/" + IID},
            "cn-hangzhou",
        ),
        ({"subject": "acs:ecs:cn-beijing:1:instance/" + IID}, "cn-beijing"),
        (
            {"aliyunregionid": "cn-hangzhou", "data": {"resourceId": IID, "regionId": "us-west-1"}},
            "cn-hangzhou",
        ),
        (
            {"subject": "acs:ecs:cn-beijing:1:instance/" + IID, "data": {"regionId": "us-west-1"}},
            "cn-beijing",
        ),
        ({"subject": "acs:ecs::1:instance/" + IID, "data": {"regionId": "us-west-1"}}, "us-west-1"),
        (
            {"aliyunregionid": "", "data": {"resourceId": IID, "regionId": "eu-central-1"}},
            "eu-central-1",
        ),
        ({"data": {"resourceId": IID}}, None),
    ],
)
def test_region_precedence(fields: dict[str, Any], region: str | None) -> None:
    intent = parse_event(ecs(**fields))
    assert isinstance(intent, ReconcileTargets)
    assert intent.region == region


REAL_REGIONS = [
    "cn-hangzhou",
    "cn-shanghai",
    "cn-beijing",
    "cn-zhangjiakou",
    "cn-wulanchabu",
    "cn-hongkong",
    "ap-southeast-1",
    "ap-northeast-2",
    "us-west-1",
    "eu-central-1",
    "me-central-1",
    "cn-north-2-gov-1",
    "cn-shanghai-finance-1",
    "cn-shenzhen-finance-1",
    "cn-heyuan-acdr-1",
]


@pytest.mark.parametrize("region", REAL_REGIONS)
def test_real_region_ids_pass(region: str) -> None:
    intent = parse_event(ecs(aliyunregionid=region, data={"resourceId": IID}))
    assert isinstance(intent, ReconcileTargets)
    assert intent.region == region


@pytest.mark.parametrize(
    "region",
    ["CN-HANGZHOU", "hangzhou", "cn_hangzhou", "cn-", "cn-hangzhou\n", "cn-a-b-c-d-e", "c-x"],
)
def test_malformed_region_is_refused_naming_the_field(region: str) -> None:
    message = refused(ecs(aliyunregionid=region, data={"resourceId": IID}))
    assert message.startswith("aliyunregionid: ")
    assert "is not a region id" in message


def test_malformed_region_in_the_subject_arn_is_refused() -> None:
    assert refused(ecs(subject="acs:ecs:Bad Region:1:instance/" + IID)).startswith("subject: ")


@pytest.mark.parametrize(
    ("instance_id", "ok"),
    [
        ("i-bp1example000000001", True),
        ("i-12345678", True),
        ("i-" + "a" * 40, True),
        ("i-1234567", False),
        ("i-" + "a" * 41, False),
        ("i-BP1EXAMPLE0001", False),
        ("eni-bp1example0001", False),
        ("i-bp1example0001\n", False),
        ("i-bp1 example0001", False),
        ("r-bp1example0001", False),
    ],
)
def test_instance_id_form(instance_id: str, ok: bool) -> None:
    event = ecs(data={"resourceId": instance_id, "state": "Running"})
    if ok:
        assert parse_event(event) == SyncInstances(
            (instance_id,), event_id="acs.ecs/e-1", reason="Instance:StateChange Running"
        )
    else:
        assert refused(event).startswith("data.resourceId: ")


@pytest.mark.parametrize(
    ("type_", "data", "kind", "ids"),
    [
        ("ess:ScalingActivity:ScaleOutSuccess", {"instanceIds": [IID]}, SyncInstances, (IID,)),
        (
            "ess:ScalingActivity:ScaleOutPartialSuccess",
            {"instanceIds": [IID]},
            SyncInstances,
            (IID,),
        ),
        ("ess:ScalingActivity:ScaleOutSuccess", {}, ReconcileTargets, ()),
        ("ess:ScalingActivity:ScaleOutSuccess", None, ReconcileTargets, ()),
        ("ess:ScalingActivity:ScaleOutError", {"instanceIds": [IID]}, ReconcileTargets, (IID,)),
        (
            "ess:ScalingActivity:ScaleInSuccess",
            {"instanceIds": [IID, IID]},
            ReconcileTargets,
            (IID,),
        ),
        ("ess:ScalingActivity:ScaleInError", {}, ReconcileTargets, ()),
        ("ess:LifecycleHook:ScaleOut", {"instanceIds": [IID]}, SyncInstances, (IID,)),
        ("ess:LifecycleHook:ScaleIn", {"instanceIds": [IID]}, ReconcileTargets, (IID,)),
        ("ess:CloudMonitor:AUTOSCALING[SCALEINSUCCESS]", {}, ReconcileTargets, ()),
        ("ess:ScalingActivity:ScaleOutStart", {"instanceIds": "junk"}, Ignore, ()),
        ("ess:ScalingActivity:ScaleInStart", {}, Ignore, ()),
        ("ess:ScalingGroup:Deleted", {}, Ignore, ()),
        ("something-else", {}, Ignore, ()),
    ],
)
def test_ess_mapping(
    type_: str, data: dict[str, Any] | None, kind: type, ids: tuple[str, ...]
) -> None:
    intent = parse_event(ess(type_, data))
    assert type(intent) is kind
    if isinstance(intent, SyncInstances):
        assert (intent.instance_ids, intent.region, intent.trigger) == (ids, "cn-beijing", "ess")
    if isinstance(intent, ReconcileTargets):
        assert (intent.hint_instance_ids, intent.region, intent.trigger) == (
            ids,
            "cn-beijing",
            "ess",
        )


def test_ess_bad_instance_id_is_refused_with_its_index() -> None:
    message = refused(ess("ess:ScalingActivity:ScaleOutSuccess", {"instanceIds": [IID, "i-x"]}))
    assert message.startswith("data.instanceIds[1]: 'i-x' is not an ECS instance id")


@pytest.mark.parametrize(
    ("type_", "kind"),
    [
        ("ecs:NetworkInterface:PrivateIPAssigned", ReconcileTargets),
        ("ecs:NetworkInterface:PrivateIPUnassigned", ReconcileTargets),
        ("ecs:NetworkInterface:PrivateIPv6Assigned", ReconcileTargets),
        ("ecs:NetworkInterface:PrivateIPv6Unassigned", ReconcileTargets),
        ("ecs:Instance:VSwitchChanged", ReconcileTargets),
        ("ecs:Instance:PreemptibleInstanceInterruption", ReconcileTargets),
        ("ecs:Instance:LiveMigrationAcrossDDH", Ignore),
        ("ecs:Disk:Created", Ignore),
    ],
)
def test_other_ecs_types(type_: str, kind: type) -> None:
    intent = parse_event(ecs(type_, aliyunregionid="cn-hangzhou", data={"resourceId": "eni-x1"}))
    assert type(intent) is kind
    if isinstance(intent, ReconcileTargets):
        assert (intent.region, intent.hint_instance_ids, intent.reason) == (
            "cn-hangzhou",
            (),
            type_,
        )


def test_network_event_with_malformed_instance_id_is_refused() -> None:
    event = ecs("ecs:NetworkInterface:PrivateIPAssigned", data={"instanceId": "i-Nope"})
    assert refused(event).startswith("data.instanceId: ")


def cloudmonitor(
    product: str = "ECS", name: str = "Instance:StateChange", **content: Any
) -> dict[str, Any]:
    return {
        "id": "c",
        "product": product,
        "name": name,
        "regionId": "cn-hangzhou",
        "content": content,
    }


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (
            cloudmonitor(resourceId=IID, state="Starting"),
            SyncInstances(
                (IID,),
                "cn-hangzhou",
                trigger="cloudmonitor",
                event_id="cloudmonitor/c",
                reason="Instance:StateChange Starting",
            ),
        ),
        (
            cloudmonitor(name="Instance:PerformanceModeChange", instanceId=IID),
            ReconcileTargets(
                region="cn-hangzhou",
                trigger="cloudmonitor",
                event_id="cloudmonitor/c",
                reason="Instance:PerformanceModeChange",
                hint_instance_ids=(IID,),
            ),
        ),
        (
            cloudmonitor(name="Disk:Stalled", diskId="d-1"),
            Ignore("'Disk:Stalled' names no instance", "cloudmonitor", "cloudmonitor/c"),
        ),
        (
            cloudmonitor(product="RDS", resourceId=IID),
            Ignore("product 'RDS' is not handled", "cloudmonitor", "cloudmonitor/c"),
        ),
    ],
)
def test_cloudmonitor_mapping(event: dict[str, Any], expected: object) -> None:
    assert parse_event(event) == expected


def test_cloudmonitor_statechange_without_id_names_the_fields() -> None:
    message = refused(cloudmonitor(state="Running"))
    assert (
        message
        == "no instance id: expected one of content.resourceId, content.instanceId, resourceId"
    )


@pytest.mark.parametrize(
    ("payload", "targets", "dry_run"),
    [
        ("awesome-fc", None, None),
        ("", None, None),
        (None, None, None),
        ("123", None, None),
        ('{"targets": ["a", "b", "a"]}', ("a", "b"), None),
        ('  {"dry_run": false} ', None, False),
        ('{"targets": ["a"], "dry_run": true}', ("a",), True),
    ],
)
def test_timer_payloads(
    payload: str | None, targets: tuple[str, ...] | None, dry_run: bool | None
) -> None:
    intent = parse_event(timer(payload))
    assert isinstance(intent, ReconcileTargets)
    assert (intent.targets, intent.dry_run, intent.trigger, intent.region) == (
        targets,
        dry_run,
        "timer",
        None,
    )


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ('{"targets": []}', "payload.targets: List should have at least 1 item"),
        ('{"targets": ["a b"]}', "payload.targets[0]: 'a b' is not a target name"),
        ('{"targets": [1]}', "payload.targets[0]: Input should be a valid string"),
        ('{"dry_run": "true"}', "payload.dry_run: Input should be a valid boolean"),
        ('{"target": ["a"]}', "payload.target: Extra inputs are not permitted"),
        ('["a"]', "payload: a JSON payload must be an object"),
        ("{oops", "payload is not valid JSON"),
        ({"targets": ["a"]}, "payload: Input should be a valid string"),
    ],
)
def test_timer_payload_refusals(payload: object, fragment: str) -> None:
    assert fragment in refused(timer(payload))


def test_http_event_headers_lowered_and_merged_method_uppercased() -> None:
    event = http(headers={"X-A": "1", "x-a": "2", "Content-Type": "text/plain"}, body="hi")
    assert parse_event(event) == HttpRequest(
        "POST", "/reconcile", {"x-a": "1,2", "content-type": "text/plain"}, b"hi", "r-1"
    )


def test_http_event_without_body_has_empty_bytes() -> None:
    intent = parse_event(http())
    assert isinstance(intent, HttpRequest)
    assert (intent.body, intent.headers) == (b"", {})


@pytest.mark.parametrize(
    ("event", "fragment"),
    [
        (http(version="v2"), "version: Input should be 'v1'"),
        ({k: v for k, v in http().items() if k != "version"}, "version: Field required"),
        (http(requestContext={}), "requestContext.http: Field required"),
        (http(headers={"a": 1}), "headers.a: Input should be a valid string"),
        (http(body="\ud800"), "body: not encodable as UTF-8"),
        (http(body="é", isBase64Encoded=True), "body is not valid base64"),
        (http(body="aGk", isBase64Encoded=True), "body is not valid base64"),
        (http(isBase64Encoded="yes"), "isBase64Encoded: Input should be a valid boolean"),
    ],
)
def test_http_event_refusals(event: dict[str, Any], fragment: str) -> None:
    assert fragment in refused(event)


def test_http_base64_body_is_decoded() -> None:
    intent = parse_event(http(body="AP8=", isBase64Encoded=True))
    assert isinstance(intent, HttpRequest)
    assert intent.body == b"\x00\xff"


def nested(depth: int) -> object:
    value: object = {}
    for _ in range(depth - 1):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        (42, "event must be bytes, str, an object or a list, not int"),
        (None, "not NoneType"),
        ("", "event is not valid JSON"),
        ("NaN", "NaN is not a JSON value"),
        ('{"x": Infinity}', "Infinity is not a JSON value"),
        ({"x": float("nan")}, "event could not be parsed (ValueError)"),
        ({"x": b"bytes"}, "event could not be parsed (TypeError)"),
        ("9" * 5000, "number too long"),
        (b"\xef\xbb\xbf{}", "not valid JSON"),
        (nested(MAX_DEPTH + 1), f"nested deeper than {MAX_DEPTH} levels"),
        (json.dumps(nested(MAX_DEPTH + 1)), f"nested deeper than {MAX_DEPTH} levels"),
        ({"data": "x" * MAX_EVENT_BYTES}, "byte limit"),
        (b" " * (MAX_EVENT_BYTES + 1), "byte limit"),
        ({}, "unknown event shape"),
    ],
)
def test_unusable_input_is_refused(raw: object, fragment: str) -> None:
    assert fragment in refused(raw)


def test_nesting_at_the_limit_is_accepted_as_far_as_shape() -> None:
    assert "unknown event shape" in refused({"a": nested(MAX_DEPTH - 1)})


def test_cyclic_input_is_refused() -> None:
    cyclic: dict[str, Any] = {"source": "acs.ecs"}
    cyclic["self"] = cyclic
    assert "nested deeper" in refused(cyclic)


def test_batch_items_are_independent_and_indexed() -> None:
    good = ecs(data={"resourceId": IID, "state": "Running"})
    result = parse_event([good, [good], {"nope": 1}, ecs(data={"resourceId": "bad"}), good])
    assert isinstance(result, Batch)
    assert [type(item) for item in result.items] == [
        SyncInstances,
        Rejected,
        Rejected,
        Rejected,
        SyncInstances,
    ]
    assert result.items[1] == Rejected(1, "event[1]: an event must be a JSON object, not list")
    assert isinstance(result.items[2], Rejected)
    assert result.items[2].message.startswith("event[2]: unknown event shape")
    assert result.items[3] == Rejected(
        3, "event[3]: data.resourceId: 'bad' is not an ECS instance id (i- then 8-40 of [a-z0-9])"
    )


def test_empty_batch() -> None:
    assert parse_event(b"[]") == Batch(())


def test_batch_item_with_unconvertible_value_is_rejected_not_raised() -> None:
    result = parse_event([{"source": "acs.ecs", "type": "t", "id": "1", "data": {1: 2}}])
    assert isinstance(result, Batch)
    assert isinstance(result.items[0], Rejected)
    assert result.items[0].message.startswith("event[0]: data")


def test_whole_batch_over_the_limit_is_refused() -> None:
    item = ecs(data={"resourceId": IID, "pad": "x" * 1000})
    assert "byte limit" in refused(json.dumps([item] * 1100))


def test_now_does_not_change_the_result() -> None:
    event = ecs(data={"resourceId": IID, "state": "Running"})
    assert parse_event(event, now=0.0) == parse_event(event, now=4e9) == parse_event(event)
