"""Who holds an address now: point lookups, never a listing of the region.

The re-check before a removal asks ECS about each removed address directly, so the
answer cannot share a listing's blind spot (a page boundary that moved while instances
came and went): an address held by a live instance is found however the region pages.

- VPC primary IPs: ``DescribeInstances`` with ``PrivateIpAddresses`` (100 per call);
- classic-network inner IPs: ``DescribeInstances`` with ``InnerIpAddresses``;
- any other private IP of any network interface (secondary IPs, secondary ENIs):
  ``DescribeNetworkInterfaces`` with ``PrivateIpAddress.N`` (100 per call), and the
  instances those ENIs are attached to by ``InstanceIds``.

That ``PrivateIpAddress.N`` also matches an ENI's own primary address (listed in its
``PrivateIpSets`` with ``Primary: true``) is an INFERENCE; each lookup's pages must add
up to their ``TotalCount`` like a listing's (``listing.Tally``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from whitelist_core.aliyun.ecs.listing import IncompleteListing
from whitelist_core.aliyun.transport.answers import as_dict, as_list, as_str, dig
from whitelist_core.aliyun.transport.endpoints import Endpoints
from whitelist_core.aliyun.transport.rpc import Call, RpcClient
from whitelist_core.ports import Instance, InstanceQuery

ENI_ACTION = "DescribeNetworkInterfaces"
VERSION = "2014-05-26"
CHUNK = 100
ENI_PAGE = 500
Lister = Callable[[str, InstanceQuery], list[Instance]]


def find_holders(
    rpc: RpcClient, endpoints: Endpoints, listed: Lister, region: str, ips: Sequence[str],
    *, primary_only: bool,
) -> list[Instance]:  # fmt: skip
    """The instances holding any of ``ips`` now (``primary_only``: as a VPC primary IP)."""
    wanted = tuple(sorted({ip for ip in ips if "/" not in ip}))
    if not wanted:
        return []
    found = {i.instance_id: i for i in listed(region, InstanceQuery(private_ips=wanted))}
    if not primary_only:
        found |= {i.instance_id: i for i in listed(region, InstanceQuery(inner_ips=wanted))}
        attached = _eni_instances(rpc, endpoints, region, wanted) - found.keys()
        if attached:
            query = InstanceQuery(instance_ids=tuple(sorted(attached)))
            found |= {i.instance_id: i for i in listed(region, query)}
    held = set(wanted)
    return [i for i in found.values() if held & {*i.private_ips, *i.secondary_ips}]


def _eni_instances(
    rpc: RpcClient, endpoints: Endpoints, region: str, ips: Sequence[str]
) -> set[str]:
    """The instances an ENI holding any of ``ips`` is attached to."""
    holders: set[str] = set()
    for start in range(0, len(ips), CHUNK):
        params = {"RegionId": region, "MaxResults": str(ENI_PAGE)}
        params |= {
            f"PrivateIpAddress.{n}": ip for n, ip in enumerate(ips[start : start + CHUNK], 1)
        }
        for eni in _pages(rpc, endpoints, region, params):
            instance_id = as_str(as_dict(eni).get("InstanceId"))
            if instance_id:
                holders.add(instance_id)
    return holders


def _pages(rpc: RpcClient, endpoints: Endpoints, region: str, params: dict[str, str]) -> list[Any]:
    """Every ENI of one lookup; its pages must agree on ``TotalCount`` and fill it."""
    items: list[Any] = []
    totals: set[int] = set()
    token = ""
    for _ in range(1000):
        page_params = {**params, "NextToken": token} if token else params
        call = Call(endpoints.base_url("ecs", region), "ecs", region, ENI_ACTION, VERSION,
                    page_params)  # fmt: skip
        page = rpc.call(call, _check_page)
        items.extend(as_list(dig(page, "NetworkInterfaceSets", "NetworkInterfaceSet")))
        totals.add(int(page["TotalCount"]))
        token = as_str(page.get("NextToken"))
        if not token:
            break
    ids = {as_str(as_dict(e).get("NetworkInterfaceId")) for e in items}
    if len(totals) > 1 or len(ids) < max(totals):
        raise IncompleteListing(
            "DriftingListing",
            f"{ENI_ACTION}: the pages gave TotalCount {sorted(totals)} and {len(ids)} ENIs",
        )
    return items


def _check_page(page: dict[str, Any]) -> None:
    sets = page.get("NetworkInterfaceSets")
    if not isinstance(sets, dict) or not isinstance(sets.get("NetworkInterfaceSet"), list):
        raise ValueError(f"{ENI_ACTION} page: NetworkInterfaceSets is not a set list")
    total = page.get("TotalCount")
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        raise ValueError(f"{ENI_ACTION} page: TotalCount is not a non-negative integer")
