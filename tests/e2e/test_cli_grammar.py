"""One command-line grammar, run as an operator runs it: ``python -m whitelist_core`` as a
process against ``python -m localcloud`` (issue 28 item 3).

The configuration is ``--config`` everywhere (a positional one is answered with the
command to type), a missing file is said as such, ``--help`` names every product,
``invoke`` answers like ``plan``/``apply`` without drowning it in log lines, and the hint
after ``plan --out`` is a command that runs as pasted.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from localcloud.testing import run_server
from whitelist_core.products import PRODUCTS, spec_of

ROOT = Path(__file__).resolve().parents[2]
EVENT = ROOT / "examples" / "events" / "orders-web-2-running.json"
pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def cloud_url() -> Iterator[str]:
    with run_server(ROOT / "examples" / "seed.json") as url:
        yield url


@pytest.fixture
def workdir(tmp_path: Path, cloud_url: str) -> Path:
    """A directory holding the example configuration; localcloud back at its seed."""
    shutil.copy2(ROOT / "examples" / "whitelist.yml", tmp_path / "whitelist.yml")
    session = requests.Session()
    session.trust_env = False
    session.post(f"{cloud_url}/_localcloud/reset", timeout=10).raise_for_status()
    return tmp_path


def cli(*args: str, cwd: Path, url: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("WHITELIST_", "LOG_"))}
    environ |= {"PYTHONPATH": str(ROOT), "ALIBABA_CLOUD_ACCESS_KEY_ID": "localcloud-id"}
    environ |= {"ALIBABA_CLOUD_ACCESS_KEY_SECRET": "localcloud-secret"}
    environ |= ({"WHITELIST_ENDPOINT": url} if url else {}) | env
    command = [sys.executable, "-m", "whitelist_core", *args]
    return subprocess.run(
        command, capture_output=True, text=True, cwd=cwd, env=environ, timeout=120
    )


@pytest.mark.parametrize("command", ["plan", "invoke"])
def test_a_positional_configuration_is_answered_with_the_command_to_type(
    workdir: Path, command: str
) -> None:
    extra = ["--event", str(EVENT)] if command == "invoke" else []
    result = cli(command, "whitelist.yml", *extra, cwd=workdir)
    assert result.returncode == 1
    assert f"-m whitelist_core {command} --config whitelist.yml" in result.stderr
    assert "unrecognized arguments" not in result.stderr


def test_apply_of_a_configuration_says_it_is_not_a_plan(workdir: Path) -> None:
    result = cli("apply", "whitelist.yml", cwd=workdir)
    assert result.returncode == 1
    assert "whitelist.yml is a configuration, not a saved plan" in result.stderr
    assert "apply --config whitelist.yml" in result.stderr


@pytest.mark.parametrize("command", ["check-config", "plan", "apply", "invoke"])
def test_a_missing_configuration_is_said_as_such(workdir: Path, command: str) -> None:
    extra = ["--event", str(EVENT)] if command == "invoke" else []
    given = cli(command, "--config", "nope.yml", *extra, cwd=workdir)
    assert given.returncode == 1
    assert (
        given.stderr.strip()
        == "error: no configuration at nope.yml (set --config or WHITELIST_CONFIG)"
    )
    (workdir / "whitelist.yml").unlink()
    default = cli(command, *extra, cwd=workdir)
    assert default.returncode == 1
    assert f"no configuration at {workdir / 'whitelist.yml'} (set --config" in default.stderr
    assert "Errno" not in given.stderr + default.stderr + given.stdout + default.stdout


def test_help_describes_every_product(workdir: Path) -> None:
    result = cli("--help", cwd=workdir)
    assert result.returncode == 0
    for name in PRODUCTS:
        assert f"  {name} " in result.stdout
        assert spec_of(name).title in result.stdout
    assert "Redis (Tair) IP whitelists in sync" not in result.stdout


def test_invoke_answers_like_plan_and_apply(workdir: Path, cloud_url: str) -> None:
    result = cli("invoke", "--event", str(EVENT), cwd=workdir, url=cloud_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("status: applied\n")
    assert "orders-cache  cn-hangzhou/r-demoorders01 group ecs_orders  [applied]" in result.stdout
    assert result.stdout.rstrip().endswith("4 added, 0 removed, 0 held back")
    assert '"level": "info"' not in result.stderr  # the answer is not drowned in log lines
    again = cli("invoke", "--event", str(EVENT), "--json", cwd=workdir, url=cloud_url)
    data = json.loads(again.stdout)
    assert data["status"] == "noop"
    assert data["totals"] == {"add": 0, "remove": 0, "held_back": 0}


def test_invoke_of_an_instance_ecs_does_not_know_says_so(workdir: Path, cloud_url: str) -> None:
    unknown = workdir / "unknown.json"
    text = EVENT.read_text(encoding="utf-8").replace(
        "i-bp1demo00000000002", "i-bp1gone000000000099"
    )
    unknown.write_text(text, encoding="utf-8")
    result = cli("invoke", "--event", str(unknown), cwd=workdir, url=cloud_url)
    assert result.returncode == 0, result.stderr
    assert "ECS does not know i-bp1gone000000000099 in cn-hangzhou" in result.stdout


def test_the_hint_after_plan_out_runs_as_pasted(workdir: Path, cloud_url: str) -> None:
    elsewhere = workdir / "config"
    elsewhere.mkdir()
    shutil.move(workdir / "whitelist.yml", elsewhere / "whitelist.yml")
    planned = cli(
        "plan", "--config", "config/whitelist.yml", "--out", "p.json", cwd=workdir, url=cloud_url
    )
    assert planned.returncode == 2, planned.stderr
    hint = planned.stderr.splitlines()[-1].strip()
    assert "apply p.json --config config/whitelist.yml" in hint
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("WHITELIST_", "LOG_"))}
    environ |= {"PYTHONPATH": str(ROOT), "WHITELIST_ENDPOINT": cloud_url}
    environ |= {"ALIBABA_CLOUD_ACCESS_KEY_ID": "localcloud-id"}
    environ |= {"ALIBABA_CLOUD_ACCESS_KEY_SECRET": "localcloud-secret"}
    pasted = subprocess.run(shlex.split(hint), capture_output=True, text=True, cwd=workdir,
                            env=environ, timeout=120)  # fmt: skip
    assert pasted.returncode == 0, pasted.stderr
    assert "12 added, 2 removed, 0 held back" in pasted.stdout
