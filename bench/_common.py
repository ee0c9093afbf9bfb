"""Shared helpers of the benchmark suite: timing, medians, machine facts, scenarios."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
REGION = "cn-hangzhou"
VPC = "vpc-bench0001"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@dataclass(frozen=True)
class Figure:
    """One row of the results table: our figure, the comparison, the target."""

    name: str
    ours: float
    unit: str
    theirs: float | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """Ours divided by theirs (None without a comparison)."""
        if self.theirs is None or self.theirs == 0:
            return None
        return self.ours / self.theirs


def median(values: Sequence[float]) -> float:
    """The median of ``values``."""
    return float(statistics.median(values))


CLOCK = "import time as _bench_time\n_bench_started = _bench_time.perf_counter()\n"
SHOW = "\nprint('bench-seconds', _bench_time.perf_counter() - _bench_started)\n"


def in_child(statement: str, env: dict[str, str]) -> float:
    """Seconds from a fresh interpreter's first line to the end of ``statement``, measured
    by the child itself: the interpreter's start-up (the same for every statement) and its
    exit are left out. A function instance never exits after an event, and what an exit
    costs depends on how many objects the garbage collector still walks (``handler.py``
    freezes its own), so timing to the exit would measure the wrong thing."""
    done = subprocess.run(
        [PY, "-c", CLOCK + statement + SHOW], cwd=ROOT, env=env, check=True,
        capture_output=True, text=True,
    )  # fmt: skip
    return float(done.stdout.split("bench-seconds")[-1])


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a child interpreter that imports this repository."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    # Bytecode caches must be written for the "cached" figures to be what they say: a shell
    # with PYTHONDONTWRITEBYTECODE=1 (this machine's) would compile our modules every run.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(extra)
    return env


def repeat(fn: Callable[[], float], runs: int) -> list[float]:
    """``fn()`` called ``runs`` times."""
    return [fn() for _ in range(runs)]


def cpu_model() -> str:
    """The CPU model name (from /proc/cpuinfo where available)."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict[str, str]:
    """The facts a reader needs to compare figures across machines."""
    return {
        "cpu": cpu_model(),
        "cores": str(os.cpu_count()),
        "python": platform.python_version() + f" ({platform.python_implementation()})",
        "os": platform.platform(),
    }


def log(message: str) -> None:
    """Progress on stderr (the table goes to stdout)."""
    print(message, file=sys.stderr, flush=True)
