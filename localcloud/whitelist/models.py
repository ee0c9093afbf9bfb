"""Database instances, their whitelist groups, and the write rules every product shares.

What differs per product (field names, limits, codes) comes from ``rules.Rules``:
the same model serves RDS, PolarDB and MongoDB.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from localcloud.whitelist.entries import seeded_entries
from localcloud.whitelist.rules import Rules, Shape


@dataclass
class WhitelistGroup:
    """A group; ``system`` groups belong to a service and are read-only."""

    name: str
    attribute: str
    entries: list[str]
    system: bool = False
    fields: dict[str, str] = field(default_factory=dict)

    def to_wire(self, rules: Rules) -> dict[str, str]:
        """The group in the product's field names (answers and state dumps)."""
        shape = rules.shape
        return {
            shape.name_field: self.name,
            shape.attribute_field: self.attribute,
            shape.list_field: ",".join(self.entries),
            **self.fields,
        }


@dataclass
class DbInstance:
    """An instance with its groups in creation order; other seed fields pass through."""

    instance_id: str
    status: str
    groups: dict[str, WhitelistGroup]
    extra: dict[str, Any] = field(default_factory=dict)
    modify_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def held_elsewhere(self, name: str) -> int:
        """Entries in every group but ``name`` (the instance-wide quota counts them)."""
        return sum(len(g.entries) for n, g in self.groups.items() if n != name)


@dataclass(frozen=True)
class Change:
    """A validated write: ``fields`` are extra group fields it sets (may be empty)."""

    instance_id: str
    group: str
    attribute: str
    mode: str
    entries: tuple[str, ...]
    fields: Mapping[str, str] = field(default_factory=dict)


class WhitelistModel:
    """One product's instances per region; an id is looked up across all regions."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self.regions: dict[str, dict[str, DbInstance]] = {}
        self._lock = threading.RLock()

    def find(self, instance_id: str) -> DbInstance:
        """The instance, in whatever region it lives; else the product's not-found error."""
        with self._lock:
            for instances in self.regions.values():
                if instance_id in instances:
                    return instances[instance_id]
        raise self.rules.codes.not_found()

    def describe(self, instance_id: str) -> list[dict[str, str]]:
        """The instance's groups in the product's field names."""
        instance = self.find(instance_id)
        with self._lock:
            return [group.to_wire(self.rules) for group in instance.groups.values()]

    def modify(self, change: Change, pause: Callable[[], None]) -> None:
        """Apply one write; ``pause`` runs while the instance is being modified."""
        codes = self.rules.codes
        instance = self.find(change.instance_id)
        if instance.status != self.rules.running:
            raise codes.bad_state()
        existing = instance.groups.get(change.group)
        if change.group in self.rules.system_groups or (existing and existing.system):
            raise codes.system_group()
        # A second write while one is being applied finds the instance busy.
        if not instance.modify_lock.acquire(blocking=False):
            raise codes.bad_state()
        try:
            pause()
            with self._lock:
                _apply(self.rules, instance, change)
        finally:
            instance.modify_lock.release()

    def put(self, region: str, items: Iterable[Mapping[str, Any]]) -> None:
        """Add or replace instances (seed shape); an id moves to ``region`` if elsewhere."""
        with self._lock:
            bucket = self.regions.setdefault(region, {})
            for item in items:
                instance = instance_from_seed(self.rules, item)
                self._drop(instance.instance_id)
                bucket[instance.instance_id] = instance

    def delete(self, instance_ids: Iterable[str]) -> None:
        """Remove instances from whatever region holds them."""
        with self._lock:
            for instance_id in instance_ids:
                self._drop(instance_id)

    def set_status(self, instance_id: str, status: str) -> None:
        """Set the instance's status (anything but the running one refuses writes)."""
        with self._lock:
            self.find(instance_id).status = status

    def listing(self) -> list[tuple[str, dict[str, Any]]]:
        """(region, instance without its groups) for every instance: the list API's items."""
        shape = self.rules.shape
        with self._lock:
            return [
                (region, {**i.extra, **_listed(shape, i), "RegionId": region})
                for region, instances in self.regions.items()
                for i in instances.values()
            ]

    def dump(self) -> dict[str, list[dict[str, Any]]]:
        """Every region's instances in the seed shape (groups as a plain list)."""
        shape = self.rules.shape
        with self._lock:
            return {
                region: [
                    {
                        **inst.extra,
                        shape.id_field: inst.instance_id,
                        shape.status_field: inst.status,
                        shape.groups_field: [g.to_wire(self.rules) for g in inst.groups.values()],
                    }
                    for inst in instances.values()
                ]
                for region, instances in self.regions.items()
            }

    def _drop(self, instance_id: str) -> None:
        for instances in self.regions.values():
            instances.pop(instance_id, None)


def _listed(shape: Shape, instance: DbInstance) -> dict[str, str]:
    return {shape.id_field: instance.instance_id, shape.status_field: instance.status}


def _apply(rules: Rules, instance: DbInstance, change: Change) -> None:
    group = _written(rules, instance, change)
    if change.attribute:
        group.attribute = change.attribute
    group.fields.update(change.fields)


def _written(rules: Rules, instance: DbInstance, change: Change) -> WhitelistGroup:
    """The group after the write's entries are applied (created when new)."""
    group = instance.groups.get(change.group)
    if change.mode == "Delete":
        return _delete(rules, group, change.entries)
    current = group.entries if group and change.mode in ("Append", "Extend") else []
    if change.mode == "Append" and set(current) & set(change.entries):
        raise rules.codes.already_there()
    # Extend (MongoDB only) is an Append that merges entries already present.
    updated = [*current, *(e for e in change.entries if e not in current)]
    _check_quota(rules, instance, change.group, len(updated))
    if group is None:
        if len(instance.groups) >= rules.max_groups:
            raise rules.codes.group_quota()
        group = WhitelistGroup(change.group, "", [], fields=dict(rules.group_fields))
        instance.groups[change.group] = group
    group.entries = updated
    return group


def _check_quota(rules: Rules, instance: DbInstance, name: str, size: int) -> None:
    total = size + (instance.held_elsewhere(name) if rules.cap_per_instance else 0)
    if total > rules.max_entries:
        raise rules.codes.quota()


def _delete(rules: Rules, group: WhitelistGroup | None, gone: Iterable[str]) -> WhitelistGroup:
    removing = set(gone)
    # Deleting an entry that is not there, or the group's last entries, is refused.
    if group is None or not removing <= set(group.entries) or removing >= set(group.entries):
        raise rules.codes.not_there()
    group.entries = [entry for entry in group.entries if entry not in removing]
    return group


def instance_from_seed(rules: Rules, item: Mapping[str, Any]) -> DbInstance:
    """An instance from its seed form, in the product's field names."""
    shape = rules.shape
    groups: dict[str, WhitelistGroup] = {}
    for raw in item.get(shape.groups_field, []):
        group = _group_from_seed(rules, raw)
        groups[group.name] = group
    own = (shape.id_field, shape.status_field, shape.groups_field)
    extra = {k: v for k, v in item.items() if k not in own}
    status = str(item.get(shape.status_field, rules.running))
    return DbInstance(str(item[shape.id_field]), status, groups, extra)


def _group_from_seed(rules: Rules, raw: Mapping[str, Any]) -> WhitelistGroup:
    shape = rules.shape
    name = str(raw[shape.name_field])
    attribute = str(raw.get(shape.attribute_field, ""))
    entries = seeded_entries(str(raw.get(shape.list_field, "")), rules)
    entries += [str(item) for item in raw.get("Legacy", [])]  # held verbatim, as on Redis
    fields = {k: str(raw.get(k, default)) for k, default in rules.group_fields.items()}
    # A hidden group present from the start was made by a service (DAS, DMS, DTS):
    # read-only unless the seed says "System": false.
    system = bool(raw.get("System", attribute == "hidden")) or name in rules.system_groups
    return WhitelistGroup(name, attribute, entries, system, fields)
