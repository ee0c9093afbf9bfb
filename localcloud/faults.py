"""Injected faults: errors, delays, malformed answers, dropped connections."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

_DEFAULT_CODES = {500: "InternalError", 503: "ServiceUnavailable", 400: "Throttling.User"}
_DEFAULT_MESSAGES = {
    "Throttling.User": "Request was denied due to user flow control.",
    "ServiceUnavailable": "The request has failed due to a temporary failure of the server.",
    "InternalError": "The request processing has failed due to some unknown error.",
}
_BOOL_KEYS = ("malformed", "reset", "timeout", "apply", "lock_timeout")
_KNOWN_KEYS = {"action", "status", "code", "message", "delay_ms", "retry_after", "count"}


@dataclass
class Fault:
    """One fault rule; ``count`` None means it never runs out.

    ``status`` answers an error before the action runs; ``delay_ms`` sleeps and then
    runs the action (inside the instance lock for ModifySecurityIps); ``malformed``,
    ``reset`` and ``timeout`` replace the answer (with ``apply`` the action runs first,
    so the change happens but its answer is lost). ``lock_timeout`` answers 400
    ``LockTimeout`` only while the Redis instance the call names is being modified (its
    lock held, or ``Changing`` after a write); a call that finds it idle runs normally and
    does not use the fault up.
    """

    action: str = "*"
    status: int | None = None
    code: str | None = None
    message: str | None = None
    delay_ms: int = 0
    retry_after: int | None = None
    malformed: bool = False
    reset: bool = False
    timeout: bool = False
    apply: bool = False
    lock_timeout: bool = False
    count: int | None = None

    def matches(self, action: str) -> bool:
        """True for its own action, or for any action when ``action`` is "*"."""
        return self.action in ("*", action)

    def error_code(self) -> str:
        """The code answered by a status fault (a sensible default per status)."""
        if self.code:
            return self.code
        return _DEFAULT_CODES.get(self.status or 0, "InjectedFault")

    def error_message(self) -> str:
        """The message answered by a status fault."""
        if self.message:
            return self.message
        return _DEFAULT_MESSAGES.get(self.error_code(), "Fault injected by localcloud.")

    def to_dict(self) -> dict[str, Any]:
        """The fault as the admin JSON (keys left at their defaults omitted)."""
        return {k: v for k, v in asdict(self).items() if v not in (None, False, 0) or k == "action"}


def parse_fault(body: Mapping[str, Any]) -> Fault:
    """A fault from the admin JSON; unknown keys and wrong types are refused."""
    unknown = set(body) - _KNOWN_KEYS - set(_BOOL_KEYS)
    if unknown:
        raise ValueError(f"unknown fault keys: {sorted(unknown)}")
    fault = Fault(action=str(body.get("action", "*")))
    for key in ("status", "delay_ms", "retry_after", "count"):
        if body.get(key) is not None:
            setattr(fault, key, _int(body, key))
    for key in ("code", "message"):
        if body.get(key) is not None:
            setattr(fault, key, str(body[key]))
    for key in _BOOL_KEYS:
        setattr(fault, key, bool(body.get(key, False)))
    _check(fault)
    return fault


def _int(body: Mapping[str, Any], key: str) -> int:
    value = body[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"fault {key} must be a non-negative integer")
    return value


def _check(fault: Fault) -> None:
    kinds = [
        fault.status is not None, fault.malformed, fault.reset, fault.timeout, fault.lock_timeout
    ]  # fmt: skip
    if sum(kinds) > 1:
        raise ValueError(
            "a fault has at most one of status, malformed, reset, timeout, lock_timeout"
        )
    if not any(kinds) and not fault.delay_ms:
        raise ValueError(
            "a fault needs status, delay_ms, malformed, reset, timeout or lock_timeout"
        )
    if fault.status is not None and not 400 <= fault.status <= 599:
        raise ValueError("fault status must be 400-599")
    if fault.count == 0:
        raise ValueError("fault count must be positive (omit it for a fault that never ends)")


class FaultBook:
    """The active faults, first added first used; thread-safe."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> None:
        """Add a fault after the existing ones."""
        with self._lock:
            self._faults.append(fault)

    def take(self, action: str, fires: Callable[[Fault], bool] = lambda _: True) -> Fault | None:
        """The first fault for ``action`` that ``fires`` now, counting one use of it."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(action) and fires(fault):
                    self._use(fault)
                    return fault
        return None

    def _use(self, fault: Fault) -> None:
        if fault.count is not None:
            fault.count -= 1
            if fault.count == 0:
                self._faults.remove(fault)

    def clear(self) -> None:
        """Remove every fault."""
        with self._lock:
            self._faults.clear()

    def list(self) -> list[dict[str, Any]]:
        """The active faults with their remaining counts."""
        with self._lock:
            return [fault.to_dict() for fault in self._faults]
