"""A deferred wire model is built once, by one thread, however many events arrive at once
in a fresh instance (pydantic before 2.14 has no lock of its own around the build)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from whitelist_core.entrypoints.wire import WireModel, validate

THREADS = 8


def test_concurrent_first_validations_build_the_model_once(monkeypatch: pytest.MonkeyPatch) -> None:
    class Fresh(WireModel):
        instance_id: str

    assert not Fresh.__pydantic_complete__  # deferred, as every wire model is
    building, most, calls = 0, 0, 0
    count = threading.Lock()
    rebuild = Fresh.model_rebuild

    def slow_rebuild(**kwargs: Any) -> bool | None:
        nonlocal building, most, calls
        with count:
            building += 1
            calls += 1
            most = max(most, building)
        time.sleep(0.05)  # widen the window another thread would have to build in
        try:
            return rebuild(**kwargs)
        finally:
            with count:
                building -= 1

    monkeypatch.setattr(Fresh, "model_rebuild", slow_rebuild)
    start = threading.Barrier(THREADS)

    def first_event(i: int) -> str:
        start.wait()
        return validate(Fresh, {"instanceId": f"i-{i}"}).instance_id

    with ThreadPoolExecutor(THREADS) as pool:
        seen = list(pool.map(first_event, range(THREADS)))
    assert seen == [f"i-{i}" for i in range(THREADS)]
    assert (most, calls) == (1, 1)
    assert Fresh.__pydantic_complete__
