"""Figure 3: cloud API calls per flow, counted by localcloud, ours vs a naive design.

Scenario: 1,000 hosts in one VPC (10 pages of 100), 5 targets on 3 Redis instances
(target k selects ``svc<k>=on``, 200 hosts each; targets 0 and 3 share r-bench00000,
1 and 4 share r-bench00001). Flows, each through ``handler.handler`` over loopback:

- first reconcile (the owned groups do not exist yet);
- the same reconcile again (nothing to write);
- one Running event for a new host in 2 targets (on 2 Redis instances);
- a reconcile after 5 hosts of 2 targets were released (removals: the re-check runs);
- the same churn when the targets count secondary IPs (the re-check must relist).

The naive design is implemented with our own adapters: per target, list the VPC
(all pages), read the groups and, when the group differs, ``Cover`` it; for an event,
per target, describe the instance and, when it matches, read + ``Cover``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _cloud import (
    ACCESS_KEY_ID,
    ACCESS_KEY_SECRET,
    Cloud,
    localcloud,
    point_handler_at,
    running_event,
    seed,
    timer_event,
    wire_host,
    write_config,
)
from _common import REGION, VPC, Figure, log
from _scenario import config, host_id, host_ip

HOSTS, TARGETS, REDIS = 1_000, 5, 3
RELEASED = [host_id(i) for i in (0, 5, 10, 2, 7)]  # 3 of svc0, 2 of svc2
NEW_HOST = 5_000
TARGETS_MAX = {"first": 25, "again": 15, "event": 5, "churn": 25}


def run() -> list[Figure]:
    import handler  # the handler under test, warm after the first call

    state = seed(HOSTS, TARGETS, REDIS)
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp, localcloud(state) as cloud:
        primary = write_config(Path(tmp), "primary", TARGETS, REDIS)
        secondary = write_config(Path(tmp), "secondary", TARGETS, REDIS, secondary_ips=True)

        def invoke(event: bytes) -> dict[str, Any]:
            result = handler.handler(event, None)
            assert result["status"] in {"applied", "noop"}, result
            return dict(result)

        point_handler_at(cloud.url, primary)
        ours = flows(cloud, lambda: invoke(timer_event()), lambda i: invoke(running_event(i)))
        cloud.reset()
        point_handler_at(cloud.url, secondary)
        invoke(timer_event())
        cloud.ecs(delete=RELEASED)
        ours["churn_secondary"] = counted(cloud, lambda: invoke(timer_event()))
        safe = [
            recheck_keeps(cloud, invoke, path, s)
            for path, s in ((primary, False), (secondary, True))
        ]
        cloud.reset()
        naive_flows = Naive(cloud.url)
        theirs = flows(cloud, naive_flows.reconcile, naive_flows.event)
        log(f"api calls: ours {ours}, naive {theirs}")
    return [
        figure("first reconcile, 1,000 hosts -> 5 targets on 3 Redis", ours, theirs, "first"),
        figure("same reconcile again (no write)", ours, theirs, "again"),
        figure("Running event, host in 2 targets", ours, theirs, "event"),
        figure("reconcile removing 5 released hosts (re-check)", ours, theirs, "churn"),
        Figure(
            "  same, targets with secondary_ips (re-check relists)",
            ours["churn_secondary"],
            "calls",
            theirs["churn"],
            note="the server-side IP filter cannot see secondary IPs: full relisting",
        ),
        Figure(
            "re-check keeps an IP taken over mid-run (primary; secondary)",
            sum(safe),
            "of 2 kept",
            target="2 of 2",
            met=all(safe),
            note="a new host takes a released IP between the listing and the removal",
        ),
    ]


def recheck_keeps(
    cloud: Cloud, invoke: Callable[[bytes], Any], path: Path, secondary: bool
) -> bool:
    """Safety (DESIGN principle 5): a host released before the listing whose IP a new host
    takes (as primary, or as secondary for a secondary_ips target) before the re-check
    keeps its entry."""
    from whitelist_core.aliyun.ecs.inventory import EcsInventory

    cloud.reset()
    point_handler_at(cloud.url, path)
    invoke(timer_event())
    cloud.ecs(delete=[host_id(0)])
    taken = host_ip(0)
    newcomer = wire_host(NEW_HOST + 1, (0,), ip="10.200.0.1", secondary_ips=[taken])
    if not secondary:
        newcomer = wire_host(NEW_HOST + 1, (0,), ip=taken)
    original = EcsInventory.find_by_private_ips

    def take_over_first(self: EcsInventory, *args: Any, **kw: Any) -> Any:
        cloud.ecs(put=[newcomer])
        return original(self, *args, **kw)

    EcsInventory.find_by_private_ips = take_over_first  # type: ignore[method-assign]
    try:
        result = invoke(timer_event())
    finally:
        EcsInventory.find_by_private_ips = original  # type: ignore[method-assign]
    svc0 = next(t for t in result["targets"] if t["target"] == "svc0")
    return taken not in svc0["removed"] and any(
        host_id(NEW_HOST + 1) in w for w in svc0["warnings"]
    )


def figure(name: str, ours: dict[str, int], theirs: dict[str, int], key: str) -> Figure:
    return Figure(
        name,
        ours[key],
        "calls",
        theirs[key],
        target=f"<= {TARGETS_MAX[key]}",
        met=ours[key] <= TARGETS_MAX[key],
    )


def flows(
    cloud: Cloud, reconcile: Callable[[], object], event: Callable[[str], object]
) -> dict[str, int]:
    counts = {"first": counted(cloud, reconcile), "again": counted(cloud, reconcile)}
    cloud.ecs(put=[wire_host(NEW_HOST, (0, 1))])
    counts["event"] = counted(cloud, lambda: event(host_id(NEW_HOST)))
    cloud.ecs(delete=RELEASED)
    counts["churn"] = counted(cloud, reconcile)
    counts["churn_writes"] = cloud.calls().get("ModifySecurityIps", 0)
    return counts


def counted(cloud: Cloud, flow: Callable[[], object]) -> int:
    cloud.reset_calls()
    flow()
    return cloud.total()


class Naive:
    """The per-target design, built from our adapters (no shared listing, Cover per change)."""

    def __init__(self, url: str) -> None:
        import time

        from whitelist_core.aliyun.ecs.inventory import EcsInventory
        from whitelist_core.aliyun.stores.kvstore import KvstoreWhitelistStore
        from whitelist_core.aliyun.transport.credentials import Credentials
        from whitelist_core.aliyun.transport.endpoints import Endpoints
        from whitelist_core.aliyun.transport.rpc import RpcClient

        endpoints = Endpoints({"ecs": url, "kvstore": url})
        rpc = RpcClient(
            Credentials(ACCESS_KEY_ID, ACCESS_KEY_SECRET), deadline=time.monotonic() + 3600
        )
        self.ecs, self.store = EcsInventory(rpc, endpoints), KvstoreWhitelistStore(rpc, endpoints)
        self.config = config(TARGETS, REDIS)

    def reconcile(self) -> None:
        from whitelist_core.core.selection import desired_entries
        from whitelist_core.ports import InstanceQuery

        for target in self.config.targets:
            listing = self.ecs.list_instances(REGION, InstanceQuery(vpc_id=VPC))
            self._converge(target, set(desired_entries(target, listing)) or {"127.0.0.1"})

    def event(self, instance_id: str) -> None:
        from whitelist_core.core.selection import instance_sources

        for target in self.config.targets:
            found = self.ecs.get_instances(REGION, [instance_id])
            wanted = set(instance_sources(target, found))
            if wanted:
                held = self._held(target)
                self._converge(target, (held - {"127.0.0.1"}) | wanted, held)

    def _held(self, target: Any) -> set[str]:
        groups = self.store.read_groups(REGION, target.instance_id)
        return {e for g in groups if g.name == target.group for e in g.entries}

    def _converge(self, target: Any, wanted: set[str], held: set[str] | None = None) -> None:
        held = self._held(target) if held is None else held
        if wanted != held:
            self.store.cover(REGION, target.instance_id, target.group, sorted(wanted), "")


if __name__ == "__main__":
    for row in run():
        print(row)
