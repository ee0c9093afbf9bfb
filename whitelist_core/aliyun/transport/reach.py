"""Transport failures as errors. An endpoint that cannot be reached is named: which base
URL, which variable set it, and why the connection failed, without echoing the request
(its query carries a signature).

From FC a failed connection is transient (retried inside the deadline, then the platform
retries the invocation); from the command line it is said at once: an override pointing
at nothing (a stopped localcloud, a typo in the port) does not heal in a few seconds.
"""

from __future__ import annotations

from collections.abc import Callable

import requests

from whitelist_core.errors import CloudError, PermanentCloudError, TransientCloudError

Origin = Callable[[str, str], str]
"""``(base_url, product) -> variable``: the environment variable that set the URL, or ''."""


class Unreachable(TransientCloudError):
    """No connection to the endpoint (refused, unknown host, no answer to connect)."""


def unreachable(
    action: str, base_url: str, product: str, exc: Exception, origin: Origin
) -> Unreachable:
    """The error of a connection to ``base_url`` that failed with ``exc``."""
    variable = origin(base_url, product)
    source = f" (set by {variable})" if variable else ""
    message = f"cannot connect to {base_url}{source}: {_why(exc)}"
    return Unreachable(action, "ConnectionError", message)


def is_connect_failure(exc: requests.RequestException) -> bool:
    """True when no connection was made (not a connection lost mid-answer)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    return isinstance(exc, requests.ConnectionError) and not isinstance(
        exc, requests.exceptions.ChunkedEncodingError | requests.ReadTimeout
    )


_REASONS = (
    ("refused", "connection refused (is anything listening there?)"),
    ("Name or service not known", "the host name does not resolve"),
    ("nodename nor servname", "the host name does not resolve"),
    ("Failed to resolve", "the host name does not resolve"),
    ("timed out", "no answer to the connection within the connect timeout"),
    ("unreachable", "the network is unreachable"),
)


def _why(exc: BaseException) -> str:
    """Why, in words; the exception's own text is never shown (it holds the request URL)."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    text = " ".join(str(e) for e in seen) + " ".join(type(e).__name__ for e in seen)
    if any(isinstance(e, ConnectionRefusedError) for e in seen):
        return _REASONS[0][1]
    return next((said for needle, said in _REASONS if needle in text), "the connection failed")


def transport_error(action: str, exc: requests.RequestException) -> CloudError:
    """A request that connected and then failed: timed out, cut off, or refused by us."""
    if isinstance(exc, requests.Timeout):
        return TransientCloudError(action, "Timeout", type(exc).__name__)
    if isinstance(exc, requests.ConnectionError | requests.exceptions.ChunkedEncodingError):
        return TransientCloudError(action, "ConnectionError", type(exc).__name__)
    return PermanentCloudError(action, "RequestFailed", type(exc).__name__)
