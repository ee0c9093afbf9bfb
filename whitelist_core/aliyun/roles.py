"""Assumed roles' sessions, kept for the warm instance and renewed before they expire.

``SESSIONS`` holds one session per (caller, role, ExternalId) for the life of the process,
so a warm instance assumes each member role about once an hour, not once per invocation.
A session is never handed out later than its ``Expiration`` minus ``RENEW_MARGIN``; one
the cloud calls expired anyway (clock skew) is dropped and assumed again. It is safe
across threads: regions run in parallel and may ask for one role at once; each role is
assumed by one of them while the others wait for that session.

``AssumedRole`` is what an invocation's clients hold for one account (a
``CredentialSource``): the first refusal to assume it is remembered for the invocation,
so a denied role costs one ``AssumeRole`` call per invocation, not one per request.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from whitelist_core.aliyun.sts import RoleSession
from whitelist_core.aliyun.transport.credentials import Credentials
from whitelist_core.errors import CloudError

RENEW_MARGIN = timedelta(minutes=5)
"""A session is renewed once less than this is left of it (an invocation may still run)."""

Key = tuple[str, str, str]
"""(caller's AccessKeyId, role ARN, ExternalId)."""


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class RoleSessions:
    """Sessions by key, each renewed ``margin`` before it expires; thread-safe."""

    def __init__(
        self, *, margin: timedelta = RENEW_MARGIN, now: Callable[[], datetime] = _utcnow
    ) -> None:
        self._margin, self._now = margin, now
        self._sessions: dict[Key, RoleSession] = {}
        self._locks: dict[Key, threading.Lock] = {}
        self._guard = threading.Lock()

    def credentials(self, key: Key, assume: Callable[[], RoleSession]) -> Credentials:
        """Credentials of a session still good for ``margin``, assuming the role if needed."""
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:  # one AssumeRole per key at a time; the others then find its session
            session = self._sessions.get(key)
            if session is None or session.expiration - self._margin <= self._now():
                session = assume()
                self._sessions[key] = session
            return session.credentials

    def drop(self, key: Key, used: Credentials) -> bool:
        """Forget the session that ``used`` came from, if it is still the one kept."""
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            session = self._sessions.get(key)
            if session is not None and session.credentials == used:
                del self._sessions[key]
            return True

    def clear(self) -> None:
        """Forget every session (tests; a new cold start starts empty anyway)."""
        with self._guard:
            self._sessions.clear()


SESSIONS = RoleSessions()
"""The warm instance's sessions."""


class AssumedRole:
    """The credentials of one member account for one invocation (a ``CredentialSource``)."""

    def __init__(self, sessions: RoleSessions, key: Key, assume: Callable[[], RoleSession]) -> None:
        self._sessions, self._key, self._assume = sessions, key, assume
        self._refused: CloudError | None = None
        self._lock = threading.Lock()

    def current(self) -> Credentials:
        """Valid credentials of the role; the STS ``CloudError`` when it cannot be assumed."""
        with self._lock:
            if self._refused is not None:
                raise self._refused
            try:
                return self._sessions.credentials(self._key, self._assume)
            except CloudError as exc:
                self._refused = exc
                raise

    def expired(self, used: Credentials) -> bool:
        """The cloud refused ``used`` as expired: the next ``current`` assumes afresh."""
        return self._sessions.drop(self._key, used)
