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

    def record(
        self,
        action: str,
        status: int,
        code: str | None,
        account: str | None = None,
        keyed: bool = False,
    ) -> None:
        """Log one request; ``code`` is None for a success. With ``keyed`` (a cloud of
        several accounts) the entry also says the ``account`` it acted in (None when the
        caller was not identified)."""
        entry: dict[str, Any] = {"action": action, "status": status, "code": code}
        if keyed:
            entry["account"] = account
        with self._lock:
            self._calls.append(entry)
            self._counts[action] += 1

    def snapshot(self, account: str | None = None) -> dict[str, Any]:
        """``{"counts": {action: n}, "calls": [{"action", "status", "code"}]}``; with
        ``account``, only the calls made in that account, and their counts."""
        with self._lock:
            if account is None:
                return {"counts": dict(self._counts), "calls": [dict(c) for c in self._calls]}
            calls = [dict(c) for c in self._calls if c.get("account") == account]
        return {"counts": dict(Counter(c["action"] for c in calls)), "calls": calls}

    def reset(self) -> None:
        """Empty the log and the counts."""
        with self._lock:
            self._calls.clear()
            self._counts.clear()
