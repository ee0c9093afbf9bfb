"""Where log lines go: one JSON line per record on stdout (stderr for the CLI), from
structlog and from the standard library alike."""

from __future__ import annotations

import contextvars
import logging
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pythonjsonlogger.json import JsonFormatter
from structlog.contextvars import (
    get_contextvars,
)

from whitelist_core.logs.processors import utc_iso
from whitelist_core.redaction import redact

_write_lock = threading.Lock()
_to_stderr = False
_held: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("held", default=None)


@contextmanager
def hold_lines() -> Iterator[list[str]]:
    """Keep the lines logged in this context (a worker thread's) instead of writing them;
    the caller writes them later with ``write_lines``, so parallel work logs in order."""
    lines: list[str] = []
    token = _held.set(lines)
    try:
        yield lines
    finally:
        _held.reset(token)


def write_lines(lines: list[str]) -> None:
    """Write lines kept by ``hold_lines``, in their order."""
    for line in lines:
        _write_line(line)


def send_logs_to_stderr(enabled: bool = True) -> None:
    """Write log lines to stderr instead of stdout (the CLI prints results on stdout)."""
    global _to_stderr
    _to_stderr = enabled


def _write_line(line: str) -> None:
    """Write one rendered line to the *current* ``sys.stdout`` (test capture swaps it),
    or ``sys.stderr`` when a command line keeps stdout for its own output."""
    held = _held.get()
    if held is not None:
        held.append(line)
        return
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


def logger_factory(*args: Any) -> JsonLineLogger:
    """structlog's logger factory: a ``JsonLineLogger`` named after ``get_logger``'s argument."""
    return JsonLineLogger(str(args[0]) if args else "root")


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
        log_data["timestamp"] = utc_iso(record.created)

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
