"""Fuzz ``events.parse_event``: it returns intents (or a batch) or raises ``BadEvent``,
never anything else.

    python fuzz/fuzz_events.py -atheris_runs=200000          # atheris (pip install atheris)
    python fuzz/fuzz_events.py -max_total_time=600 corpus/   # libFuzzer options work too

The first byte picks the mode: raw bytes as FC would pass them, or one of the sample
events of tests/events with a value deep inside replaced by fuzzer-chosen JSON, so the
fuzzer reaches the per-trigger parsers instead of stopping at "not JSON".
"""

from __future__ import annotations

import json
import sys
from typing import Any

from _fuzzlib import ROOT, run

SAMPLES: list[Any] = []
for path in sorted((ROOT / "tests" / "events").glob("*.json")):
    try:
        sample = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        continue
    if isinstance(sample, (dict, list)):
        SAMPLES.append(sample)


def value_from(data: bytes) -> Any:
    """Some JSON value from bytes: JSON if they parse, else the text itself."""
    text = data.decode("utf-8", "replace")
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return text


def mutate(sample: Any, steer: bytes, value: Any) -> Any:
    event = json.loads(json.dumps(sample))
    node = event
    for byte in steer:
        children = list(node.items()) if isinstance(node, dict) else list(enumerate(node))
        if not children:
            break
        key, child = children[byte % len(children)]
        if not isinstance(child, (dict, list)) or byte & 0x80:
            node[key] = value
            return event
        node = child
    if isinstance(node, dict):
        node["fuzz"] = value
    return event


def test_one_input(data: bytes) -> None:
    from whitelist_core.entrypoints.events import Batch, Rejected, parse_event
    from whitelist_core.errors import BadEvent
    from whitelist_core.intents import HttpRequest, Ignore, ReconcileTargets, SyncInstances

    intents = (SyncInstances, ReconcileTargets, Ignore, HttpRequest)
    if data[:1] in (b"\x00", b"\x01") and len(data) > 4 and SAMPLES:
        sample = SAMPLES[data[1] % len(SAMPLES)]
        event = mutate(sample, data[2:6], value_from(data[6:]))
        raw: Any = event if data[0] == 0 else json.dumps(event).encode()
    else:
        raw = data
    try:
        parsed = parse_event(raw)
    except BadEvent as exc:
        if not str(exc):
            raise AssertionError("a BadEvent without a message") from exc
        return
    items = parsed.items if isinstance(parsed, Batch) else (parsed,)
    for item in items:
        assert isinstance(item, (*intents, Rejected)), repr(item)


if __name__ == "__main__":
    run(test_one_input, ["whitelist_core.entrypoints.events", "whitelist_core.entrypoints.wire"])
    sys.exit(0)
