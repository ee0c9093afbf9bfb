"""``regions.run_units``: regions run concurrently (bounded), a region's failure stays its
own, and results and log lines come back in the order given, whatever finished first.
Concurrency is shown with barriers and events, never with wall-clock limits."""

from __future__ import annotations

import json
import threading

import pytest
import structlog

from whitelist_core.errors import PermanentCloudError
from whitelist_core.logs import configure_logging, reset_logging
from whitelist_core.service.batch import Unit, UnitResult
from whitelist_core.service.regions import run_units

REGIONS = ["cn-hangzhou", "cn-shanghai", "cn-beijing", "cn-shenzhen"]


def units(regions: list[str] = REGIONS) -> list[Unit]:
    return [Unit(region, False, (), ("t",), ()) for region in regions]


def done(unit: Unit) -> UnitResult:
    return UnitResult(unit, {}, {})


def test_regions_run_at_the_same_time() -> None:
    barrier = threading.Barrier(len(REGIONS), timeout=30)

    def run(unit: Unit) -> UnitResult:
        barrier.wait()  # breaks (BrokenBarrierError) unless all four run at once
        return done(unit)

    outcomes = run_units(units(), run)

    assert [o for _, o in outcomes] == [done(u) for u in units()]


def test_at_most_the_bound_run_at_once() -> None:
    lock, running, peak = threading.Lock(), [0], [0]
    release = threading.Event()
    started = threading.Semaphore(0)

    def run(unit: Unit) -> UnitResult:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        started.release()
        release.wait(timeout=30)
        with lock:
            running[0] -= 1
        return done(unit)

    thread = threading.Thread(target=lambda: run_units(units(), run, workers=2))
    thread.start()
    for _ in range(2):
        assert started.acquire(timeout=30)
    assert not started.acquire(timeout=0.2)  # a third region has not started
    release.set()
    thread.join(timeout=30)
    assert peak[0] == 2


def test_a_regions_failure_stays_its_own_and_the_order_is_kept() -> None:
    def run(unit: Unit) -> UnitResult:
        if unit.region == "cn-shanghai":
            raise PermanentCloudError("DescribeInstances", "Forbidden.RAM", "denied")
        return done(unit)

    outcomes = run_units(units(), run)

    assert [u.region for u, _ in outcomes] == REGIONS
    assert isinstance(outcomes[1][1], PermanentCloudError)
    assert all(isinstance(o, UnitResult) for i, (_, o) in enumerate(outcomes) if i != 1)


def test_a_regions_units_run_in_order_in_one_worker() -> None:
    seen: list[tuple[str, bool]] = []
    mixed = [Unit("cn-hangzhou", True), Unit("cn-shanghai", False), Unit("cn-hangzhou", False)]

    def run(unit: Unit) -> UnitResult:
        seen.append((unit.region, unit.dry_run))
        return done(unit)

    outcomes = run_units(mixed, run)

    assert [u for u, _ in outcomes] == mixed
    hangzhou = [s for s in seen if s[0] == "cn-hangzhou"]
    assert hangzhou == [("cn-hangzhou", True), ("cn-hangzhou", False)]


@pytest.fixture
def logging_on() -> object:
    configure_logging("INFO")
    yield
    reset_logging()


def test_log_lines_come_out_region_by_region_in_order(
    capsys: pytest.CaptureFixture[str], logging_on: object
) -> None:
    first_may_finish = threading.Event()
    log = structlog.get_logger("whitelist_core.test")

    def run(unit: Unit) -> UnitResult:
        if unit.region == REGIONS[0]:
            first_may_finish.wait(timeout=30)  # the first region finishes last
        log.info("step", region=unit.region, n=1)
        log.info("step", region=unit.region, n=2)
        if unit.region == REGIONS[-1]:
            first_may_finish.set()
        return done(unit)

    run_units(units(), run)

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    order = [(line["region"], line["n"]) for line in lines if line.get("event") == "step"]
    assert order == [(region, n) for region in REGIONS for n in (1, 2)]


def test_importing_the_handler_loads_no_thread_pool() -> None:
    # Single-event invocations never run regions in parallel: their cold start skips the pool.
    import subprocess
    import sys

    code = "import sys, handler; print('concurrent.futures.thread' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
