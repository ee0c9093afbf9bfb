"""``python -m localcloud`` as a user runs it: refusals in one line, --help, prompt stops."""

from __future__ import annotations

import contextlib
import json
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from alibabacloud_ecs20140526 import models as ecs_models
from localcloud_support import ecs

from localcloud.actions import ACTIONS, PRODUCTS

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "seed.json"
pytestmark = pytest.mark.e2e


def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "localcloud", *args],
        capture_output=True, text=True, cwd=ROOT, timeout=timeout, check=False,
    )  # fmt: skip


@contextmanager
def listener() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def test_a_port_in_use_is_one_clear_line_and_exit_1() -> None:
    with listener() as port:
        result = run("--port", str(port), "--seed", str(SEED))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"localcloud: cannot listen on 127.0.0.1:{port}: address already in use"
        " (another localcloud? pick another --port, or --port 0 for any free one)\n"
    )


@pytest.mark.parametrize(
    ("seed_text", "message"),
    [
        (None, "no such file"),
        ("{not json", "not JSON"),
        ('{"ecs": {}, "typo": 1}', "unknown seed keys: ['typo']"),
    ],
)
def test_a_bad_seed_is_one_clear_line_and_exit_2(
    tmp_path: Path, seed_text: str | None, message: str
) -> None:
    seed = tmp_path / "seed.json"
    if seed_text is not None:
        seed.write_text(seed_text, encoding="utf-8")
    result = run("--seed", str(seed))
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"localcloud: bad seed {seed}: ")
    assert message in lines[0]
    assert "Traceback" not in result.stderr


def test_help_lists_every_api_it_serves() -> None:
    result = run("--help")
    assert result.returncode == 0
    served = {
        (m.group(1), m.group(2)): m.group(3).split(", ")
        for m in re.finditer(r"^  (\S+) (\d{4}-\d\d-\d\d): (.+)$", result.stdout, re.M)
    }
    assert len(served) == len(PRODUCTS) == 7
    for (action, version), spec in ACTIONS.items():
        assert action in served[spec.product, version]
    assert "/_localcloud/" in result.stdout


def read_banner(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.fullmatch(r"localcloud listening on (http://127\.0\.0\.1:\d+)\n", line)
    assert match is not None, line
    return match.group(1)


def test_sigterm_stops_it_promptly_while_clients_hold_it_busy() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "localcloud", "--port", "0", "--seed", str(SEED)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    try:
        url = read_banner(process)
        # An idle keep-alive connection, and a call held for a minute by a timeout fault.
        idle = socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])))
        fault = {"action": "DescribeInstances", "timeout": True, "delay_ms": 60_000, "count": 1}
        requests.post(f"{url}/_localcloud/faults", data=json.dumps(fault), timeout=10)
        endpoint = url.removeprefix("http://")
        held = threading.Thread(target=_call_and_ignore, args=(endpoint,), daemon=True)
        held.start()
        _wait_until_held(url)
        process.send_signal(signal.SIGTERM)
        # "Promptly": far inside the held call's minute (the bound is for a loaded machine).
        assert process.wait(timeout=10) == 0
        assert process.stderr is not None
        assert process.stderr.read() == ""
        idle.close()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=5)


def _call_and_ignore(endpoint: str) -> None:
    request = ecs_models.DescribeInstancesRequest(region_id="cn-hangzhou")
    with contextlib.suppress(Exception):
        ecs(endpoint).describe_instances(request)


def _wait_until_held(url: str) -> None:
    """Until the call took the one-shot fault (a used-up fault leaves the list)."""
    for _ in range(400):
        if not requests.get(f"{url}/_localcloud/faults", timeout=10).json()["faults"]:
            return
        threading.Event().wait(0.05)
    raise AssertionError("the held call never reached localcloud")
