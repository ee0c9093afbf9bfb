"""Fixtures for the aliyun adapter tests (helpers live in ``aliyun_fakes``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
import requests
import responses
from aliyun_fakes import CREDS, FakeTime, RpcFactory

from whitelist_core.aliyun.transport.endpoints import Endpoints
from whitelist_core.aliyun.transport.retry import Backoff
from whitelist_core.aliyun.transport.rpc import RpcClient


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


@pytest.fixture
def make_rpc(fake_time: FakeTime) -> RpcFactory:
    """An RpcClient on the fake clock; ``budget`` seconds to its deadline."""

    def make(budget: float = 30.0, rand: Callable[[], float] = lambda: 1.0, **kw: Any) -> RpcClient:
        return RpcClient(
            kw.pop("credentials", CREDS),
            deadline=fake_time.now + budget,
            session=requests.Session(),
            backoff=kw.pop("backoff", Backoff()),
            clock=fake_time.clock,
            sleep=fake_time.sleep,
            rand=rand,
            now=lambda: datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
            **kw,
        )

    return make


@pytest.fixture
def endpoints() -> Endpoints:
    return Endpoints()
