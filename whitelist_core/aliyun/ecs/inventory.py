"""``InstanceInventory`` over ECS ``DescribeInstances`` (2014-05-26).

Server-side filters come from ``InstanceQuery``: ``VpcId``, ``Tag.N.Key``/``Tag.N.Value``
(at most 20 tags; a value of ``""`` or ``"*"`` sends the key only, matching any value),
``InstanceIds`` and ``PrivateIpAddresses`` (JSON-array strings of at most 100, larger
lists are chunked). Pages with ``MaxResults=100`` + ``NextToken`` until the token is empty.
Every page is checked for the documented shape and the pages of a listing must add up
to their ``TotalCount`` (``listing``); a listing that does not is read once more, then
``IncompleteListing`` is raised, so nothing is ever removed on the strength of it.

``find_by_private_ips`` looks each address up directly (``lookup``): the
``PrivateIpAddresses`` and ``InnerIpAddresses`` filters, and ``DescribeNetworkInterfaces``
for the addresses of any network interface; never a listing of the region, whose pages a
moving boundary could hide a holder in. ``primary_only=True`` makes only the first lookup.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from whitelist_core.aliyun.ecs.instances import instance_from_wire
from whitelist_core.aliyun.ecs.listing import IncompleteListing, Tally, check_page
from whitelist_core.aliyun.ecs.lookup import find_holders
from whitelist_core.aliyun.transport.answers import as_str
from whitelist_core.aliyun.transport.endpoints import Endpoints
from whitelist_core.aliyun.transport.rpc import Call, RpcClient, logger
from whitelist_core.errors import PermanentCloudError
from whitelist_core.ports import Instance, InstanceQuery

ACTION = "DescribeInstances"
VERSION = "2014-05-26"
PAGE_SIZE = 100
FILTER_LIMIT = 100
MAX_TAG_FILTERS = 20
LISTING_ATTEMPTS = 2


def chunks(items: Sequence[str], size: int) -> list[tuple[str, ...]]:
    """``items`` without duplicates (order kept), in consecutive slices of at most ``size``."""
    unique = tuple(dict.fromkeys(items))
    return [unique[i : i + size] for i in range(0, len(unique), size)]


def base_params(region: str, query: InstanceQuery) -> dict[str, str]:
    """Parameters every page of a listing carries: region, page size, VPC and tag filters."""
    params = {"RegionId": region, "MaxResults": str(PAGE_SIZE)}
    if query.vpc_id:
        params["VpcId"] = query.vpc_id
    for n, (key, value) in enumerate(query.tags[:MAX_TAG_FILTERS], start=1):
        params[f"Tag.{n}.Key"] = key
        if value not in ("", "*"):
            params[f"Tag.{n}.Value"] = value
    return params


def filter_sets(region: str, query: InstanceQuery) -> Iterator[dict[str, str]]:
    """One parameter set per listing needed: id and IP filters are chunked to 100 each."""
    id_chunks: list[tuple[str, ...] | None] = [None]
    ip_chunks: list[tuple[str, ...] | None] = [None]
    if query.instance_ids:
        id_chunks = list(chunks(query.instance_ids, FILTER_LIMIT))
    if query.private_ips or query.inner_ips:  # one of them per query
        ip_chunks = list(chunks(query.private_ips or query.inner_ips, FILTER_LIMIT))
    for ids in id_chunks:
        for ips in ip_chunks:
            params = base_params(region, query)
            if ids is not None:
                params["InstanceIds"] = json.dumps(list(ids), separators=(",", ":"))
            if ips is not None:
                name = "PrivateIpAddresses" if query.private_ips else "InnerIpAddresses"
                params[name] = json.dumps(list(ips), separators=(",", ":"))
            yield params


class EcsInventory:
    """Reads ECS instances through ``DescribeInstances``; implements ``InstanceInventory``."""

    def __init__(self, rpc: RpcClient, endpoints: Endpoints) -> None:
        self._rpc = rpc
        self._endpoints = endpoints

    def list_instances(self, region: str, query: InstanceQuery | None = None) -> list[Instance]:
        """Every instance of ``region`` matching ``query`` (all pages, all chunks)."""
        found: dict[str, Instance] = {}
        for params in filter_sets(region, query or InstanceQuery()):
            for item in self._items(region, params):
                instance = instance_from_wire(item, region)
                if instance is not None:
                    found.setdefault(instance.instance_id, instance)
        if not found and not (
            query and (query.instance_ids or query.private_ips or query.inner_ips)
        ):
            self._verify_access(region)
        return list(found.values())

    def _verify_access(self, region: str) -> None:
        """An unauthorised caller gets an empty list, not an error, so an empty region
        listing is a doubtful read: confirm it with ``DryRun``, which answers
        ``DryRunOperation`` when the call is allowed and a permission error when not."""
        call = Call(
            self._endpoints.base_url("ecs", region), "ecs", region, ACTION, VERSION,
            {"RegionId": region, "DryRun": "true"}, expected=frozenset({"DryRunOperation"}),
        )  # fmt: skip
        try:
            self._rpc.call(call)
        except PermanentCloudError as exc:
            if exc.code != "DryRunOperation":
                raise

    def get_instances(self, region: str, instance_ids: Sequence[str]) -> list[Instance]:
        """The instances with these ids that still exist; no call for an empty list."""
        if not instance_ids:
            return []
        return self.list_instances(region, InstanceQuery(instance_ids=tuple(instance_ids)))

    def find_by_private_ips(
        self, region: str, ips: Sequence[str], *, primary_only: bool = False
    ) -> list[Instance]:
        """Instances holding any of ``ips`` now, as primary or secondary private IPs
        (``primary_only``: as VPC primary IPs at least, through the server-side filter)."""
        return find_holders(
            self._rpc, self._endpoints, self.list_instances, region, ips,
            primary_only=primary_only,
        )  # fmt: skip

    def _items(self, region: str, params: dict[str, str]) -> list[Any]:
        """Every item of one complete listing; an incomplete one is read once more."""
        for attempt in range(1, LISTING_ATTEMPTS + 1):
            try:
                return self._complete_listing(region, params)
            except IncompleteListing as exc:
                logger().warning(
                    "listing_incomplete", region=region, code=exc.code, attempt=attempt,
                    reason=exc.message,
                )  # fmt: skip
                if attempt == LISTING_ATTEMPTS or self._rpc.remaining() <= 0:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _complete_listing(self, region: str, params: dict[str, str]) -> list[Any]:
        """Every page of one listing, checked to add up (``listing.Tally``)."""
        base_url = self._endpoints.base_url("ecs", region)
        tally = Tally(PAGE_SIZE)
        items: list[Any] = []
        token = ""
        while True:
            page_params = {**params, "NextToken": token} if token else params
            call = Call(base_url, "ecs", region, ACTION, VERSION, page_params)
            page = self._rpc.call(call, check_page)
            items.extend(tally.add(page))
            token = as_str(page.get("NextToken"))
            if not token:
                tally.finish(page)
                return items
