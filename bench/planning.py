"""Figure 4: CPU time of selection + planning + policy, and how it grows with the fleet.

In process, no I/O: the listing and the groups are built up front; only
indexing the listing once (``InstanceIndex``), then ``desired_entries`` -> ``plan_target``
-> ``check``/``enforce`` per target is timed (``time.process_time``), exactly as
``Reconciler`` runs them.
Each group already holds every other desired IP plus 5 stale ones, so plans add,
remove and keep. Target k selects ``svc<k>=on`` in one VPC; beyond 10,000 hosts
the tags spread over more buckets so that no group passes its 1,000-entry limit.
"""

from __future__ import annotations

import time

from _common import REGION, Figure, log, median
from _scenario import config, host_ip, instances

from whitelist_core.config import Config
from whitelist_core.core import policy
from whitelist_core.core.plan import entry_key
from whitelist_core.core.planner import Owner, enforce, plan_target
from whitelist_core.core.policy import check
from whitelist_core.core.selection import InstanceIndex, desired_entries
from whitelist_core.ports import Group, Instance

TARGETS = 20
TARGET_MS = 50.0
SIZES = (1_000, 10_000, 100_000)


def setup(hosts: int) -> tuple[Config, list[Instance], dict[str, Group]]:
    buckets = max(TARGETS, hosts // 500)
    listing = instances(hosts, TARGETS, buckets)
    cfg = config(TARGETS, 3)
    groups = {}
    for k, target in enumerate(cfg.targets):
        members = [host_ip(i) for i in range(k, hosts, buckets * 2)]
        stale = [f"10.250.{k}.{j}" for j in range(1, 6)]
        groups[target.name] = Group(target.group, "", tuple(members + stale))
    return cfg, listing, groups


def plan_all(cfg: Config, listing: list[Instance], groups: dict[str, Group]) -> int:
    """Plan every target; return the number of planned changes (so nothing is optimised away)."""
    changes = 0
    index = InstanceIndex(listing)
    for target in cfg.targets:
        owner = Owner(target.name, REGION, target.instance_id, target.group, target.attribute)
        desired = desired_entries(target, index.candidates(target.selector))
        plan = plan_target(owner, groups[target.name], desired)
        plan = enforce(plan, check(plan, cfg.policy))
        changes += len(plan.add) + len(plan.remove)
    return changes


def cpu_seconds(hosts: int, runs: int, cold: bool = False) -> tuple[float, int]:
    """Median CPU seconds of ``plan_all``; ``cold`` empties the per-entry caches first."""
    cfg, listing, groups = setup(hosts)
    plan_all(cfg, listing, groups)  # warm caches (as a warm invocation would be)
    times = []
    changes = 0
    for _ in range(runs):
        if cold:
            entry_key.cache_clear()
            policy._is_private.cache_clear()
        started = time.process_time()
        changes = plan_all(cfg, listing, groups)
        times.append(time.process_time() - started)
    return median(times), changes


def run() -> list[Figure]:
    figures = []
    per_host = {}
    for hosts in SIZES:
        seconds, changes = cpu_seconds(hosts, runs=7 if hosts <= 10_000 else 3)
        per_host[hosts] = seconds / hosts * 1e6
        log(
            f"planning {hosts} hosts x {TARGETS} targets: {seconds * 1000:.1f} ms ({changes} changes)"
        )
        if hosts == 10_000:
            figures.append(
                Figure(
                    f"planning CPU, {hosts:,} hosts x {TARGETS} targets (warm)",
                    seconds * 1000,
                    "ms",
                    target=f"<= {TARGET_MS:.0f} ms",
                    met=seconds * 1000 <= TARGET_MS,
                )
            )
    cold, _ = cpu_seconds(10_000, runs=7, cold=True)
    log(f"planning 10000 hosts, cold caches: {cold * 1000:.1f} ms")
    figures.append(
        Figure(
            f"planning CPU, 10,000 hosts x {TARGETS} targets (cold caches)",
            cold * 1000,
            "ms",
            target=f"<= {TARGET_MS:.0f} ms",
            met=cold * 1000 <= TARGET_MS,
        )
    )
    smallest, largest = per_host[SIZES[0]], per_host[SIZES[-1]]
    growth = largest / smallest
    for hosts in SIZES:
        figures.append(
            Figure(
                f"planning CPU per host at {hosts:,} hosts",
                per_host[hosts],
                "us/host",
                target="linear (per-host cost flat)" if hosts == SIZES[-1] else "",
                met=growth <= 1.5 if hosts == SIZES[-1] else None,
                note=f"{growth:.2f}x the per-host cost at {SIZES[0]:,}"
                if hosts == SIZES[-1]
                else "",
            )
        )
    return figures


if __name__ == "__main__":
    for figure in run():
        print(figure)
