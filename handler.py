"""Function Compute entry point: configure logging, run the invocation, log its summary,
and render the result (a value until here) as the dict FC returns.

Everything else lives in ``whitelist_core``; this file only wires the FC handler
signature to ``whitelist_core.entrypoints.app.Invocation``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

# pydantic looks for third-party plugins through importlib.metadata when it builds the
# first model: ~13 ms of cold start for plugins this function never has.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

from whitelist_core.entrypoints.app import Invocation
from whitelist_core.entrypoints.webhook import parse_secrets
from whitelist_core.entrypoints.wiring import cloud_clients
from whitelist_core.logs import (
    bind_invocation,
    clear_invocation,
    configure_logging,
    invocation_summary,
    level_from_env,
    register_secret,
)
from whitelist_core.redaction import redact
from whitelist_core.summary import BatchSummary, Summary

BASE_DIR = Path(__file__).resolve().parent


def handler(event: Any, context: Any) -> dict[str, Any]:
    """FC handler: ``event`` is bytes (or str/dict/list locally); ``context`` may be None."""
    configure_logging(level_from_env())
    environ = os.environ
    for secret in parse_secrets(environ.get("WHITELIST_WEBHOOK_SECRET")):
        register_secret(secret)
    bind_invocation(request_id=getattr(context, "request_id", None))
    started = time.monotonic()
    invocation = Invocation(environ, cloud_clients(context, environ), BASE_DIR, context)
    try:
        result = invocation.run(event)
        invocation_summary(result.label, **result.counts().as_fields(), ms=_ms(started))
        # The one rendering of the result, here at the edge, masked like a log line.
        return redact(result.to_dict())
    except Exception as exc:
        # Transient cloud trouble outlasted the retries: fail so the platform retries.
        fields = _failure_fields(exc)
        invocation_summary(
            "error", error=type(exc).__name__, message=str(exc), ms=_ms(started), **fields
        )
        raise
    finally:
        clear_invocation()


def _failure_fields(exc: Exception) -> dict[str, Any]:
    """What a run that failed after doing the rest still did (``IncompleteRun.result``):
    every target's status and error code, and the counts; nothing for other errors."""
    result = getattr(exc, "result", None)
    if not isinstance(result, Summary | BatchSummary):
        return {}
    results = [
        {"target": r.plan.target, "status": r.status} | ({"code": r.error.code} if r.error else {})
        for r in result.target_results()
    ]
    return {"results": results, **result.counts().as_fields()}


def _ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
