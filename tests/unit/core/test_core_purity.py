"""The functional core stays pure: imports only itself, errors, port values and the stdlib,
and never touches the environment, the clock, the network, files or logging."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

import whitelist_core

PURE = (
    "entries",
    "selection",
    "plan",
    "planner",
    "planning",
    "enforcement",
    "policy",
    "violations",
    "placement",
    "writes",
    "savedplan",
)
PACKAGE = Path(whitelist_core.__file__).parent
CORE_SIBLINGS = {*PURE, "errors"}
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


def imports(module: str) -> list[tuple[str, tuple[str, ...]]]:
    """(imported module, names) for every import, relative ones as '.name'."""
    found = []
    for node in ast.walk(ast.parse(source(module))):
        if isinstance(node, ast.Import):
            found.extend((alias.name, ()) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            name = "." * node.level + (node.module or "")
            found.append((name, tuple(alias.name for alias in node.names)))
    return found


@pytest.mark.parametrize("module", PURE)
def test_pure_modules_import_only_the_core_port_values_and_the_stdlib(module: str) -> None:
    found = imports(module)
    assert found, "expected at least one import to check"
    for name, names in found:
        if name.startswith(".."):
            pytest.fail(f"{module} imports {name} from outside the package")
        if name.startswith("."):
            sibling = name[1:]
            if sibling == "ports":
                assert set(names) <= PORT_VALUES, f"{module} imports {names} from ports"
            else:
                assert sibling in CORE_SIBLINGS, f"{module} imports {name}"
            continue
        top = name.split(".")[0]
        assert top in sys.stdlib_module_names or top == "__future__", f"{module} imports {name}"
        assert top not in IMPURE_STDLIB, f"{module} imports {name}"


@pytest.mark.parametrize("module", PURE)
def test_pure_modules_do_not_touch_environment_clock_network_or_logs(module: str) -> None:
    text = source(module)
    for pattern in FORBIDDEN_TEXT:
        assert not re.search(pattern, text), f"{module} matches {pattern}"


def test_the_checks_would_notice_an_impure_module() -> None:
    # Guard against a checker that passes everything: apply it to a module that is impure.
    text = (PACKAGE / "config.py").read_text(encoding="utf-8")
    tree = ast.parse(text)
    tops = {
        (n.module or "").split(".")[0]
        for n in ast.walk(tree)
        if isinstance(n, ast.ImportFrom) and n.level == 0
    }
    assert "pydantic" in tops
    assert "pydantic" not in sys.stdlib_module_names
    assert re.search(r"\btime\.", "t = time.monotonic()")
    assert not re.search(r"\btime\.", "runtime.name")
