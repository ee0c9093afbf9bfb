"""The HTTP trigger: authenticate and route with ``webhook``, run the intent, answer.

Kept apart from ``app`` so that events from other triggers never import it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from . import __version__
from .config import Config
from .errors import ConfigError, TransientCloudError
from .intents import HttpRequest, Intent
from .webhook import (
    HttpResponse,
    error_response,
    parse_secrets,
    response_for_error,
    route,
)

DEFAULT_TOLERANCE_SECONDS = 300


class Invocation(Protocol):
    """What answering a request needs of the invocation (``app.Invocation`` is one);
    depending on this interface, not on ``app``, keeps the import graph one-way."""

    @property
    def environ(self) -> Mapping[str, str]: ...
    def config(self) -> Config: ...
    def now(self) -> float: ...
    def run_intent(self, intent: Intent) -> dict[str, Any]: ...


def handle_http(invocation: Invocation, request: HttpRequest) -> dict[str, Any]:
    """Answer one webhook request in the FC 3.0 HTTP response shape."""
    return _answer(invocation, request).to_fc()


def _answer(invocation: Invocation, request: HttpRequest) -> HttpResponse:
    try:
        tolerance = invocation.config().webhook.tolerance_seconds
        config_problem: ConfigError | None = None
    except ConfigError as exc:
        tolerance, config_problem = DEFAULT_TOLERANCE_SECONDS, exc
    decision = route(
        request,
        secrets=parse_secrets(invocation.environ.get("WHITELIST_WEBHOOK_SECRET")),
        now=invocation.now(),
        tolerance_seconds=tolerance,
        version=__version__,
    )
    if isinstance(decision, HttpResponse):
        return decision
    if config_problem is not None:
        return error_response(500, "configuration", str(config_problem))
    try:
        summary = invocation.run_intent(decision)
    except TransientCloudError as exc:
        return response_for_error(exc)
    return response_for_summary(summary)


def response_for_summary(summary: dict[str, Any]) -> HttpResponse:
    """200 for a run that went through; 422 when policy blocked any part of it, with every
    reason and the full result (other targets and unblocked changes still went ahead);
    400 for a request naming unknown targets; 502 for a permanent cloud error; 500 when
    our configuration (or credentials) is at fault."""
    status = summary.get("status")
    if status == "rejected":
        return error_response(400, "bad_request", str(summary.get("message", "")))
    if status == "error":
        message = str(summary.get("message", ""))
        if summary.get("error", {}).get("kind") == "configuration":
            return HttpResponse(500, {"error": "configuration", "message": message})
        return HttpResponse(502, {"error": "cloud_error", "message": message, "result": summary})
    reasons = [r for t in summary.get("targets", []) for r in t.get("blocked", [])]
    if reasons:
        message = "; ".join(reasons)
        body = {"error": "policy_rejected", "message": message, "reasons": reasons}
        return HttpResponse(422, {**body, "result": summary})
    return HttpResponse(200, summary)
