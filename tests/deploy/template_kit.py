"""The repository's ROS template, parsed once per test session: each caller gets its own
copy, free to change (several tests break a copy on purpose to show a check fails)."""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yml"


def load_template() -> dict[str, Any]:
    """A fresh copy of template.yml as data (no ROS short-form tags: plain YAML)."""
    return copy.deepcopy(_parsed())


@functools.cache
def _parsed() -> dict[str, Any]:
    loaded = yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded
