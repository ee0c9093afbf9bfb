"""Signature computation for V3 (ACS3-HMAC-SHA256) and legacy RPC v1 (HMAC-SHA1).

Written from the published algorithm, independently of any client signer, so that
a client bug cannot hide behind a shared helper.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

from localcloud.errors import IncompleteSignature

V3_ALGORITHM = "ACS3-HMAC-SHA256"


def percent_encode(value: str) -> str:
    """RFC 3986 encoding: only unreserved characters stay (space is %20, * is %2A, ~ stays)."""
    return quote(value, safe="-_.~")


def canonical_query(pairs: Iterable[tuple[str, str]]) -> str:
    """``k=v`` pairs, both sides percent-encoded, sorted by key, joined with ``&``."""
    encoded = sorted((percent_encode(k), percent_encode(v)) for k, v in pairs)
    return "&".join(f"{k}={v}" for k, v in encoded)


@dataclass(frozen=True)
class V3Authorization:
    """The parts of an ``Authorization: ACS3-... Credential=..,SignedHeaders=..,Signature=..``."""

    algorithm: str
    access_key_id: str
    signed_headers: tuple[str, ...]
    signature: str


def parse_v3_authorization(value: str) -> V3Authorization:
    """Split a V3 Authorization header; a malformed one answers ``IncompleteSignature``."""
    algorithm, _, rest = value.strip().partition(" ")
    fields: dict[str, str] = {}
    for part in rest.split(","):
        key, sep, item = part.strip().partition("=")
        if sep:
            fields[key] = item
    try:
        access_key_id = fields["Credential"]
        headers = tuple(fields["SignedHeaders"].split(";"))
        signature = fields["Signature"]
    except KeyError:
        raise IncompleteSignature() from None
    if not access_key_id or not signature or not all(headers):
        raise IncompleteSignature()
    return V3Authorization(algorithm, access_key_id, headers, signature.lower())


def v3_canonical_request(
    method: str,
    path: str,
    query: Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    signed_headers: Iterable[str],
    payload_hash: str,
) -> str:
    """The canonical request: method, URI, query, signed headers (with a blank line), hash."""
    names = sorted(name.lower() for name in signed_headers)
    header_lines = "".join(f"{name}:{headers.get(name, '').strip()}\n" for name in names)
    uri = quote(path or "/", safe="/-_.~")
    return "\n".join(
        [method.upper(), uri, canonical_query(query), header_lines, ";".join(names), payload_hash]
    )


def v3_signature(secret: str, canonical_request: str) -> str:
    """Lower-case hex HMAC-SHA256 of the string to sign."""
    return hmac.new(
        secret.encode("utf-8"), v3_string_to_sign(canonical_request).encode("utf-8"), "sha256"
    ).hexdigest()


def v3_string_to_sign(canonical_request: str) -> str:
    """``ACS3-HMAC-SHA256\\n`` + hex SHA-256 of the canonical request."""
    digest = hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()
    return f"{V3_ALGORITHM}\n{digest}"


def payload_hash(body: bytes) -> str:
    """Hex SHA-256 of the request body (the value of ``x-acs-content-sha256``)."""
    return hashlib.sha256(body).hexdigest()


def v1_string_to_sign(method: str, params: Mapping[str, str]) -> str:
    """``METHOD&%2F&`` + percentEncode(canonical query of every parameter but Signature)."""
    pairs = ((k, v) for k, v in params.items() if k != "Signature")
    return f"{method.upper()}&%2F&{percent_encode(canonical_query(pairs))}"


def v1_signature(secret: str, string_to_sign: str) -> str:
    """Base64 HMAC-SHA1 keyed with ``secret + "&"``."""
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")
