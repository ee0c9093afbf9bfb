"""The re-check before removal: an address taken over between the listing and the removal
stays, whichever way the new holder has it.

A timer reconcile lists ECS, reads the group and plans to remove ``STALE_IP`` (nobody
held it at the listing). Right after the listing answer, and before the removal, a new
selected host takes ``STALE_IP`` over: as its VPC primary IP, as a secondary private IP
(the target counts secondary IPs), or as the inner IP of a classic-network host. The
re-check asks ECS who holds the address *now*; each holder must be found, so the address
is kept and the result says why. Checked after every cloud call: ``STALE_IP`` is never
missing once the new host holds it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests
from reliability_kit import (
    BASE_URL,
    H1,
    H1_IP,
    H2,
    H2_IP,
    H3,
    H3_IP,
    STALE_IP,
    STATIC,
    action_of,
    classic_host,
    config,
    encode,
    entries,
    host,
    mounted,
    scenario_seed,
    target,
    timer,
)

import handler
from localcloud.mock import LocalCloud

NEW = "i-bp1takeover00001"
NEW_PRIMARY = "10.0.1.60"
CLASSIC, CLASSIC_IP = "i-bp1classic00001", "10.116.0.5"


TAGS_ONLY = {"tags": {"app": "orders"}}  # no VPC: a classic host can be selected
CASES = {
    # name: (target overrides, extra hosts at the start, the host that takes STALE_IP)
    "vpc-primary": ({}, [], host(NEW, STALE_IP)),
    "secondary-ip": (
        {"secondary_ips": True},
        [],
        host(NEW, NEW_PRIMARY, secondary_ips=[STALE_IP]),
    ),
    "classic-network": (
        {"selector": TAGS_ONLY},
        [classic_host(CLASSIC, CLASSIC_IP)],
        classic_host(NEW, STALE_IP),
    ),
}


class TakeOver:
    """After the first listing is answered, the new host takes the stale address over;
    from then on, every later cloud call finds the address still in the group."""

    def __init__(self, newcomer: dict[str, Any]) -> None:
        self.newcomer = newcomer
        self.done = False
        self.violations: list[str] = []

    def __call__(self, cloud: LocalCloud, prepared: requests.PreparedRequest) -> None:
        if self.done and STALE_IP not in entries(cloud.state()):
            self.violations.append(f"after {action_of(prepared)}: {STALE_IP} removed")
        if not self.done and action_of(prepared) == "DescribeInstances":
            cloud.put_instances("cn-hangzhou", [self.newcomer])
            self.done = True


@pytest.mark.parametrize("case", sorted(CASES))
def test_an_address_taken_over_after_the_listing_is_kept(
    case: str, rel_env: Callable[..., Any], rel_no_backoff: None
) -> None:
    overrides, extra, newcomer = CASES[case]
    hosts = [host(H1, H1_IP), host(H2, H2_IP), host(H3, H3_IP), *extra]
    owned = [H1_IP, H2_IP, STALE_IP, STATIC, *(CLASSIC_IP for _ in extra)]
    takeover = TakeOver(newcomer)
    with mounted(scenario_seed(owned=owned, hosts=hosts), hook=takeover) as cloud:
        rel_env(BASE_URL, config([target(**overrides)]))

        result = handler.handler(encode(timer()), None)

        assert takeover.done
        assert takeover.violations == []
        held = entries(cloud.state())
        assert STALE_IP in held
        assert {H1_IP, H2_IP, H3_IP, STATIC} <= held  # the add still happened
        [outcome] = result["targets"]
        assert (outcome["status"], outcome["removed"]) == ("applied", [])
        assert any(STALE_IP in w and NEW in w for w in outcome["warnings"]), outcome
