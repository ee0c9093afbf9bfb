"""Helpers for tests: run the server as a subprocess, build seed data."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from localcloud.builders import make_group, make_instance, make_redis_instance, make_seed

__all__ = ["make_group", "make_instance", "make_redis_instance", "make_seed", "run_server"]

_BANNER = "localcloud listening on "
_PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent)


@contextmanager
def run_server(
    seed: str | Path | Mapping[str, Any] | None = None,
    *,
    host: str = "127.0.0.1",
    startup_timeout: float = 15.0,
) -> Iterator[str]:
    """Start ``python -m localcloud --port 0`` and yield its base URL; stop it on exit."""
    with tempfile.TemporaryDirectory(prefix="localcloud-") as tmp:
        command = [sys.executable, "-m", "localcloud", "--host", host, "--port", "0"]
        if seed is not None:
            command += ["--seed", _seed_path(seed, Path(tmp))]
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            command, stdout=subprocess.PIPE, text=True, env=_env()
        )
        try:
            yield _read_banner(process, startup_timeout)
        finally:
            _stop(process)


def _seed_path(seed: str | Path | Mapping[str, Any], tmp: Path) -> str:
    if isinstance(seed, Mapping):
        path = tmp / "seed.json"
        path.write_text(json.dumps(seed), encoding="utf-8")
        return str(path)
    return str(seed)


def _env() -> dict[str, str]:
    # The child must import this very package, whatever the caller's cwd is.
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PACKAGE_ROOT, env.get("PYTHONPATH")]))
    return env


def _read_banner(process: subprocess.Popen[str], timeout: float) -> str:
    assert process.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True).start()
    try:
        line = lines.get(timeout=timeout)
    except queue.Empty:
        raise RuntimeError("localcloud did not start in time") from None
    if not line.startswith(_BANNER):
        raise RuntimeError(f"localcloud failed to start: {line!r}")
    return line[len(_BANNER) :].strip()


def _pump(stream: IO[str], lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line)
    lines.put("")


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)
