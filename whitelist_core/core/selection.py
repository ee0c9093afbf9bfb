"""Selection: which instances a target selects, and the entries it should hold (pure)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Protocol

from whitelist_core.ports import Instance


class SelectorSpec(Protocol):
    """A selector's fields (``config.Selector`` satisfies it); None means "any"."""

    @property
    def vpc_id(self) -> str | None: ...
    @property
    def vswitch_ids(self) -> tuple[str, ...] | None: ...
    @property
    def security_group_ids(self) -> tuple[str, ...] | None: ...
    @property
    def tags(self) -> Mapping[str, str] | None: ...
    @property
    def name(self) -> str | None: ...
    @property
    def resource_group_id(self) -> str | None: ...


class TargetSpec(Protocol):
    """What selection needs of a target (``config.Target`` satisfies it)."""

    @property
    def name(self) -> str: ...
    @property
    def selector(self) -> SelectorSpec: ...
    @property
    def statuses(self) -> Sequence[str]: ...
    @property
    def secondary_ips(self) -> bool: ...
    @property
    def static_entries(self) -> Sequence[str]: ...


# Made by the ten thousand in planning: the standard library's compiled __init__ is
# twice as fast as frozen's (BENCHMARKS.md, figure 4) and worth its 0.5 ms at import.
@dataclass(frozen=True)
class Source:
    """Why an entry is desired: the instance that holds it, or a static entry."""

    instance_id: str = ""
    instance_name: str = ""

    @property
    def reason(self) -> str:
        """A short sentence for plans and logs."""
        if not self.instance_id:
            return "static entry"
        named = f" ({self.instance_name})" if self.instance_name else ""
        return f"held by {self.instance_id}{named}"


STATIC = Source()


def matches(selector: SelectorSpec, instance: Instance) -> bool:
    """True when ``instance`` satisfies every field the selector sets."""
    if selector.vpc_id is not None and instance.vpc_id != selector.vpc_id:
        return False
    if selector.vswitch_ids is not None and instance.vswitch_id not in selector.vswitch_ids:
        return False
    if selector.resource_group_id is not None and (
        instance.resource_group_id != selector.resource_group_id
    ):
        return False
    if selector.security_group_ids is not None and instance.security_group_ids.isdisjoint(
        selector.security_group_ids
    ):
        return False
    if selector.tags is not None and not _tags_match(selector.tags, instance.tags):
        return False
    return selector.name is None or fnmatchcase(instance.name, selector.name)


def _tags_match(wanted: Mapping[str, str], tags: Mapping[str, str]) -> bool:
    return all(
        key in tags and (value == "*" or tags[key] == value) for key, value in wanted.items()
    )


def is_eligible(target: TargetSpec, instance: Instance) -> bool:
    """True when the target counts this instance: a status it accepts and a selector match."""
    return instance.status in target.statuses and matches(target.selector, instance)


def instance_entries(instance: Instance, secondary: bool) -> tuple[str, ...]:
    """The entries an instance contributes: primary IPs, plus secondary ones when asked."""
    return instance.private_ips + instance.secondary_ips if secondary else instance.private_ips


def instance_sources(target: TargetSpec, instances: Iterable[Instance]) -> dict[str, Source]:
    """The entries the target's eligible instances hold, each with its source.

    When several instances hold one entry (an IP being reused), the smallest instance id
    is named, so the result does not depend on listing order.
    """
    sources: dict[str, Source] = {}
    eligible = [i for i in instances if is_eligible(target, i)]
    for instance in sorted(eligible, key=lambda i: i.instance_id, reverse=True):
        source = Source(instance.instance_id, instance.name)
        for entry in instance_entries(instance, target.secondary_ips):
            sources[entry] = source
    return sources


def desired_entries(target: TargetSpec, instances: Iterable[Instance]) -> dict[str, Source]:
    """Every entry the target's group should hold: eligible instances' IPs and static
    entries (a static entry is named as static even when an instance also holds it)."""
    desired = instance_sources(target, instances)
    for entry in target.static_entries:
        desired[entry] = STATIC
    return desired


class InstanceIndex:
    """A region's listing indexed once by VPC and by tag.

    ``candidates`` narrows a listing to the instances a selector can possibly match, so
    each target examines only those instead of the whole region; selection is still
    ``is_eligible`` on every candidate, so the result is the same as on the full listing.
    """

    def __init__(self, instances: Iterable[Instance]) -> None:
        self.instances = tuple(instances)
        by_vpc: dict[str, list[Instance]] = defaultdict(list)
        by_tag: dict[tuple[str, str], list[Instance]] = defaultdict(list)
        by_key: dict[str, list[Instance]] = defaultdict(list)
        for instance in self.instances:
            by_vpc[instance.vpc_id].append(instance)
            for key, value in instance.tags.items():
                by_tag[(key, value)].append(instance)
                by_key[key].append(instance)
        self._by_vpc, self._by_tag, self._by_key = dict(by_vpc), dict(by_tag), dict(by_key)

    def candidates(self, selector: SelectorSpec) -> Sequence[Instance]:
        """A superset of the instances ``selector`` matches, in listing order."""
        buckets: list[Sequence[Instance]] = [self.instances]
        if selector.vpc_id is not None:
            buckets.append(self._by_vpc.get(selector.vpc_id, ()))
        for key, value in (selector.tags or {}).items():
            buckets.append(
                self._by_key.get(key, ()) if value == "*" else self._by_tag.get((key, value), ())
            )
        return min(buckets, key=len)
