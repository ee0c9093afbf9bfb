"""The structlog processors, each a small function of ``(logger, method, event_dict)``,
and the chain they form (redaction last before rendering)."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import structlog
from structlog.contextvars import (
    merge_contextvars,
)
from structlog.processors import format_exc_info
from structlog.typing import EventDict, Processor, WrappedLogger

from whitelist_core.redaction import redact

_METHOD_LEVELS = {"warn": "warning", "exception": "error", "fatal": "critical", "msg": "info"}


def utc_iso(epoch_seconds: float) -> str:
    """ISO 8601 in UTC with milliseconds and a ``Z``."""
    moment = datetime.fromtimestamp(epoch_seconds, tz=timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def add_timestamp(logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
    """``timestamp``: now, ISO 8601 in UTC with milliseconds (``2024-05-01T10:00:00.123Z``)."""
    event_dict["timestamp"] = utc_iso(time.time())
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
