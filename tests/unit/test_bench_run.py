"""``bench/run.py --only`` never overwrites BENCHMARKS.md with a part of itself."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_only_without_update_or_no_write_is_refused_before_anything_runs(tmp_path: Path) -> None:
    # a copy of bench/ writes its BENCHMARKS.md beside itself, not into this tree
    shutil.copytree(ROOT / "bench", tmp_path / "bench")
    benchmarks = tmp_path / "BENCHMARKS.md"
    benchmarks.write_text("# Benchmarks\n\n## 1-2. Cold import and peak memory\n")
    done = subprocess.run(
        [sys.executable, "bench/run.py", "--only", "planning"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "--only needs --update" in done.stderr
    assert "==" not in done.stderr  # no section started
    assert benchmarks.read_text() == "# Benchmarks\n\n## 1-2. Cold import and peak memory\n"
