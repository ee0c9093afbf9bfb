"""The webhook: HMAC signatures and the HTTP routes (DESIGN.md, Contracts, Webhook).

The HTTP trigger is anonymous at the gateway, so every route except ``GET /health`` is
authenticated here: ``X-Whitelist-Signature: v1=<hex HMAC-SHA256(secret,
"<timestamp>.<raw body>")>`` with ``X-Whitelist-Timestamp`` inside the tolerance window.
With no secret configured every signed route is refused: unsigned calls are never run.

``route`` decides without side effects: either an ``HttpResponse`` to send now, or the
intent to run. Responses are plain data; ``to_fc`` gives FC 3.0's response shape.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import field

from whitelist_core.core.values import frozen
from whitelist_core.entrypoints.wire import InstancesBody, ReconcileBody, loads, show, validate
from whitelist_core.errors import (
    BadEvent,
    BadSignature,
    CallerError,
    CloudError,
    ConfigError,
    IncompleteRun,
    PolicyError,
    TransientCloudError,
    WhitelistError,
)
from whitelist_core.intents import HttpRequest, ReconcileTargets, SyncInstances
from whitelist_core.redaction import parse_secrets as parse_secrets  # re-exported

MAX_BODY_BYTES = 64 * 1024
TIMESTAMP_HEADER = "X-Whitelist-Timestamp"
SIGNATURE_HEADER = "X-Whitelist-Signature"
_TIMESTAMP = re.compile(r"[0-9]{1,15}")
_SIGNATURE = re.compile(r"v1=([0-9a-f]{64})")
_ROUTES = {"/health": "GET", "/reconcile": "POST", "/instances": "POST"}
_INPUT_ERRORS = (ValueError, TypeError, RecursionError, OverflowError)


@frozen
class HttpResponse:
    """An HTTP answer as plain data; error bodies are ``{"error": code, "message": ...}``."""

    status: int
    body: dict[str, object] = field(default_factory=dict, hash=False)
    headers: dict[str, str] = field(default_factory=dict, hash=False)

    def to_fc(self) -> dict[str, object]:
        """The FC 3.0 HTTP trigger response: ``statusCode, headers, body (JSON), ...``."""
        return {
            "statusCode": self.status,
            "headers": {"Content-Type": "application/json", **self.headers},
            "body": json.dumps(self.body, default=str),
            "isBase64Encoded": False,
        }


WebhookDecision = HttpResponse | SyncInstances | ReconcileTargets


def sign(body: bytes, secret: str, timestamp: int) -> dict[str, str]:
    """The two headers that authenticate ``body`` at ``timestamp`` (unix seconds)."""
    stamp = str(int(timestamp))
    return {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: "v1=" + _digest(secret, stamp, body)}


def _digest(secret: str, stamp: str, body: bytes) -> str:
    message = stamp.encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def verify_signature(
    headers: Mapping[str, str],
    body: bytes,
    secrets: Sequence[str],
    *,
    now: float,
    tolerance_seconds: int,
) -> None:
    """Return if ``body`` is signed by one of ``secrets`` within the window, else raise
    ``BadSignature`` saying why. Header names are case-insensitive."""
    # A bare str is also a Sequence[str]: never let "a,b" become one-letter secrets.
    keys = parse_secrets(secrets) if isinstance(secrets, str) else tuple(s for s in secrets if s)
    if not keys:
        raise BadSignature("webhook secret is not configured: every signed route is refused")
    lower = {name.lower(): value for name, value in headers.items()}
    stamp = lower.get(TIMESTAMP_HEADER.lower(), "").strip()
    signature = lower.get(SIGNATURE_HEADER.lower(), "").strip()
    if not stamp or not signature:
        raise BadSignature(f"missing {TIMESTAMP_HEADER} or {SIGNATURE_HEADER} header")
    if not _TIMESTAMP.fullmatch(stamp):
        raise BadSignature(f"{TIMESTAMP_HEADER} must be an integer of unix seconds")
    if abs(now - int(stamp)) > tolerance_seconds:
        raise BadSignature(f"{TIMESTAMP_HEADER} is outside the {tolerance_seconds} s window")
    match = _SIGNATURE.fullmatch(signature)
    if match is None:
        raise BadSignature(f"{SIGNATURE_HEADER} must be v1=<64 lowercase hex digits>")
    given = match[1].encode("ascii")
    # Check every key (no early exit) so timing does not tell which one matched.
    results = [hmac.compare_digest(given, _digest(k, stamp, body).encode()) for k in keys]
    if not any(results):
        raise BadSignature("signature does not match the body and timestamp")


def route(
    request: HttpRequest,
    *,
    secrets: Sequence[str],
    now: float,
    tolerance_seconds: int,
    version: str,
) -> WebhookDecision:
    """Decide what an HTTP request gets: a response now, or the intent to run.

    Order: size (413, before any HMAC work), path (404), method (405), health (200,
    unsigned), signature (401), body (400), then the intent.
    """
    if request.oversized or len(request.body) > MAX_BODY_BYTES:
        size = request.oversized or len(request.body)
        what, limit = ("event", "the event size limit") if request.oversized else ("body", "65536")
        return error_response(413, "payload_too_large", f"{what} is {size} bytes, over {limit}")
    path = request.path.rstrip("/") or "/"
    allowed = _ROUTES.get(path)
    if allowed is None:
        routes = "GET /health, POST /reconcile, POST /instances"
        return error_response(404, "not_found", f"no route {show(path)}; routes: {routes}")
    if request.method.upper() != allowed:
        message = f"{path} accepts {allowed} only"
        return error_response(405, "method_not_allowed", message, {"Allow": allowed})
    if path == "/health":
        return HttpResponse(200, {"status": "ok", "version": version})
    try:
        verify_signature(
            request.headers, request.body, secrets, now=now, tolerance_seconds=tolerance_seconds
        )
    except BadSignature as exc:
        return error_response(401, "unauthorized", str(exc))
    try:
        return _reconcile(request) if path == "/reconcile" else _instances(request)
    except BadEvent as exc:
        return error_response(400, "bad_request", str(exc))
    except _INPUT_ERRORS as exc:
        return error_response(400, "bad_request", f"body could not be read ({type(exc).__name__})")


def _reconcile(request: HttpRequest) -> ReconcileTargets:
    body = validate(ReconcileBody, _json_object(request.body, empty_ok=True), "body")
    return ReconcileTargets(
        targets=tuple(dict.fromkeys(body.targets)) if body.targets else None,
        dry_run=body.dry_run,
        trigger="http",
        event_id=request.request_id,
        reason="POST /reconcile",
    )


def _instances(request: HttpRequest) -> SyncInstances:
    body = validate(InstancesBody, _json_object(request.body, empty_ok=False), "body")
    return SyncInstances(
        tuple(dict.fromkeys(body.instance_ids)),
        body.region,
        dry_run=body.dry_run,
        trigger="http",
        event_id=request.request_id,
        reason="POST /instances",
    )


def _json_object(raw: bytes, *, empty_ok: bool) -> object:
    if not raw.strip():
        if empty_ok:
            return {}
        raise BadEvent("body is empty: expected a JSON object")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadEvent(f"body is not valid UTF-8 (byte {exc.start})") from None
    value = loads(text, "body")
    if not isinstance(value, dict):
        raise BadEvent(f"body must be a JSON object, not {type(value).__name__}")
    return value


def error_response(
    status: int, code: str, message: str, headers: Mapping[str, str] | None = None
) -> HttpResponse:
    """An error answer: body ``{"error": code, "message": message}``."""
    return HttpResponse(status, {"error": code, "message": message}, dict(headers or {}))


def response_for_error(error: WhitelistError) -> HttpResponse:
    """Map an error raised while serving a request to an answer (never a stack trace)."""
    if isinstance(error, BadSignature):
        return error_response(401, "unauthorized", str(error))
    if isinstance(error, CallerError):
        return error_response(400, "bad_request", str(error))
    if isinstance(error, PolicyError):
        body: dict[str, object] = {"error": "policy_rejected", "message": str(error)}
        return HttpResponse(422, {**body, "reasons": list(error.reasons)})
    if isinstance(error, TransientCloudError):
        answer = error_response(503, "cloud_unavailable", str(error), {"Retry-After": "60"})
        if isinstance(error, IncompleteRun):  # what was done beside what failed
            return HttpResponse(503, {**answer.body, "result": error.summary}, answer.headers)
        return answer
    if isinstance(error, CloudError):
        return error_response(502, "cloud_error", str(error))
    if isinstance(error, ConfigError):
        return error_response(500, "configuration_error", "invalid configuration; see the logs")
    return error_response(500, "internal", "internal error; see the logs")
