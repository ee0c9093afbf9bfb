"""ESS actions: parameters in, response bodies out.

``CompleteLifecycleAction`` (RegionId, LifecycleHookId, LifecycleActionToken,
LifecycleActionResult CONTINUE | ABANDON | ROLLBACK, ClientToken) answers only
``RequestId``. RegionId and LifecycleHookId are required; the token is required here
because this function always has one (the real API also accepts an instance-based form).
"""

from __future__ import annotations

from typing import Any

from localcloud.context import CallContext
from localcloud.errors import InvalidParameter
from localcloud.ess.models import EssModel
from localcloud.wire import Params

VERSION = "2022-02-22"
PRODUCT = "Ess"
RESULTS = ("CONTINUE", "ABANDON", "ROLLBACK")


def complete_lifecycle_action(model: EssModel, params: Params, ctx: CallContext) -> dict[str, Any]:
    """Record the answer; ``{}`` (the gateway adds ``RequestId``)."""
    params.require("RegionId")
    hook_id = params.require("LifecycleHookId")
    token = params.require("LifecycleActionToken")
    result = params.get("LifecycleActionResult") or "CONTINUE"
    if result not in RESULTS:
        raise InvalidParameter("LifecycleActionResult", f"Valid values: {', '.join(RESULTS)}.")
    ctx.pause()
    record = {
        "LifecycleHookId": hook_id,
        "LifecycleActionToken": token,
        "LifecycleActionResult": result,
    }
    model.complete(record, params.get("ClientToken", ""))
    return {}
