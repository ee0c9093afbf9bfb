"""Regions in parallel: the units of a run, one worker per region, a bounded pool.

Regions share nothing but the invocation's deadline (the cloud adapters carry it), so a
timer reconcile of several regions waits for the slowest region instead of their sum. A
region's units run in order in one worker; a region's failure stays that region's. The
results come back in the order the units were given, and each region's log lines are
held while it runs and written afterwards, region by region in that order, so results and
logs read the same whatever finished first.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Sequence

from whitelist_core.logs.output import hold_lines, write_lines
from whitelist_core.service.batch import Unit, UnitResult

MAX_PARALLEL_REGIONS = 4
"""At most this many regions at once: each worker holds connections and API quota."""

Outcome = UnitResult | Exception


def run_units(
    units: Sequence[Unit],
    run: Callable[[Unit], UnitResult],
    *,
    workers: int | None = None,
) -> list[tuple[Unit, Outcome]]:
    """Run every unit; one region per worker, at most ``workers`` regions at once.

    Returns ``(unit, result or the exception it raised)`` in the order of ``units``; the
    caller decides what an exception means (permanent: that region's error; transient:
    fail the invocation once every region has finished).
    """
    workers = MAX_PARALLEL_REGIONS if workers is None else workers
    regions: dict[tuple[str, str], list[Unit]] = {}  # a region of each account
    for unit in units:
        regions.setdefault((unit.account, unit.region), []).append(unit)
    if len(regions) <= 1 or workers <= 1:
        return [(unit, _attempt(run, unit)) for unit in units]
    # Deferred: the thread pool (~5 ms of imports) is only needed by a multi-region run,
    # never by the single-event invocations whose cold start users wait for.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(workers, len(regions))) as pool:
        futures = [
            pool.submit(contextvars.copy_context().run, _region, run, members)
            for members in regions.values()
        ]
        done = [future.result() for future in futures]
    outcomes: dict[int, Outcome] = {}
    for results, lines in done:
        write_lines(lines)
        outcomes.update({id(unit): outcome for unit, outcome in results})
    return [(unit, outcomes[id(unit)]) for unit in units]


def _region(
    run: Callable[[Unit], UnitResult], units: list[Unit]
) -> tuple[list[tuple[Unit, Outcome]], list[str]]:
    with hold_lines() as lines:
        return [(unit, _attempt(run, unit)) for unit in units], lines


def _attempt(run: Callable[[Unit], UnitResult], unit: Unit) -> Outcome:
    try:
        return run(unit)
    except Exception as exc:  # noqa: BLE001 - handed back; the caller re-raises what must propagate
        return exc
