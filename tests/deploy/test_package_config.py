"""make package refuses an invalid configuration: the same checks as check-config, every
problem named, a non-zero exit, and no zip. Offline: the check runs before any download."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BROKEN = ROOT / "examples" / "broken.yml"
PROBLEMS = (
    "targets[0].selector.tag",
    "targets[0].statuses[1]",
    "targets[1].group",
    "targets[2].static_entries",
)


def _package(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(ROOT / "tools" / "package.py"), *args]
    return subprocess.run(command, capture_output=True, text=True, check=False, cwd=cwd)


def test_package_refuses_an_invalid_configuration_naming_every_problem(tmp_path: Path) -> None:
    result = _package("--example", str(BROKEN), "--out", str(tmp_path / "dist"), "--no-bytecode")
    assert result.returncode == 1
    for path in PROBLEMS:
        assert path in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "dist").exists() or not list((tmp_path / "dist").iterdir())


@pytest.mark.parametrize("text", ["", "version: [1\n"], ids=["empty", "bad-yaml"])
def test_package_refuses_an_unparseable_configuration(tmp_path: Path, text: str) -> None:
    config = tmp_path / "whitelist.yml"
    config.write_text(text, encoding="utf-8")
    result = _package("--example", str(config), "--out", str(tmp_path / "dist"), "--no-bytecode")
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
    assert result.returncode != 0
    for path in PROBLEMS:
        assert path in result.stderr
    assert not (tmp_path / "dist").exists()
