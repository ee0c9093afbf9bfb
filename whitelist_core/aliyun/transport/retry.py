"""Which cloud answers are worth retrying, and how long to wait before the next attempt.

Transient (retried inside the deadline): throttling (``Throttling``, ``Throttling.User``,
``Throttling.Api``, ``Rejected.Throttling``, ...), ``ServiceUnavailable``,
``InternalError``, ``UnknownError``, ``LockTimeout``, ``IncorrectDBInstanceState``,
``OperationDenied.*Status*``, ``Task.Conflict``, ``ConcurrentTaskExceeded``, HTTP 429 and
any 5xx, connection errors, timeouts and malformed bodies. Everything else (signature,
unknown key, ``*.NotFound``, ``Forbidden*``, ``InvalidParameter*``, other 4xx) is permanent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from whitelist_core.core.values import frozen

TRANSIENT_CODES = frozenset(
    {
        "ServiceUnavailable",
        "InternalError",
        "UnknownError",
        "LockTimeout",
        "IncorrectDBInstanceState",
        "Task.Conflict",
        "ConcurrentTaskExceeded",
        "MalformedResponse",
        "ConnectionError",
        "Timeout",
    }
)
_THROTTLING = re.compile(r"throttling", re.IGNORECASE)
_STATE_DENIED = re.compile(r"^OperationDenied\..*Status", re.IGNORECASE)


def is_transient(code: str, http_status: int | None) -> bool:
    """True when the same request may succeed later."""
    if code in TRANSIENT_CODES or _THROTTLING.search(code) or _STATE_DENIED.match(code):
        return True
    return http_status is not None and (http_status == 429 or http_status >= 500)


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """The wait ``x-acs-retry-after`` asks for, in seconds, or None.

    The official SDK reads the header as a positive integer of **milliseconds**
    (``Utils.get_throttling_time_left`` feeds ``darabonba`` backoff, which sleeps ms).
    """
    raw = headers.get("x-acs-retry-after", "").strip()
    if not raw.isdigit() or int(raw) <= 0:
        return None
    return int(raw) / 1000.0


@frozen
class Backoff:
    """Exponential backoff with full jitter: ``uniform(0, min(cap, base * 2**(n-1)))``."""

    base: float = 0.2
    cap: float = 5.0
    max_attempts: int = 8

    def delay(self, attempt: int, rand: Callable[[], float], retry_after: float | None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based).

        A server-requested ``retry_after`` is a floor: the jittered wait never undercuts it.
        """
        ceiling = min(self.cap, self.base * 2.0 ** max(attempt - 1, 0))
        jittered = rand() * ceiling
        return max(jittered, retry_after or 0.0)
