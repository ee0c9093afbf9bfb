"""Defensive readers of decoded API answers (JSON objects, arrays, strings).

Every adapter reads the cloud's answers through these: a missing key, a ``null`` or a
value of the wrong type gives an empty value, never a crash. What an empty value means
(a doubtful read, a skipped item) is each adapter's decision.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["as_dict", "as_list", "as_str", "dig"]


def as_dict(value: object) -> Mapping[str, Any]:
    """``value`` when it is a JSON object, else an empty one."""
    if type(value) is dict:  # decoded JSON: skip the slow ABC check
        return value
    return value if isinstance(value, Mapping) else {}


def as_list(value: object) -> list[Any]:
    """``value`` when it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []


def dig(value: object, *keys: str) -> Any:
    """``value[k1][k2]...``, or None when any level is missing or not an object."""
    for key in keys:
        value = as_dict(value).get(key)
    return value


def as_str(value: object) -> str:
    """``value`` when it is a string, else ``""``."""
    return value if isinstance(value, str) else ""
