"""Figures 1 and 2: cold import time and peak memory of a fresh interpreter.

Cold import: the time ``import handler`` takes in a fresh interpreter, timed by the child
from its first line (``_common.in_child``: start-up, the same for all, and exit left out),
against the same for the official SDK clients of R-KVStore and ECS (the alternative a
user would reach for); runs interleaved, median of each. ``handler.py`` loads the cloud
adapters and the HTTP stack under them (requests) at import, as the SDK clients load
theirs. Bytecode caches are warm (each statement is run once first). Also measured with
no bytecode cache at all (``PYTHONDONTWRITEBYTECODE`` + an empty ``PYTHONPYCACHEPREFIX``),
which is what FC does with a package that ships no ``.pyc``.

Memory: ``ru_maxrss`` of a fresh process after the import, and after a 10,000-host,
20-target reconcile through ``Reconciler`` with in-process fakes of the two ports.
"""

from __future__ import annotations

import subprocess
import tempfile

from _common import PY, ROOT, Figure, child_env, in_child, log, median

OURS = "import handler"
THEIRS = "import alibabacloud_r_kvstore20150101.client, alibabacloud_ecs20140526.client"
RUNS = 9
IMPORT_RATIO = 0.30
MEMORY_MB = 64.0

RSS = "import resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
RECONCILE = """
import sys
sys.path.insert(0, {bench!r})
import handler
from _scenario import FakeInventory, FakeStore, config, instances
from whitelist_core.service.reconcile import Reconciler
cfg = config(20, 3)
result = Reconciler(cfg, FakeInventory(instances(10_000, 20)), FakeStore()).reconcile(
    cfg.targets, dry_run=False)
assert result.status == "applied", result.status
"""


def cold_import(cached: bool) -> tuple[float, float]:
    with tempfile.TemporaryDirectory(prefix="bench-pyc-") as tmp:
        env = (
            child_env()
            if cached
            else child_env(PYTHONDONTWRITEBYTECODE="1", PYTHONPYCACHEPREFIX=tmp)
        )
        for statement in (OURS, THEIRS):
            in_child(statement, env)  # warm the OS file cache (and the .pyc files)
        ours, theirs = [], []
        for _ in range(RUNS):
            ours.append(in_child(OURS, env))
            theirs.append(in_child(THEIRS, env))
    return median(ours), median(theirs)


def max_rss_mb(code: str) -> float:
    out = subprocess.run(
        [PY, "-c", code + "\n" + RSS], cwd=ROOT, env=child_env(), check=True,
        capture_output=True, text=True,
    ).stdout  # fmt: skip
    return int(out.split()[-1]) / 1024


def run() -> list[Figure]:
    ours, theirs = cold_import(cached=True)
    log(f"cold import: ours {ours * 1000:.0f} ms, SDK clients {theirs * 1000:.0f} ms")
    ours_nopyc, theirs_nopyc = cold_import(cached=False)
    log(f"cold import, no .pyc: ours {ours_nopyc * 1000:.0f} ms, SDK {theirs_nopyc * 1000:.0f} ms")
    memory = [median([max_rss_mb(code) for _ in range(3)]) for code in (OURS, THEIRS, "pass")]
    after = median([max_rss_mb(RECONCILE.format(bench=str(ROOT / "bench"))) for _ in range(3)])
    log(
        f"max rss MB: handler {memory[0]:.1f}, SDK {memory[1]:.1f}, bare {memory[2]:.1f}, reconcile {after:.1f}"
    )
    return [
        Figure(
            "cold import (.pyc cached), handler vs SDK clients",
            ours * 1000, "ms", theirs * 1000,
            target=f"ratio <= {IMPORT_RATIO:.2f}", met=ours / theirs <= IMPORT_RATIO,
        ),
        Figure(
            "cold import, no .pyc (FC without shipped bytecode)",
            ours_nopyc * 1000, "ms", theirs_nopyc * 1000,
        ),
        Figure(
            "peak RSS after import, handler vs SDK clients",
            memory[0], "MB", memory[1],
            target=f"<= {MEMORY_MB:.0f} MB", met=memory[0] <= MEMORY_MB,
            note=f"a bare interpreter: {memory[2]:.1f} MB",
        ),
        Figure("peak RSS after a 10,000-host x 20-target reconcile", after, "MB", note="in-process fakes"),
    ]  # fmt: skip


if __name__ == "__main__":
    for figure in run():
        print(figure)
