"""Figure 7, the 200-event storm as Function Compute serves it: K instances, each serving
M requests at once (M = the template's ``InstanceConcurrency``, K = 200 / M).

Each instance is a process of its own (``_fc_instance.py``: a cold import, then one thread
per request), so instances share nothing but localcloud, as on FC; every cloud call waits
30 ms in localcloud (writes wait holding the Redis instance's lock, so overlapping writes
get ``LockTimeout``). Beside it, on the same state:

- today's design, M = 1: every event its own run (one process, 200 threads, coalescing
  off: the calls and locks of 200 single-request instances without starting 200
  interpreters on this 2-core machine);
- the batched path: the 200 events as one list, one invocation (the queue's own delay,
  seconds on MNS, is not in its time).

Reported: calls, ``LockTimeout`` answers, failed invocations (the platform retries them),
and p50/p99 seconds from the storm's start to each event's invocation returning with its
host whitelisted. Also the gathering window (``WHITELIST_COALESCE_MS``) measured at a few
values, which is how its default was chosen.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from _cloud import Cloud, localcloud, point_handler_at
from _common import PY, REGION, ROOT, Figure, child_env, log
from _scenario import host_id
from storm import _config, _delays, _event, _list, _storm_state

EVENTS = 200
EXISTING = 1_000
WINDOWS_MS = (0, 20, 50, 100, 200)
TIMEOUT = 60


def template_concurrency() -> int:
    """The default ``InstanceConcurrency`` of template.yml (the parameter, else the value)."""
    template = yaml.safe_load((ROOT / "template.yml").read_text(encoding="utf-8"))
    parameter = template.get("Parameters", {}).get("InstanceConcurrency")
    if parameter:
        return int(parameter["Default"])
    for resource in template["Resources"].values():
        value = resource.get("Properties", {}).get("InstanceConcurrency")
        if isinstance(value, int):
            return value
    return 1


def fc_storm(cloud: Cloud, per_instance: int, window_ms: int) -> dict[str, Any]:
    """The storm as ``ceil(EVENTS / per_instance)`` instances; what localcloud and the
    invocations saw."""
    hosts = range(EXISTING, EXISTING + EVENTS)
    events = [(f"req-{n}", _event(host_id(n), "Running")) for n in hosts]
    cloud.reset(_storm_state(extra=hosts))
    _delays(cloud)
    env = child_env(WHITELIST_COALESCE_MS=str(window_ms))
    chunks = [events[i : i + per_instance] for i in range(0, EVENTS, per_instance)]
    instances = [_start(chunk, env) for chunk in chunks]
    for process in instances:  # every instance has imported the handler
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
    cloud.reset_calls()
    start_at = time.time() + 0.3
    for process in instances:
        assert process.stdin is not None
        process.stdin.write(f"{start_at}\n")
        process.stdin.flush()
    results = [row for process in instances for row in _finish(process)]
    return _outcome(cloud, results, start_at)


def _start(chunk: Sequence[tuple[str, Any]], env: dict[str, str]) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [PY, str(ROOT / "bench" / "_fc_instance.py")], cwd=ROOT, env=env, text=True,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
    )  # fmt: skip
    assert process.stdin is not None
    process.stdin.write(json.dumps({"events": list(chunk), "timeout": TIMEOUT}) + "\n")
    process.stdin.flush()
    return process


def _finish(process: subprocess.Popen[str]) -> list[tuple[str, bool, float]]:
    out, _ = process.communicate(timeout=600)
    if process.returncode != 0:
        raise RuntimeError(f"instance exited {process.returncode}")
    return [tuple(row) for row in json.loads(out.splitlines()[-1])["results"]]  # type: ignore[misc]


def batched(cloud: Cloud) -> dict[str, Any]:
    import handler

    hosts = range(EXISTING, EXISTING + EVENTS)
    cloud.reset(_storm_state(extra=hosts))
    _delays(cloud)
    cloud.reset_calls()
    started = time.time()
    handler.handler(_list([_event(host_id(n), "Running") for n in hosts]), None)
    finished = time.time()
    rows = [(f"req-{n}", True, finished) for n in hosts]
    return _outcome(cloud, rows, started)


def _outcome(
    cloud: Cloud, rows: Sequence[tuple[str, bool, float]], start_at: float
) -> dict[str, Any]:
    log_ = cloud.http.get(f"{cloud.url}/_localcloud/calls", timeout=30).json()
    waits = sorted(done - start_at for _, ok, done in rows if ok)
    return {
        "calls": sum(log_["counts"].values()),
        "lock_timeouts": sum(1 for c in log_["calls"] if c.get("code") == "LockTimeout"),
        "failed": sum(1 for _, ok, _ in rows if not ok),
        "p50": _quantile(waits, 0.50),
        "p99": _quantile(waits, 0.99),
    }


def _quantile(values: Sequence[float], q: float) -> float:
    if not values:
        return math.nan
    return values[min(len(values) - 1, math.ceil(q * len(values)) - 1)]


def per_run_minimum(per_instance: int) -> int:
    """One run of an instance's events: a lookup per 100 ids, a read per Redis instance
    and a write per group (its hosts are in both targets)."""
    return math.ceil(per_instance / 100) + 2 + 2


def run() -> list[Figure]:
    from whitelist_core.entrypoints.coalesced import DEFAULT_COALESCE_MS

    m = template_concurrency()
    k = math.ceil(EVENTS / m)
    with tempfile.TemporaryDirectory(prefix="bench-fc-") as tmp, localcloud({}) as cloud:
        point_handler_at(cloud.url, _config(Path(tmp) / "storm.json", [REGION]))
        windows = {w: fc_storm(cloud, m, w) for w in sorted({*WINDOWS_MS, DEFAULT_COALESCE_MS})}
        ours = windows[DEFAULT_COALESCE_MS]
        today = fc_storm(cloud, EVENTS, 0)  # one process, coalescing off: M = 1's runs
        batch = batched(cloud)
    for w, seen in windows.items():
        log(f"fc storm M={m} K={k} window {w} ms: {seen}")
    log(f"fc storm today (M=1): {today}; batched: {batch}")
    return _figures(m, k, ours, today, batch, windows, DEFAULT_COALESCE_MS)


def _figures(
    m: int, k: int, ours: dict[str, Any], today: dict[str, Any], batch: dict[str, Any],
    windows: dict[int, dict[str, Any]], default_ms: int,
) -> list[Figure]:  # fmt: skip
    bound = 3 * k * per_run_minimum(m)
    name = f"{EVENTS} events on FC, {k} instances x {m} concurrent (window {default_ms} ms)"
    rows = [
        Figure(f"{name}: calls", ours["calls"], "calls", today["calls"],
               target=f"<= {bound} (3 x {k} x {per_run_minimum(m)})", met=ours["calls"] <= bound,
               note=f"comparison: M = 1 (every event its own run); batched path: {batch['calls']}"),
        Figure("  same: LockTimeout answers", ours["lock_timeouts"], "answers",
               today["lock_timeouts"], target=f"< {EVENTS} (invocations)",
               met=ours["lock_timeouts"] < EVENTS,
               note=f"batched path: {batch['lock_timeouts']}"),
        Figure("  same: failed invocations (platform retries)", ours["failed"], "invocations",
               today["failed"], target="0", met=ours["failed"] == 0,
               note=f"batched path: {batch['failed']}"),
        Figure("  same: event to whitelisted, p50", ours["p50"], "s", today["p50"],
               note=f"batched path: {batch['p50']:.2f} s (plus the queue's delay)"),
        Figure("  same: event to whitelisted, p99", ours["p99"], "s", today["p99"],
               note=f"batched path: {batch['p99']:.2f} s (plus the queue's delay)"),
    ]  # fmt: skip
    for w, seen in windows.items():
        rows.append(
            Figure(f"  window {w} ms: calls / LockTimeout / failed / p99", seen["calls"], "calls",
                   note=f"{seen['lock_timeouts']} LockTimeout, {seen['failed']} failed, "
                   f"p50 {seen['p50']:.2f} s, p99 {seen['p99']:.2f} s")
        )  # fmt: skip
    return rows


if __name__ == "__main__":
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    for figure in run():
        print(figure)
