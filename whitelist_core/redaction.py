"""Redaction: secrets never leave, through any door (log lines, results, HTTP bodies,
exception messages).

Values under secret-looking keys (``secret``, ``token``, ``signature``, ``authorization``,
``password``, ``credential`` anywhere in the key, any case, nested in dicts and lists)
become ``"***"``; every registered secret value is masked inside any string, also in its
URL-encoded forms; query-style parameters whose name holds one of those words
(``Signature=``, ``SecurityToken=``, ``?token=``, ``password=``...) and the credentials
of a URL (``http://user:pass@host``) are always masked.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, quote_plus

MASK = "***"
SECRET_MIN_LENGTH = 4
"""Shorter registered values are ignored: masking them would mangle ordinary text."""

_SECRET_KEY_PARTS = (
    "secret",
    "token",
    "signature",
    "authorization",
    "password",
    "passwd",
    "credential",
)
_QUERY_SECRET = re.compile(
    r"(?i)\b([a-z0-9_.-]*(?:signature|token|secret|password|passwd|credential)[a-z0-9_.-]*)"
    r"=[^&\s,\"']+"
)
_NOT_SECRET_SUFFIXES = ("method", "version", "nonce", "type")
_URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@\"']+@")

_secrets_lock = threading.Lock()
_secret_pattern: re.Pattern[str] | None = None
_secret_values: set[str] = set()


def is_secret_key(key: object) -> bool:
    """Whether a field name looks like it holds a secret (case and separators ignored)."""
    if not isinstance(key, str):
        return False
    lowered = key.lower()
    return any(part in lowered for part in _SECRET_KEY_PARTS)


def register_secret(value: str | None) -> None:
    """Mask ``value`` (and its URL-encoded forms) wherever it appears in a log line."""
    global _secret_pattern
    if not value or len(value) < SECRET_MIN_LENGTH:
        return
    forms = {value, quote(value), quote(value, safe=""), quote_plus(value, safe="")}
    with _secrets_lock:
        if forms <= _secret_values:
            return
        _secret_values.update(forms)
        ordered = sorted(_secret_values, key=lambda s: (-len(s), s))
        _secret_pattern = re.compile("|".join(re.escape(s) for s in ordered))


def parse_secrets(value: str | None) -> tuple[str, ...]:
    """Secrets from ``WHITELIST_WEBHOOK_SECRET``: ``"a,b"`` holds two (rotation)."""
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def clear_secrets() -> None:
    """Forget every registered secret (tests; a new cold start starts empty anyway)."""
    global _secret_pattern
    with _secrets_lock:
        _secret_values.clear()
        _secret_pattern = None


def mask_text(text: str) -> str:
    """``text`` with registered secrets and secret query parameters replaced by ``***``."""
    pattern = _secret_pattern
    if pattern is not None:
        text = pattern.sub(MASK, text)
    text = _URL_CREDENTIALS.sub(lambda m: f"{m.group(1)}{MASK}@", text)
    return _QUERY_SECRET.sub(_masked_parameter, text)


def _masked_parameter(match: re.Match[str]) -> str:
    name = match.group(1)
    if name.lower().endswith(_NOT_SECRET_SUFFIXES):  # SignatureMethod=HMAC-SHA1 and kin
        return match.group(0)
    return f"{name}={MASK}"


def redact(data: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``data`` made safe to log; anything not JSON-native becomes masked text."""
    return {key: MASK if is_secret_key(key) else _redact_value(v) for key, v in data.items()}


def _redact_value(value: object) -> object:
    if isinstance(value, str):
        return mask_text(value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, Mapping):
        return {str(k): MASK if is_secret_key(k) else _redact_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_redact_value(item) for item in value]
    if isinstance(value, (bytes, bytearray)):
        return mask_text(bytes(value).decode("utf-8", "replace"))
    return mask_text(str(value))
