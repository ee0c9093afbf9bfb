"""Logging: every line is one JSON object on stdout, and secrets never appear.

Function Compute ships stdout to the function's SLS logstore, so this module renders
structlog events *and* stdlib records (``requests``, ``urllib3``, warnings, anything)
as single-line JSON objects with the same shape::

    {"event": "...", "level": "info", "logger": "whitelist_core", "timestamp": "...Z", ...}

Per invocation the handler does::

    configure_logging(level_from_env())          # cheap no-op after the first call
    register_secret(credentials.access_key_secret)   # and the STS token, webhook secrets
    bind_invocation(request_id=context.request_id, trigger="timer")
    try:
        ...
    finally:
        clear_invocation()

Bound fields appear on every line of the invocation, stdlib lines included.
Redaction runs last before rendering, on both paths: values under secret-looking keys
(``secret``, ``token``, ``signature``, ``authorization``, ``password``, ``credential``
anywhere in the key, any case, nested in dicts and lists) become ``"***"``, and every
registered secret value is masked inside any string (also in its URL-encoded forms).

Importing this module only imports structlog, python-json-logger and the stdlib; it
does no I/O and configures nothing.
"""

from whitelist_core.logs.configure import (
    configure_logging,
    get_logger,
    level_from_env,
    parse_level,
    reset_logging,
)
from whitelist_core.logs.lines import (
    audit_change,
    bind_invocation,
    clear_invocation,
    invocation_summary,
    whitelist_capacity,
    whitelist_finding,
)
from whitelist_core.logs.output import (
    JsonLineLogger,
    StdlibJsonFormatter,
    StdoutJsonHandler,
    send_logs_to_stderr,
)
from whitelist_core.logs.processors import (
    add_level,
    add_logger_name,
    add_timestamp,
    processors,
    redact_secrets,
)
from whitelist_core.redaction import (  # the handler and tests use them through this package
    MASK,
    clear_secrets,
    is_secret_key,
    mask_text,
    redact,
    register_secret,
)

__all__ = [
    "MASK",
    "JsonLineLogger",
    "StdlibJsonFormatter",
    "StdoutJsonHandler",
    "add_level",
    "add_logger_name",
    "add_timestamp",
    "audit_change",
    "bind_invocation",
    "clear_invocation",
    "clear_secrets",
    "configure_logging",
    "get_logger",
    "invocation_summary",
    "is_secret_key",
    "level_from_env",
    "mask_text",
    "parse_level",
    "processors",
    "redact",
    "redact_secrets",
    "register_secret",
    "reset_logging",
    "send_logs_to_stderr",
    "whitelist_capacity",
    "whitelist_finding",
]
