"""Configuring logging once per process: the level, the root handler, structlog."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping
from typing import cast

import structlog
from structlog.typing import FilteringBoundLogger

from whitelist_core.logs.output import StdoutJsonHandler, logger_factory
from whitelist_core.logs.processors import processors

_LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "WARN": 30, "ERROR": 40, "CRITICAL": 50}

_configured_level: int | None = None
_configure_lock = threading.Lock()
"""FC may call the handler from several threads at once: one of them configures."""


def level_from_env(environ: Mapping[str, str] | None = None) -> str | None:
    """``LOG_LEVEL`` from ``environ`` (default ``os.environ``): this module's only env read."""
    return (os.environ if environ is None else environ).get("LOG_LEVEL")


def parse_level(level: str | None) -> int | None:
    """The numeric level for a name (``debug``, ``INFO``, ``warn``...); None if unknown."""
    if level is None or not level.strip():
        return logging.INFO
    return _LEVELS.get(level.strip().upper())


def configure_logging(level: str | None = None) -> None:
    """Make every line JSON on stdout at ``level`` (default INFO). Idempotent and cheap.

    The first call (and any call with another level) takes over the root logger: it
    removes the handlers already there (the FC runtime installs a plain-text one that
    would print every stdlib record a second time) and installs ``StdoutJsonHandler``.
    Later calls with the same level return at once while that handler is attached.
    An unknown level name falls back to INFO and says so in a warning line.
    """
    numeric = parse_level(level)
    effective = logging.INFO if numeric is None else numeric
    if effective == _configured_level and _attached():
        return
    with _configure_lock:
        if effective == _configured_level and _attached():
            return
        _configure(effective)
    if numeric is None:
        get_logger("whitelist_core.logs").warning("unknown LOG_LEVEL, using INFO", log_level=level)


def _attached() -> bool:
    return any(isinstance(h, StdoutJsonHandler) for h in logging.getLogger().handlers)


def _configure(effective: int) -> None:
    global _configured_level
    root = logging.getLogger()
    ours = [h for h in root.handlers if isinstance(h, StdoutJsonHandler)]
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
        logger_factory=logger_factory,
        context_class=dict,
        cache_logger_on_first_use=False,  # loggers made at import follow a later reconfigure
    )
    _configured_level = effective


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
