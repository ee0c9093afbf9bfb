"""Listings that lie: removals rest only on a complete, well-formed ECS listing.

localcloud's lying-answer faults (``shape``, ``truncate``, ``loop``) make
``DescribeInstances`` answer 200 with pages that look plausible but are not the
documented answer. Every assertion reads localcloud's state and call log.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest
from whitelist_testkit import R_ORDERS, REGION, WEB1_IP, WEB2_IP, entries_of, timer_event

from localcloud.builders import make_group, make_instance, make_redis_instance, make_seed
from whitelist_core.aliyun import factory
from whitelist_core.aliyun.transport.rpc import RpcClient
from whitelist_core.errors import TransientCloudError

STATICS = ["10.8.0.0/24", "10.8.1.0/24", "10.8.2.0/24"]
HOSTS = [(f"i-bp1fleet{n:08d}", f"10.0.3.{n}") for n in range(1, 26)]


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries keep their attempts and deadline but do not sleep."""
    monkeypatch.setattr(factory, "RpcClient", functools.partial(RpcClient, sleep=lambda s: None))


def _orders(**extra: Any) -> dict[str, Any]:
    return {
        "name": "orders-cache",
        "instance_id": R_ORDERS,
        "group": "ecs_orders",
        "selector": {"vpc_id": "vpc-demo01", "tags": {"app": "orders"}},
    } | extra


def _diluted(cloud: Any, write_config: Any) -> None:
    """WEB1 and WEB2 whitelisted beside three static entries: losing both hosts is 40 %,
    under the default 50 % removal guard, so the guard alone would not save them."""
    owned = [WEB1_IP, WEB2_IP, *STATICS]
    redis = make_redis_instance(R_ORDERS, [make_group("ecs_orders", owned)])
    cloud.put_redis_instances(REGION, [redis])
    write_config({"version": 1, "region": REGION,
                  "targets": [_orders(static_entries=STATICS)]})  # fmt: skip
    cloud.reset_calls()


@pytest.mark.parametrize("shape", ["empty", "instances-list", "renamed", "instance-not-list"])
def test_a_malformed_page_never_reads_as_no_instances(
    cloud: Any, write_config: Any, invoke: Any, no_backoff: None, shape: str
) -> None:
    _diluted(cloud, write_config)
    cloud.add_fault(action="DescribeInstances", shape=shape)

    with pytest.raises(TransientCloudError) as caught:
        invoke(timer_event())

    assert "MalformedResponse" in str(caught.value)
    assert entries_of(cloud.state(), R_ORDERS, "ecs_orders") == {WEB1_IP, WEB2_IP, *STATICS}
    assert cloud.calls()["counts"].get("ModifySecurityIps", 0) == 0


def test_a_malformed_page_is_retried_and_the_run_converges(
    cloud: Any, write_config: Any, invoke: Any, no_backoff: None
) -> None:
    _diluted(cloud, write_config)
    cloud.add_fault(action="DescribeInstances", shape="empty", count=2)

    result = invoke(timer_event())

    assert result["status"] == "noop"
    assert entries_of(cloud.state(), R_ORDERS, "ecs_orders") == {WEB1_IP, WEB2_IP, *STATICS}


def _fleet() -> dict[str, Any]:
    """25 live hosts, every one whitelisted in ``ecs_orders``."""
    hosts = [make_instance(i, ip, tags={"app": "orders"}) for i, ip in HOSTS]
    redis = make_redis_instance(R_ORDERS, [make_group("ecs_orders", [ip for _, ip in HOSTS])])
    return make_seed(hosts, [redis], region=REGION)


def test_a_truncated_listing_removes_nothing_even_through_the_recheck(
    cloud: Any, write_config: Any, invoke: Any, no_backoff: None
) -> None:
    cloud.reset(_fleet())
    # secondary_ips: the re-check looks addresses up by ENI too; the guard is opened wide
    # so only the listing check can help.
    policy = {"max_removals": 1000, "max_removal_percent": 100}
    write_config({"version": 1, "region": REGION, "policy": policy,
                  "targets": [_orders(secondary_ips=True)]})  # fmt: skip
    cloud.add_fault(action="DescribeInstances", truncate=20)

    with pytest.raises(TransientCloudError) as caught:
        invoke(timer_event())

    assert "TruncatedListing" in str(caught.value)
    assert entries_of(cloud.state(), R_ORDERS, "ecs_orders") == {ip for _, ip in HOSTS}
    assert cloud.calls()["counts"].get("ModifySecurityIps", 0) == 0


def test_a_next_token_loop_is_stopped_within_a_few_pages(
    cloud: Any, write_config: Any, invoke: Any, no_backoff: None
) -> None:
    _diluted(cloud, write_config)
    cloud.add_fault(action="DescribeInstances", loop=True)

    with pytest.raises(TransientCloudError) as caught:
        invoke(timer_event())

    assert "RepeatedPage" in str(caught.value)
    assert cloud.calls()["counts"]["DescribeInstances"] <= 4
    assert entries_of(cloud.state(), R_ORDERS, "ecs_orders") == {WEB1_IP, WEB2_IP, *STATICS}
