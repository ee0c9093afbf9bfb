"""Shared runner for the fuzz targets: atheris (libFuzzer) when installed, else hypothesis.

``run(target, instrumented=[...])`` accepts libFuzzer's arguments (``-atheris_runs=N``,
``-max_total_time=S``, a corpus directory...). atheris is imported lazily: it is not a
dependency of the project (``make fuzz`` installs it). Without it, the same target is
driven by hypothesis with ``-atheris_runs`` examples (default 10000), so the script is
useful anywhere; the fallback is said on stderr.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

Target = Callable[[bytes], None]


def _runs(argv: Sequence[str], default: int = 10_000) -> int:
    for arg in argv:
        if arg.startswith("-atheris_runs=") or arg.startswith("-runs="):
            return int(arg.split("=", 1)[1])
    return default


def run(target: Target, instrumented: Sequence[str]) -> None:
    """Fuzz ``target`` (bytes in; raises only on a real finding)."""
    try:
        import atheris  # type: ignore[import-not-found]
    except ImportError:
        _hypothesis(target, _runs(sys.argv[1:]))
        return
    with atheris.instrument_imports():
        for module in instrumented:
            importlib.import_module(module)
    atheris.Setup(list(sys.argv), target)
    atheris.Fuzz()


def _hypothesis(target: Target, runs: int) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    print(f"atheris is not installed: running {runs} hypothesis examples instead", file=sys.stderr)

    @settings(max_examples=runs, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(st.binary(max_size=4096))
    def fuzz(data: bytes) -> None:
        target(data)

    fuzz()
    print(f"done: {runs} inputs, no finding", file=sys.stderr)
