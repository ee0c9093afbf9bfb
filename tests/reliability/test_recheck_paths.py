"""The re-check before removal holds on every path that removes: the re-plan after a quota
refusal re-checks too, and a re-check that fails holds every removal back.

Both scenarios have a host take an address over after the run's listing was answered, so
the listing says nobody holds it; only a working re-check can keep it, and a failed one
must keep everything. Judged on localcloud's state and call log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests
from reliability_kit import (
    BASE_URL,
    GROUP,
    H1,
    H1_IP,
    H2,
    H2_IP,
    H3,
    H3_IP,
    REDIS,
    REGION,
    STALE_IP,
    STATIC,
    action_of,
    config,
    encode,
    entries,
    foreign_groups,
    host,
    mounted,
    request_params,
    scenario_seed,
    target,
    timer,
)

import handler
from localcloud.builders import make_group, make_redis_instance
from localcloud.mock import LocalCloud
from whitelist_core.errors import IncompleteRun

NEW = "i-bp1takeover00001"
TAKEN = "10.0.1.77"  # the address another run put in the group, and a new host now holds
FILLERS = [f"10.7.{n // 250}.{1 + n % 250}" for n in range(1000 - 4)]
PERMISSIVE = {"max_removals": 1000, "max_removal_percent": 100}


class Recorder:
    """A hook after every cloud call that notes each ``ModifySecurityIps`` Delete."""

    def __init__(self) -> None:
        self.done = False
        self.deleted: list[str] = []

    def __call__(self, cloud: LocalCloud, prepared: requests.PreparedRequest) -> None:
        params = request_params(prepared)
        if action_of(prepared) == "ModifySecurityIps" and params.get("ModifyMode") == "Delete":
            self.deleted.extend(params.get("SecurityIps", "").split(","))
        if not self.done:
            self.done = self.act(cloud, action_of(prepared))

    def act(self, cloud: LocalCloud, action: str) -> bool:
        """What happens in the cloud after ``action`` was answered; True once done."""
        raise NotImplementedError


class FillThenTakeOver(Recorder):
    """Right after the run reads the group, another run fills it to 1000 entries (one of
    them ``TAKEN``) and a new selected host takes ``TAKEN`` over: the run's Append is then
    refused for quota, and its re-plan sees ``TAKEN`` as stale by the cached listing."""

    def act(self, cloud: LocalCloud, action: str) -> bool:
        if action != "DescribeSecurityIps":
            return False
        full = [H1_IP, H2_IP, STATIC, TAKEN, *FILLERS]
        groups = [*foreign_groups(), make_group(GROUP, full)]
        cloud.put_redis_instances(REGION, [make_redis_instance(REDIS, groups)])
        cloud.put_instances(REGION, [host(NEW, TAKEN)])
        return True


def test_the_re_plan_after_a_quota_refusal_re_checks_its_removals(
    rel_env: Callable[..., Any], rel_no_backoff: None
) -> None:
    hosts = [host(H1, H1_IP), host(H2, H2_IP), host(H3, H3_IP)]
    fill = FillThenTakeOver()
    with mounted(scenario_seed(owned=[H1_IP, H2_IP, STATIC], hosts=hosts), hook=fill) as cloud:
        rel_env(BASE_URL, config([target()], policy=PERMISSIVE))

        result = handler.handler(encode(timer()), None)

        assert fill.done
        codes = [c["code"] for c in cloud.calls()["calls"] if c["code"]]
        assert codes == ["InvalidSecurityIPList.QuotaExceeded"]  # the re-plan really ran
        held = entries(cloud.state())
        assert TAKEN in held  # the re-plan's re-check found the new holder
        assert TAKEN not in fill.deleted
        assert {H1_IP, H2_IP, H3_IP, STATIC} <= held
        [outcome] = result["targets"]
        assert TAKEN not in outcome["removed"]


class TakeOverThenThrottle(Recorder):
    """After the listing is answered, a new host takes ``STALE_IP`` over and every later
    ``DescribeInstances`` (the re-check) is throttled past the retries."""

    def act(self, cloud: LocalCloud, action: str) -> bool:
        if action != "DescribeInstances":
            return False
        cloud.put_instances(REGION, [host(NEW, STALE_IP)])
        cloud.add_fault(action="DescribeInstances", status=400, code="Throttling.User")
        return True


def test_a_failed_re_check_holds_every_removal_back_while_the_additions_go(
    rel_env: Callable[..., Any], rel_no_backoff: None
) -> None:
    hosts = [host(H1, H1_IP), host(H2, H2_IP), host(H3, H3_IP)]
    throttle = TakeOverThenThrottle()
    owned = [H1_IP, H2_IP, STALE_IP, STATIC]
    with mounted(scenario_seed(owned=owned, hosts=hosts), hook=throttle) as cloud:
        rel_env(BASE_URL, config([target()], policy=PERMISSIVE))

        with pytest.raises(IncompleteRun) as raised:  # failed, so that it is retried
            handler.handler(encode(timer()), None)

        assert throttle.done
        assert throttle.deleted == []  # nothing removed without the re-check
        held = entries(cloud.state())
        assert STALE_IP in held
        assert H3_IP in held  # the addition still went
        [outcome] = raised.value.summary["targets"]
        assert (outcome["status"], outcome["removed"]) == ("error", [])
        assert outcome["error"]["code"] == "Throttling.User"
