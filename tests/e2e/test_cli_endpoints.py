"""An endpoint that cannot be reached, from the command line (a process), as an operator
meets it: a stopped localcloud, a wrong port (issue 28 item 4). The error names the URL
and the variable that set it, the call is tried once (no retries on a refused
connection), and nothing promises a retry that a command line never makes."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from localcloud.testing import run_server

ROOT = Path(__file__).resolve().parents[2]
CONFIG = str(ROOT / "examples" / "whitelist.yml")
EVENT = str(ROOT / "examples" / "events" / "orders-web-2-running.json")
pytestmark = pytest.mark.e2e


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, never listened, closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("WHITELIST_", "LOG_"))}
    environ |= {"PYTHONPATH": str(ROOT), "ALIBABA_CLOUD_ACCESS_KEY_ID": "localcloud-id"}
    environ |= {"ALIBABA_CLOUD_ACCESS_KEY_SECRET": "localcloud-secret"} | env
    command = [sys.executable, "-m", "whitelist_core", *args]
    return subprocess.run(command, capture_output=True, text=True, env=environ, timeout=120)


def attempts(stderr: str) -> list[dict[str, object]]:
    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("event") == "cloud_call"]


@pytest.mark.parametrize("command", [["plan"], ["apply"], ["invoke", "--event", EVENT]])
def test_a_refused_endpoint_is_named_and_tried_once(command: list[str]) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    result = cli(*command, "--config", CONFIG, WHITELIST_ENDPOINT=url)
    assert result.returncode == 1
    said = result.stdout + result.stderr
    assert f"cannot connect to {url} (set by WHITELIST_ENDPOINT): connection refused" in said
    assert "will be retried" not in said
    assert "Traceback" not in said
    calls = attempts(result.stderr)
    assert calls, "no cloud call logged: nothing shows the call was tried"
    assert [c["attempt"] for c in calls] == [1] * len(calls)  # no second attempt of any call
    assert all(c["outcome"] != "retry" for c in calls)


def test_a_products_own_variable_is_the_one_named() -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    with run_server(ROOT / "examples" / "seed.json") as cloud:
        result = cli(
            "plan", "--config", CONFIG, WHITELIST_ENDPOINT=cloud, WHITELIST_KVSTORE_ENDPOINT=url
        )
    assert result.returncode == 1
    assert f"cannot connect to {url} (set by WHITELIST_KVSTORE_ENDPOINT)" in result.stdout
    # the RDS target's own endpoint (WHITELIST_ENDPOINT, localcloud) still answered
    assert "orders-db  cn-hangzhou/rm-demoorders01 group ecs_orders  [planned]" in result.stdout
