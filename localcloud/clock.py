"""localcloud's clock for credentials: the wall clock plus what an admin advanced it by.

Signature timestamps are still checked against the wall clock (the clients' clocks do
not move); temporary credentials are issued and expire on this one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Clock:
    """``now()`` = ``wall()`` + the seconds :meth:`advance` has added since the last reset."""

    def __init__(self, wall: Callable[[], float] = time.time) -> None:
        self._wall = wall
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        """Seconds since the epoch, on localcloud's clock."""
        with self._lock:
            return self._wall() + self._offset

    def advance(self, seconds: float) -> float:
        """Move the clock forward by ``seconds`` (never back); returns the new time."""
        if seconds < 0:
            raise ValueError("the clock only moves forward: advance_seconds >= 0")
        with self._lock:
            self._offset += seconds
        return self.now()

    @property
    def offset(self) -> float:
        """How far ahead of the wall clock this clock is."""
        with self._lock:
            return self._offset

    def reset(self) -> None:
        """Back to the wall clock."""
        with self._lock:
            self._offset = 0.0


def iso8601(seconds: float) -> str:
    """``2026-12-07T12:34:56Z``: the form of STS's ``Expiration``."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))
