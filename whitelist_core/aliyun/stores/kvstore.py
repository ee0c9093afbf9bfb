"""``WhitelistStore`` over R-KVStore ``DescribeSecurityIps`` / ``ModifySecurityIps`` (2015-01-01).

The API has no RegionId: the region is chosen through the endpoint. Every write names
the group and passes its attribute (so ``hidden`` is preserved), sends de-duplicated
normal entries in chunks of at most 1000, and never an empty list.

An answer claiming the work is already done (``*.Duplicate`` on Append,
``InvalidSecurityIP*.NotFound`` on Delete, reference §9.3/§9.4) is not trusted blindly:
the group is re-read. All entries in the intended state: success. Some: the answer was
true for those, and the rest are sent once more. None: the original error is raised.

An entry that does not parse (in any group, typically a foreign one) is skipped and
logged on read rather than failing the read: no group this function owns holds one
unless a human typed it, and the core expects normal entries only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from whitelist_core.aliyun.transport.answers import as_dict, as_list, as_str, dig
from whitelist_core.aliyun.transport.endpoints import Endpoints
from whitelist_core.aliyun.transport.rpc import Call, RpcClient, logger
from whitelist_core.entries import (
    MAX_ENTRIES_PER_GROUP,
    EntryError,
    format_entry_list,
    parse_entry,
    parse_entry_list,
)
from whitelist_core.errors import PermanentCloudError
from whitelist_core.ports import Group

VERSION = "2015-01-01"
Mode = Literal["Append", "Delete", "Cover"]


def claims_done(mode: Mode, code: str) -> bool:
    """True for an answer meaning "already there" (Append) or "already absent" (Delete)."""
    lowered = code.lower()
    if mode == "Append":
        return lowered.endswith(".duplicate")
    if mode == "Delete":
        return lowered.startswith("invalidsecurityip") and lowered.endswith(".notfound")
    return False


def prepare(entries: Sequence[str]) -> tuple[str, ...]:
    """Normal entries, duplicates removed, order kept; ``ValueError`` when there are none."""
    prepared = tuple(dict.fromkeys(parse_entry(entry) for entry in entries))
    if not prepared:
        raise ValueError("SecurityIps must not be empty (a programming error: nothing to send)")
    return prepared


def parse_entries(text: str, instance_id: str, group: str) -> tuple[str, ...]:
    """Normal entries of a ``SecurityIpList``; unparseable ones skipped and logged."""
    try:
        return parse_entry_list(text)
    except EntryError:
        pass
    kept: list[str] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        try:
            kept.append(parse_entry(part))
        except EntryError as exc:
            logger().warning(
                "whitelist_entry_skipped",
                instance_id=instance_id, group=group, entry=part, reason=str(exc),
            )  # fmt: skip
    return tuple(kept)


class KvstoreWhitelistStore:
    """Reads and edits whitelist groups of Redis/Tair instances; implements ``WhitelistStore``."""

    def __init__(self, rpc: RpcClient, endpoints: Endpoints) -> None:
        self._rpc = rpc
        self._endpoints = endpoints

    def read_groups(self, region: str, instance_id: str) -> list[Group]:
        """Every group of the instance, hidden ones included, in the API's order."""
        body = self._call(region, "DescribeSecurityIps", {"InstanceId": instance_id})
        groups = []
        for item in as_list(dig(body, "SecurityIpGroups", "SecurityIpGroup")):
            name = as_str(as_dict(item).get("SecurityIpGroupName"))
            if name:
                text = as_str(as_dict(item).get("SecurityIpList"))
                attribute = as_str(as_dict(item).get("SecurityIpGroupAttribute"))
                groups.append(Group(name, attribute, parse_entries(text, instance_id, name)))
        return groups

    def append(
        self, region: str, instance_id: str, group: str, entries: Sequence[str], attribute: str
    ) -> None:
        """``ModifyMode=Append`` in chunks of 1000; "already there" confirmed by a re-read."""
        for chunk in _chunks(prepare(entries)):
            self._confirmed_write(region, instance_id, group, chunk, attribute, "Append")

    def delete(
        self, region: str, instance_id: str, group: str, entries: Sequence[str], attribute: str
    ) -> None:
        """``ModifyMode=Delete`` in chunks of 1000; "already absent" confirmed by a re-read."""
        for chunk in _chunks(prepare(entries)):
            self._confirmed_write(region, instance_id, group, chunk, attribute, "Delete")

    def cover(
        self, region: str, instance_id: str, group: str, entries: Sequence[str], attribute: str
    ) -> None:
        """``ModifyMode=Cover`` in one call (a second chunk would overwrite the first)."""
        prepared = prepare(entries)
        if len(prepared) > MAX_ENTRIES_PER_GROUP:
            raise ValueError(f"Cover takes at most {MAX_ENTRIES_PER_GROUP} entries")
        self._modify(region, instance_id, group, prepared, attribute, "Cover")

    def _confirmed_write(
        self, region: str, instance_id: str, group: str, chunk: tuple[str, ...],
        attribute: str, mode: Mode,
    ) -> None:  # fmt: skip
        try:
            self._modify(region, instance_id, group, chunk, attribute, mode)
        except PermanentCloudError as error:
            if not claims_done(mode, error.code):
                raise
            pending = self._pending(region, instance_id, group, chunk, mode)
            logger().info(
                "whitelist_write_confirm", instance_id=instance_id, group=group, mode=mode,
                code=error.code, request_id=error.request_id, pending=len(pending),
            )  # fmt: skip
            if len(pending) == len(chunk):
                raise  # the re-read contradicts the answer
            if pending:
                self._modify(region, instance_id, group, pending, attribute, mode)

    def _pending(
        self, region: str, instance_id: str, group: str, chunk: tuple[str, ...], mode: Mode
    ) -> tuple[str, ...]:
        """The entries of ``chunk`` not yet in the state ``mode`` intends, per a fresh read."""
        held = {
            e for g in self.read_groups(region, instance_id) if g.name == group for e in g.entries
        }
        if mode == "Append":
            return tuple(e for e in chunk if e not in held)
        return tuple(e for e in chunk if e in held)

    def _modify(
        self, region: str, instance_id: str, group: str, entries: tuple[str, ...],
        attribute: str, mode: Mode,
    ) -> None:  # fmt: skip
        params = {
            "InstanceId": instance_id,
            "SecurityIps": format_entry_list(entries),
            "SecurityIpGroupName": group,
            "SecurityIpGroupAttribute": attribute,
            "ModifyMode": mode,
        }
        self._call(region, "ModifySecurityIps", params)

    def _call(self, region: str, action: str, params: dict[str, str]) -> dict[str, object]:
        base_url = self._endpoints.base_url("kvstore", region)
        return self._rpc.call(Call(base_url, "kvstore", region, action, VERSION, params))


def _chunks(entries: tuple[str, ...]) -> list[tuple[str, ...]]:
    size = MAX_ENTRIES_PER_GROUP
    return [entries[i : i + size] for i in range(0, len(entries), size)]
