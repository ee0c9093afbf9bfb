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

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any, cast

import structlog
from pythonjsonlogger.json import JsonFormatter
from structlog.contextvars import (
    bind_contextvars,
    clear_contextvars,
    get_contextvars,
    merge_contextvars,
)
from structlog.processors import format_exc_info
from structlog.typing import EventDict, FilteringBoundLogger, Processor, WrappedLogger

from .redaction import (  # re-exported: the handler and tests use them through this module
    MASK,
    clear_secrets,
    is_secret_key,
    mask_text,
    redact,
    register_secret,
)

__all__ = [
    "MASK",
    "bind_invocation",
    "clear_invocation",
    "clear_secrets",
    "configure_logging",
    "is_secret_key",
    "mask_text",
    "redact",
    "register_secret",
]

_LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "WARN": 30, "ERROR": 40, "CRITICAL": 50}
_METHOD_LEVELS = {"warn": "warning", "exception": "error", "fatal": "critical", "msg": "info"}

_write_lock = threading.Lock()
_configured_level: int | None = None
_to_stderr = False


def send_logs_to_stderr(enabled: bool = True) -> None:
    """Write log lines to stderr instead of stdout (the CLI prints results on stdout)."""
    global _to_stderr
    _to_stderr = enabled


# -- output ---------------------------------------------------------------------------


def _write_line(line: str) -> None:
    """Write one rendered line to the *current* ``sys.stdout`` (test capture swaps it),
    or ``sys.stderr`` when a command line keeps stdout for its own output."""
    with _write_lock:
        stream = sys.stderr if _to_stderr else sys.stdout
        stream.write(line + "\n")
        stream.flush()


class JsonLineLogger:
    """The structlog wrapped logger: gets a rendered JSON string, writes it as one line."""

    def __init__(self, name: str = "root") -> None:
        self.name = name

    def msg(self, message: str) -> None:
        _write_line(message)

    debug = info = warning = warn = error = critical = exception = fatal = log = msg


def _logger_factory(*args: Any) -> JsonLineLogger:
    return JsonLineLogger(str(args[0]) if args else "root")


# -- processors (each usable alone: (logger, method_name, event_dict) -> event_dict) --


def _utc_iso(epoch_seconds: float) -> str:
    moment = datetime.fromtimestamp(epoch_seconds, tz=timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def add_timestamp(logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
    """``timestamp``: now, ISO 8601 in UTC with milliseconds (``2024-05-01T10:00:00.123Z``)."""
    event_dict["timestamp"] = _utc_iso(time.time())
    return event_dict


def add_level(logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
    """``level``: the lower-case level name of the logging method (``exception`` -> error)."""
    event_dict["level"] = _METHOD_LEVELS.get(method_name, method_name)
    return event_dict


def add_logger_name(logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
    """``logger``: the name given to ``get_logger`` (kept if the event already has one)."""
    event_dict.setdefault("logger", getattr(logger, "name", None) or "root")
    return event_dict


def redact_secrets(logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
    """Mask secrets by key and by registered value; returns a new dict, inputs untouched."""
    return redact(event_dict)


# -- stdlib records -------------------------------------------------------------------


class StdlibJsonFormatter(JsonFormatter):
    """python-json-logger formatter giving stdlib records the structlog line shape.

    Extras passed with ``extra=`` are kept as fields; the invocation's bound fields are
    added; the traceback (if any) goes to ``exception``; redaction runs last.
    """

    def __init__(self) -> None:
        renames = {"message": "event", "exc_info": "exception", "stack_info": "stack"}
        super().__init__(rename_fields=renames)

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        super().add_fields(log_data, record, message_dict)
        for key, value in get_contextvars().items():
            log_data.setdefault(key, value)
        log_data.setdefault("event", "")
        log_data["level"] = record.levelname.lower()
        log_data["logger"] = record.name
        log_data["timestamp"] = _utc_iso(record.created)

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        return redact(log_data)


class StdoutJsonHandler(logging.Handler):
    """Root handler: formats with ``StdlibJsonFormatter`` and writes one line to stdout."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(StdlibJsonFormatter())

    def emit(self, record: logging.LogRecord) -> None:
        try:
            _write_line(self.format(record))
        except Exception:  # noqa: BLE001 - a logging failure must never break the caller
            self.handleError(record)


# -- configuration --------------------------------------------------------------------


def level_from_env(environ: Mapping[str, str] | None = None) -> str | None:
    """``LOG_LEVEL`` from ``environ`` (default ``os.environ``): this module's only env read."""
    return (os.environ if environ is None else environ).get("LOG_LEVEL")


def parse_level(level: str | None) -> int | None:
    """The numeric level for a name (``debug``, ``INFO``, ``warn``...); None if unknown."""
    if level is None or not level.strip():
        return logging.INFO
    return _LEVELS.get(level.strip().upper())


def processors() -> list[Processor]:
    """The structlog chain, in order (exposed so tests and tools can reuse it)."""
    return [
        merge_contextvars,
        add_logger_name,
        add_level,
        add_timestamp,
        format_exc_info,
        redact_secrets,
        structlog.processors.JSONRenderer(),
    ]


def configure_logging(level: str | None = None) -> None:
    """Make every line JSON on stdout at ``level`` (default INFO). Idempotent and cheap.

    The first call (and any call with another level) takes over the root logger: it
    removes the handlers already there (the FC runtime installs a plain-text one that
    would print every stdlib record a second time) and installs ``StdoutJsonHandler``.
    Later calls with the same level return at once while that handler is attached.
    An unknown level name falls back to INFO and says so in a warning line.
    """
    global _configured_level
    numeric = parse_level(level)
    effective = logging.INFO if numeric is None else numeric
    root = logging.getLogger()
    ours = [h for h in root.handlers if isinstance(h, StdoutJsonHandler)]
    if effective == _configured_level and ours:
        return
    handler = ours[0] if ours else StdoutJsonHandler()
    for existing in list(root.handlers):
        if existing is not handler:
            root.removeHandler(existing)
    if handler not in root.handlers:
        root.addHandler(handler)
    root.setLevel(effective)
    logging.captureWarnings(True)
    structlog.configure(
        processors=processors(),
        wrapper_class=structlog.make_filtering_bound_logger(effective),
        logger_factory=_logger_factory,
        context_class=dict,
        cache_logger_on_first_use=False,  # loggers made at import follow a later reconfigure
    )
    _configured_level = effective
    if numeric is None:
        get_logger(__name__).warning("unknown LOG_LEVEL, using INFO", log_level=level)


def reset_logging() -> None:
    """Undo ``configure_logging`` (tests): drop our root handler, restore structlog defaults."""
    global _configured_level
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, StdoutJsonHandler)]:
        root.removeHandler(handler)
    root.setLevel(logging.WARNING)
    logging.captureWarnings(False)
    structlog.reset_defaults()
    _configured_level = None


def get_logger(name: str) -> FilteringBoundLogger:
    """A structlog logger whose lines carry ``logger: name``."""
    return cast(FilteringBoundLogger, structlog.get_logger(name))


# -- invocation context and standard lines --------------------------------------------


def bind_invocation(
    *,
    request_id: str | None = None,
    trigger: str | None = None,
    event_id: str | None = None,
    instance_ids: Sequence[str] | None = None,
    **fields: object,
) -> None:
    """Add fields to every following line of this invocation (None values are skipped)."""
    named: dict[str, object] = {"request_id": request_id, "trigger": trigger}
    named["event_id"] = event_id
    named["instance_ids"] = None if instance_ids is None else list(instance_ids)
    bind_contextvars(**{k: v for k, v in {**named, **fields}.items() if v is not None})


def clear_invocation() -> None:
    """Drop every bound field; call it in a ``finally`` at the end of each invocation."""
    clear_contextvars()


def audit_change(action: str, **fields: object) -> None:
    """One audit line per applied change: ``event: "audit"``, ``action`` and the fields
    the caller passes (target, instance id, group, entries, cloud RequestId...)."""
    get_logger("whitelist_core.audit").info("audit", action=action, **fields)


def invocation_summary(status: str, **fields: object) -> None:
    """The one summary line of an invocation: ``event: "invocation_summary"``; error level
    when ``status`` is ``"error"``, info otherwise."""
    log = get_logger("whitelist_core.summary")
    emit = log.error if status == "error" else log.info
    emit("invocation_summary", status=status, **fields)
