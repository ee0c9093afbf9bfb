"""The functional core stays pure: every module of ``whitelist_core/core`` (and the two pure
modules outside it, the batch merge and the saved-plan document) imports only the stdlib
and the package, and never touches the environment, the clock, the network, files or
logging. Which of the package's modules each may import is test_core_import_graph's rule."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

import whitelist_core

PACKAGE = Path(whitelist_core.__file__).parent
PURE = (
    *sorted(f"core/{p.stem}" for p in (PACKAGE / "core").glob("*.py") if p.stem != "__init__"),
    "service/batch",
    "entrypoints/planfile",
)
PORT_VALUES = {"Instance", "Group", "InstanceQuery"}
IMPURE_STDLIB = {
    "os",
    "sys",
    "time",
    "datetime",
    "socket",
    "ssl",
    "http",
    "urllib",
    "logging",
    "subprocess",
    "random",
    "secrets",
    "uuid",
    "threading",
    "asyncio",
    "shutil",
    "tempfile",
    "pathlib",
    "io",
}
# Outside the standard library but without behaviour: typing_extensions backports typing's
# ``dataclass_transform`` (core/values.py) to CPython 3.10.
TYPING_ONLY = {"typing_extensions"}
FORBIDDEN_TEXT = [
    r"\bos\.environ\b",
    r"\bgetenv\b",
    r"\btime\.",
    r"\bdatetime\.(now|utcnow|today)\b",
    r"\bdate\.today\b",
    r"\brequests\b",
    r"\bhttpx\b",
    r"\burllib3?\b",
    r"\bsocket\b",
    r"\blogging\b",
    r"\bstructlog\b",
    r"\bprint\(",
    r"\bopen\(",
]


def source(module: str) -> str:
    return (PACKAGE / f"{module}.py").read_text(encoding="utf-8")


def impure_imports(text: str) -> list[str]:
    """Imports of ``text`` that a pure module may not make: anything outside the stdlib
    and the package, an impure stdlib module, a relative import, or a port that is not
    a plain value."""
    wrong = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            found = [(alias.name, ()) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                wrong.append("." * node.level + (node.module or ""))
                continue
            found = [(node.module or "", tuple(alias.name for alias in node.names))]
        else:
            continue
        for name, names in found:
            top = name.split(".")[0]
            if name == "whitelist_core.ports" and not set(names) <= PORT_VALUES:
                wrong.append(f"{name}: {sorted(set(names) - PORT_VALUES)}")
            elif top in {"whitelist_core", "__future__"} | TYPING_ONLY:
                continue
            elif top not in sys.stdlib_module_names or top in IMPURE_STDLIB:
                wrong.append(name)
    return wrong


@pytest.mark.parametrize("module", PURE)
def test_pure_modules_import_only_the_package_and_the_pure_stdlib(module: str) -> None:
    assert impure_imports(source(module)) == []


@pytest.mark.parametrize("module", PURE)
def test_pure_modules_do_not_touch_environment_clock_network_or_logs(module: str) -> None:
    text = source(module)
    for pattern in FORBIDDEN_TEXT:
        assert not re.search(pattern, text), f"{module} matches {pattern}"


def test_the_core_is_found_and_guarded() -> None:
    assert {"core/entries", "core/planner", "core/policy", "core/placement"} <= set(PURE)


def test_the_checks_would_notice_an_impure_module() -> None:
    # Guard against a checker that passes everything: feed it impure imports.
    text = "import os\nimport pydantic\nfrom .x import y\nfrom whitelist_core.ports import WhitelistStore\n"
    assert impure_imports(text) == [
        "os",
        "pydantic",
        ".x",
        "whitelist_core.ports: ['WhitelistStore']",
    ]
    assert impure_imports("from collections.abc import Mapping\n") == []
    assert re.search(r"\btime\.", "t = time.monotonic()")
    assert not re.search(r"\btime\.", "runtime.name")
