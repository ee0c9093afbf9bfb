"""What ESS remembers here: every lifecycle action answered, oldest first.

A repeated request with the same ``ClientToken`` is the same answer (ESS documents
``ClientToken`` as the idempotency key) and is not recorded twice.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any

RECORD_KEYS = ("LifecycleHookId", "LifecycleActionToken", "LifecycleActionResult")


class EssModel:
    """Lifecycle actions answered through ``CompleteLifecycleAction``."""

    def __init__(self, seed: Mapping[str, Any] | None = None) -> None:
        self._lock = threading.Lock()
        self._actions: list[dict[str, str]] = []
        self._tokens: set[str] = set()
        for item in (seed or {}).get("lifecycle_actions", []):
            self._actions.append({key: str(item[key]) for key in RECORD_KEYS if key in item})

    def complete(self, record: Mapping[str, str], client_token: str) -> None:
        """Record one answer (once per ``client_token`` when one is given)."""
        with self._lock:
            if client_token and client_token in self._tokens:
                return
            if client_token:
                self._tokens.add(client_token)
            self._actions.append(dict(record))

    @property
    def lifecycle_actions(self) -> Sequence[Mapping[str, str]]:
        """The answers so far, oldest first."""
        with self._lock:
            return [dict(a) for a in self._actions]

    def dump(self) -> dict[str, Any]:
        """The seed/state shape: ``{"lifecycle_actions": [...]}``."""
        return {"lifecycle_actions": list(self.lifecycle_actions)}
