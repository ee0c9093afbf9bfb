"""Request authentication: which scheme, whose key, fresh timestamp, unused nonce."""

from __future__ import annotations

import hmac
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone

from localcloud import signing
from localcloud.errors import (
    IllegalTimestamp,
    IncompleteSignature,
    InvalidAccessKeyIdNotFound,
    InvalidSecurityTokenExpired,
    InvalidSecurityTokenMalformed,
    InvalidSecurityTokenMismatch,
    InvalidSignatureMethod,
    InvalidTimeStampExpired,
    InvalidTimeStampFormat,
    MissingParameter,
    MissingSecurityToken,
    SignatureDoesNotMatch,
    SignatureNonceUsed,
)
from localcloud.principals import DEFAULT_ACCOUNT_ID, Principal, user
from localcloud.sts.models import SessionBook
from localcloud.wire import HttpRequest, Params

MAX_SKEW_SECONDS = 15 * 60
_TIME_FORMATS = ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Identity:
    """Who made a request and how it was signed."""

    access_key_id: str
    scheme: str  # "v3" or "v1"
    security_token: str | None
    principal: Principal | None = None  # the RAM user or role session the key belongs to


class NonceBook:
    """Nonces seen within the replay window; an old nonce is forgotten after it."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def use(self, nonce: str) -> None:
        """Record ``nonce``; answer ``SignatureNonceUsed`` if it was seen before."""
        now = self._clock()
        with self._lock:
            if nonce in self._seen:
                raise SignatureNonceUsed()
            self._seen[nonce] = now
            if len(self._seen) > 10_000:
                horizon = now - 2 * MAX_SKEW_SECONDS
                self._seen = {k: t for k, t in self._seen.items() if t >= horizon}

    def clear(self) -> None:
        """Forget every nonce (a reset)."""
        with self._lock:
            self._seen.clear()


class Authenticator:
    """Verifies V3 and v1 signatures against the known credentials.

    Long-term credentials (``credentials``, their owners in ``principals``) accept any
    security token, or none. Temporary ones (issued by STS into ``sessions``) need the
    token they were issued with, and are refused once expired on ``now`` (localcloud's
    clock); signature timestamps are checked against ``clock`` (the wall clock).
    """

    def __init__(
        self,
        credentials: Mapping[str, str],
        clock: Callable[[], float],
        principals: Mapping[str, Principal] | None = None,
        sessions: SessionBook | None = None,
        now: Callable[[], float] | None = None,
    ) -> None:
        self.credentials = dict(credentials)
        self._clock = clock
        self._principals = dict(principals or {})
        self._sessions = sessions or SessionBook()
        self._now = now or clock
        self.nonces = NonceBook(clock)

    def authenticate(self, request: HttpRequest, params: Params) -> Identity:
        """The caller's identity, or the gateway error that refuses the request."""
        authorization = request.headers.get("authorization", "")
        if authorization.startswith("ACS3-"):
            return self._v3(request, authorization)
        if "Signature" in params:
            return self._v1(request, params)
        if authorization:
            raise IncompleteSignature()
        raise MissingParameter("Signature")

    def _v3(self, request: HttpRequest, authorization: str) -> Identity:
        auth = signing.parse_v3_authorization(authorization)
        if auth.algorithm != signing.V3_ALGORITHM:
            raise InvalidSignatureMethod()
        secret = self._secret(auth.access_key_id)
        self._check_time(request.headers.get("x-acs-date"))
        _require_signed(request.headers, auth.signed_headers)
        canonical = signing.v3_canonical_request(
            request.method,
            request.path,
            request.query_pairs(),
            request.headers,
            auth.signed_headers,
            signing.payload_hash(request.body),
        )
        expected = signing.v3_signature(secret, canonical)
        if not hmac.compare_digest(expected, auth.signature):
            raise _mismatch(signing.v3_string_to_sign(canonical))
        token = request.headers.get("x-acs-security-token")
        principal = self._check_token(auth.access_key_id, token)
        self._use_nonce(request.headers.get("x-acs-signature-nonce"))
        return Identity(auth.access_key_id, "v3", token, principal)

    def _v1(self, request: HttpRequest, params: Params) -> Identity:
        access_key_id = params.require("AccessKeyId")
        if params.get("SignatureMethod", "HMAC-SHA1") != "HMAC-SHA1":
            raise InvalidSignatureMethod()
        secret = self._secret(access_key_id)
        self._check_time(params.get("Timestamp"))
        string_to_sign = signing.v1_string_to_sign(request.method, params)
        expected = signing.v1_signature(secret, string_to_sign)
        if not hmac.compare_digest(expected, params["Signature"]):
            raise _mismatch(string_to_sign)
        token = params.get("SecurityToken")
        principal = self._check_token(access_key_id, token)
        self._use_nonce(params.get("SignatureNonce"))
        return Identity(access_key_id, "v1", token, principal)

    def _secret(self, access_key_id: str) -> str:
        secret = self.credentials.get(access_key_id)
        if secret is not None:
            return secret
        session = self._sessions.find(access_key_id)
        if session is None:
            raise InvalidAccessKeyIdNotFound()
        return session.secret

    def _check_token(self, access_key_id: str, token: str | None) -> Principal:
        """Who the key acts as; a temporary key needs its own, unexpired token."""
        session = self._sessions.find(access_key_id)
        if session is None:
            principal = self._principals.get(access_key_id)
            return principal or user(DEFAULT_ACCOUNT_ID, access_key_id)
        if not token:
            raise MissingSecurityToken()
        if not hmac.compare_digest(token, session.token):
            issued = self._sessions.issued(token)
            raise InvalidSecurityTokenMismatch() if issued else InvalidSecurityTokenMalformed()
        if self._now() >= session.expires_at:
            raise InvalidSecurityTokenExpired()
        return session.principal

    def _check_time(self, stamp: str | None) -> None:
        if not stamp:
            raise IllegalTimestamp()
        when = parse_timestamp(stamp)
        if abs(self._clock() - when) > MAX_SKEW_SECONDS:
            raise InvalidTimeStampExpired()

    def _use_nonce(self, nonce: str | None) -> None:
        if not nonce:
            raise MissingParameter("SignatureNonce")
        self.nonces.use(nonce)


def parse_timestamp(stamp: str) -> float:
    """Seconds since the epoch of an ISO 8601 UTC stamp such as ``2024-01-02T03:04:05Z``."""
    for pattern in _TIME_FORMATS:
        try:
            parsed = datetime.strptime(stamp, pattern)
        except ValueError:
            continue
        return parsed.replace(tzinfo=timezone.utc).timestamp()
    raise InvalidTimeStampFormat()


def _require_signed(headers: Mapping[str, str], signed: tuple[str, ...]) -> None:
    # The V3 rules make host and every x-acs-* header part of the signature; an
    # unsigned security token or date would let a replayer change them freely.
    names = {name.lower() for name in signed}
    required = {"host"} | {name for name in headers if name.startswith("x-acs-")}
    if not required <= names:
        raise IncompleteSignature()


def _mismatch(string_to_sign: str) -> SignatureDoesNotMatch:
    # The real message ends with the server's string to sign after a colon; the
    # legacy SDK splits on ':' to tell a wrong secret from a wrong algorithm.
    return SignatureDoesNotMatch(
        "Specified signature is not matched with our calculation. "
        f"server string to sign is:{string_to_sign}"
    )
