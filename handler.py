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
from whitelist_core.entrypoints.telling import tell, tell_failure
from whitelist_core.entrypoints.webhook import parse_secrets
from whitelist_core.entrypoints.wiring import cloud_clients
from whitelist_core.logs import (
    bind_invocation,
    clear_invocation,
    configure_logging,
    level_from_env,
    register_secret,
)
from whitelist_core.redaction import redact

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
        tell(result, _ms(started))
        # The one rendering of the result, here at the edge, masked like a log line.
        return redact(result.to_dict())
    except Exception as exc:
        # Transient cloud trouble outlasted the retries: fail so the platform retries.
        tell_failure(exc, _ms(started))
        raise
    finally:
        clear_invocation()


def _ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
