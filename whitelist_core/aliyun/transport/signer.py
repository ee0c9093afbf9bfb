"""Alibaba Cloud V3 request signing (``ACS3-HMAC-SHA256``), as pure functions.

The clock and the nonce are arguments, so the published vectors and the official SDK
(``alibabacloud_tea_openapi.utils.Utils.get_authorization``) can be reproduced exactly.
RPC APIs (ECS, R-KVStore) are called as ``POST /`` with every parameter in the query
string and an empty body, as the official SDK sends them.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime, timezone
from urllib.parse import quote

ALGORITHM = "ACS3-HMAC-SHA256"
DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def percent_encode(text: str) -> str:
    """RFC 3986 encoding: unreserved characters kept (``~`` too), space is ``%20``."""
    return quote(text, safe="~", encoding="utf-8")


def canonical_query(params: Mapping[str, str]) -> str:
    """Sorted ``key=value`` pairs, keys and values percent-encoded; ``""`` gives ``key=``."""
    pairs = sorted((percent_encode(k), percent_encode(v)) for k, v in params.items())
    return "&".join(f"{k}={v}" for k, v in pairs)


def _is_signed(name: str) -> bool:
    return name in ("host", "content-type") or name.startswith("x-acs-")


def canonical_headers(headers: Mapping[str, str]) -> tuple[str, str]:
    """The canonical header block (each line ends with ``\\n``) and the SignedHeaders list.

    Signed are ``host``, ``content-type`` and every ``x-acs-*`` header: names lower-cased,
    values trimmed, sorted by name. Other headers (``accept``, ``user-agent``) are not signed.
    """
    picked = {k.lower(): v.strip() for k, v in headers.items() if _is_signed(k.lower())}
    names = sorted(picked)
    block = "".join(f"{name}:{picked[name]}\n" for name in names)
    return block, ";".join(names)


def authorization(
    *,
    method: str,
    path: str,
    query: Mapping[str, str],
    headers: Mapping[str, str],
    payload_hash: str,
    access_key_id: str,
    access_key_secret: str,
) -> str:
    """The ``Authorization`` header value for a request with these parts."""
    block, signed = canonical_headers(headers)
    canonical_request = "\n".join(
        [method.upper(), path or "/", canonical_query(query), block, signed, payload_hash]
    )
    digest = hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()
    string_to_sign = f"{ALGORITHM}\n{digest}"
    key = access_key_secret.encode("utf-8")
    signature = hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{ALGORITHM} Credential={access_key_id},SignedHeaders={signed},Signature={signature}"


def format_date(now: datetime) -> str:
    """``x-acs-date``: UTC, ``%Y-%m-%dT%H:%M:%SZ`` (a naive datetime is taken as UTC)."""
    if now.tzinfo is not None:
        now = now.astimezone(timezone.utc)
    return now.strftime(DATE_FORMAT)


def sign_request(
    *,
    host: str,
    action: str,
    version: str,
    query: Mapping[str, str],
    access_key_id: str,
    access_key_secret: str,
    security_token: str = "",
    now: datetime,
    nonce: str,
    method: str = "POST",
    body: bytes = b"",
    content_type: str = "",
) -> dict[str, str]:
    """Every header a signed RPC request needs, ``Authorization`` included.

    ``host`` is what the ``Host`` header carries (``host`` or ``host:port``). The STS
    token, when given, travels as the signed ``x-acs-security-token`` header.
    """
    headers = {
        "host": host,
        "x-acs-action": action,
        "x-acs-version": version,
        "x-acs-date": format_date(now),
        "x-acs-signature-nonce": nonce,
        "x-acs-content-sha256": hashlib.sha256(body).hexdigest(),
    }
    if content_type:
        headers["content-type"] = content_type
    if security_token:
        headers["x-acs-security-token"] = security_token
    headers["Authorization"] = authorization(
        method=method,
        path="/",
        query=query,
        headers=headers,
        payload_hash=headers["x-acs-content-sha256"],
        access_key_id=access_key_id,
        access_key_secret=access_key_secret,
    )
    return headers
