"""Figure 5: the warm handler against ``python -m localcloud`` over loopback.

10,000 hosts, 20 targets on 3 Redis instances (500 hosts per target). Measures the
wall time of the first (writing) reconcile and of a converged one, the events per
second of a stream of Running events (warm handler, converged hosts), and with
cProfile how the converged reconcile splits between waiting on the API (time blocked
in socket reads/connects) and our process (our code + HTTP client + signing).

The wall times are dominated by the emulator: localcloud deep-copies every matching
instance of the region for each DescribeInstances page (O(fleet) per page), which the
real API does not; "in our process" is the figure that belongs to us.
"""

from __future__ import annotations

import cProfile
import pstats
import tempfile
import time
from pathlib import Path
from typing import Any

from _cloud import localcloud, point_handler_at, running_event, seed, timer_event, write_config
from _common import Figure, log
from _scenario import host_id

HOSTS, TARGETS, REDIS = 10_000, 20, 3
EVENTS = 100
WAITS = ("recv_into", "recv", "connect", "poll", "select")


def run() -> list[Figure]:
    import handler

    with (
        tempfile.TemporaryDirectory(prefix="bench-") as tmp,
        localcloud(seed(HOSTS, TARGETS, REDIS)) as cloud,
    ):
        point_handler_at(cloud.url, write_config(Path(tmp), "fleet", TARGETS, REDIS))

        def invoke(event: bytes) -> dict[str, Any]:
            result = handler.handler(event, None)
            assert result["status"] in {"applied", "noop"}, result
            return dict(result)

        started = time.perf_counter()
        invoke(timer_event())
        first = time.perf_counter() - started
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.runcall(invoke, timer_event())
        converged = time.perf_counter() - started
        wait, total = _wait_share(profile)
        events = [running_event(host_id(i * 31 % HOSTS)) for i in range(EVENTS)]
        started = time.perf_counter()
        for event in events:
            invoke(event)
        rate = EVENTS / (time.perf_counter() - started)
    log(f"reconcile {HOSTS}: first {first:.2f}s, converged {converged:.2f}s; "
        f"wait {wait:.2f}s of {total:.2f}s profiled; {rate:.0f} events/s")  # fmt: skip
    ours = total - wait
    return [
        Figure("reconcile wall time, 10,000 hosts x 20 targets, first (writes)", first, "s"),
        Figure(
            "reconcile wall time, converged (no write, under cProfile)",
            converged,
            "s",
            note=f"{ours:.2f} s ({ours / total:.0%}) in our process, "
            f"{wait / total:.0%} waiting on localcloud",
        ),
        Figure("Running events handled per second (warm, loopback)", rate, "events/s"),
    ]


def _wait_share(profile: cProfile.Profile) -> tuple[float, float]:
    """Seconds blocked in socket reads/connects (the server working), and the total."""
    stats = pstats.Stats(profile)
    rows = stats.stats.items()  # type: ignore[attr-defined]
    wait = sum(
        row[2]
        for (filename, _, name), row in rows
        if filename == "~" and any(f"'{w}'" in name for w in WAITS)
    )
    return wait, stats.total_tt  # type: ignore[attr-defined]


if __name__ == "__main__":
    for figure in run():
        print(figure)
