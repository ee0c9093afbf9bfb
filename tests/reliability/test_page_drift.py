"""Issue 22, defect 4: a listing that drifts between its pages never removes a live host,
and the re-check before a removal is a point lookup no page boundary can hide.

localcloud keeps a page boundary on an opaque cursor, so it cannot drift; the proxies
here answer as a cloud whose ``NextToken`` is an offset would (``Drifting``), or whose
listing misses a host while its pages still add up (``Hiding``). Every filtered lookup
(``InstanceIds``, ``PrivateIpAddresses``, ``InnerIpAddresses``, ENIs) goes to localcloud
untouched. Checked after every cloud call: the live host's address is never removed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import requests
import responses
from reliability_kit import (
    BASE_URL,
    H1,
    H1_IP,
    H2,
    H2_IP,
    H3,
    H3_IP,
    STATIC,
    action_of,
    classic_host,
    config,
    encode,
    entries,
    host,
    request_params,
    scenario_seed,
    target,
    timer,
)

import handler
from localcloud.mock import LocalCloud
from whitelist_core.errors import TransientCloudError

Answer = tuple[int, dict[str, str], bytes]
REGION = "cn-hangzhou"
FILTERS = ("InstanceIds", "PrivateIpAddresses", "InnerIpAddresses")


def is_listing(prepared: requests.PreparedRequest) -> bool:
    """An ECS region listing (not a point lookup, not R-KVStore's DescribeInstances)."""
    params = request_params(prepared)
    return (
        action_of(prepared) == "DescribeInstances"
        and prepared.headers.get("x-acs-version") == "2014-05-26"
        and not any(params.get(name) for name in FILTERS)
    )


@contextmanager
def proxied(seed: dict[str, Any], proxy: Callable[..., Answer], watch: str) -> Iterator[LocalCloud]:
    """localcloud behind ``proxy`` for region listings; ``watch`` must never leave the group
    (checked after every call)."""
    cloud = LocalCloud(dict(seed), BASE_URL)
    answer = cloud._callback
    removed: list[str] = []

    def callback(prepared: requests.PreparedRequest) -> Answer:
        try:
            return proxy(cloud, answer, prepared) if is_listing(prepared) else answer(prepared)
        finally:
            if watch not in entries(cloud.state()):
                removed.append(action_of(prepared))

    cloud._callback = callback  # type: ignore[method-assign]
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        cloud.register(mock)
        yield cloud
    assert removed == [], f"{watch} removed by {removed[0]}"


def body_of(reply: Answer) -> dict[str, Any]:
    return dict(json.loads(reply[2]))


def with_body(reply: Answer, body: dict[str, Any]) -> Answer:
    return reply[0], reply[1], json.dumps(body).encode()


# -- a listing that drifts between its pages --------------------------------------------------

FLEET = [(f"i-bp1h{n:012d}", f"10.0.{2 + n // 200}.{1 + n % 200}") for n in range(150)]
BOUNDARY_IP = FLEET[95][1]
"""The host each drifting listing skips (at the boundary of its first page)."""


class Drifting:
    """Before each listing an instance appears at the front, after its first page one of
    the front ones is released, and ``NextToken`` is an offset: the host at the page
    boundary is skipped, every page well formed, ``TotalCount`` one less on page two."""

    def __init__(self) -> None:
        self.listings = 0

    def __call__(self, cloud: LocalCloud, answer: Callable[..., Answer], prepared: Any) -> Answer:
        token = request_params(prepared).get("NextToken", "")
        if token.startswith("offset:"):
            return self._page(cloud, prepared, int(token.removeprefix("offset:")))
        self.listings += 1
        cloud.put_instances(REGION, [host(f"i-bp1a{self.listings + 10:012d}", f"10.7.0.{self.listings}",
                                          selected=False)])  # fmt: skip
        reply = answer(prepared)
        body = body_of(reply)
        front = sorted(i["InstanceId"] for i in cloud.state()["ecs"][REGION])[0]
        cloud.delete_instances(REGION, [front])
        if body.get("NextToken"):
            body["NextToken"] = f"offset:{len(body['Instances']['Instance'])}"
        return with_body(reply, body)

    @staticmethod
    def _page(cloud: LocalCloud, prepared: Any, offset: int) -> Answer:
        vpc = request_params(prepared).get("VpcId")
        found = [
            i for i in cloud.state()["ecs"][REGION] if not vpc or i["VpcAttributes"]["VpcId"] == vpc
        ]
        found.sort(key=lambda i: i["InstanceId"])
        more = offset + 100 < len(found)
        body = {"RequestId": "drift", "TotalCount": len(found), "PageSize": 100, "PageNumber": 1,
                "NextToken": f"offset:{offset + 100}" if more else "",
                "Instances": {"Instance": found[offset : offset + 100]}}  # fmt: skip
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()


def test_safety_a_listing_whose_total_count_drifts_is_not_believed_for_removals(
    rel_env: Callable[..., Any], rel_no_backoff: None
) -> None:
    front = [host(f"i-bp1a{n:012d}", f"10.7.1.{n + 1}", selected=False) for n in range(4)]
    fleet = [host(i, ip) for i, ip in FLEET]
    seed = scenario_seed(owned=[ip for _, ip in FLEET] + [STATIC], hosts=front + fleet)
    drifting = Drifting()
    with proxied(seed, drifting, BOUNDARY_IP) as cloud:
        rel_env(BASE_URL, config([target(secondary_ips=True)]))

        with pytest.raises(TransientCloudError, match="DriftingListing"):
            handler.handler(encode(timer()), None)

        assert drifting.listings >= 2  # read once more before giving up
        assert {ip for _, ip in FLEET} | {STATIC} <= entries(cloud.state())


# -- a listing that misses a host: the re-check finds it directly -----------------------------

HIDDEN = "i-bp1hidden0000001"
TAKEN = "10.0.1.99"


def hiding(cloud: LocalCloud, answer: Callable[..., Answer], prepared: Any) -> Answer:
    """The listing without ``HIDDEN``, its pages still adding up to their TotalCount."""
    reply = answer(prepared)
    body = body_of(reply)
    items = body["Instances"]["Instance"]
    body["Instances"]["Instance"] = [i for i in items if i["InstanceId"] != HIDDEN]
    body["TotalCount"] -= any(i["InstanceId"] == HIDDEN for i in cloud.state()["ecs"][REGION])
    return with_body(reply, body)


VARIANTS = {
    # name: (target overrides, the hidden live host holding TAKEN)
    "vpc-primary": ({}, host(HIDDEN, TAKEN)),
    "secondary-ip": ({"secondary_ips": True}, host(HIDDEN, "10.0.1.60", secondary_ips=[TAKEN])),
    "classic-network": ({"selector": {"tags": {"app": "orders"}}}, classic_host(HIDDEN, TAKEN)),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_safety_the_recheck_looks_each_address_up_directly(
    variant: str, rel_env: Callable[..., Any], rel_no_backoff: None
) -> None:
    overrides, holder = VARIANTS[variant]
    hosts = [host(H1, H1_IP), host(H2, H2_IP), host(H3, H3_IP), holder]
    with proxied(
        scenario_seed(owned=[H1_IP, H2_IP, TAKEN, STATIC], hosts=hosts), hiding, TAKEN
    ) as cloud:
        rel_env(BASE_URL, config([target(**overrides)]))

        result = handler.handler(encode(timer()), None)

        assert {H1_IP, H2_IP, H3_IP, TAKEN, STATIC} <= entries(cloud.state())
        [outcome] = result["targets"]
        assert outcome["removed"] == []
        assert any(TAKEN in w and HIDDEN in w for w in outcome["warnings"]), json.dumps(outcome)
