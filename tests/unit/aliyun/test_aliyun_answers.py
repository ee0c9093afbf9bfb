"""The transport believes an answer only when it says success, and only until the deadline.

A 200 whose body carries an error ``Code`` is that error; an answer trickled one byte at a
time is cut off at the deadline (a real in-thread localcloud server sends the trickle; the
clock is injected, so nothing here measures elapsed time).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import responses
from aliyun_fakes import ECS_URL, RpcFactory, error_body

from localcloud.backend import Backend
from localcloud.builders import make_group, make_redis_instance, make_seed
from localcloud.faults import parse_fault
from localcloud.server import LocalCloudServer
from whitelist_core.aliyun.transport.credentials import Credentials
from whitelist_core.aliyun.transport.retry import Backoff
from whitelist_core.aliyun.transport.rpc import Call, RpcClient
from whitelist_core.errors import PermanentCloudError, TransientCloudError

CALL = Call(ECS_URL.rstrip("/"), "ecs", "cn-hangzhou", "DescribeInstances", "2014-05-26", {})
OK = {"RequestId": "R-OK"}


def test_a_200_with_a_transient_error_code_is_retried(
    mocked: responses.RequestsMock, make_rpc: RpcFactory
) -> None:
    mocked.add(responses.POST, ECS_URL, json=error_body("Throttling.User", "R-200"), status=200)
    mocked.add(responses.POST, ECS_URL, json=OK)
    assert make_rpc().call(CALL) == OK
    assert len(mocked.calls) == 2


def test_a_200_with_a_permanent_error_code_is_that_error(
    mocked: responses.RequestsMock, make_rpc: RpcFactory
) -> None:
    body = error_body("InvalidSecurityIPList.Format", "R-200")
    mocked.add(responses.POST, ECS_URL, json=body, status=200)
    with pytest.raises(PermanentCloudError) as caught:
        make_rpc().call(CALL)
    assert (caught.value.code, caught.value.request_id) == ("InvalidSecurityIPList.Format", "R-200")
    assert caught.value.http_status == 200
    assert len(mocked.calls) == 1


def test_a_persistent_200_with_throttling_raises_transient(
    mocked: responses.RequestsMock, make_rpc: RpcFactory
) -> None:
    mocked.add(responses.POST, ECS_URL, json=error_body("Throttling.User"), status=200)
    with pytest.raises(TransientCloudError) as caught:
        make_rpc(backoff=Backoff(max_attempts=3)).call(CALL)
    assert caught.value.code == "Throttling.User"
    assert len(mocked.calls) == 3


@pytest.mark.parametrize("code", ["200", "Success", "OK"])
def test_a_success_code_in_the_body_is_success(
    mocked: responses.RequestsMock, make_rpc: RpcFactory, code: str
) -> None:
    mocked.add(responses.POST, ECS_URL, json={"RequestId": "R", "Code": code})
    assert make_rpc().call(CALL)["Code"] == code


def test_a_check_that_finds_the_answer_malformed_is_a_retried_attempt(
    mocked: responses.RequestsMock, make_rpc: RpcFactory
) -> None:
    mocked.add(responses.POST, ECS_URL, json={"RequestId": "R-bad"})
    mocked.add(responses.POST, ECS_URL, json={"RequestId": "R-good", "Items": []})

    def check(body: dict[str, Any]) -> None:
        if "Items" not in body:
            raise ValueError("no Items")

    assert make_rpc().call(CALL, check)["RequestId"] == "R-good"
    assert len(mocked.calls) == 2


# -- wall-clock deadline over a real socket --------------------------------------------


class TickingClock:
    """A monotonic clock that moves one second every time it is read."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


@pytest.fixture
def trickling() -> Iterator[tuple[str, Backend]]:
    seed = make_seed([], [make_redis_instance("r-bp1slow000000001", [make_group("default")])])
    backend = Backend(seed)
    server = LocalCloudServer(backend, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.base_url, backend
    server.stop()
    thread.join(timeout=5)


def test_a_trickled_answer_is_cut_off_at_the_deadline(trickling: tuple[str, Backend]) -> None:
    base_url, backend = trickling
    # One byte every 50 ms: the ~300-byte answer would take 15 s; every socket read
    # returns well inside its read timeout, so only a bound on the whole body stops it.
    backend.faults.add(parse_fault({"action": "DescribeSecurityIps", "trickle_ms": 50}))
    clock = TickingClock()
    rpc = RpcClient(
        Credentials("localcloud-id", "localcloud-secret"),
        deadline=clock.now + 12,
        session=requests.Session(),
        clock=clock,
        sleep=lambda seconds: None,
    )
    call = Call(base_url, "kvstore", "cn-hangzhou", "DescribeSecurityIps", "2015-01-01",
                {"InstanceId": "r-bp1slow000000001"})  # fmt: skip
    with pytest.raises(TransientCloudError) as caught:
        rpc.call(call)
    assert caught.value.code == "Timeout"
    assert rpc.remaining() <= 0
    calls = backend.calls.snapshot()["counts"]
    assert calls == {"DescribeSecurityIps": 1}  # no attempt started past the deadline


def test_an_honest_answer_over_a_socket_is_read_whole(trickling: tuple[str, Backend]) -> None:
    base_url, _ = trickling
    rpc = RpcClient(Credentials("localcloud-id", "localcloud-secret"), deadline=1e12,
                    session=requests.Session())  # fmt: skip
    call = Call(base_url, "kvstore", "cn-hangzhou", "DescribeSecurityIps", "2015-01-01",
                {"InstanceId": "r-bp1slow000000001"})  # fmt: skip
    body = rpc.call(call)
    assert body["SecurityIpGroups"]["SecurityIpGroup"][0]["SecurityIpGroupName"] == "default"
