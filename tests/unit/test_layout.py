"""The tree is the map: the layers exist as packages, and no module outgrows one concept."""

from __future__ import annotations

from pathlib import Path

import whitelist_core

PACKAGE = Path(whitelist_core.__file__).parent
MAX_LINES = 260  # "about 60-250 lines" a module; a little slack so a docstring line can grow
LAYERS = ("core", "service", "entrypoints", "aliyun", "products", "logs")


def oversized(paths: list[Path], limit: int) -> list[str]:
    """``name: N lines`` for every file longer than ``limit`` lines."""
    found = []
    for path in paths:
        count = len(path.read_text(encoding="utf-8").splitlines())
        if count > limit:
            found.append(f"{path.relative_to(PACKAGE.parent)}: {count} lines")
    return found


def test_every_layer_is_a_package() -> None:
    assert [layer for layer in LAYERS if not (PACKAGE / layer / "__init__.py").is_file()] == []


def test_the_root_holds_only_the_shared_vocabulary_and_the_entry_module() -> None:
    root = sorted(p.stem for p in PACKAGE.glob("*.py"))
    assert root == [
        "__init__",
        "__main__",
        "accounts",
        "attention",
        "config",
        "errors",
        "intents",
        "outcome",
        "ports",
        "problems",
        "redaction",
        "schema",
        "summary",
    ]


def test_no_module_is_longer_than_one_concept_needs() -> None:
    modules = sorted(PACKAGE.rglob("*.py"))
    assert oversized([*modules, PACKAGE.parent / "handler.py"], MAX_LINES) == []


def test_the_size_check_names_a_long_module() -> None:
    long = PACKAGE / "core" / "planner.py"
    assert oversized([long], 10) == [
        f"whitelist_core/core/planner.py: {len(long.read_text().splitlines())} lines"
    ]
