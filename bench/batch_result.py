"""Figure 10: rendering a batch result (issue 22).

100 queued Deleted records (the template's largest batch) while a 3,000-host target is
filled for the first time: one reconcile serves all 100 items. Measured on the value the
run returns, in this process: the result's JSON size, the time to render it (``to_dict``
and the masking ``redact``, what the handler does once), and the peak memory of that
rendering (``tracemalloc``). The comparison renders the same value as before issue 22:
every item carrying the whole target (measured on 10 items and scaled x10, as it grows
linearly with the items).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _cloud import localcloud, point_handler_at
from _common import REGION, Figure, log, median

from localcloud import events as cloud_events
from localcloud.builders import make_instance, make_redis_instance, make_seed
from localcloud.events import encode

HOSTS = 3_000
RECORDS = 100
SLICE = 10
REDIS = "r-bp1batchresult01"


def run() -> list[Figure]:
    from whitelist_core.entrypoints.app import Invocation
    from whitelist_core.entrypoints.wiring import cloud_clients
    from whitelist_core.logs import configure_logging
    from whitelist_core.redaction import redact
    from whitelist_core.summary import BatchSummary

    hosts = [make_instance(f"i-bp1fill{n:010d}", f"10.1.{n // 250}.{1 + n % 250}",
                           tags={"app": "fill"}, region_id=REGION) for n in range(HOSTS)]  # fmt: skip
    seed = make_seed(hosts, [make_redis_instance(REDIS)], region=REGION)
    batch = [cloud_events.ecs_state_change(f"i-bp1gone{n:010d}", "Deleted", REGION)
             for n in range(RECORDS)]  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp, localcloud(seed) as cloud:
        config = Path(tmp) / "fill.json"
        target = {"name": "fill", "instance_id": REDIS, "group": "ecs_fill", "max_groups": 3,
                  "selector": {"tags": {"app": "fill"}}}  # fmt: skip
        config.write_text(json.dumps({"version": 1, "region": REGION, "targets": [target]}))
        point_handler_at(cloud.url, config)
        environ = dict(os.environ)
        configure_logging("ERROR")
        result = Invocation(environ, cloud_clients(None, environ), Path(tmp)).run(encode(batch))
    assert isinstance(result, BatchSummary)

    def ours() -> dict[str, Any]:
        return redact(result.to_dict())

    def before() -> dict[str, Any]:  # every item rendered with its targets in full
        items = result.items[:SLICE]
        return redact({"status": result.status, "results": [s.to_dict() for s in items]})

    size, seconds, peak = _render(ours, repeat=3)
    old_size, old_seconds, old_peak = _render(before, repeat=1)
    scale = RECORDS / SLICE
    log(f"batch result: {size:,} B {seconds:.2f}s {peak / 1e6:.1f} MB; "
        f"before (x{scale:.0f}): {old_size * scale:,.0f} B {old_seconds * scale:.1f}s")  # fmt: skip
    note = f"before: measured on {SLICE} items x{scale:.0f} (linear in the items)"
    return [
        Figure(f"batch of {RECORDS} Deleted records, {HOSTS:,}-host first fill: result size",
               size / 1e6, "MB", old_size * scale / 1e6, target="grows with batch + changes",
               note=note),
        Figure("  same: render time (to_dict + redact)", seconds, "s", old_seconds * scale,
               target="well under FC's timeout", met=seconds < 5, note=note),
        Figure("  same: peak memory of the rendering", peak / 1e6, "MB", old_peak * scale / 1e6,
               target="well under the function's 256 MB", met=peak < 64e6, note=note),
    ]  # fmt: skip


def _render(render: Callable[[], dict[str, Any]], repeat: int) -> tuple[int, float, int]:
    """JSON size of the rendering, its median time, and its peak traced memory."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        rendered = render()
        times.append(time.perf_counter() - started)
    tracemalloc.start()
    render()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return len(json.dumps(rendered)), median(times), peak
