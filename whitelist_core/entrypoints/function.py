"""The Function Compute handler: configure logging, run the invocation, log its summary,
and render the result (a value until here) as the dict FC returns.

``handler.py`` at the root of the deployment zip gives FC its ``handler.handler`` from
here; ``pip install`` installs this package and no top-level ``handler`` module. The
command line's ``invoke`` runs ``handle`` with the working directory as the base.
"""

from __future__ import annotations

import contextvars
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from whitelist_core.config import config_path
from whitelist_core.entrypoints.app import Invocation
from whitelist_core.entrypoints.coalesced import COALESCER, coalescing_for
from whitelist_core.entrypoints.telling import tell, tell_failure
from whitelist_core.entrypoints.wiring import cloud_clients
from whitelist_core.logs import (
    bind_invocation,
    clear_invocation,
    configure_logging,
    level_from_env,
    register_secret,
)
from whitelist_core.redaction import parse_secrets, redact

CODE_ROOT = Path(__file__).resolve().parents[2]
"""Where the deployment zip is unpacked (``/code`` on FC): ``handler.py`` and
``whitelist.yml`` sit beside the ``whitelist_core`` package."""


def handler(event: Any, context: Any) -> dict[str, Any]:
    """FC handler: ``event`` is bytes (or str/dict/list locally); ``context`` may be None.

    FC may call it from several threads at once (``InstanceConcurrency`` > 1), and may
    reuse a thread for the next request: each invocation runs in a context of its own,
    empty, so the fields bound to its log lines (request id, trigger, event id) are its
    own and nothing bound elsewhere in the thread leaks in or out. Concurrent single
    events may share a run (``WHITELIST_COALESCE_MS``, ``coalesced``); the instance counts
    as busy, and a single event gathers others, only while it serves another invocation.
    """
    with COALESCER.serving():
        return contextvars.Context().run(handle, event, context, CODE_ROOT, None, coalesce=True)


def handle(
    event: Any,
    context: Any,
    base_dir: Path,
    environ: Mapping[str, str] | None = None,
    *,
    level: str | None = None,
    interactive: bool = False,
    coalesce: bool = False,
) -> dict[str, Any]:
    """Run one invocation with the configuration found from ``base_dir``; logs at
    ``level`` (default ``LOG_LEVEL``, else INFO); ``interactive`` (the command line): an
    endpoint that cannot be reached fails at once; ``coalesce`` (the FC handler): a single
    event may share its run with concurrent ones. Raises what should fail the invocation."""
    configure_logging(level or level_from_env())
    environ = os.environ if environ is None else environ
    for secret in parse_secrets(environ.get("WHITELIST_WEBHOOK_SECRET")):
        register_secret(secret)
    bind_invocation(request_id=getattr(context, "request_id", None))
    started = time.monotonic()
    clients = cloud_clients(context, environ, interactive=interactive)
    invocation = Invocation(environ, clients, base_dir, context)
    if coalesce:
        path = str(config_path(environ, base_dir))
        invocation.coalescing = coalescing_for(context, environ, path)
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
