"""The function against localcloud behaving as the cloud does now: RAM refusals as 403
``Forbidden.RAM``, re-sorted whitelists, instances that settle after each write, and the
verified IP events."""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterator
from typing import Any

import pytest
from whitelist_testkit import (
    ORDERS_TARGET,
    R_ORDERS,
    WEB1,
    WEB1_IP,
    WEB2,
    WEB2_IP,
    base_config,
    base_seed,
    entries_of,
    eventbridge_state_change,
    point_env_at,
    timer_event,
    writes,
)

from localcloud import events as cloud_events
from localcloud.builders import make_instance
from localcloud.mock import LocalCloud
from whitelist_core.aliyun import factory
from whitelist_core.aliyun.transport.rpc import RpcClient
from whitelist_core.errors import TransientCloudError

DENIED_ID, DENIED_SECRET = "norole-id", "norole-secret-0123"


def deny(cloud: Any, env: pytest.MonkeyPatch, *actions: str, **extra: Any) -> None:
    """Reload the fake with a credential denied ``actions`` and make the function use it."""
    seed = base_seed()
    seed["credentials"] = [
        {"AccessKeyId": DENIED_ID, "AccessKeySecret": DENIED_SECRET, "Denied": list(actions)}
        | extra
    ]
    cloud.reset(seed)
    env.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", DENIED_ID)
    env.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", DENIED_SECRET)


def codes_of(cloud: Any, action: str) -> list[str | None]:
    return [c["code"] for c in cloud.calls()["calls"] if c["action"] == action]


# -- RAM ------------------------------------------------------------------------------


def test_a_listing_refused_by_ram_is_reported_once_and_removes_nothing(
    configured: Any, function_env: pytest.MonkeyPatch, invoke: Any
) -> None:
    deny(configured, function_env, "DescribeInstances")
    before = configured.state()["kvstore"]

    result = invoke(timer_event())

    assert result["status"] == "error"
    # The listing failed before any target was planned: each target records the refusal.
    assert {t["error"]["code"] for t in result["targets"]} == {"Forbidden.RAM"}
    assert all(not t["added"] and not t["removed"] for t in result["targets"])
    error = result["error"]
    assert (error["code"], error["retryable"]) == ("Forbidden.RAM", False)
    assert error["request_id"]
    assert configured.state()["kvstore"] == before
    listings = codes_of(configured, "DescribeInstances")
    assert set(listings) == {"Forbidden.RAM"}
    assert len(listings) == 1, "a permanent refusal is not retried"
    assert writes(configured.calls()) == 0


def test_a_running_event_refused_by_ram_writes_nothing(
    configured: Any, function_env: pytest.MonkeyPatch, invoke: Any
) -> None:
    deny(configured, function_env, "DescribeInstances")

    result = invoke(eventbridge_state_change(WEB2, "Running"))

    assert result["status"] == "error"
    assert "Forbidden.RAM" in str(result)
    assert writes(configured.calls()) == 0
    assert entries_of(configured.state(), R_ORDERS, "ecs_orders") == {WEB1_IP}


def test_a_write_refused_by_ram_is_permanent_per_target(
    configured: Any, function_env: pytest.MonkeyPatch, invoke: Any
) -> None:
    deny(configured, function_env, "ModifySecurityIps")

    result = invoke(eventbridge_state_change(WEB2, "Running"))

    assert result["status"] == "error"
    failed = [t for t in result["targets"] if t["status"] == "error"]
    assert {t["error"]["code"] for t in failed} == {"Forbidden.RAM"}
    assert all(t["error"]["retryable"] is False for t in failed)
    assert set(codes_of(configured, "ModifySecurityIps")) == {"Forbidden.RAM"}
    assert len(codes_of(configured, "ModifySecurityIps")) == len(failed)
    assert WEB2_IP not in str(configured.state()["kvstore"])


def test_the_empty_listing_answer_still_meets_the_guard(
    configured: Any, function_env: pytest.MonkeyPatch, invoke: Any
) -> None:
    """The older answer (200, no instances) must not read as "the fleet is gone"."""
    deny(configured, function_env, "DescribeInstances", DeniedAnswer="empty-list")
    before = configured.state()["kvstore"]

    result = invoke(timer_event())

    assert result["status"] == "error"
    assert "Forbidden.RAM" in str(result)
    assert configured.state()["kvstore"] == before
    assert writes(configured.calls()) == 0


# -- re-sorted whitelists -------------------------------------------------------------


def test_a_re_sorted_whitelist_converges_and_then_stays_still(configured: Any, invoke: Any) -> None:
    """Hosts whose IPs sort differently as numbers, as strings and as the service
    answers them: the function compares sets, so the second run writes nothing."""
    hosts = {f"i-bp1many{n:011d}": f"10.0.1.{n}" for n in (2, 9, 10, 99, 100, 101, 250)}
    configured.put_instances(
        "cn-hangzhou",
        [make_instance(i, ip, tags={"app": "orders"}) for i, ip in hosts.items()],
    )

    first = invoke(timer_event())
    assert first["status"] == "applied"
    assert entries_of(configured.state(), R_ORDERS, "ecs_orders") == {
        WEB1_IP, WEB2_IP, *hosts.values()
    }  # fmt: skip
    configured.reset_calls()

    second = invoke(timer_event())
    assert second["status"] == "noop"
    assert writes(configured.calls()) == 0


# -- instances that settle after each write -------------------------------------------


class FakeClock:
    """The fake's monotonic clock, moved only by the function's backoff sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


SECOND_ORDERS = copy.deepcopy(ORDERS_TARGET) | {"name": "orders-cache-b", "group": "ecs_orders_b"}


@pytest.fixture
def settling(
    function_env: pytest.MonkeyPatch, write_config: Any
) -> Iterator[tuple[LocalCloud, FakeClock]]:
    """Every write leaves R_ORDERS ``Changing`` for 1.5 s of fake time; the function's
    backoff sleeps advance that time instead of waiting (same attempts, same deadline)."""
    clock = FakeClock()
    seed = base_seed() | {"settle_ms": 1500}
    with LocalCloud.mocked(seed, base_url="http://localcloud.test", monotonic=clock) as cloud:
        point_env_at(function_env, cloud.base_url)
        function_env.setattr(
            factory, "RpcClient", functools.partial(RpcClient, sleep=clock.sleep, rand=lambda: 0.5)
        )
        write_config(base_config(targets=[copy.deepcopy(ORDERS_TARGET), SECOND_ORDERS]))
        yield cloud, clock


def test_two_targets_on_a_settling_instance_both_land_from_one_running_event(
    settling: tuple[LocalCloud, FakeClock], invoke: Any
) -> None:
    cloud, clock = settling

    result = invoke(eventbridge_state_change(WEB2, "Running"))

    assert result["status"] == "applied", result
    state = cloud.state()
    assert entries_of(state, R_ORDERS, "ecs_orders") == {WEB1_IP, WEB2_IP}
    assert entries_of(state, R_ORDERS, "ecs_orders_b") == {WEB2_IP}  # an event only adds
    codes = codes_of(cloud, "ModifySecurityIps")
    assert "IncorrectDBInstanceState" in codes, "the second write met the settling instance"
    assert codes.count(None) == 2, "each group written once"
    assert clock.now >= 1.5, "retried after the instance settled, inside the deadline"


def test_a_settling_longer_than_the_retries_fails_the_invocation_and_redelivery_lands(
    settling: tuple[LocalCloud, FakeClock], invoke: Any
) -> None:
    """Tair can take ~30 s to settle: more than the backoff's attempts wait. The run then
    fails as transient (the platform redelivers), having written what it could."""
    cloud, clock = settling
    cloud.backend.state.kvstore.settle_s = 30.0

    with pytest.raises(TransientCloudError) as raised:
        invoke(eventbridge_state_change(WEB2, "Running"))
    assert raised.value.code == "IncorrectDBInstanceState"
    assert entries_of(cloud.state(), R_ORDERS, "ecs_orders") == {WEB1_IP, WEB2_IP}
    assert entries_of(cloud.state(), R_ORDERS, "ecs_orders_b") is None
    assert clock.now < 30.0

    clock.sleep(30.0)  # the platform's retry comes later
    assert invoke(eventbridge_state_change(WEB2, "Running"))["status"] == "applied"
    assert entries_of(cloud.state(), R_ORDERS, "ecs_orders_b") == {WEB2_IP}


def test_a_timer_against_a_settling_instance_converges(
    settling: tuple[LocalCloud, FakeClock], invoke: Any
) -> None:
    cloud, _ = settling

    assert invoke(timer_event())["status"] == "applied"
    assert entries_of(cloud.state(), R_ORDERS, "ecs_orders_b") == {WEB1_IP, WEB2_IP}
    cloud.reset_calls()
    assert invoke(timer_event())["status"] == "noop"
    assert writes(cloud.calls()) == 0


def test_reads_answering_lock_timeout_while_the_instance_changes_are_retried(
    settling: tuple[LocalCloud, FakeClock], invoke: Any
) -> None:
    cloud, _ = settling
    assert invoke(eventbridge_state_change(WEB2, "Running"))["status"] == "applied"
    # The timer comes while the last write's change still runs: its read meets LockTimeout.
    cloud.add_fault(action="DescribeSecurityIps", lock_timeout=True)
    cloud.reset_calls()

    result = invoke(timer_event())

    assert result["status"] == "applied", result
    state = cloud.state()
    assert entries_of(state, R_ORDERS, "ecs_orders") == {WEB1_IP, WEB2_IP}
    assert entries_of(state, R_ORDERS, "ecs_orders_b") == {WEB1_IP, WEB2_IP}
    assert codes_of(cloud, "DescribeSecurityIps")[0] == "LockTimeout"


# -- the verified IP events -----------------------------------------------------------

WEB1_ENI = f"eni-{WEB1.removeprefix('i-')}"
SECONDARY = "10.0.1.111"


def web1(ip: str = WEB1_IP, **keys: Any) -> dict[str, Any]:
    return make_instance(WEB1, ip, tags={"app": "orders"}, name="orders-web-1", **keys)


@pytest.fixture
def with_secondaries(configured: Any, write_config: Any) -> Any:
    """orders-cache also whitelists secondary private IPs; WEB2 is already in."""
    target = copy.deepcopy(ORDERS_TARGET) | {"secondary_ips": True}
    write_config(base_config(targets=[target]))
    configured.reset_calls()
    return configured


@pytest.mark.parametrize("envelope", ["eventbridge", "cloudmonitor"])
def test_a_secondary_ip_assigned_to_an_eni_is_whitelisted(
    with_secondaries: Any, invoke: Any, envelope: str
) -> None:
    cloud = with_secondaries
    cloud.put_instances("cn-hangzhou", [web1(secondary_ips=[SECONDARY])])
    make = (
        cloud_events.eni_private_ip_change
        if envelope == "eventbridge"
        else cloud_events.cloudmonitor_eni_private_ip_change
    )

    result = invoke(make(WEB1_ENI, WEB1_IP, [SECONDARY]))

    assert result["status"] == "applied", result
    assert entries_of(cloud.state(), R_ORDERS, "ecs_orders") == {WEB1_IP, WEB2_IP, SECONDARY}


def test_a_secondary_ip_unassigned_from_an_eni_is_removed(
    with_secondaries: Any, invoke: Any
) -> None:
    cloud = with_secondaries
    cloud.put_instances("cn-hangzhou", [web1(secondary_ips=[SECONDARY])])
    assert (
        invoke(cloud_events.eni_private_ip_change(WEB1_ENI, WEB1_IP, [SECONDARY]))["status"]
        == "applied"
    )
    cloud.put_instances("cn-hangzhou", [web1()])

    result = invoke(cloud_events.eni_private_ip_change(WEB1_ENI, WEB1_IP, assigned=False))

    assert result["status"] == "applied", result
    assert entries_of(cloud.state(), R_ORDERS, "ecs_orders") == {WEB1_IP, WEB2_IP}


def test_a_vswitch_change_brings_the_new_ip_in_and_takes_the_old_one_out(
    configured: Any, invoke: Any
) -> None:
    assert invoke(timer_event())["status"] == "applied"  # WEB1 and WEB2 are in
    moved_ip = "10.0.3.11"
    configured.put_instances("cn-hangzhou", [web1(moved_ip, vswitch_id="vsw-demo03")])
    configured.reset_calls()

    result = invoke(cloud_events.vswitch_changed(WEB1, "vsw-demo03", moved_ip))

    assert result["status"] == "applied", result
    assert entries_of(configured.state(), R_ORDERS, "ecs_orders") == {moved_ip, WEB2_IP}
    orders = next(t for t in result["targets"] if t["target"] == "orders-cache")
    assert orders["added"] == [moved_ip]
    assert orders["removed"] == [WEB1_IP]
