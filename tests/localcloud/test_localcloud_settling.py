"""Whitelists as the service keeps them: re-sorted lists, instances that settle after
each write (``settle_ms``), and ``LockTimeout`` on a read while a modification runs.

Driven by the official Tea SDK; settling runs on an injected clock, so nothing sleeps.
"""

from __future__ import annotations

from typing import Any

import pytest
from alibabacloud_r_kvstore20150101 import models as kv_models
from alibabacloud_tea_openapi.exceptions import ClientException
from localcloud_support import Running, demo_seed, kvstore

from localcloud.kvstore.entries import wire_order
from localcloud.mock import LocalCloud

BASE = "http://localcloud.test"
ENDPOINT = "localcloud.test"
R = "r-bp1orders0000001"


class FakeClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def settling_seed(settle_ms: int) -> dict[str, Any]:
    return demo_seed() | {"settle_ms": settle_ms}


def append(client: Any, ips: str, group: str = "ecs_orders") -> Any:
    return client.modify_security_ips(
        kv_models.ModifySecurityIpsRequest(
            instance_id=R, security_ips=ips, security_ip_group_name=group, modify_mode="Append"
        )
    )


def lists(client: Any) -> dict[str, str]:
    body = client.describe_security_ips(kv_models.DescribeSecurityIpsRequest(instance_id=R)).body
    return {
        g.security_ip_group_name: g.security_ip_list
        for g in body.security_ip_groups.security_ip_group
    }


def status(cloud: LocalCloud) -> str:
    return next(
        i["InstanceStatus"] for i in cloud.state()["kvstore"]["cn-hangzhou"] if i["InstanceId"] == R
    )


# -- order ----------------------------------------------------------------------------


def test_a_whitelist_comes_back_re_sorted_not_in_write_order() -> None:
    written = ["10.0.1.9", "10.0.1.10", "10.0.1.100", "192.168.0.0/16", "10.0.0.1", "172.16.5.4"]
    with LocalCloud.mocked(demo_seed(), base_url=BASE) as cloud:
        client = kvstore(ENDPOINT)
        client.modify_security_ips(
            kv_models.ModifySecurityIpsRequest(
                instance_id=R, security_ips=",".join(written), security_ip_group_name="ecs_new"
            )
        )
        answered = lists(client)["ecs_new"].split(",")
        assert set(answered) == set(written)
        assert answered != written
        assert answered != sorted(written), "not plain string order either"
        assert answered == wire_order(written)
        # The same set answers the same order, however it was written.
        client.modify_security_ips(
            kv_models.ModifySecurityIpsRequest(
                instance_id=R,
                security_ips=",".join(reversed(written)),
                security_ip_group_name="ecs_new",
            )
        )
        assert lists(client)["ecs_new"].split(",") == answered
        group = next(
            g
            for g in cloud.state()["kvstore"]["cn-hangzhou"][0]["SecurityIpGroups"]
            if g["SecurityIpGroupName"] == "ecs_new"
        )
        assert group["SecurityIpList"].split(",") == list(reversed(written)), "stored order"


def test_appended_entries_do_not_just_land_at_the_end() -> None:
    with LocalCloud.mocked(demo_seed(), base_url=BASE):
        client = kvstore(ENDPOINT)
        before = lists(client)["ecs_orders"].split(",")
        added = [f"10.0.7.{n}" for n in range(1, 9)]
        append(client, ",".join(added))
        after = lists(client)["ecs_orders"].split(",")
        assert set(after) == {*before, *added}
        assert after != [*before, *added]
        assert after == wire_order(after)


# -- settle_ms ------------------------------------------------------------------------


def test_an_instance_is_changing_for_settle_ms_after_a_write_and_refuses_writes() -> None:
    clock = FakeClock()
    with LocalCloud.mocked(settling_seed(2000), base_url=BASE, monotonic=clock) as cloud:
        client = kvstore(ENDPOINT)
        assert status(cloud) == "Normal"
        append(client, "10.0.8.1")
        assert status(cloud) == "Changing"
        with pytest.raises(ClientException) as refused:
            append(client, "10.0.8.2")
        assert (refused.value.code, refused.value.status_code) == ("IncorrectDBInstanceState", 403)
        assert refused.value.request_id
        assert "10.0.8.1" in lists(client)["ecs_orders"], "reads answer while Changing"
        clock.advance(1.999)
        with pytest.raises(ClientException):
            append(client, "10.0.8.2", group="ecs_other")
        clock.advance(0.001)
        assert status(cloud) == "Normal"
        append(client, "10.0.8.2")
        assert status(cloud) == "Changing", "every write starts a new settling period"
        assert set(lists(client)["ecs_orders"].split(",")) >= {"10.0.8.1", "10.0.8.2"}
        assert "ecs_other" not in lists(client), "the refused write created nothing"
        assert cloud.state()["settle_ms"] == 2000


def test_a_refused_write_while_changing_does_not_extend_the_settling() -> None:
    clock = FakeClock()
    with LocalCloud.mocked(settling_seed(1000), base_url=BASE, monotonic=clock) as cloud:
        client = kvstore(ENDPOINT)
        append(client, "10.0.8.1")
        clock.advance(0.5)
        with pytest.raises(ClientException):
            append(client, "10.0.8.2")
        clock.advance(0.5)
        assert status(cloud) == "Normal"


def test_without_settle_ms_writes_follow_each_other_at_once() -> None:
    with LocalCloud.mocked(demo_seed(), base_url=BASE) as cloud:
        client = kvstore(ENDPOINT)
        append(client, "10.0.8.1")
        append(client, "10.0.8.2")
        assert status(cloud) == "Normal"
        assert "settle_ms" not in cloud.state()


def test_an_admin_status_overrides_the_settling() -> None:
    clock = FakeClock()
    with LocalCloud.mocked(settling_seed(1000), base_url=BASE, monotonic=clock) as cloud:
        append(kvstore(ENDPOINT), "10.0.8.1")
        cloud.set_instance_status(R, "Flushing")
        clock.advance(5)
        assert status(cloud) == "Flushing", "only the settling of a write ends by itself"


@pytest.mark.parametrize("value", [-1, "100", 1.5, True])
def test_a_bad_settle_ms_is_refused_at_load(value: object) -> None:
    with pytest.raises(ValueError, match="settle_ms"):
        LocalCloud(demo_seed() | {"settle_ms": value})


def test_the_server_settles_on_the_real_clock(lc: Running) -> None:
    assert lc.admin("POST", "reset", settling_seed(600_000)).status_code == 200
    client = kvstore(lc.endpoint)
    append(client, "10.0.8.1")
    with pytest.raises(ClientException) as refused:
        append(client, "10.0.8.2")
    assert refused.value.code == "IncorrectDBInstanceState"
    assert lc.admin("GET", "state").json()["settle_ms"] == 600_000


# -- LockTimeout on a read ------------------------------------------------------------


def test_a_lock_timeout_fault_answers_reads_only_while_a_modification_runs() -> None:
    clock = FakeClock()
    with LocalCloud.mocked(settling_seed(1000), base_url=BASE, monotonic=clock) as cloud:
        cloud.add_fault(action="DescribeSecurityIps", lock_timeout=True, count=1)
        client = kvstore(ENDPOINT)
        assert lists(client), "an idle instance answers; the fault is not used up"
        assert cloud.backend.faults.list() == [
            {"action": "DescribeSecurityIps", "lock_timeout": True, "count": 1}
        ]
        append(client, "10.0.8.1")
        with pytest.raises(ClientException) as busy:
            lists(client)
        assert (busy.value.code, busy.value.status_code) == ("LockTimeout", 400)
        assert cloud.backend.faults.list() == []
        assert "10.0.8.1" in lists(client)["ecs_orders"], "count 1: the next read answers"
        assert [c["code"] for c in cloud.calls()["calls"]] == [None, None, "LockTimeout", None]


def test_a_lock_timeout_fault_fires_while_the_instance_lock_is_held() -> None:
    with LocalCloud.mocked(demo_seed(), base_url=BASE) as cloud:
        cloud.add_fault(action="DescribeSecurityIps", lock_timeout=True)
        model = cloud.backend.state.kvstore
        instance = model.find(R)
        assert instance.modify_lock.acquire(blocking=False)
        try:
            with pytest.raises(ClientException) as busy:
                lists(kvstore(ENDPOINT))
            assert busy.value.code == "LockTimeout"
        finally:
            instance.modify_lock.release()
        assert lists(kvstore(ENDPOINT))


def test_a_lock_timeout_fault_combines_with_nothing_else() -> None:
    with pytest.raises(ValueError, match="at most one"):
        LocalCloud().add_fault(action="DescribeSecurityIps", lock_timeout=True, status=400)
