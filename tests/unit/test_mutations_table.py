"""The table of deliberate breaks that ``make mutate`` applies stays true to the code and
to docs/guarantees.md: every snippet is found exactly once in its file as the tree is now
(a refactor that makes a break stale fails here, not silently in ``make mutate``), every
cited test exists, and the guarantee the break names cites each of its tests."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
from mutations import BREAKS, Break  # noqa: E402

GUARANTEES = (ROOT / "docs" / "guarantees.md").read_text(encoding="utf-8")
IDS = [b.name for b in BREAKS]


def guarantee(number: int) -> str:
    """The text of guarantee ``number``: from its heading line to the next one."""
    found = re.search(rf"^{number}\. \*\*.*?(?=^\d+\. \*\*|^## |\Z)", GUARANTEES, re.M | re.S)
    assert found, f"docs/guarantees.md has no guarantee {number}"
    return found.group(0)


def test_break_names_are_unique() -> None:
    assert len(set(IDS)) == len(IDS)


@pytest.mark.parametrize("item", BREAKS, ids=IDS)
def test_the_snippet_is_in_its_file_exactly_once(item: Break) -> None:
    text = (ROOT / item.file).read_text(encoding="utf-8")
    assert text.count(item.original) == 1, f"{item.name}: stale or ambiguous in {item.file}"
    assert item.replacement != item.original


@pytest.mark.parametrize("item", BREAKS, ids=IDS)
def test_the_cited_tests_exist_and_the_guarantee_cites_them(item: Break) -> None:
    section = guarantee(item.guarantee)
    assert item.tests
    for test in item.tests:
        path, _, name = test.partition("::")
        source = (ROOT / path).read_text(encoding="utf-8")
        if name:
            assert f"def {name}(" in source, f"{item.name}: {test} does not exist"
        cited = name or Path(path).name
        assert cited in section, f"{item.name}: guarantee {item.guarantee} does not cite {cited}"
