"""Redis/Tair instances, their whitelist groups, and the ModifySecurityIps rules."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from localcloud.kvstore import entries as rules
from localcloud.kvstore.exceptions import (
    IncorrectDBInstanceState,
    InvalidInstanceIdNotFound,
    InvalidInstanceIpDuplicate,
    InvalidSecurityIPListQuotaExceeded,
    InvalidSecurityIPsNotFound,
    LockTimeout,
    SystemGroupDenied,
)

MODES = ("Cover", "Append", "Delete")


@dataclass
class SecurityIpGroup:
    """A whitelist group; ``system`` groups belong to a service and are read-only."""

    name: str
    attribute: str
    entries: list[str]
    system: bool = False

    def to_wire(self) -> dict[str, str]:
        """The group as DescribeSecurityIps returns it: the entries re-sorted."""
        return self.to_state() | {"SecurityIpList": ",".join(rules.wire_order(self.entries))}

    def to_state(self) -> dict[str, str]:
        """The group as the state dump shows it: the entries in the order stored."""
        return {
            "SecurityIpGroupName": self.name,
            "SecurityIpGroupAttribute": self.attribute,
            "SecurityIpList": ",".join(self.entries),
        }


@dataclass
class RedisInstance:
    """An instance with its groups in creation order; other seed fields pass through.

    ``settles_at`` is when a write's ``Changing`` period ends (None: not settling).
    """

    instance_id: str
    status: str
    groups: dict[str, SecurityIpGroup]
    extra: dict[str, Any] = field(default_factory=dict)
    modify_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    settles_at: float | None = None

    def settle(self, now: float) -> None:
        """End the ``Changing`` period of the last write once its time has come."""
        if self.settles_at is not None and now >= self.settles_at:
            self.status, self.settles_at = "Normal", None

    def to_state(self) -> dict[str, Any]:
        """The instance in the seed shape (groups as a plain list)."""
        groups = [group.to_state() for group in self.groups.values()]
        base = {"InstanceId": self.instance_id, "InstanceStatus": self.status}
        return {**self.extra, **base, "SecurityIpGroups": groups}


@dataclass(frozen=True)
class Modification:
    """A validated ModifySecurityIps request."""

    instance_id: str
    group: str
    attribute: str
    mode: str
    entries: tuple[str, ...]


class KvstoreModel:
    """Instances per region; an instance id is looked up across all regions.

    With ``settle_s`` > 0 an instance is ``Changing`` for that long after each successful
    ModifySecurityIps (measured on ``clock``, a monotonic clock tests may replace).
    """

    def __init__(self, settle_s: float = 0.0, clock: Callable[[], float] = time.monotonic):
        self.regions: dict[str, dict[str, RedisInstance]] = {}
        self.settle_s = settle_s
        self._clock = clock
        self._lock = threading.RLock()

    def find(self, instance_id: str) -> RedisInstance:
        """The instance, in whatever region it lives; else ``InvalidInstanceId.NotFound``."""
        with self._lock:
            for instances in self.regions.values():
                if instance_id in instances:
                    instance = instances[instance_id]
                    instance.settle(self._clock())
                    return instance
        raise InvalidInstanceIdNotFound()

    def busy(self, instance_id: str) -> bool:
        """True while a modification of the instance runs or it is ``Changing``."""
        try:
            instance = self.find(instance_id)
        except InvalidInstanceIdNotFound:
            return False
        return instance.modify_lock.locked() or instance.status == "Changing"

    def listing(self) -> list[tuple[str, dict[str, Any]]]:
        """(region, instance without its groups) for every instance: the list API's items."""
        with self._lock:
            found = []
            for region, instances in self.regions.items():
                for instance in instances.values():
                    instance.settle(self._clock())
                    base = {"InstanceId": instance.instance_id, "InstanceStatus": instance.status}
                    found.append((region, {**instance.extra, **base, "RegionId": region}))
            return found

    def describe(self, instance_id: str) -> list[dict[str, str]]:
        """The instance's groups in the DescribeSecurityIps wire shape."""
        instance = self.find(instance_id)
        with self._lock:
            return [group.to_wire() for group in instance.groups.values()]

    def modify(self, change: Modification, pause: Callable[[], None]) -> None:
        """Apply one ModifySecurityIps; ``pause`` runs while the instance lock is held."""
        instance = self.find(change.instance_id)
        if instance.status != "Normal":
            raise IncorrectDBInstanceState()
        existing = instance.groups.get(change.group)
        if change.group in rules.SYSTEM_GROUP_NAMES or (existing and existing.system):
            raise SystemGroupDenied()
        if not instance.modify_lock.acquire(blocking=False):
            raise LockTimeout()
        try:
            pause()
            with self._lock:
                _apply(instance, change)
                if self.settle_s > 0:
                    instance.status = "Changing"
                    instance.settles_at = self._clock() + self.settle_s
        finally:
            instance.modify_lock.release()

    def put(self, region: str, instances: Iterable[RedisInstance]) -> None:
        """Add or replace instances; an id moves to ``region`` if it lived elsewhere."""
        with self._lock:
            bucket = self.regions.setdefault(region, {})
            for instance in instances:
                self._drop(instance.instance_id)
                bucket[instance.instance_id] = instance

    def delete(self, instance_ids: Iterable[str]) -> None:
        """Remove instances from whatever region holds them."""
        with self._lock:
            for instance_id in instance_ids:
                self._drop(instance_id)

    def set_status(self, instance_id: str, status: str) -> None:
        """Set InstanceStatus (anything but "Normal" refuses ModifySecurityIps)."""
        with self._lock:
            instance = self.find(instance_id)
            instance.status, instance.settles_at = status, None

    def dump(self) -> dict[str, list[dict[str, Any]]]:
        """Every region's instances in the seed shape."""
        with self._lock:
            now = self._clock()
            for instances in self.regions.values():
                for instance in instances.values():
                    instance.settle(now)
            return {
                region: [inst.to_state() for inst in instances.values()]
                for region, instances in self.regions.items()
            }

    def _drop(self, instance_id: str) -> None:
        for instances in self.regions.values():
            instances.pop(instance_id, None)


def _apply(instance: RedisInstance, change: Modification) -> None:
    group = instance.groups.get(change.group)
    if change.mode == "Delete":
        _delete(instance, group, change.entries)
        if group is not None:
            group.attribute = change.attribute
        return
    current = group.entries if group and change.mode == "Append" else []
    if change.mode == "Append" and set(current) & set(change.entries):
        raise InvalidInstanceIpDuplicate()
    updated = [*current, *change.entries]
    if len(updated) > rules.MAX_ENTRIES:
        raise InvalidSecurityIPListQuotaExceeded()
    if group is None:
        group = instance.groups[change.group] = SecurityIpGroup(change.group, "", [])
    group.entries = updated
    # Every write sets the attribute it sends: an empty one un-hides the group.
    group.attribute = change.attribute


def _delete(instance: RedisInstance, group: SecurityIpGroup | None, gone: Iterable[str]) -> None:
    held = group.entries if group else []
    removing = set(gone)
    if group is None or not removing <= set(held) or removing >= set(held):
        raise InvalidSecurityIPsNotFound()
    group.entries = [entry for entry in held if entry not in removing]


def instance_from_seed(item: Mapping[str, Any]) -> RedisInstance:
    """An instance from its seed form (``SecurityIpGroups`` a plain list of groups)."""
    groups = {}
    for raw in item.get("SecurityIpGroups", []):
        group = _group_from_seed(raw)
        groups[group.name] = group
    extra = {k: v for k, v in item.items() if k not in ("InstanceId", "InstanceStatus")}
    extra.pop("SecurityIpGroups", None)
    status = str(item.get("InstanceStatus", "Normal"))
    return RedisInstance(str(item["InstanceId"]), status, groups, extra)


def _group_from_seed(raw: Mapping[str, Any]) -> SecurityIpGroup:
    name = str(raw["SecurityIpGroupName"])
    attribute = str(raw.get("SecurityIpGroupAttribute", ""))
    text = str(raw.get("SecurityIpList", ""))
    entries = [rules.parse_entry(item) for item in text.split(",")] if text else []
    # Entries the service holds verbatim though its API refuses them now (IPv6, leading
    # zeros, netmask form: an older rule, another path); they take room like any other.
    entries += [str(item) for item in raw.get("Legacy", [])]
    # A hidden group present from the start was made by a service (DAS, DMS, DTS,
    # replicas), not through this API: read-only unless the seed says "System": false.
    system = bool(raw.get("System", attribute == "hidden"))
    return SecurityIpGroup(name, attribute, entries, system or name in rules.SYSTEM_GROUP_NAMES)
