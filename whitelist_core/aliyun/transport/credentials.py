"""Credentials for signing: from the Function Compute context, else from the environment.

FC python3.10 puts the function role's STS credentials on ``context.credentials``;
FC python3.12 does not, and exposes them as ``ALIBABA_CLOUD_*`` variables instead.
Secret values never appear in ``repr``, ``str`` or error messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from typing import Protocol

from whitelist_core.core.values import frozen
from whitelist_core.errors import CredentialsError

ENV_ACCESS_KEY_ID = "ALIBABA_CLOUD_ACCESS_KEY_ID"
ENV_ACCESS_KEY_SECRET = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"  # noqa: S105 (a name)
ENV_SECURITY_TOKEN = "ALIBABA_CLOUD_SECURITY_TOKEN"  # noqa: S105 (a name)

_REDACTED = "***"
_CONTEXT_NAMES = {
    "access_key_id": ("access_key_id", "accessKeyId", "AccessKeyId"),
    "access_key_secret": ("access_key_secret", "accessKeySecret", "AccessKeySecret"),
    "security_token": ("security_token", "securityToken", "SecurityToken"),
}


@frozen
class Credentials:
    """An AccessKey pair, plus the STS token when the key is temporary (``""`` otherwise)."""

    access_key_id: str
    access_key_secret: str = field(repr=False)
    security_token: str = field(default="", repr=False)

    def __repr__(self) -> str:
        key_id = self.access_key_id[:4] + "****" if self.access_key_id else ""
        token = _REDACTED if self.security_token else ""
        return (
            f"Credentials(access_key_id={key_id!r}, access_key_secret={_REDACTED!r}, "
            f"security_token={token!r})"
        )

    __str__ = __repr__


class CredentialSource(Protocol):
    """Credentials that change while a client holds them: an assumed role's session."""

    def current(self) -> Credentials:
        """Credentials valid for a request now; ``CloudError`` when none can be had."""
        ...

    def expired(self, used: Credentials) -> bool:
        """The cloud said ``used`` expired: forget them; True when others may be fetched."""
        ...


def _pick(source: object, name: str) -> str:
    """One credential field from an object or a mapping; ``""`` when missing or None."""
    for key in _CONTEXT_NAMES[name]:
        value = source.get(key) if isinstance(source, Mapping) else getattr(source, key, None)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def from_context(context: object) -> Credentials | None:
    """The credentials an FC context carries, or None when it carries no complete pair."""
    if context is None:
        return None
    source = context.get("credentials") if isinstance(context, Mapping) else None
    if source is None:
        source = getattr(context, "credentials", None)
    if source is None:
        return None
    key_id, secret = _pick(source, "access_key_id"), _pick(source, "access_key_secret")
    if not (key_id and secret):
        return None
    return Credentials(key_id, secret, _pick(source, "security_token"))


def from_environ(environ: Mapping[str, str]) -> Credentials:
    """The credentials in ``ALIBABA_CLOUD_*`` variables; ``CredentialsError`` naming the gaps."""
    key_id = environ.get(ENV_ACCESS_KEY_ID, "").strip()
    secret = environ.get(ENV_ACCESS_KEY_SECRET, "").strip()
    pairs = ((ENV_ACCESS_KEY_ID, key_id), (ENV_ACCESS_KEY_SECRET, secret))
    missing = [name for name, value in pairs if not value]
    if missing:
        raise CredentialsError(
            "the FC context carries no credentials and the environment lacks "
            + " and ".join(missing)
            + f": export {'it' if len(missing) == 1 else 'them'} (plus {ENV_SECURITY_TOKEN} for STS credentials)"
        )
    return Credentials(key_id, secret, environ.get(ENV_SECURITY_TOKEN, "").strip())


def load_credentials(context: object, environ: Mapping[str, str]) -> Credentials:
    """Credentials from the FC context when it has a complete pair, else from ``environ``."""
    return from_context(context) or from_environ(environ)
