"""The invocation's context (fields bound to every line) and the standard lines: one
audit line per applied change, one line per whitelist finding, one summary line per
invocation."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from structlog.contextvars import (
    bind_contextvars,
    clear_contextvars,
)

from whitelist_core.logs.configure import get_logger

_bind_lock = threading.Lock()
"""structlog makes the ``ContextVar`` of a key on its first bind, in a shared dict: two
threads binding a new key at once would each make one, and a later bind could then read
back the other's. Binding under one lock makes each key's variable exactly once; the
values stay per context (per thread, per invocation)."""


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
    with _bind_lock:
        bind_contextvars(**{k: v for k, v in {**named, **fields}.items() if v is not None})


def clear_invocation() -> None:
    """Drop every bound field; call it in a ``finally`` at the end of each invocation."""
    clear_contextvars()


def audit_change(action: str, **fields: object) -> None:
    """One audit line per applied change: ``event: "audit"``, ``action`` and the fields
    the caller passes (target, instance id, group, entries, cloud RequestId...)."""
    get_logger("whitelist_core.audit").info("audit", action=action, **fields)


def invocation_summary(status: str, *, warn: bool = False, **fields: object) -> None:
    """The one summary line of an invocation: ``event: "invocation_summary"``; error level
    when ``status`` is ``"error"``, warning when ``warn`` (a person must be told), info
    otherwise."""
    log = get_logger("whitelist_core.summary")
    emit = log.error if status == "error" else log.warning if warn else log.info
    emit("invocation_summary", status=status, **fields)


def whitelist_finding(severity: str, **fields: object) -> None:
    """One line per audit finding: ``event: "whitelist_finding"`` with its instance, group,
    entry, kind, severity, reason and action; warning level for ``critical`` and ``high``."""
    log = get_logger("whitelist_core.audit")
    emit = log.warning if severity in ("critical", "high") else log.info
    emit("whitelist_finding", severity=severity, **fields)


def whitelist_capacity(**fields: object) -> None:
    """One line per target per timer run: how full its groups are (``fill_percent``)."""
    get_logger("whitelist_core.summary").info("whitelist_capacity", **fields)
