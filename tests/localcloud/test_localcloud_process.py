"""The CLI as a subprocess, the demo seed, and independence from whitelist_core."""

from __future__ import annotations

import ast
import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

import localcloud
from localcloud.testing import run_server

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = Path(localcloud.__file__).resolve().parent
SEED = ROOT / "examples" / "seed.json"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_file_imports_whitelist_core() -> None:
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 15
    for path in files:
        offending = {
            m for m in imported_modules(path) if m.split(".")[0] in ("whitelist_core", "handler")
        }
        assert not offending, f"{path} imports {offending}"


def test_importing_localcloud_loads_no_whitelist_core() -> None:
    code = (
        "import sys, localcloud.mock, localcloud.testing, localcloud.__main__; "
        "print([m for m in sys.modules if m.startswith('whitelist_core')])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        timeout=60,
    )
    assert result.stdout.strip() == "[]"


def test_run_server_with_the_demo_seed() -> None:
    seed = json.loads(SEED.read_text(encoding="utf-8"))
    with run_server(SEED) as url:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
        state = requests.get(f"{url}/_localcloud/state", timeout=10).json()
    assert state["ecs"] == {
        "cn-hangzhou": sorted(seed["ecs"]["cn-hangzhou"], key=lambda i: i["InstanceId"])
    }
    assert state["kvstore"] == seed["kvstore"]
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f"{url}/_localcloud/state", timeout=2)


def test_demo_seed_content() -> None:
    seed = json.loads(SEED.read_text(encoding="utf-8"))
    instances = seed["ecs"]["cn-hangzhou"]
    assert all(re.fullmatch(r"i-[a-z0-9]{18,}", i["InstanceId"]) for i in instances)
    tags = [{t["TagKey"]: t["TagValue"] for t in i["Tags"]["Tag"]}.get("app") for i in instances]
    assert tags.count("orders") >= 3
    assert "billing" in tags
    assert {i["VpcAttributes"]["VpcId"] for i in instances} == {"vpc-demo01", "vpc-other01"}
    redis = {r["InstanceId"]: r for r in seed["kvstore"]["cn-hangzhou"]}
    assert set(redis) == {"r-demoorders01", "r-demobilling1"}
    groups = {g["SecurityIpGroupName"]: g for g in redis["r-demoorders01"]["SecurityIpGroups"]}
    assert groups["ecs_orders"]["SecurityIpList"] == "10.0.1.11,10.0.9.99"
    assert groups["rds_replica_group"]["SecurityIpGroupAttribute"] == "hidden"
    assert groups["ali_dms_group"]["SecurityIpList"] == "100.104.205.0/24"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_cli_banner_and_clean_exit(signum: int, tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "localcloud", "--port", "0", "--seed", str(SEED)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert re.fullmatch(r"localcloud listening on http://127\.0\.0\.1:\d+\n", line)
        process.send_signal(signum)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=5)


def test_cli_refuses_a_bad_seed(tmp_path: Path) -> None:
    bad = tmp_path / "seed.json"
    bad.write_text('{"ecs": {}, "typo": 1}', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "localcloud", "--seed", str(bad)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "unknown seed keys" in result.stderr
