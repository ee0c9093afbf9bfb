"""The real adapters against localcloud mounted in-process on ``responses``.

localcloud is the independent oracle (it checks signatures and enforces the API's
rules); these tests assert on its state and call log, not on our own requests.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from aliyun_fakes import FakeTime

from localcloud.builders import make_group, make_instance, make_redis_instance, make_seed
from localcloud.mock import LocalCloud
from whitelist_core.aliyun.ecs.inventory import EcsInventory
from whitelist_core.aliyun.stores.kvstore import KvstoreWhitelistStore
from whitelist_core.aliyun.transport.credentials import Credentials
from whitelist_core.aliyun.transport.endpoints import Endpoints
from whitelist_core.aliyun.transport.retry import Backoff
from whitelist_core.aliyun.transport.rpc import RpcClient
from whitelist_core.errors import PermanentCloudError, TransientCloudError
from whitelist_core.ports import InstanceQuery

BASE = "http://localcloud.test:8080"
REGION = "cn-hangzhou"
R = "r-bp1orders0000001"
GOOD = Credentials("localcloud-id", "localcloud-secret")


def _seed() -> dict[str, Any]:
    ecs = [
        make_instance(f"i-bp1test{n:012d}", f"10.0.{n // 200}.{n % 200 + 1}",
                      tags={"app": "orders" if n % 2 else "billing"},
                      secondary_ips=[f"10.8.0.{n + 1}"] if n < 3 else ())
        for n in range(230)
    ]  # fmt: skip
    groups = [
        make_group("default"),
        make_group("ecs_orders", ["10.0.0.1"], hidden=True, system=False),
    ]
    return make_seed(ecs, [make_redis_instance(R, groups)], region=REGION)


@pytest.fixture
def cloud() -> Iterator[LocalCloud]:
    with LocalCloud.mocked(_seed(), base_url=BASE) as mock:
        yield mock


def _clients(
    fake_time: FakeTime, credentials: Credentials = GOOD, budget: float = 60.0
) -> tuple[EcsInventory, KvstoreWhitelistStore]:
    rpc = RpcClient(credentials, deadline=fake_time.now + budget, session=requests.Session(),
                    clock=fake_time.clock, sleep=fake_time.sleep, backoff=Backoff(max_attempts=6))  # fmt: skip
    endpoints = Endpoints.from_environ(
        {"WHITELIST_ECS_ENDPOINT": BASE, "WHITELIST_KVSTORE_ENDPOINT": BASE}
    )
    return EcsInventory(rpc, endpoints), KvstoreWhitelistStore(rpc, endpoints)


def _group(cloud: LocalCloud, name: str) -> dict[str, Any]:
    (redis,) = cloud.state()["kvstore"][REGION]
    return next(g for g in redis["SecurityIpGroups"] if g["SecurityIpGroupName"] == name)


def test_listing_pages_through_every_instance(cloud: LocalCloud, fake_time: FakeTime) -> None:
    ecs, _ = _clients(fake_time)
    found = ecs.list_instances(REGION)
    assert len(found) == 230
    assert cloud.calls()["counts"]["DescribeInstances"] == 3
    first = next(i for i in found if i.instance_id == "i-bp1test000000000000")
    assert (first.private_ips, first.secondary_ips) == (("10.0.0.1",), ("10.8.0.1",))


def test_server_side_filters_and_id_chunks(cloud: LocalCloud, fake_time: FakeTime) -> None:
    ecs, _ = _clients(fake_time)
    orders = ecs.list_instances(REGION, InstanceQuery(tags=(("app", "orders"),)))
    assert len(orders) == 115
    assert all(i.tags["app"] == "orders" for i in orders)
    ids = [f"i-bp1test{n:012d}" for n in range(0, 230, 1)] + ["i-doesnotexist0001"]
    cloud.reset_calls()
    assert len(ecs.get_instances(REGION, ids)) == 230
    assert cloud.calls()["counts"]["DescribeInstances"] == 3


def test_find_by_private_ips_sees_a_secondary_ip(cloud: LocalCloud, fake_time: FakeTime) -> None:
    ecs, _ = _clients(fake_time)
    holders = ecs.find_by_private_ips(REGION, ["10.8.0.2", "10.0.0.4", "10.77.0.1"])
    assert sorted(i.instance_id for i in holders) == [
        "i-bp1test000000000001",
        "i-bp1test000000000003",
    ]


def test_append_delete_cover_change_localcloud_state(
    cloud: LocalCloud, fake_time: FakeTime
) -> None:
    _, store = _clients(fake_time)
    store.append(REGION, R, "ecs_orders", ["10.0.0.2", "10.0.0.3"], "hidden")
    assert _group(cloud, "ecs_orders")["SecurityIpList"] == "10.0.0.1,10.0.0.2,10.0.0.3"
    store.delete(REGION, R, "ecs_orders", ["10.0.0.1"], "hidden")
    group = _group(cloud, "ecs_orders")
    assert (group["SecurityIpGroupAttribute"], group["SecurityIpList"]) == (
        "hidden",
        "10.0.0.2,10.0.0.3",
    )
    store.cover(REGION, R, "ecs_orders", ["127.0.0.1"], "hidden")
    assert _group(cloud, "ecs_orders")["SecurityIpList"] == "127.0.0.1"
    groups = {g.name: g for g in store.read_groups(REGION, R)}
    assert groups["ecs_orders"].attribute == "hidden"
    assert groups["default"].entries == ("127.0.0.1",)


def test_append_creates_a_missing_group(cloud: LocalCloud, fake_time: FakeTime) -> None:
    _, store = _clients(fake_time)
    store.append(REGION, R, "ecs_new", ["10.0.0.9"], "")
    assert _group(cloud, "ecs_new")["SecurityIpList"] == "10.0.0.9"


def test_repeated_and_overlapping_writes_converge(cloud: LocalCloud, fake_time: FakeTime) -> None:
    _, store = _clients(fake_time)
    store.append(REGION, R, "ecs_orders", ["10.0.0.1", "10.0.0.5"], "hidden")  # 10.0.0.1 is there
    store.append(REGION, R, "ecs_orders", ["10.0.0.5"], "hidden")  # all there
    assert _group(cloud, "ecs_orders")["SecurityIpList"] == "10.0.0.1,10.0.0.5"
    store.delete(REGION, R, "ecs_orders", ["10.0.0.5", "10.0.0.77"], "hidden")  # one absent
    store.delete(REGION, R, "ecs_orders", ["10.0.0.5"], "hidden")  # already absent
    assert _group(cloud, "ecs_orders")["SecurityIpList"] == "10.0.0.1"


def test_deleting_the_last_entry_is_refused_not_confirmed(
    cloud: LocalCloud, fake_time: FakeTime
) -> None:
    _, store = _clients(fake_time)
    with pytest.raises(PermanentCloudError) as caught:
        store.delete(REGION, R, "ecs_orders", ["10.0.0.1"], "hidden")
    assert caught.value.request_id
    assert _group(cloud, "ecs_orders")["SecurityIpList"] == "10.0.0.1"


def test_throttled_twice_then_applied(cloud: LocalCloud, fake_time: FakeTime) -> None:
    _, store = _clients(fake_time)
    cloud.add_fault(action="ModifySecurityIps", status=400, code="Throttling.User", count=2)
    store.append(REGION, R, "ecs_orders", ["10.0.0.6"], "hidden")
    calls = [c for c in cloud.calls()["calls"] if c["action"] == "ModifySecurityIps"]
    assert [c["code"] for c in calls][:2] == ["Throttling.User", "Throttling.User"]
    assert len(calls) == 3
    assert len(fake_time.sleeps) == 2
    assert "10.0.0.6" in _group(cloud, "ecs_orders")["SecurityIpList"]


def test_lost_answer_then_duplicate_is_confirmed(cloud: LocalCloud, fake_time: FakeTime) -> None:
    _, store = _clients(fake_time)
    cloud.add_fault(action="ModifySecurityIps", reset=True, apply=True, count=1)
    store.append(REGION, R, "ecs_orders", ["10.0.0.7"], "hidden")
    assert _group(cloud, "ecs_orders")["SecurityIpList"] == "10.0.0.1,10.0.0.7"
    log = [(c["action"], c["code"]) for c in cloud.calls()["calls"]]
    assert log[1:] == [
        ("ModifySecurityIps", "InvalidInstanceIp.Duplicate"),
        ("DescribeSecurityIps", None),
    ]
    assert log[0][0] == "ModifySecurityIps"


def test_instance_not_normal_is_transient_until_the_deadline(
    cloud: LocalCloud, fake_time: FakeTime
) -> None:
    _, store = _clients(fake_time, budget=5.0)
    cloud.set_instance_status(R, "Changing")
    with pytest.raises(TransientCloudError) as caught:
        store.append(REGION, R, "ecs_orders", ["10.0.0.8"], "hidden")
    assert caught.value.code == "IncorrectDBInstanceState"
    assert fake_time.now <= 1000.0 + 5.0 - 0.5


def test_wrong_secret_is_a_permanent_signature_error(
    cloud: LocalCloud, fake_time: FakeTime
) -> None:
    ecs, _ = _clients(fake_time, credentials=Credentials("localcloud-id", "wrong"))
    with pytest.raises(PermanentCloudError) as caught:
        ecs.list_instances(REGION)
    assert caught.value.code == "SignatureDoesNotMatch"
    assert len(cloud.calls()["calls"]) == 1
