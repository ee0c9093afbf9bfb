"""Figure 7: event storms against ``python -m localcloud`` with 30 ms per API call.

Every cloud call is delayed 30 ms inside localcloud (as a regional endpoint answers), and
writes hold the Redis instance's lock while they wait, so overlapping writes get
``LockTimeout``. Each figure is shown beside its minimum and beside today's per-item
design (each event carried out on its own, as the handler did before batches were one
run); per-item figures of long storms are measured on a slice and scaled (calls grow
linearly there), and say so.

- a batch of 1,000 Running events for hosts of 2 targets (on 2 Redis instances);
- a batch of 100 Deleted events (1,000 hosts in the region);
- (the 200 concurrent single-event invocations: ``storm_fc.py``, figure 7b);
- a timer reconcile of 4 regions x 2,000 hosts, regions one after another vs in parallel.
"""

from __future__ import annotations

import math
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from _cloud import Cloud, localcloud, point_handler_at, timer_event, wire_host
from _common import REGION, VPC, Figure, log
from _scenario import host_id, host_ip, redis_id

from localcloud import events as cloud_events
from localcloud.builders import make_group, make_instance, make_redis_instance, make_seed
from localcloud.events import encode

LATENCY_MS = 30
ACTIONS = ("DescribeInstances", "DescribeSecurityIps", "ModifySecurityIps")
EXISTING = 1_000  # hosts already whitelisted in the region of the event storms
RUNNING = 1_000
DELETED = 100
REGIONS = ("cn-hangzhou", "cn-shanghai", "cn-beijing", "cn-shenzhen")
REGION_HOSTS = 2_000
PER_ITEM_SLICE = {"running": 200, "deleted": 10}


def run() -> list[Figure]:
    import handler

    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="bench-storm-") as tmp, localcloud({}) as cloud:
        config = _config(Path(tmp) / "storm.json", [REGION], policy={"max_removals": 200})
        point_handler_at(cloud.url, config)
        figures += _running(cloud, handler.handler)
        figures += _deleted(cloud, handler.handler)
        regions = _config(Path(tmp) / "regions.json", list(REGIONS), targets_per_region=1)
        point_handler_at(cloud.url, regions)
        figures += _regions(cloud, handler.handler)
    return figures


# -- scenarios ------------------------------------------------------------------------


def _running(cloud: Cloud, handle: Callable[..., Any]) -> list[Figure]:
    new = range(EXISTING, EXISTING + RUNNING)
    batch = [_event(host_id(i), "Running") for i in new]
    calls, seconds, _ = _measure(cloud, _storm_state(extra=new), lambda: handle(_list(batch), None))
    minimum = math.ceil(RUNNING / 100) + 2 + 2
    part = PER_ITEM_SLICE["running"]
    item_calls, item_seconds, _ = _measure(
        cloud, _storm_state(extra=new), lambda: [handle(encode(e), None) for e in batch[:part]]
    )
    scale = RUNNING / part
    log(f"storm running: {calls} calls {seconds:.2f}s; per-item x{scale:.0f}: {item_calls}")
    return [
        Figure(f"batch of {RUNNING:,} Running events, 2 targets: calls", calls, "calls",
               item_calls * scale, target=f"minimum {minimum} (10+2+2)", met=calls <= minimum,
               note=f"comparison: per-item design, measured on {part} events x{scale:.0f}"),
        Figure("  same: wall time", seconds, "s", item_seconds * scale,
               note=f"{LATENCY_MS} ms per call; minimum {minimum * LATENCY_MS / 1000:.2f} s in sequence"),
    ]  # fmt: skip


def _deleted(cloud: Cloud, handle: Callable[..., Any]) -> list[Figure]:
    gone = [host_id(i) for i in range(DELETED)]  # half in each target
    batch = [_event(i, "Deleted") for i in gone]
    state = _storm_state(delete=gone)

    calls, seconds, result = _measure(cloud, state, lambda: handle(_list(batch), None))
    # The items share one reconcile: the batch gives its targets in full once.
    removed = sum(len(t["removed"]) for t in result.get("targets", result["results"][0]["targets"]))
    pages = math.ceil((EXISTING - DELETED) / 100)
    minimum = pages + 1 + 2 + 2  # listing, re-check, one read and one Delete per group
    part = PER_ITEM_SLICE["deleted"]
    item_calls, item_seconds, _ = _measure(
        cloud, state, lambda: [handle(encode(e), None) for e in batch[:part]]
    )
    scale = DELETED / part
    log(f"storm deleted: {calls} calls, {removed} removed; per-item x{scale:.0f}: {item_calls}")
    return [
        Figure(f"batch of {DELETED} Deleted events: calls", calls, "calls", item_calls * scale,
               target=f"minimum {minimum}", met=calls <= minimum,
               note=f"{removed} entries removed; per-item measured on {part} events x{scale:.0f}"),
        Figure("  same: wall time", seconds, "s", item_seconds * scale,
               note=f"one reconcile of the region instead of {DELETED}"),
    ]  # fmt: skip


def _regions(cloud: Cloud, handle: Callable[..., Any]) -> list[Figure]:
    from whitelist_core.service import regions

    state = _regions_state()
    timings: dict[int, float] = {}
    for workers in (1, regions.MAX_PARALLEL_REGIONS):
        cloud.reset(state)
        handle(timer_event(), None)  # converge: the figure is the steady-state reconcile
        regions.MAX_PARALLEL_REGIONS = workers
        try:
            _, timings[workers], _ = _measure(cloud, None, lambda: handle(timer_event(), None))
        finally:
            regions.MAX_PARALLEL_REGIONS = 4
    sequential, parallel = timings[1], timings[4]
    pages = math.ceil(REGION_HOSTS / 100) + 1
    log(f"storm regions: sequential {sequential:.2f}s, parallel {parallel:.2f}s")
    return [
        Figure(f"timer reconcile, {len(REGIONS)} regions x {REGION_HOSTS:,} hosts: parallel",
               parallel, "s", sequential, target=f"about one region ({pages} calls x {LATENCY_MS} ms)",
               note="comparison: the same regions one after another; decoding 2,000 hosts "
               "per region is CPU under one GIL, so the gain stays below 4x"),
    ]  # fmt: skip


# -- helpers --------------------------------------------------------------------------


def _measure(
    cloud: Cloud, state: dict[str, Any] | None, action: Callable[[], Any]
) -> tuple[int, float, Any]:
    """(calls, seconds, result) of ``action`` from ``state`` with the latency injected."""
    if state is not None:
        cloud.reset(state)
    _delays(cloud)
    cloud.reset_calls()
    started = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - started
    return cloud.total(), seconds, result


def _delays(cloud: Cloud) -> None:
    for action in ACTIONS:
        body = {"action": action, "delay_ms": LATENCY_MS}
        cloud.http.post(f"{cloud.url}/_localcloud/faults", json=body, timeout=30).raise_for_status()


def _event(instance_id: str, state: str, region: str = REGION) -> dict[str, Any]:
    return cloud_events.ecs_state_change(instance_id, state, region)


def _list(events: Sequence[dict[str, Any]]) -> bytes:
    return encode(list(events))


def _storm_state(extra: Sequence[int] = (), delete: Sequence[str] = ()) -> dict[str, Any]:
    """EXISTING hosts whitelisted in 2 targets (even: svc0, odd: svc1), plus ``extra``
    hosts not yet whitelisted, minus ``delete`` (released, still whitelisted)."""
    hosts = [wire_host(i, (i % 2,)) for i in [*range(EXISTING), *extra]]
    hosts = [h for h in hosts if h["InstanceId"] not in set(delete)]
    redis = [
        make_redis_instance(
            redis_id(k), [make_group(f"ecs_svc{k}", [host_ip(i) for i in range(k, EXISTING, 2)])]
        )
        for k in (0, 1)
    ]
    return make_seed(hosts, redis, region=REGION)


def _regions_state() -> dict[str, Any]:
    seed: dict[str, Any] = {"ecs": {}, "kvstore": {}}
    for r, region in enumerate(REGIONS):
        seed["ecs"][region] = [
            make_instance(f"i-r{r}host{n:08d}", f"10.{10 + r}.{n // 250}.{n % 250 + 1}",
                          vpc_id=VPC, tags={"svc0": "on"}, region_id=region,
                          zone_id=f"{region}-a")
            for n in range(REGION_HOSTS)
        ]  # fmt: skip
        seed["kvstore"][region] = [make_redis_instance(redis_id(r))]
    return seed


def _config(
    path: Path,
    regions: list[str],
    *,
    targets_per_region: int = 2,
    policy: dict[str, Any] | None = None,
) -> Path:
    import json

    targets = [
        {"name": f"svc{k}-{region}", "instance_id": redis_id(r if len(regions) > 1 else k),
         "region": region, "group": f"ecs_svc{k}",
         "selector": {"vpc_id": VPC, "tags": {f"svc{k}": "on"}}}
        for r, region in enumerate(regions) for k in range(targets_per_region)
    ]  # fmt: skip
    data = {"version": 1, "region": regions[0], "targets": targets} | (
        {"policy": policy} if policy else {}
    )
    path.write_text(json.dumps(data), encoding="utf-8")
    return path
