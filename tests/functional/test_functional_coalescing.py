"""Coalescing in a warm instance (``WHITELIST_COALESCE_MS``): concurrent single events
share one run through the batch merge, each invocation answers its own item as if alone,
a retryable failure of the shared run fails every participant (and their redelivery
converges), and ``0`` runs each event alone as before.

Counts are read from localcloud's call log. The invocations run on threads, as FC runs
concurrent requests of one instance; the window is long (3 s) so that threads released
together all arrive within it on a loaded machine: the assertions are on calls, never
on time. An event gathers others only while the instance serves another invocation
(alone it runs at once): ``concurrently`` keeps the instance serving one more, as in a
storm, so that which thread arrives first cannot decide the counts.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from whitelist_testkit import (
    BILL1,
    R_ORDERS,
    R_SESSIONS,
    REGION,
    entries_of,
    eventbridge_state_change,
    fc_context,
    http_event,
    timer_event,
)

from localcloud import events as cloud_events
from localcloud.builders import make_instance
from whitelist_core.entrypoints.coalesced import COALESCER
from whitelist_core.errors import IncompleteRun, TransientCloudError

HOSTS = [(f"i-bp1storm{n:08d}", f"10.0.1.{100 + n}") for n in range(6)]
"""New hosts, each selected by two targets: orders-cache (tag) and sessions-cache (name)."""


def storm_instances() -> list[dict[str, Any]]:
    return [
        make_instance(i, ip, tags={"app": "orders"}, name=f"orders-web-storm{n}")
        for n, (i, ip) in enumerate(HOSTS)
    ]


@pytest.fixture
def storm(configured: Any) -> Any:
    configured.put_instances(REGION, storm_instances())
    configured.reset_calls()
    return configured


def concurrently(invoke: Any, events: Sequence[Any], prefix: str = "req") -> list[Any]:
    """Each event in its own thread, released together; each result or exception."""
    gate = threading.Barrier(len(events), timeout=60)

    def one(n: int) -> Any:
        gate.wait()
        try:
            return invoke(events[n], fc_context(f"{prefix}-{n}", timeout=60))
        except Exception as exc:
            return exc

    with COALESCER.serving(), ThreadPoolExecutor(max_workers=len(events)) as pool:
        return list(pool.map(one, range(len(events))))


def running_events() -> list[dict[str, Any]]:
    return [eventbridge_state_change(i, "Running", event_id=f"evt-{i}") for i, _ in HOSTS]


def alone(invoke: Any, cloud: Any, events: Sequence[Any]) -> list[Any]:
    """What each event answers run alone from the same state (the storm's first)."""
    answers = []
    for n, event in enumerate(events):
        cloud.reset()
        cloud.put_instances(REGION, storm_instances())
        answers.append(invoke(event, fc_context(f"alone-{n}")))
    return answers


SIZES = ("entries_before", "entries_after")


def own_parts(results: Sequence[Any]) -> list[Any]:
    """The results without the groups' sizes before and after the run: those count every
    entry of the group, the other invocations' too (adds and keeps are the item's own)."""
    return [
        {
            **r,
            "targets": [{k: v for k, v in t.items() if k not in SIZES} for t in r["targets"]],
        }
        for r in results
    ]


def test_concurrent_running_events_share_one_write_per_group(
    storm: Any, invoke: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WHITELIST_COALESCE_MS", "3000")
    events = running_events()

    results = concurrently(invoke, events)

    calls = storm.calls()["counts"]
    assert calls == {"DescribeInstances": 1, "DescribeSecurityIps": 2, "ModifySecurityIps": 2}
    state = storm.state()
    ips = {ip for _, ip in HOSTS}
    assert ips <= (entries_of(state, R_ORDERS, "ecs_orders") or set())
    assert ips <= (entries_of(state, R_SESSIONS, "ecs_web") or set())
    # Each invocation answers its own item exactly as if it had run alone.
    monkeypatch.setenv("WHITELIST_COALESCE_MS", "0")
    assert own_parts(results) == own_parts(alone(invoke, storm, events))


def test_a_lone_event_runs_at_once_however_long_the_window(
    storm: Any, invoke: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A window of ten minutes under a ten-minute deadline: were a lone event to gather,
    # this test would outlast the suite's hang guard instead of answering.
    monkeypatch.setenv("WHITELIST_COALESCE_MS", "600000")
    host, ip = HOSTS[0]

    result = invoke(eventbridge_state_change(host, "Running"), fc_context("lone", timeout=600))

    assert result["status"] == "applied"
    assert storm.calls()["counts"]["ModifySecurityIps"] == 2
    assert ip in (entries_of(storm.state(), R_ORDERS, "ecs_orders") or set())


def test_webhook_instances_calls_join_events_in_one_run(
    storm: Any, invoke: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WHITELIST_COALESCE_MS", "3000")
    (first, _), (second, _), *rest = HOSTS
    events = [
        http_event("POST", "/instances", {"instance_ids": [first]}),
        http_event("POST", "/instances", {"instance_ids": [second]}),
        *[eventbridge_state_change(i, "Running") for i, _ in rest],
    ]

    results = concurrently(invoke, events)

    assert [r["statusCode"] for r in results[:2]] == [200, 200]
    assert all(r["status"] == "applied" for r in results[2:])
    assert storm.calls()["counts"]["ModifySecurityIps"] == 2
    state = storm.state()  # the webhook calls' hosts were written too, not only the events'
    ips = {ip for _, ip in HOSTS}
    assert ips <= (entries_of(state, R_ORDERS, "ecs_orders") or set())
    assert ips <= (entries_of(state, R_SESSIONS, "ecs_web") or set())


def test_a_retryable_failure_of_the_shared_run_fails_every_participant(
    storm: Any, invoke: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WHITELIST_COALESCE_MS", "3000")
    # BILL1 is whitelisted already: its own item writes nothing, yet it shares the run.
    events = [*running_events(), eventbridge_state_change(BILL1, "Running")]
    storm.add_fault(action="ModifySecurityIps", status=503, code="ServiceUnavailable")
    monkeypatch.setenv("WHITELIST_TIMEOUT_SECONDS", "6")

    failed = concurrently(invoke, events)

    assert all(isinstance(outcome, TransientCloudError) for outcome in failed), failed
    billing = failed[-1]
    assert isinstance(billing, IncompleteRun)
    assert billing.summary["status"] == "noop"  # its own part went through
    assert {f["code"] for f in billing.failures} == {"ServiceUnavailable"}

    # The platform redelivers each event: it converges, each write made once.
    storm.clear_faults()
    storm.reset_calls()
    again = concurrently(invoke, events, prefix="retry")
    assert [r["status"] for r in again] == ["applied"] * len(HOSTS) + ["noop"]
    assert storm.calls()["counts"]["ModifySecurityIps"] == 2
    state = storm.state()
    assert {ip for _, ip in HOSTS} <= (entries_of(state, R_ORDERS, "ecs_orders") or set())


def test_coalescing_off_runs_each_event_alone_as_before(
    storm: Any, invoke: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WHITELIST_COALESCE_MS", "0")
    events = running_events()

    results = concurrently(invoke, events)

    calls = storm.calls()["counts"]
    # Each its own run: one lookup, two reads and two writes per event.
    assert calls == {
        "DescribeInstances": len(HOSTS),
        "DescribeSecurityIps": 2 * len(HOSTS),
        "ModifySecurityIps": 2 * len(HOSTS),
    }
    assert own_parts(results) == own_parts(alone(invoke, storm, events))


def test_timer_and_lifecycle_invocations_keep_their_own_run(
    storm: Any, invoke: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WHITELIST_COALESCE_MS", "3000")
    hooks = [
        cloud_events.ess_lifecycle_hook([i], hook_id=f"ash-storm-{n}", token=f"tok-storm-{n}")
        for n, (i, _) in enumerate(HOSTS[:2])
    ]

    results = concurrently(invoke, [timer_event(), timer_event(), *hooks])

    assert {r["status"] for r in results} <= {"applied", "noop"}
    # Two reconciles, each with its own listing of the region (one page), and two hooks,
    # each with its own lookup of its instance: four runs, none shared.
    assert storm.calls()["counts"]["DescribeInstances"] == 4
    assert [r["lifecycle"]["result"] for r in results[2:]] == ["CONTINUE", "CONTINUE"]
    answered = storm.state()["ess"]["lifecycle_actions"]
    assert sorted(a["LifecycleActionToken"] for a in answered) == ["tok-storm-0", "tok-storm-1"]
