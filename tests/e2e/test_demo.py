"""``make demo`` tells the whole story (issue 28 item 8): run as a user runs it, a process
against its own localcloud, it shows each target's selector and whom it selects, a removal
limit holding entries back and how that is reported, and every product's group."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from whitelist_core.config import load_config
from whitelist_core.products import PRODUCTS

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def told() -> str:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("WHITELIST_", "LOG_"))}
    result = subprocess.run([sys.executable, str(ROOT / "examples" / "demo.py")], cwd=ROOT,
                            capture_output=True, text=True, env=environ, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "NO (unexpected)" not in result.stdout
    return result.stdout


def test_it_shows_each_targets_selector_and_whom_it_selects(told: str) -> None:
    config = load_config(ROOT / "examples" / "whitelist.yml")
    chapter = told.split("=== The configuration", 1)[1].split("\n=== ", 1)[0]
    for target in config.targets:
        assert f"  {target.name} " in chapter
    assert chapter.count("    selector: ") == len(config.targets)
    assert chapter.count("    selects:  ") == len(config.targets)
    assert '"statuses": ["Running"]' in chapter  # a selector that narrows by status


def test_it_shows_a_removal_limit_holding_entries_back_and_how_it_is_reported(told: str) -> None:
    chapter = told.split("vanish from ECS at once", 1)[1].split("\n=== ", 1)[0]
    assert (
        "= 10.0.1.11  held back: removing 2 of 3 entries (67%) exceeds max_removal_percent=50"
        in chapter
    )
    assert "0 to add, 0 to remove, 8 held back" in chapter
    assert "! blocked: " in chapter
    assert "plan --config examples/whitelist.yml   # exit 2" in chapter


def test_every_product_has_a_target_and_its_group_is_shown(told: str) -> None:
    config = load_config(ROOT / "examples" / "whitelist.yml")
    assert {t.product for t in config.targets} == set(PRODUCTS)
    end = told.split("=== The whitelists after the story", 1)[1]
    for target in config.targets:
        assert f"  {target.instance_id}" in end
        assert f" {target.group}" in end


def test_the_readme_says_what_the_demo_shows() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (row,) = [line for line in readme.splitlines() if line.startswith("| `make demo` |")]
    for shown in ("selector", "held back", "Redis", "RDS", "PolarDB", "MongoDB"):
        assert shown in row
