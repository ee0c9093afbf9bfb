"""make package ships a configuration it is told to ship: none named is refused (the demo
only with EXAMPLE=1), an invalid one is refused with the same checks as check-config, every
problem named, a non-zero exit, and no zip; the one that goes in is always named, path and
digest. Offline: all of it happens before any download."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BROKEN = ROOT / "examples" / "broken.yml"
PROBLEMS = (
    "targets[0] (orders-cache).selector.tag",
    "targets[0] (orders-cache).statuses[1]",
    "targets[1] (billing-cache).group",
    "targets[2] (reports-cache).static_entries",
)


def _package(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(ROOT / "tools" / "package.py"), *args]
    return subprocess.run(command, capture_output=True, text=True, check=False, cwd=cwd)


def test_package_refuses_an_invalid_configuration_naming_every_problem(tmp_path: Path) -> None:
    result = _package("--config", str(BROKEN), "--out", str(tmp_path / "dist"), "--no-bytecode")
    assert result.returncode == 1
    for path in PROBLEMS:
        assert path in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "dist").exists() or not list((tmp_path / "dist").iterdir())


@pytest.mark.parametrize("text", ["", "version: [1\n"], ids=["empty", "bad-yaml"])
def test_package_refuses_an_unparseable_configuration(tmp_path: Path, text: str) -> None:
    config = tmp_path / "whitelist.yml"
    config.write_text(text, encoding="utf-8")
    result = _package("--config", str(config), "--out", str(tmp_path / "dist"), "--no-bytecode")
    assert result.returncode == 1
    assert str(config) in result.stderr
    assert not (tmp_path / "dist").exists()


def test_make_package_refuses_an_invalid_configuration(tmp_path: Path) -> None:
    make = [
        "make", "-s", "-C", str(ROOT), "-o", ".venv/.installed", "package",
        f"CONFIG={BROKEN}", f"PY={sys.executable}", f"PACKAGE_OUT={tmp_path / 'dist'}",
    ]  # fmt: skip
    try:
        result = subprocess.run(make, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        pytest.skip("make is not installed")
    assert result.returncode == 2  # tools/package.py exits 1; make says 2 for a failed recipe
    for path in PROBLEMS:
        assert path in result.stderr
    assert not (tmp_path / "dist").exists()
    said = " ".join((ROOT / "docs" / "deploy.md").read_text(encoding="utf-8").split())
    assert "so `make package` exits 2" in said  # the docs say the code it has


def _make(*args: str) -> subprocess.CompletedProcess[str]:
    make = ["make", "-s", "-C", str(ROOT), "-o", ".venv/.installed", "package", *args]
    make.append(f"PY={sys.executable}")
    try:
        return subprocess.run(make, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        pytest.skip("make is not installed")


def test_make_package_without_a_configuration_is_refused(tmp_path: Path) -> None:
    result = _make(f"PACKAGE_OUT={tmp_path / 'dist'}")
    assert result.returncode != 0
    assert "which configuration? make package CONFIG=path/to/whitelist.yml" in result.stderr
    assert "EXAMPLE=1" in result.stderr
    assert not (tmp_path / "dist").exists()


def test_the_shipped_configuration_is_always_named_with_its_digest(tmp_path: Path) -> None:
    result = _make(f"CONFIG={BROKEN}", f"PACKAGE_OUT={tmp_path / 'dist'}")
    digest = hashlib.sha256(BROKEN.read_bytes()).hexdigest()[:12]
    assert f"package: configuration {BROKEN} (sha256 {digest})" in result.stdout


def test_make_package_example_ships_the_demo_configuration() -> None:
    dry = subprocess.run(
        ["make", "-n", "-C", str(ROOT), "-o", ".venv/.installed", "package", "EXAMPLE=1"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if dry.returncode != 0 and "No such file" in dry.stderr:
        pytest.skip("make is not installed")
    (command,) = [line for line in dry.stdout.splitlines() if "tools/package.py" in line]
    assert "--use-example" in command
    assert "--config" not in command


def test_package_refuses_a_configuration_that_is_not_there(tmp_path: Path) -> None:
    result = _package("--config", str(tmp_path / "nope.yml"), "--out", str(tmp_path / "dist"))
    assert result.returncode == 1
    assert f"no configuration file at {tmp_path / 'nope.yml'}" in result.stderr
    assert not (tmp_path / "dist").exists()
