"""Hostile input: whatever arrives, the edge answers with a value or its own error.

- ``events.parse_event``: an intent (or a batch of intents / rejected items) or
  ``BadEvent``; never another exception.
- ``webhook.route``: a response or, only for a correctly signed request, an intent; and
  through ``handler.handler``, an HTTP answer without a single cloud call.
- the configuration: ``Config`` or ``ConfigError`` whose every problem has a rule.

Thousands of generated inputs in a few seconds; ``fuzz/`` runs the same properties
for as long as you like (atheris).
"""

from __future__ import annotations

import json
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from reliability_kit import (
    BASE_URL,
    WEBHOOK_SECRET,
    config,
    http_event,
    mounted,
    scenario_seed,
)

import handler
from whitelist_core.config import Config, load_config, validate_config
from whitelist_core.entrypoints.events import Batch, Rejected, parse_event
from whitelist_core.entrypoints.webhook import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    HttpResponse,
    route,
    sign,
)
from whitelist_core.errors import BadEvent, ConfigError
from whitelist_core.intents import HttpRequest, Ignore, ReconcileTargets, SyncInstances

EVENTS_DIR = Path(__file__).resolve().parents[1] / "events"
INTENTS = (SyncInstances, ReconcileTargets, Ignore, HttpRequest)
HTTP_STATUSES = {200, 400, 401, 404, 405, 413, 422, 500, 502, 503}
FAST = settings(deadline=None, suppress_health_check=list(HealthCheck), database=None)


def _samples() -> list[Any]:
    found = []
    for path in sorted(EVENTS_DIR.glob("*.json")):
        try:
            found.append(json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, UnicodeDecodeError, RecursionError):
            continue  # the junk samples are exercised as bytes below
    return found


SAMPLES = [s for s in _samples() if len(json.dumps(s)) < 20_000]  # mutate the small ones
RAW_SAMPLES = [p.read_bytes() for p in sorted(EVENTS_DIR.iterdir()) if p.is_file()]

# -- strategies -----------------------------------------------------------------------

WORDS = st.sampled_from(
    ["acs.ecs", "acs.ess", "ecs:Instance:StateChange", "ess:ScalingActivity:ScaleOutSuccess",
     "Running", "Stopped", "Deleted", "i-bp1example000000001", "i-", "cn-hangzhou", "v1",
     "ECS", "POST", "GET", "/reconcile", "/instances", "/health", "Instance:StateChange",
     "acs:ecs:cn-hangzhou:1:instance/i-bp1example000000001", '{"targets": ["orders"]}',
     '{"dry_run": true}', "{", "[", "AP8=", "", "\ud800", "\x00", "é" * 3]
)  # fmt: skip
HUGE_NUMBERS = st.sampled_from(
    [10**400, -(10**400), 2**64, 1e308, -1e308, 5e-324, math.inf, -math.inf, math.nan]
)
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), HUGE_NUMBERS, WORDS, st.text(max_size=40)
)
KEYS = st.one_of(
    st.sampled_from(
        [
            "id",
            "source",
            "type",
            "specversion",
            "subject",
            "aliyunregionid",
            "data",
            "resourceId",
            "instanceId",
            "state",
            "content",
            "regionId",
            "instanceIds",
            "product",
            "name",
            "triggerName",
            "triggerTime",
            "payload",
            "version",
            "rawPath",
            "body",
            "isBase64Encoded",
            "headers",
            "requestContext",
            "http",
            "method",
            "requestId",
            "targets",
            "dry_run",
            "region",
            "instance_ids",
        ]
    ),
    st.text(max_size=8),
)
JSONISH = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(KEYS, inner, max_size=6)),
    max_leaves=40,
)


@st.composite
def mutated_sample(draw: st.DrawFn) -> Any:
    """A real sample event with some values replaced (deep inside, where parsers break)."""
    event = json.loads(json.dumps(draw(st.sampled_from(SAMPLES))))
    for _ in range(draw(st.integers(1, 4))):
        node = event
        for _depth in range(draw(st.integers(0, 4))):
            children = list(node.items()) if isinstance(node, dict) else list(enumerate(node))
            children = [(k, v) for k, v in children if isinstance(v, (dict, list))]
            if not children:
                break
            node = draw(st.sampled_from(children))[1]
        if isinstance(node, dict) and node:
            node[draw(st.sampled_from(sorted(node)))] = draw(JSONISH)
        elif isinstance(node, dict):
            node[draw(KEYS)] = draw(JSONISH)
        elif isinstance(node, list) and node:
            node[draw(st.integers(0, len(node) - 1))] = draw(JSONISH)
    return event


def _to_wire(value: Any, form: str) -> Any:
    """``value`` as FC may hand it over: the object itself, JSON text, or JSON bytes."""
    if form == "object":
        return value
    text = json.dumps(value, allow_nan=True)
    return text if form == "str" else text.encode("utf-8", "surrogatepass")


def _assert_parsed(raw: object) -> None:
    try:
        parsed = parse_event(raw)
    except BadEvent as exc:
        error: BadEvent | None = exc
    else:
        error = None
    if error is not None:
        assert str(error)
        return
    if isinstance(parsed, Batch):
        for item in parsed.items:
            assert isinstance(item, (*INTENTS, Rejected)), item
            if isinstance(item, Rejected):
                assert item.message
    else:
        assert isinstance(parsed, INTENTS), parsed


# -- parse_event ----------------------------------------------------------------------


@settings(FAST, max_examples=1500)
@given(st.one_of(st.binary(max_size=3000), st.sampled_from(RAW_SAMPLES)))
def test_parse_event_arbitrary_bytes(raw: bytes) -> None:
    _assert_parsed(raw)
    _assert_parsed(raw.decode("latin-1"))


@settings(FAST, max_examples=1000)
@given(JSONISH, st.sampled_from(["object", "str", "bytes"]))
def test_parse_event_arbitrary_json_values(value: Any, form: str) -> None:
    _assert_parsed(_to_wire(value, form))
    _assert_parsed(_to_wire([value, value], form))


@settings(FAST, max_examples=800)
@given(mutated_sample(), st.sampled_from(["object", "str", "bytes"]))
def test_parse_event_mutated_samples(event: Any, form: str) -> None:
    _assert_parsed(_to_wire(event, form))


@pytest.mark.parametrize("depth", [100, 1_000, 100_000])
@pytest.mark.parametrize("shape", ["[", '{"data":', '{"specversion":"1.0","source":"acs.ecs","type":"ecs:Instance:StateChange","data":'])  # fmt: skip
def test_parse_event_deeply_nested(depth: int, shape: str) -> None:
    text = shape * depth
    _assert_parsed(text)
    _assert_parsed(text.encode())
    nested: Any = {}
    for _ in range(min(depth, sys.getrecursionlimit() * 4)):
        nested = {"data": nested} if "{" in shape else [nested]
    _assert_parsed(nested)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"triggerName": "t", "triggerTime": ' + b"9" * 5000 + b"}",
        b'{"triggerName": "t", "payload": 1e99999}',
        b'{"source": "acs.ecs", "type": "ecs:Instance:StateChange", "id": -0, "data": {"resourceId": 1e400}}',
        b'{"triggerName": "\xed\xa0\x80"}',  # an encoded surrogate: not UTF-8
        b"\xff\xfe{\x00}\x00",
        b'{"rawPath": "/reconcile", "requestContext": {"http": {"method": "POST"}}, "body": "' + b"A" * 2_000_000 + b'"}',
        "x" * 1_100_000,
        {"triggerName": "t", "payload": 10**5000},
        {"triggerName": "t", "payload": math.nan},
        {"triggerName": "\ud800"},
        ["\ud800", {"triggerName": "t"}],
        [],
        42,
        None,
        object(),
    ],
)  # fmt: skip
def test_parse_event_pathological(raw: Any) -> None:
    _assert_parsed(raw)


# -- the webhook ----------------------------------------------------------------------

HEADER_NAMES = st.sampled_from(
    [TIMESTAMP_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER.lower(), SIGNATURE_HEADER.upper(),
     "Content-Type", "Authorization", "X-Whitelist-Signature ", ""]
) | st.text(max_size=20)  # fmt: skip
HEADER_VALUES = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["v1=" + "0" * 64, "v1=" + "A" * 64, "v1=", str(int(time.time())), "-1",
                     "9" * 40, " 1700000000 ", "v1=" + "0" * 64 + ",v1=" + "f" * 64]),
)  # fmt: skip
PATHS = st.sampled_from(["/reconcile", "/instances", "/health", "/", "", "/reconcile/",
                         "//reconcile", "/RECONCILE", "/health/..", "/%2e%2e"]) | st.text(max_size=30)  # fmt: skip
METHODS = st.sampled_from(["GET", "POST", "PUT", "post", "", "DELETE"]) | st.text(max_size=8)
BODIES = st.one_of(
    st.binary(max_size=500),
    JSONISH.map(lambda v: json.dumps(v).encode()),
    st.sampled_from([b"", b"{}", b'{"targets": []}', b'{"instance_ids": ["i-x"]}', b"A" * 70_000]),
)


def _stamped(stamp: str) -> dict[str, str]:
    """A timestamp header that is not unix seconds, beside a well-formed signature."""
    return {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: "v1=" + "0" * 64}


@settings(FAST, max_examples=800)
@given(METHODS, PATHS, st.dictionaries(HEADER_NAMES, HEADER_VALUES, max_size=6), BODIES)
@example("POST", "/reconcile", _stamped("12a"), b"{}")  # not a number: never int() it
@example("POST", "/instances", _stamped("1e9"), b"{}")
@example("POST", "/reconcile", _stamped("9" * 400), b"{}")  # past int()'s digit limit
def test_route_unsigned_requests_only_get_responses(
    method: str, path: str, headers: dict[str, str], body: bytes
) -> None:
    request = HttpRequest(method, path, {k.lower(): v for k, v in headers.items()}, body)
    decision = route(
        request, secrets=(WEBHOOK_SECRET,), now=time.time(), tolerance_seconds=300, version="t"
    )
    # Without the secret nobody can sign: no request gets past authentication.
    assert isinstance(decision, HttpResponse)
    assert decision.status in HTTP_STATUSES
    assert decision.status != 200 or path.rstrip("/") == "/health"
    json.loads(json.dumps(decision.to_fc()))


@settings(FAST, max_examples=400)
@given(st.sampled_from(["/reconcile", "/instances"]), BODIES)
def test_route_signed_arbitrary_bodies(path: str, body: bytes) -> None:
    now = int(time.time())
    request = HttpRequest("POST", path, {k.lower(): v for k, v in sign(body, WEBHOOK_SECRET, now).items()}, body)  # fmt: skip
    decision = route(request, secrets=(WEBHOOK_SECRET,), now=now, tolerance_seconds=300, version="t")  # fmt: skip
    if isinstance(decision, HttpResponse):
        assert decision.status in {400, 413}
        assert decision.body["message"]
    else:
        assert isinstance(decision, (ReconcileTargets, SyncInstances))


def _same_hmac_key(key: str, secret: str) -> bool:
    """HMAC pads a short key with zero bytes: ``"k"`` and ``"k\\0"`` are the same key."""
    return key.encode("utf-8").rstrip(b"\0") == secret.encode("utf-8").rstrip(b"\0")


SIGNED_PATHS = st.sampled_from(["/reconcile", "/instances"])
VALID_BODIES = st.sampled_from(
    [b"", b"{}", b'{"targets": ["orders"]}', b'{"instance_ids": ["i-bp1host000000003"]}']
)


@settings(FAST, max_examples=300)
@given(SIGNED_PATHS, VALID_BODIES | BODIES, st.text(min_size=1, max_size=80))
def test_route_a_request_signed_with_any_other_key_is_refused(
    path: str, body: bytes, key: str
) -> None:
    """Well-formed headers, a fresh timestamp, a body the route would run: only the key
    is wrong, and that alone gets a 401."""
    if _same_hmac_key(key, WEBHOOK_SECRET):
        key += "x"
    now = int(time.time())
    headers = {k.lower(): v for k, v in sign(body, key, now).items()}
    decision = route(HttpRequest("POST", path, headers, body), secrets=(WEBHOOK_SECRET,),
                     now=now, tolerance_seconds=300, version="t")  # fmt: skip
    assert isinstance(decision, HttpResponse)
    assert decision.status in {401, 413}  # 413: too big to be worth checking at all
    assert decision.status == 401 or len(body) > 64 * 1024


@settings(FAST, max_examples=300)
@given(SIGNED_PATHS, VALID_BODIES | BODIES, VALID_BODIES | BODIES)
def test_route_a_signature_over_any_other_body_is_refused(
    path: str, signed: bytes, sent: bytes
) -> None:
    """Signed with the right key over one body, sent with another: a 401."""
    if signed == sent:
        sent += b" "
    now = int(time.time())
    headers = {k.lower(): v for k, v in sign(signed, WEBHOOK_SECRET, now).items()}
    decision = route(HttpRequest("POST", path, headers, sent), secrets=(WEBHOOK_SECRET,),
                     now=now, tolerance_seconds=300, version="t")  # fmt: skip
    assert isinstance(decision, HttpResponse)
    assert decision.status == 401 or len(sent) > 64 * 1024


@st.composite
def hostile_http_events(draw: st.DrawFn) -> Any:
    event = http_event(
        draw(METHODS),
        draw(PATHS),
        draw(BODIES),
        draw(st.dictionaries(HEADER_NAMES, HEADER_VALUES, max_size=6)),
        base64_body=draw(st.booleans()),
    )
    if draw(st.booleans()):  # break the envelope too, somewhere
        node = draw(
            st.sampled_from([event, event["requestContext"], event["requestContext"]["http"]])
        )
        node[draw(st.sampled_from(sorted(node)))] = draw(JSONISH)
    return event


def test_handler_hostile_http_events_never_call_the_cloud(
    rel_env: Callable[..., Any], rel_no_backoff: None
) -> None:
    with mounted(scenario_seed()) as cloud:
        rel_env(BASE_URL, config(), LOG_LEVEL="CRITICAL")

        @settings(FAST, max_examples=400)
        @given(hostile_http_events())
        def run(event: Any) -> None:
            payload = json.dumps(event, allow_nan=True).encode("utf-8", "surrogatepass")
            result = handler.handler(payload, None)
            if "statusCode" in result:
                assert result["statusCode"] in HTTP_STATUSES
                assert result["statusCode"] != 200 or event["rawPath"].rstrip("/") == "/health"
                json.loads(result["body"])
            else:  # the envelope itself was unusable
                assert result["status"] == "rejected"
                assert result["message"]

        run()
        assert cloud.calls()["counts"] == {}


# -- the configuration ----------------------------------------------------------------


def _assert_config_outcome(load: Callable[[], Config]) -> None:
    try:
        loaded = load()
    except ConfigError as exc:
        error: ConfigError | None = exc
    else:
        error = None
    if error is not None:
        assert error.problems
        assert all(str(problem) and problem.rule for problem in error.problems)
        return
    assert isinstance(loaded, Config)


@st.composite
def mutated_config(draw: st.DrawFn) -> Any:
    data = json.loads(
        json.dumps(config(policy={"max_removals": 5}, webhook={"tolerance_seconds": 60}))
    )
    for _ in range(draw(st.integers(1, 3))):
        node: Any = data
        for _depth in range(draw(st.integers(0, 3))):
            children = list(node.items()) if isinstance(node, dict) else list(enumerate(node))
            children = [(k, v) for k, v in children if isinstance(v, (dict, list))]
            if not children:
                break
            node = draw(st.sampled_from(children))[1]
        if isinstance(node, dict):
            key = draw(st.sampled_from(sorted(node)) | KEYS) if node else draw(KEYS)
            node[key] = draw(JSONISH)
        elif node:
            node[draw(st.integers(0, len(node) - 1))] = draw(JSONISH)
    return data


@settings(FAST, max_examples=600)
@given(st.one_of(JSONISH, mutated_config()))
def test_validate_config_arbitrary_data(data: Any) -> None:
    _assert_config_outcome(lambda: validate_config(data, "fuzz"))


YAML_BITS = st.sampled_from(
    ["version: 1\n", "region: cn-hangzhou\n", "targets:\n", "  - name: a\n", "    group: g1\n",
     "a: 2024-13-45\n", "b: 1" + "0" * 5000 + "\n", "c: !!binary AAA\n", "d: &x [*x]\n",
     "e: !!python/object:os.system {}\n", "[" * 300, "{" * 300, "- " * 100, "? a\n", "\t",
     "f: 0o99\n", "g: .nan\n", "h: 1e99999\n", "%YAML 9.9\n", "--- >\n", "\x00", "\ufeff"]
)  # fmt: skip
TEXTS = st.one_of(
    st.text(max_size=300),
    st.lists(YAML_BITS, max_size=8).map("".join),
    JSONISH.map(lambda v: json.dumps(v, allow_nan=True)),
)


def test_load_config_arbitrary_text(tmp_path: Path) -> None:
    @settings(FAST, max_examples=500)
    @given(TEXTS, st.sampled_from([".yml", ".json"]))
    def run(text: str, suffix: str) -> None:
        path = tmp_path / f"config{suffix}"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        _assert_config_outcome(lambda: load_config(path))

    run()


@pytest.mark.parametrize(
    ("suffix", "text"),
    [
        (".yml", "version: 1\nregion: 2024-13-45\n"),  # a YAML date that is not a date
        (".yml", "version: 1" + "0" * 5000 + "\n"),  # over Python's int-parsing limit
        (".json", '{"version": 1' + "0" * 5000 + "}"),
        (".json", "[" * 100_000),  # deeper than the recursion limit
        (".yml", "[" * 100_000),
        (".json", "\udcff"),
    ],
)
def test_load_config_pathological_text(tmp_path: Path, suffix: str, text: str) -> None:
    path = tmp_path / f"config{suffix}"
    path.write_text(text, encoding="utf-8", errors="surrogateescape")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert all(problem.rule for problem in raised.value.problems)
