"""The HTTP trigger: authenticate and route with ``webhook``, run the intent, answer.

Kept apart from ``app`` so that events from other triggers never import it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from whitelist_core import __version__
from whitelist_core.attention import Attention
from whitelist_core.config import Config
from whitelist_core.core.values import frozen
from whitelist_core.entrypoints.webhook import (
    HttpResponse,
    error_response,
    parse_secrets,
    response_for_error,
    route,
)
from whitelist_core.errors import ConfigError, TransientCloudError
from whitelist_core.intents import HttpRequest, Intent
from whitelist_core.outcome import ConfigFailure
from whitelist_core.summary import Counts, Summary

DEFAULT_TOLERANCE_SECONDS = 300


class Invocation(Protocol):
    """What answering a request needs of the invocation (``app.Invocation`` is one);
    depending on this interface, not on ``app``, keeps the import graph one-way."""

    @property
    def environ(self) -> Mapping[str, str]: ...
    def config(self) -> Config: ...
    def now(self) -> float: ...
    def run_intent(self, intent: Intent) -> Summary: ...


@frozen
class HttpAnswer:
    """The answer to one webhook request, and the summary of the run behind it (if any)."""

    response: HttpResponse
    summary: Summary | None = None

    @property
    def label(self) -> str:
        """The status the invocation's summary line reports: ``http_<code>``."""
        return f"http_{self.response.status}"

    def counts(self) -> Counts:
        """The run's counts; none when no run was made."""
        return self.summary.counts() if self.summary else Counts()

    def attention(self) -> Attention:
        """The run's alert figures; none when no run was made."""
        return self.summary.attention() if self.summary else Attention()

    def to_dict(self) -> dict[str, Any]:
        """The FC 3.0 HTTP response shape."""
        return self.response.to_fc()


def handle_http(invocation: Invocation, request: HttpRequest) -> HttpAnswer:
    """Answer one webhook request."""
    return _answer(invocation, request)


def _answer(invocation: Invocation, request: HttpRequest) -> HttpAnswer:
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
        return HttpAnswer(decision)
    if config_problem is not None:
        return HttpAnswer(error_response(500, "configuration", str(config_problem)))
    try:
        summary = invocation.run_intent(decision)
    except TransientCloudError as exc:
        return HttpAnswer(response_for_error(exc))
    return HttpAnswer(response_for_summary(summary), summary)


def response_for_summary(summary: Summary) -> HttpResponse:
    """200 for a run that went through; 422 when policy blocked any part of it, with every
    reason and the full result (other targets and unblocked changes still went ahead);
    400 for a request naming unknown targets; 502 for a permanent cloud error; 500 when
    our configuration (or credentials) is at fault."""
    message = summary.message or ""
    if summary.status == "rejected":
        return error_response(400, "bad_request", message)
    if summary.status == "error":
        if isinstance(summary.failure, ConfigFailure):
            return HttpResponse(500, {"error": "configuration", "message": message})
        result = summary.to_dict()
        return HttpResponse(502, {"error": "cloud_error", "message": message, "result": result})
    reasons = list(summary.blocked_reasons)
    if reasons:
        body = {"error": "policy_rejected", "message": "; ".join(reasons), "reasons": reasons}
        return HttpResponse(422, {**body, "result": summary.to_dict()})
    return HttpResponse(200, summary.to_dict())
