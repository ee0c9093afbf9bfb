"""Transport for Alibaba Cloud RPC APIs: sign, send, decode, map errors, retry.

One shared ``requests.Session`` per cold start (connection reuse), created on first use.
Every attempt is bounded by the caller's deadline (an absolute ``time.monotonic()``
value, minus a safety margin), logs one ``cloud_call`` line, and never sleeps past it.
The bound is wall-clock for the whole attempt: connecting, and reading the whole body
(an answer trickled one byte at a time is cut off at the deadline, not per socket read).

What an answer says, and reading it whole within the deadline, is ``reading``'s.
"""

from __future__ import annotations

import functools
import itertools
import random
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from whitelist_core.aliyun.transport import signer
from whitelist_core.aliyun.transport.credentials import Credentials, CredentialSource
from whitelist_core.aliyun.transport.endpoints import host_of
from whitelist_core.aliyun.transport.reach import (
    Origin,
    Unreachable,
    is_connect_failure,
    transport_error,
    unreachable,
)
from whitelist_core.aliyun.transport.reading import Check, checked, decode, first_text, read_body
from whitelist_core.aliyun.transport.retry import Backoff, retry_after_seconds
from whitelist_core.core.values import frozen
from whitelist_core.errors import CloudError, TransientCloudError

USER_AGENT = "redis-whitelist-sync/0.1 (+requests)"
EXPIRED_TOKEN = "InvalidSecurityToken.Expired"  # noqa: S105 (an error code)
"""The code of a request signed with temporary credentials past their expiry."""
POOL_SIZE = 64  # kept-alive connections per host: up to InstanceConcurrency requests at once
_SESSION: requests.Session | None = None
_SESSION_LOCK = threading.Lock()


def shared_session() -> requests.Session:
    """The process-wide session, made once (under a lock), no trust_env (.netrc, proxies)."""
    global _SESSION
    with _SESSION_LOCK:
        if _SESSION is None:
            _SESSION, adapter = requests.Session(), HTTPAdapter(pool_maxsize=POOL_SIZE)
            _SESSION.trust_env = False
            _SESSION.adapters.update(dict.fromkeys(("https://", "http://"), adapter))
        return _SESSION


@functools.lru_cache(maxsize=1)
def logger() -> Any:
    """The ``whitelist_core.aliyun`` structlog logger (imported on first use: cold start)."""
    import structlog

    return structlog.get_logger("whitelist_core.aliyun")


@frozen
class _Failure:
    """A failed attempt: the error, the server-requested wait, when the attempt started."""

    error: CloudError
    retry_after: float | None
    started: float
    used: Credentials


@frozen
class Call:
    """One API request: where it goes and what it asks."""

    base_url: str
    product: str
    region: str
    action: str
    version: str
    params: Mapping[str, str]
    expected: frozenset[str] = frozenset()
    """Error codes that are the answer asked for (``DryRunOperation``): logged at info."""


class RpcClient:
    """Signs and sends RPC calls with retries inside one deadline.

    ``deadline`` is an absolute ``clock()`` value (``time.monotonic()`` by default); no
    attempt starts and no sleep ends later than ``deadline - margin``. ``credentials``
    may be a ``CredentialSource`` (an assumed role): asked before every attempt, and
    told once per call when the cloud says they expired (then tried again).
    ``retry_unreachable`` False (the command line) fails a call at once when no
    connection can be made; ``origin`` names the variable that set an endpoint, for that
    error. ``clock``,
    ``sleep``, ``rand``, ``now`` and ``nonce`` are injectable for tests.
    """

    def __init__(
        self,
        credentials: Credentials | CredentialSource,
        *,
        deadline: float,
        session: requests.Session | None = None,
        backoff: Backoff | None = None,
        margin: float = 0.5,
        timeouts: tuple[float, float] = (3.0, 10.0),
        retry_unreachable: bool = True,
        origin: Origin = lambda url, product: "",
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rand: Callable[[], float] = random.random,
        now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
        nonce: Callable[[], str] = lambda: secrets.token_hex(16),
    ) -> None:
        self._credentials = credentials
        self.deadline = deadline
        self._session = session
        self._backoff = backoff or Backoff()
        self._margin = margin
        self._timeouts = timeouts
        self._retry_unreachable, self._origin = retry_unreachable, origin
        self._clock, self._sleep, self._rand = clock, sleep, rand
        self._now, self._nonce = now, nonce

    def remaining(self) -> float:
        """Seconds left before ``deadline - margin`` (negative when past it)."""
        return self.deadline - self._margin - self._clock()

    def pause(self, attempt: int) -> bool:
        """Wait the backoff delay of ``attempt`` before trying something again; False
        (and no wait) when that wait would not end before the deadline."""
        delay = self._backoff.delay(attempt, self._rand, None)
        if delay >= self.remaining():
            return False
        self._sleep(delay)
        return True

    def call(self, call: Call, check: Check | None = None) -> dict[str, Any]:
        """The decoded answer; ``TransientCloudError`` once retries and time run out,
        ``PermanentCloudError`` at once for a refusal that retrying cannot fix.
        ``check`` validates the answer's shape: a ``ValueError`` from it is a failed
        (transient, retried) attempt."""
        last: CloudError | None = None
        renewed = False
        for attempt in itertools.count(1):
            if self.remaining() <= 0:
                raise last or TransientCloudError(
                    call.action, "DeadlineExceeded", "no time left before the deadline"
                )
            result = self._attempt(call, attempt, check)
            if not isinstance(result, _Failure):
                return result
            last = result.error
            if not renewed and self._renew(result):
                renewed = True
                self._log(call, attempt, result.started, "renewed", error=result.error)
                continue
            outcome, delay = self._decide(attempt, result)
            if result.error.code in call.expected:
                outcome = "expected"
            self._log(call, attempt, result.started, outcome, error=result.error)
            if outcome != "retry":
                raise result.error
            self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _attempt(self, call: Call, attempt: int, check: Check | None) -> dict[str, Any] | _Failure:
        started = self._clock()
        response: requests.Response | None = None
        used = self._credentials_now()  # an assumed role that cannot be had: raised as is
        try:
            response = self._send(call, self.remaining(), used)
            body = decode(call.action, response)
            checked(call.action, response, body, check)
        except CloudError as error:
            retry_after = retry_after_seconds(response.headers) if response is not None else None
            return _Failure(error, retry_after, started, used)
        request_id = first_text(body, "RequestId", "requestId")
        self._log(call, attempt, started, "ok", request_id, response.status_code)
        return body

    def _credentials_now(self) -> Credentials:
        source = self._credentials
        return source if isinstance(source, Credentials) else source.current()

    def _renew(self, failure: _Failure) -> bool:
        """True when the credentials expired under us and fresh ones may be fetched."""
        source = self._credentials
        if failure.error.code != EXPIRED_TOKEN or isinstance(source, Credentials):
            return False
        return source.expired(failure.used)

    def _decide(self, attempt: int, failure: _Failure) -> tuple[str, float]:
        """``("retry", delay)`` when another attempt fits, else why not (and 0)."""
        if not failure.error.retryable:
            return "permanent", 0.0
        if isinstance(failure.error, Unreachable) and not self._retry_unreachable:
            return "gave_up", 0.0
        delay = self._backoff.delay(attempt, self._rand, failure.retry_after)
        if attempt >= self._backoff.max_attempts or delay >= self.remaining():
            return "gave_up", 0.0
        return "retry", delay

    def _send(self, call: Call, remaining: float, credentials: Credentials) -> requests.Response:
        connect, read = (min(limit, remaining) for limit in self._timeouts)
        headers = signer.sign_request(
            host=host_of(call.base_url),
            action=call.action,
            version=call.version,
            query=call.params,
            access_key_id=credentials.access_key_id,
            access_key_secret=credentials.access_key_secret,
            security_token=credentials.security_token,
            now=self._now(),
            nonce=self._nonce(),
        )
        headers.update({"accept": "application/json", "user-agent": USER_AGENT})
        url = f"{call.base_url}/?{signer.canonical_query(call.params)}"
        session = self._session or shared_session()
        try:
            response = session.post(
                url, data=b"", headers=headers, timeout=(connect, read), stream=True
            )
            read_body(call.action, response, self.remaining, self._timeouts[1])
        except requests.RequestException as exc:
            if is_connect_failure(exc):
                raise unreachable(
                    call.action, call.base_url, call.product, exc, self._origin
                ) from exc
            raise transport_error(call.action, exc) from exc
        return response

    def _log(
        self, call: Call, attempt: int, started: float, outcome: str, request_id: str = "",
        http_status: int | None = None, error: CloudError | None = None,
    ) -> None:  # fmt: skip
        if error is not None:
            request_id, http_status = error.request_id, error.http_status
        levels = {"ok": "info", "expected": "info", "retry": "warning", "renewed": "warning"}
        level = levels.get(outcome, "error")
        getattr(logger(), level)(
            "cloud_call",
            action=call.action,
            product=call.product,
            region=call.region,
            cloud_request_id=request_id,
            http_status=http_status,
            code=error.code if error else "",
            attempt=attempt,
            latency_ms=round((self._clock() - started) * 1000),
            outcome=outcome,
        )
