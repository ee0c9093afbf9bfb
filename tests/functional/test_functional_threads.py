"""The handler called from many threads at once, as FC calls it when an instance serves
several requests (``InstanceConcurrency`` > 1): every log line carries the request id,
trigger and event id of its own invocation, never another's, and each thread gets its
own answer. Lines are read from the captured stdout; localcloud serves every call."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import structlog
from whitelist_testkit import (
    REGION,
    eventbridge_state_change,
    fc_context,
    http_event,
    timer_event,
)

from localcloud.builders import make_instance
from whitelist_core import logs

HOSTS = [(f"i-bp1thread{n:07d}", f"10.0.1.{150 + n}") for n in range(8)]


@pytest.fixture
def busy(configured: Any, capfd: pytest.CaptureFixture[str]) -> Any:
    configured.put_instances(
        REGION,
        [
            make_instance(i, ip, tags={"app": "orders"}, name=f"orders-web-t{n}")
            for n, (i, ip) in enumerate(HOSTS)
        ],
    )
    logs.configure_logging("INFO")
    capfd.readouterr()
    return configured


def events() -> dict[str, tuple[Any, str, str]]:
    """request id -> (event, trigger, event id as logged) for a mix of triggers (the
    timers' and the webhook's ids are not checked: the timers share one)."""
    mix: dict[str, tuple[Any, str, str]] = {}
    for n, (instance_id, _) in enumerate(HOSTS):
        event_id = f"evt-thread-{n}"
        event = eventbridge_state_change(instance_id, "Running", event_id=event_id)
        mix[f"req-event-{n}"] = (event, "eventbridge", f"acs.ecs/{event_id}")
    for n in range(3):
        mix[f"req-timer-{n}"] = (timer_event(), "timer", "")  # "": not checked
    body = {"instance_ids": [HOSTS[0][0]]}
    mix["req-http-0"] = (http_event("POST", "/instances", body), "http", "")
    return mix


def run_all(invoke: Any, mix: dict[str, tuple[Any, str, str]]) -> dict[str, Any]:
    gate = threading.Barrier(len(mix), timeout=60)

    def one(request_id: str) -> Any:
        gate.wait()
        return invoke(mix[request_id][0], fc_context(request_id, timeout=60))

    with ThreadPoolExecutor(max_workers=len(mix)) as pool:
        return dict(zip(mix, pool.map(one, mix), strict=True))


def lines_of(capfd: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in capfd.readouterr().out.splitlines()]


@pytest.mark.parametrize("window_ms", ["0", "3000"])
def test_every_line_carries_its_own_invocation(
    busy: Any,
    invoke: Any,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    window_ms: str,
) -> None:
    monkeypatch.setenv("WHITELIST_COALESCE_MS", window_ms)
    mix = events()

    results = run_all(invoke, mix)

    lines = lines_of(capfd)
    assert lines
    for line in lines:
        request_id = line.get("request_id")
        assert request_id in mix, line
        _, trigger, event_id = mix[request_id]
        assert line["trigger"] == trigger, line
        assert "event_id" in line, line
        assert line["event_id"] == event_id or not event_id, line
    summaries = [line for line in lines if line["event"] == "invocation_summary"]
    assert sorted(line["request_id"] for line in summaries) == sorted(mix)
    for request_id, (_, trigger, _) in mix.items():
        if trigger == "eventbridge":
            assert results[request_id]["status"] in ("applied", "noop")
            assert results[request_id]["event_id"] == mix[request_id][2]


def test_a_thread_reused_for_the_next_request_starts_clean(
    busy: Any, invoke: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    logs.bind_invocation(request_id="left-over", trigger="cli", tenant="someone-else")
    with ThreadPoolExecutor(max_workers=1) as pool:  # one thread, two requests
        pool.submit(invoke, timer_event(), fc_context("req-a")).result()
        pool.submit(invoke, eventbridge_state_change(HOSTS[1][0], "Running"), None).result()

    lines = lines_of(capfd)
    first = [line for line in lines if line.get("request_id") == "req-a"]
    second = [line for line in lines if "request_id" not in line]
    assert first
    assert second
    assert len(first) + len(second) == len(lines)
    assert all(line["trigger"] == "timer" for line in first)
    assert all(line["trigger"] == "eventbridge" for line in second)
    assert not any("tenant" in line for line in lines)
    # Nor does an invocation leak its fields into the thread that called it.
    assert structlog.contextvars.get_contextvars() == {
        "request_id": "left-over",
        "trigger": "cli",
        "tenant": "someone-else",
    }
