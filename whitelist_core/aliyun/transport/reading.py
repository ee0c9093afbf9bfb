"""Reading an RPC answer: its whole body within the deadline, then what it says.

An answer is believed only when it says success: a 2xx whose body carries an error
``Code`` is that error, and a body the caller's ``check`` finds malformed is a transient
``MalformedResponse``, retried like any other. The body is read in chunks, each socket
read bounded by the time left, so an answer trickled one byte at a time is cut off at the
deadline, not per read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

import requests
import urllib3

from whitelist_core.aliyun.transport.retry import is_transient
from whitelist_core.errors import PermanentCloudError, TransientCloudError

READ_CHUNK = 64 * 1024
SUCCESS_CODES = frozenset({"", "200", "ok", "success"})
"""``Code`` values a successful answer may carry (compared lower-cased)."""

Check = Callable[[dict[str, Any]], None]
"""Validates a decoded answer's shape; raises ``ValueError`` saying what is wrong."""


def first_text(body: Mapping[str, Any], *names: str) -> str:
    for name in names:
        value = body.get(name)
        if isinstance(value, str) and value:
            return value
    return ""


def _json_object(response: requests.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return cast("dict[str, Any]", body) if isinstance(body, dict) else None


def decode(action: str, response: requests.Response) -> dict[str, Any]:
    """The JSON object of a 2xx answer, or the ``CloudError`` an error answer stands for."""
    status = response.status_code
    header_id = response.headers.get("x-acs-request-id", "")
    body = _json_object(response)
    if 200 <= status < 300:
        if body is None:
            raise TransientCloudError(
                action, "MalformedResponse", "the answer is not a JSON object",
                request_id=header_id, http_status=status,
            )  # fmt: skip
        if first_text(body, "Code", "code").lower() in SUCCESS_CODES:
            return body
    body = body or {}
    code = first_text(body, "Code", "code") or f"HTTP{status}"
    message = first_text(body, "Message", "message") or response.reason or ""
    request_id = first_text(body, "RequestId", "requestId") or header_id
    kind = TransientCloudError if is_transient(code, status) else PermanentCloudError
    raise kind(action, code, message, request_id=request_id, http_status=status)


def read_body(
    action: str, response: requests.Response, remaining: Callable[[], float], read_timeout: float
) -> None:
    """Read the whole body, each read bounded by the time left: past the deadline the
    attempt is a ``Timeout``, however steadily the bytes trickle in."""
    if response.raw is None:  # a body handed over already read (a stand-in session)
        return
    chunks: list[bytes] = []
    try:
        while True:
            left = remaining()
            if left <= 0:
                raise TransientCloudError(
                    action, "Timeout", "the answer did not finish before the deadline"
                )
            _bound_socket(response, min(left, read_timeout))
            chunk = response.raw.read1(READ_CHUNK)
            if not chunk:
                break
            chunks.append(chunk)
    except urllib3.exceptions.ReadTimeoutError as exc:
        raise TransientCloudError(action, "Timeout", type(exc).__name__) from exc
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise TransientCloudError(action, "ConnectionError", type(exc).__name__) from exc
    finally:
        response.close()
    response._content = b"".join(chunks)  # what requests itself caches the body in


def checked(
    action: str, response: requests.Response, body: dict[str, Any], check: Check | None
) -> None:
    if check is None:
        return
    try:
        check(body)
    except ValueError as exc:
        raise TransientCloudError(
            action, "MalformedResponse", str(exc),
            request_id=first_text(body, "RequestId", "requestId")
            or response.headers.get("x-acs-request-id", ""),
            http_status=response.status_code,
        ) from None  # fmt: skip


def _bound_socket(response: requests.Response, seconds: float) -> None:
    """Let the next socket read wait at most ``seconds`` (best effort: the socket is
    reachable only through urllib3 and http.client internals; a mocked answer has none).

    The connection holds it while it stays open; an answer that closes the connection
    (``Connection: close``, HTTP/1.0) leaves it only in the body's file object."""
    raw = response.raw
    sock = getattr(getattr(raw, "_connection", None), "sock", None)
    if sock is None:  # http.client.HTTPResponse.fp (buffered) -> SocketIO -> socket
        sock = getattr(getattr(getattr(getattr(raw, "_fp", None), "fp", None), "raw", None), "_sock", None)  # fmt: skip
    settimeout = getattr(sock, "settimeout", None)
    if settimeout is not None:
        settimeout(max(seconds, 0.001))
