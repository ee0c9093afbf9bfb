"""Trigger payloads -> intents (re-exports; ``events.parse`` says where each kind lives)."""

from whitelist_core.entrypoints.events.parse import (
    MAX_EVENT_BYTES,
    Batch,
    BatchItem,
    Rejected,
    parse_event,
)

__all__ = ["MAX_EVENT_BYTES", "Batch", "BatchItem", "Rejected", "parse_event"]
