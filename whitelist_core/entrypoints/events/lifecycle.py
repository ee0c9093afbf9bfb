"""ESS lifecycle-hook events (``ess:LifecycleHook:*``): the hook to answer.

The EventBridge payload of these events is UNVERIFIED. The keys read here are the ones
Alibaba's OOS lifecycle templates are filled from (``lifecycleHookId``,
``lifecycleActionToken``, ``instanceIds``, ``scalingGroupId``), accepted in camelCase or
PascalCase; the direction comes from the type (``ScaleOut`` / ``ScaleIn``), else from a
``lifecycleTransition`` such as ``SCALE_OUT``. An event without a hook id and a token
cannot be answered and is handled like any other ESS event.
"""

from __future__ import annotations

from pydantic import Field

from whitelist_core.entrypoints.wire import WireModel, validate
from whitelist_core.intents import LifecycleAction


class LifecycleData(WireModel):
    """The lifecycle-hook part of an ``ess:LifecycleHook:*`` event's ``data``."""

    lifecycle_hook_id: str | None = Field(default=None, min_length=1, max_length=128)
    lifecycle_action_token: str | None = Field(default=None, min_length=1, max_length=512)
    scaling_group_id: str | None = Field(default=None, max_length=128)
    lifecycle_transition: str | None = Field(default=None, max_length=64)


def camel_keys(value: object) -> object:
    """``{"LifecycleHookId": ...}`` -> ``{"lifecycleHookId": ...}`` (top level only); a key
    already in camelCase wins over its PascalCase twin."""
    if not isinstance(value, dict):
        return value
    out: dict[object, object] = {}
    for key, item in value.items():
        name = key[:1].lower() + key[1:] if isinstance(key, str) else key
        if name not in out or name == key:
            out[name] = item
    return out


def lifecycle_action(event_type: str, data: object, action: str) -> LifecycleAction | None:
    """The hook to answer, when a lifecycle-hook event names its id and token.

    ``data`` has already been through ``camel_keys``; ``action`` is the upper-cased type
    name (``SCALEOUT``, ``SCALEIN``).
    """
    if not event_type.startswith("ess:LifecycleHook:"):
        return None
    hook = validate(LifecycleData, data, "data")
    if not hook.lifecycle_hook_id or not hook.lifecycle_action_token:
        return None
    transition = (hook.lifecycle_transition or "").upper().replace("_", "").replace("-", "")
    scale_in = action.startswith("SCALEIN") or (
        not action.startswith("SCALEOUT") and transition.startswith("SCALEIN")
    )
    return LifecycleAction(
        hook.lifecycle_hook_id,
        hook.lifecycle_action_token,
        hook.scaling_group_id or "",
        scale_out=not scale_in,
    )
