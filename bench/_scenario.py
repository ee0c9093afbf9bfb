"""Synthetic fleets and configurations shared by the benchmarks.

Every host is a Running VPC instance with one primary IP in 10.0.0.0/8 and a tag
``svc<k>=on`` that puts it in target k. Targets are spread over a few Redis instances.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from _common import REGION, VPC

from whitelist_core.config import Config, validate_config
from whitelist_core.ports import Group, Instance, InstanceQuery


def host_ip(index: int) -> str:
    """A distinct private IP per host index (10.1.0.1 onwards)."""
    n = (1 << 16) + 1 + index
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def host_id(index: int) -> str:
    return f"i-bench{index:08d}"


def redis_id(index: int) -> str:
    return f"r-bench{index:05d}"


def services_of(index: int, targets: int, buckets: int) -> tuple[int, ...]:
    """The targets a host belongs to: host i is in target ``i % buckets`` (if it exists)."""
    k = index % buckets
    return (k,) if k < targets else ()


def instances(count: int, targets: int, buckets: int | None = None) -> list[Instance]:
    """``count`` hosts as the core sees them."""
    buckets = buckets or targets
    return [
        Instance(
            instance_id=host_id(i),
            region=REGION,
            name=f"host-{i}",
            vpc_id=VPC,
            vswitch_id="vsw-bench01",
            security_group_ids=frozenset({"sg-bench01"}),
            tags={f"svc{k}": "on" for k in services_of(i, targets, buckets)},
            resource_group_id="rg-bench01",
            private_ips=(host_ip(i),),
        )
        for i in range(count)
    ]


def target_dicts(targets: int, redis: int, *, secondary_ips: bool = False) -> list[dict[str, Any]]:
    """``targets`` targets, target k selecting ``svc<k>=on`` in the bench VPC."""
    return [
        {
            "name": f"svc{k}",
            "instance_id": redis_id(k % redis),
            "group": f"ecs_svc{k}",
            "selector": {"vpc_id": VPC, "tags": {f"svc{k}": "on"}},
            "secondary_ips": secondary_ips,
        }
        for k in range(targets)
    ]


def config_dict(targets: int, redis: int, **kw: Any) -> dict[str, Any]:
    return {"version": 1, "region": REGION, "targets": target_dicts(targets, redis, **kw)}


def config(targets: int, redis: int, **kw: Any) -> Config:
    return validate_config(config_dict(targets, redis, **kw))


@dataclass
class FakeInventory:
    """In-process ``InstanceInventory`` over a list (counts calls like pages would)."""

    hosts: Sequence[Instance]
    calls: int = 0

    def list_instances(self, region: str, query: InstanceQuery | None = None) -> list[Instance]:
        self.calls += 1
        return [h for h in self.hosts if not query or not query.vpc_id or h.vpc_id == query.vpc_id]

    def get_instances(self, region: str, instance_ids: Sequence[str]) -> list[Instance]:
        self.calls += 1
        wanted = set(instance_ids)
        return [h for h in self.hosts if h.instance_id in wanted]

    def find_by_private_ips(
        self, region: str, ips: Sequence[str], *, primary_only: bool = False
    ) -> list[Instance]:
        self.calls += 1
        wanted = set(ips)
        return [h for h in self.hosts if wanted & {*h.private_ips, *h.secondary_ips}]


@dataclass
class FakeStore:
    """In-process ``WhitelistStore`` over a dict of groups."""

    groups: dict[str, dict[str, Group]] = field(default_factory=dict)
    calls: int = 0

    def read_groups(self, region: str, instance_id: str) -> list[Group]:
        self.calls += 1
        return list(self.groups.get(instance_id, {}).values())

    def _edit(self, instance_id: str, group: str, attribute: str, entries: set[str]) -> None:
        self.groups.setdefault(instance_id, {})[group] = Group(group, attribute, tuple(entries))

    def append(
        self, region: str, instance_id: str, group: str, entries: Sequence[str], attribute: str
    ) -> None:
        self.calls += 1
        held = self.groups.get(instance_id, {}).get(group)
        self._edit(instance_id, group, attribute, {*(held.entries if held else ()), *entries})

    def delete(
        self, region: str, instance_id: str, group: str, entries: Sequence[str], attribute: str
    ) -> None:
        self.calls += 1
        held = self.groups.get(instance_id, {}).get(group)
        self._edit(instance_id, group, attribute, set(held.entries if held else ()) - set(entries))

    def cover(
        self, region: str, instance_id: str, group: str, entries: Sequence[str], attribute: str
    ) -> None:
        self.calls += 1
        self._edit(instance_id, group, attribute, set(entries))
