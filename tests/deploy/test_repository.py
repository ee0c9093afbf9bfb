"""The repository tracks the project only: no virtual environment, no link to one.

Each worktree links the shared ``.venv``; a commit that tracks that link replaces the real
environment with a link to itself in every checkout it reaches (it happened twice).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENVIRONMENTS = (".venv", ".venv310", "venv")


def tracked() -> list[str]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: nothing is tracked")
    command = ["git", "-C", str(ROOT), "ls-files", "-z"]
    out = subprocess.run(command, capture_output=True, check=True).stdout
    return [name for name in out.decode("utf-8").split("\0") if name]


def test_no_virtual_environment_or_link_to_one_is_tracked() -> None:
    found = [p for p in tracked() if p.split("/")[0] in ENVIRONMENTS]
    assert found == [], f"tracked by mistake, untrack with `git rm --cached {' '.join(found)}`"
