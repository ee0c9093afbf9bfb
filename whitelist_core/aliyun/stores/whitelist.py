"""One ``WhitelistStore`` for every database product, driven by the product's spec.

The spec (``whitelist_core/products``) names the read and write actions, their
parameters and where the answer keeps the groups; this module is the code they share.
None of the APIs takes a RegionId: the region is chosen through the endpoint. Every
write names the group and passes its attribute (so ``hidden`` is preserved), sends
de-duplicated normal entries in chunks of at most 1000, and never an empty list.

An answer claiming the work is already done (the spec's "already there" codes on Append,
"already absent" codes on Delete) is not trusted blindly: the group is re-read until it
agrees. Entries it shows in the intended state were done; the rest are sent once more,
after a backoff pause (a read may lag a concurrent write). This goes on for at most
``CONFIRM_ROUNDS`` rounds and never past the deadline; a write still not confirmed then
raises ``TransientCloudError`` ``WriteUnconfirmed`` (so the invocation is retried, never a
silent error status), saying what the re-read really found: which entries are missing or
still there, or that the group does not exist.

An entry that does not parse (in any group, typically a foreign one) is kept apart on
read (``Group.unparsed``) and logged rather than failing the read: the core plans with
normal entries only, but counts the others against the caps (the cloud does).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import field
from typing import Literal

from whitelist_core.aliyun.stores.network import NetworkChoice
from whitelist_core.aliyun.transport.answers import as_dict, as_list, as_str, dig
from whitelist_core.aliyun.transport.endpoints import Endpoints
from whitelist_core.aliyun.transport.rpc import Call, RpcClient, logger
from whitelist_core.core.entries import (
    MAX_ENTRIES_PER_GROUP,
    EntryError,
    format_entry_list,
    parse_entry,
    parse_entry_list,
)
from whitelist_core.core.values import frozen
from whitelist_core.errors import PermanentCloudError, TransientCloudError
from whitelist_core.ports import Group
from whitelist_core.products.spec import ProductSpec

Mode = Literal["Append", "Delete", "Cover"]
CONFIRM_ROUNDS = 4
"""How many times an "already done" answer is checked against the group (and the rest
sent again) before the write counts as unconfirmed."""


def prepare(entries: Sequence[str]) -> tuple[str, ...]:
    """Normal entries, duplicates removed, order kept; ``ValueError`` when there are none."""
    prepared = tuple(dict.fromkeys(parse_entry(entry) for entry in entries))
    if not prepared:
        raise ValueError("SecurityIps must not be empty (a programming error: nothing to send)")
    return prepared


def read_entries(
    text: str, instance_id: str, group: str
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The normal entries of a ``SecurityIpList``, and the ones that do not parse (as
    given, each logged): those are never written but still count against the caps."""
    try:
        return parse_entry_list(text), ()
    except EntryError:
        pass
    kept: list[str] = []
    unparsed: list[str] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        try:
            kept.append(parse_entry(part))
        except EntryError as exc:
            unparsed.append(part)
            logger().warning(
                "whitelist_entry_skipped",
                instance_id=instance_id, group=group, entry=part, reason=str(exc),
            )  # fmt: skip
    return tuple(kept), tuple(unparsed)


@frozen
class _Shared:
    """What every store of one product shares within a run (options aside)."""

    rpc: RpcClient
    endpoints: Endpoints
    spec: ProductSpec
    networks: NetworkChoice = field(default_factory=NetworkChoice)


class ProductWhitelistStore:
    """Reads and edits the whitelist groups of one product's instances (``WhitelistStore``).

    ``options`` are a target's product-specific settings (RDS: ``network_type``);
    ``with_options`` gives a store that shares this one's transport and memory.
    """

    def __init__(
        self, rpc: RpcClient, endpoints: Endpoints, spec: ProductSpec,
        options: Mapping[str, str] | None = None,
    ) -> None:  # fmt: skip
        self._shared = _Shared(rpc, endpoints, spec)
        self._options = dict(options or {})

    @property
    def spec(self) -> ProductSpec:
        """The product this store talks to."""
        return self._shared.spec

    def with_options(self, options: Mapping[str, str]) -> ProductWhitelistStore:
        """This store with a target's product-specific settings."""
        sibling = object.__new__(type(self))
        sibling._shared, sibling._options = self._shared, dict(options)
        return sibling

    def read_groups(self, region: str, instance_id: str) -> list[Group]:
        """Every group of the instance, hidden ones included, in the API's order."""
        read = self.spec.read
        body = self._call(region, read.action, {read.id_param: instance_id})
        groups = []
        networks: dict[str, str] = {}
        for item in as_list(dig(body, *read.path)):
            fields = as_dict(item)
            name = as_str(fields.get(read.name))
            if name:
                text = as_str(fields.get(read.entries))
                attribute = as_str(fields.get(read.attribute))
                groups.append(Group(name, attribute, *read_entries(text, instance_id, name)))
                if self.spec.network_param:
                    networks[name] = as_str(fields.get(self.spec.network_param))
        if self.spec.network_param:
            self._shared.networks.remember(instance_id, networks)
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
        pending, claim, exists, reads = chunk, None, True, 0
        for round_ in range(1, CONFIRM_ROUNDS + 1):
            if round_ > 1 and not self._shared.rpc.pause(round_ - 1):
                break  # no time left to look again
            if round_ > 1 or claim is None:
                try:
                    self._modify(region, instance_id, group, pending, attribute, mode)
                    return
                except PermanentCloudError as error:
                    if not self.spec.claims_done(mode, error.code):
                        raise
                    claim = error
            pending, held = self._pending(region, instance_id, group, pending, mode)
            exists, reads = held is not None, reads + 1
            logger().info(
                "whitelist_write_confirm", instance_id=instance_id, group=group, mode=mode,
                code=claim.code, cloud_request_id=claim.request_id, pending=len(pending),
                round=round_, group_exists=exists,
            )  # fmt: skip
            if not pending:
                return
            if mode == "Delete" and held is not None and held <= set(pending) and claim:
                raise claim  # it would empty the group: the refusal is true, retrying cannot help
        raise _unconfirmed(mode, group, pending, exists, claim, reads)

    def _pending(
        self, region: str, instance_id: str, group: str, chunk: tuple[str, ...], mode: Mode
    ) -> tuple[tuple[str, ...], set[str] | None]:
        """The entries of ``chunk`` not yet in the state ``mode`` intends, per a fresh read,
        and what the group holds (None when it does not exist)."""
        found = [g for g in self.read_groups(region, instance_id) if g.name == group]
        held = {e for g in found for e in g.entries}
        if mode == "Append":
            pending = tuple(e for e in chunk if e not in held)
        else:
            pending = tuple(e for e in chunk if e in held)
        return pending, held if found else None

    def _modify(
        self, region: str, instance_id: str, group: str, entries: tuple[str, ...],
        attribute: str, mode: Mode,
    ) -> None:  # fmt: skip
        write = self.spec.write
        params = {
            write.id_param: instance_id,
            write.entries_param: format_entry_list(entries),
            write.group_param: group,
            write.attribute_param: attribute,
            "ModifyMode": mode,
            **write.fixed,
        }
        if self.spec.network_param:
            wanted = self._options.get("network_type", "auto")
            network = self._shared.networks.pick(instance_id, group, wanted)
            if network:
                params[self.spec.network_param] = network
        self._call(region, write.action, params)

    def _call(self, region: str, action: str, params: dict[str, str]) -> dict[str, object]:
        shared = self._shared
        base_url = shared.endpoints.for_rule(shared.spec.endpoint, region)
        call = Call(base_url, shared.spec.ram.service, region, action, shared.spec.version, params)
        return shared.rpc.call(call)


def _unconfirmed(
    mode: Mode, group: str, pending: Sequence[str], exists: bool,
    claim: PermanentCloudError | None, reads: int,
) -> TransientCloudError:  # fmt: skip
    """What the re-reads really found, as a retryable error (never the claim's own code)."""
    said = f"answered {claim.code} (RequestId {claim.request_id or 'none'})" if claim else ""
    sample = ", ".join(list(pending)[:5]) + (" ..." if len(pending) > 5 else "")
    if not exists and mode == "Append":
        found = f"group {group!r} does not exist"
    elif mode == "Append":
        found = f"{len(pending)} entries are still missing from {group!r}: {sample}"
    else:
        found = f"{len(pending)} entries are still in {group!r}: {sample}"
    message = f"{mode} {said}, but {found} (group re-read {reads} time(s))"
    return TransientCloudError(
        "ModifySecurityIps" if claim is None else claim.action, "WriteUnconfirmed", message,
        request_id=claim.request_id if claim else "",
    )  # fmt: skip


def _chunks(entries: tuple[str, ...]) -> list[tuple[str, ...]]:
    size = MAX_ENTRIES_PER_GROUP
    return [entries[i : i + size] for i in range(0, len(entries), size)]
