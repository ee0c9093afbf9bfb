"""Concurrent invocations in separate processes against ``python -m localcloud``.

Five hosts appear together (a Running event each, one of them delivered twice) while a
timer reconcile runs, all in their own interpreter, as Function Compute would run them.
Every ``ModifySecurityIps`` holds the instance's lock for 200 ms, so the writes overlap
and the losers get ``LockTimeout`` and retry. The timer lists ECS *before* the hosts
exist and reads the group only after a 1 s delay, when the events have already added
their addresses: its stale plan would remove them, and only the just-in-time re-check
("does an eligible instance hold this IP now?") keeps them.

The same holds when the events come in batches (the template's batched path): two batches
of queued records, overlapping, each carried out as one run, race the timer alike.

Asserted: every invocation returns normally (LockTimeout is retried inside the budget),
no add is lost (each event's address is whitelisted), the timer removes the stale address
and nothing else, and the whitelist then equals the desired one, without a repair run.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from reliability_kit import (
    ROOT,
    UNSET_ENV,
    admin,
    config,
    empty_groups,
    entries,
    foreign_snapshot,
    function_env,
    host,
    scenario_seed,
    state_change,
    target,
    timer,
    write_config,
)

from localcloud.testing import run_server

pytestmark = pytest.mark.e2e

BASE = {f"i-bp1base00000000{n}": f"10.0.3.{n}" for n in range(1, 7)}
NEW = {f"i-bp1new000000000{n}": f"10.0.3.{10 + n}" for n in range(1, 6)}
STALE = "10.0.3.99"
REGION = "cn-hangzhou"

WORKER = """
import json, sys, time
from pathlib import Path
ready, go, out, event = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
import handler  # every import before the barrier: the calls must overlap, not the imports
import whitelist_core.aliyun.factory, whitelist_core.aliyun.transport.credentials, whitelist_core.entrypoints.httpapp
ready.write_text("ready")
limit = time.monotonic() + 60
while not go.exists():
    if time.monotonic() > limit:
        sys.exit(3)
    time.sleep(0.002)
try:
    payload = {"ok": True, "result": handler.handler(event.encode(), None)}
except Exception as exc:
    payload = {"ok": False, "error": type(exc).__name__, "message": str(exc)}
out.write_text(json.dumps(payload))
"""


class Worker:
    def __init__(self, name: str, event: dict[str, Any], tmp: Path, env: dict[str, str]) -> None:
        self.name = name
        self.ready, self.go, self.out = (tmp / f"{name}.{s}" for s in ("ready", "go", "json"))
        self.log = (tmp / f"{name}.log").open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-c", WORKER, *map(str, (self.ready, self.go, self.out)),
             json.dumps(event)],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def result(self) -> dict[str, Any]:
        code = self.process.wait(timeout=90)
        self.log.close()
        assert code == 0, (self.name, code)
        return dict(json.loads(self.out.read_text()))


def _wait_for(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    limit = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < limit, f"timed out waiting for {what}"
        time.sleep(0.01)


def _queued(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events as an MNS queue trigger pushes them: one record each, body Base64."""
    return [
        {"id": f"mns-{n}", "source": "MNS-whitelist-events", "specversion": "1.0",
         "type": "mns:Queue:SendMessage",
         "data": {"messageId": f"m{n}",
                  "messageBody": base64.b64encode(json.dumps(e).encode()).decode()}}
        for n, e in enumerate(events)
    ]  # fmt: skip


def _deliveries(delivery: str) -> dict[str, Any]:
    """What each event worker is handed: single events, or two overlapping batches."""
    new = list(NEW)
    if delivery == "batched":
        first = [state_change(i, "Running") for i in new[:3]]
        second = [state_change(i, "Running") for i in [*new[2:], new[0]]]
        return {"batch-1": _queued(first), "batch-2": _queued(second)}
    events: dict[str, Any] = {
        f"event-{n}": state_change(i, "Running") for n, i in enumerate(new, 1)
    }
    events["event-1-again"] = state_change(new[0], "Running")
    return events


@pytest.mark.parametrize("delivery", ["single", "batched"])
def test_concurrent_invocations_lose_no_add(tmp_path: Path, delivery: str) -> None:
    hosts = [host(i, ip) for i, ip in BASE.items()]
    seed = scenario_seed(owned=[*BASE.values(), STALE], hosts=hosts)
    desired = {*BASE.values(), *NEW.values()}
    # 6 of 12 entries is exactly the 50 % limit: policy alone would not stop the timer's
    # stale plan from removing the 5 new addresses; only the re-check can.
    data = config([target(static_entries=[])])
    with run_server(seed) as url:
        config_path = write_config(tmp_path, data)
        env = {k: v for k, v in os.environ.items() if k not in UNSET_ENV}
        env |= function_env(url, config_path, WHITELIST_TIMEOUT_SECONDS="40")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        events = _deliveries(delivery)
        timer_worker = Worker("timer", timer(), tmp_path, env)
        event_workers = [Worker(name, ev, tmp_path, env) for name, ev in events.items()]
        everyone = [timer_worker, *event_workers]
        _wait_for(lambda: all(w.ready.exists() for w in everyone), "workers to start")

        admin(url, "faults", {"action": "ModifySecurityIps", "delay_ms": 200})
        admin(url, "faults", {"action": "DescribeSecurityIps", "delay_ms": 1000, "count": 1})
        timer_worker.go.write_text("go")
        _wait_for(lambda: admin(url, "calls", method="GET")["counts"].get("DescribeInstances"),
                  "the timer's listing")  # fmt: skip
        admin(url, "ecs", {"region": REGION, "put": [host(i, ip) for i, ip in NEW.items()]})
        for worker in event_workers:
            worker.go.write_text("go")

        results = {w.name: w.result() for w in everyone}
        state = admin(url, "state", method="GET")
        calls = admin(url, "calls", method="GET")["calls"]

        # Writes overlapped: the fake refused some with LockTimeout, and they were retried.
        assert any(c.get("code") == "LockTimeout" for c in calls), calls
        # Every invocation returned normally: LockTimeout is retried inside the budget.
        failed = {name: r for name, r in results.items() if not r["ok"]}
        assert failed == {}
        # No add lost: every event's address is in the group now.
        for name in events:
            assert results[name]["result"]["status"] in ("applied", "noop"), name
        assert set(NEW.values()) <= entries(state)
        # The timer removed the stale address and nothing else, whatever it had planned.
        removed = {r for t in results["timer"]["result"]["targets"] for r in t["removed"]}
        assert removed == {STALE}
        admin(url, "faults", {"clear": True})
        assert entries(state) == desired
        assert foreign_snapshot(state) == foreign_snapshot(seed)
        assert empty_groups(state) == []
