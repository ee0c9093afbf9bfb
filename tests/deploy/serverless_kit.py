"""Serverless Devs project files (``s.yaml``, ``s-<variant>.yaml``) at the repository's top
level: finding them and reading the ``fc3`` resources they deploy."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml


def find_project_files(root: Path) -> list[Path]:
    """``s.yaml`` and every ``s-*.yaml`` beside it (Serverless Devs' ``-t`` variants)."""
    return sorted(p for p in root.glob("s*.yaml") if p.name == "s.yaml" or p.name.startswith("s-"))


def load_project(path: Path) -> dict[str, Any]:
    """The project file as data."""
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict), f"{path}: not a mapping"
    return loaded


def fc3_props(project: Mapping[str, Any]) -> dict[str, Any]:
    """The props of the project's one ``fc3`` resource."""
    found = [
        r["props"] for r in (project.get("resources") or {}).values() if r.get("component") == "fc3"
    ]
    assert len(found) == 1, f"expected one fc3 resource, found {len(found)}"
    props: dict[str, Any] = found[0]
    return props
