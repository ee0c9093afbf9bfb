"""``LifecycleHooks`` over ESS (Auto Scaling) ``CompleteLifecycleAction`` (2022-02-22).

Signed and retried by the shared ``RpcClient`` like every other call. The ``ClientToken``
is derived from the hook and its token, so a retried answer is the same request to ESS
(idempotent) rather than a second answer.
"""

from __future__ import annotations

import hashlib

from whitelist_core.aliyun.transport.endpoints import Endpoints
from whitelist_core.aliyun.transport.rpc import Call, RpcClient

ACTION = "CompleteLifecycleAction"
VERSION = "2022-02-22"
RESULTS = ("CONTINUE", "ABANDON", "ROLLBACK")


def client_token(hook_id: str, token: str, result: str) -> str:
    """A stable idempotency token (at most 64 ASCII characters) for one answer."""
    digest = hashlib.sha256(f"{hook_id}\n{token}\n{result}".encode()).hexdigest()
    return digest[:64]


class EssLifecycleHooks:
    """Answers ESS lifecycle hooks; implements ``LifecycleHooks``."""

    def __init__(self, rpc: RpcClient, endpoints: Endpoints) -> None:
        self._rpc = rpc
        self._endpoints = endpoints

    def complete(self, region: str, hook_id: str, token: str, result: str) -> None:
        """``CompleteLifecycleAction(LifecycleHookId, LifecycleActionToken, result)``."""
        if result not in RESULTS:
            raise ValueError(f"LifecycleActionResult must be one of {RESULTS}, not {result!r}")
        params = {
            "RegionId": region,
            "LifecycleHookId": hook_id,
            "LifecycleActionToken": token,
            "LifecycleActionResult": result,
            "ClientToken": client_token(hook_id, token, result),
        }
        base_url = self._endpoints.base_url("ess", region)
        self._rpc.call(Call(base_url, "ess", region, ACTION, VERSION, params))
