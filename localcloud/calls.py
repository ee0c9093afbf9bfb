"""The log of cloud API calls (admin requests are never logged)."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class CallLog:
    """Every cloud API request with its answer, and a count per action."""

    def __init__(self) -> None:
        self._calls: list[dict[str, Any]] = []
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def record(self, action: str, status: int, code: str | None) -> None:
        """Log one request; ``code`` is None for a success."""
        with self._lock:
            self._calls.append({"action": action, "status": status, "code": code})
            self._counts[action] += 1

    def snapshot(self) -> dict[str, Any]:
        """``{"counts": {action: n}, "calls": [{"action", "status", "code"}]}``."""
        with self._lock:
            return {"counts": dict(self._counts), "calls": [dict(c) for c in self._calls]}

    def reset(self) -> None:
        """Empty the log and the counts."""
        with self._lock:
            self._calls.clear()
            self._counts.clear()
