"""Figure 7: one target over several owned groups (``max_groups``).

Planning CPU: one target with ``max_groups: 10`` (10,000 places), in process, no I/O:
``desired_entries`` -> ``plan_target`` -> ``check``/``enforce`` timed with
``time.process_time`` (median), at 1,000 / 10,000 / 100,000 hosts. The groups already hold
every other host, group after group, plus 5 stale entries in the first, so plans add,
remove and keep; at 100,000 hosts the target is over capacity (90,000 reported, not added),
which is the largest plan there is.

API calls: ``handler.handler`` against ``python -m localcloud`` on 127.0.0.1, a timer
reconcile of 2,500 hosts into an empty target with ``max_groups: 3`` (one read of the
instance, one write per group), then the same reconcile again (no write).
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Any

from _cloud import localcloud, point_handler_at, timer_event, wire_host
from _common import REGION, VPC, Figure, log, median
from _scenario import host_ip, instances

from localcloud.builders import make_redis_instance, make_seed
from whitelist_core.config import Config, validate_config
from whitelist_core.core.planner import Owner, enforce, plan_target
from whitelist_core.core.policy import check
from whitelist_core.core.selection import InstanceIndex, desired_entries
from whitelist_core.ports import Group, Instance

SIZES = (1_000, 10_000, 100_000)
MAX_GROUPS = 10
REDIS = "r-benchspill01"


def target_config(max_groups: int) -> Config:
    target = {
        "name": "pool",
        "instance_id": REDIS,
        "group": "ecs_pool",
        "max_groups": max_groups,
        "selector": {"vpc_id": VPC, "tags": {"svc0": "on"}},
    }
    policy = {"max_removals": 1000, "max_removal_percent": 100}
    return validate_config({"version": 1, "region": REGION, "targets": [target], "policy": policy})


def setup(hosts: int) -> tuple[Config, list[Instance], list[Group]]:
    cfg = target_config(MAX_GROUPS)
    listing = instances(hosts, 1)
    held = [host_ip(i) for i in range(0, hosts, 2)][: MAX_GROUPS * 1000 - 5]
    held = [f"10.250.0.{j}" for j in range(1, 6)] + held
    names = cfg.targets[0].groups
    groups = [
        Group(name, "", tuple(held[k * 1000 : (k + 1) * 1000])) for k, name in enumerate(names)
    ]
    return cfg, listing, [g for g in groups if g.entries]


def plan_once(cfg: Config, listing: list[Instance], groups: list[Group]) -> int:
    target = cfg.targets[0]
    owner = Owner(
        target.name, REGION, target.instance_id, target.group, target.attribute, target.max_groups
    )
    desired = desired_entries(target, InstanceIndex(listing).candidates(target.selector))
    plan = plan_target(owner, groups, desired)
    plan = enforce(plan, check(plan, cfg.policy))
    assert all(len(e) <= 1000 for e in plan.group_after().values())
    return len(plan.add) + len(plan.remove) + len(plan.unplaced)


def cpu_seconds(hosts: int, runs: int) -> tuple[float, int]:
    cfg, listing, groups = setup(hosts)
    changes = plan_once(cfg, listing, groups)  # warm the per-entry caches
    times = []
    for _ in range(runs):
        started = time.process_time()
        changes = plan_once(cfg, listing, groups)
        times.append(time.process_time() - started)
    return median(times), changes


def planning_figures() -> list[Figure]:
    figures, per_host = [], {}
    for hosts in SIZES:
        seconds, changes = cpu_seconds(hosts, runs=7 if hosts <= 10_000 else 3)
        per_host[hosts] = seconds / hosts * 1e6
        log(
            f"spill-over planning {hosts} hosts, max_groups 10: {seconds * 1000:.1f} ms ({changes})"
        )
        if hosts == 10_000:
            figures.append(
                Figure(
                    "planning CPU, 10,000 hosts in one target, max_groups 10 (warm)",
                    seconds * 1000,
                    "ms",
                    note="the issue's target is the growth below (linear)",
                )
            )
    growth = per_host[SIZES[-1]] / per_host[SIZES[0]]
    for hosts in SIZES:
        last = hosts == SIZES[-1]
        figures.append(
            Figure(
                f"  per host at {hosts:,} hosts (max_groups 10)",
                per_host[hosts],
                "us/host",
                target="linear (per-host cost flat)" if last else "",
                met=growth <= 1.5 if last else None,
                note=f"{growth:.2f}x the per-host cost at {SIZES[0]:,}" if last else "",
            )
        )
    return figures


def api_figures() -> list[Figure]:
    import handler

    hosts = [wire_host(i, (0,)) for i in range(2_500)]
    state = make_seed(hosts, [make_redis_instance(REDIS)], region=REGION)
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp, localcloud(state) as cloud:
        path = Path(tmp) / "spill.json"
        data = {"version": 1, "region": REGION, "targets": [_target_dict(3)]}
        path.write_text(json.dumps(data), encoding="utf-8")
        point_handler_at(cloud.url, path)
        cloud.reset_calls()
        first = _run(handler)
        calls_first = cloud.calls()
        cloud.reset_calls()
        _run(handler)
        calls_again = cloud.calls()
        sizes = {g["group"]: g["after"] for g in first["targets"][0]["groups"]}
    log(f"spill-over api calls: first {calls_first} {sizes}, again {calls_again}")
    return [
        _calls("first fill, 2,500 hosts over 3 groups", calls_first, expected=(1, 3)),
        _calls("  same reconcile again (no write)", calls_again, expected=(1, 0)),
    ]


def _target_dict(max_groups: int) -> dict[str, Any]:
    return {
        "name": "pool",
        "instance_id": REDIS,
        "group": "ecs_pool",
        "max_groups": max_groups,
        "selector": {"vpc_id": VPC, "tags": {"svc0": "on"}},
    }


def _run(handler: Any) -> dict[str, Any]:
    result = handler.handler(timer_event(), None)
    assert result["status"] in {"applied", "noop"}, result
    return dict(result)


def _calls(name: str, counts: dict[str, int], *, expected: tuple[int, int]) -> Figure:
    reads, writes = counts.get("DescribeSecurityIps", 0), counts.get("ModifySecurityIps", 0)
    return Figure(
        name,
        sum(counts.values()),
        "calls",
        target=f"{expected[0]} read + {expected[1]} write(s) of the whitelist",
        met=(reads, writes) == expected,
        note=", ".join(f"{k} {v}" for k, v in sorted(counts.items())),
    )


def run() -> list[Figure]:
    return planning_figures() + api_figures()


if __name__ == "__main__":
    for figure in run():
        print(figure)
