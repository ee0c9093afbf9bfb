"""Injected faults: errors, delays, malformed or lying answers, dropped connections.

Besides errors and broken connections, a fault can make an answer *lie* while looking
fine: a ``DescribeInstances`` page of an undocumented shape (``shape``), pages holding
fewer instances than their ``TotalCount`` (``truncate``), a ``NextToken`` that changes on
every page while the same instances come back (``loop``), an HTTP 200 whose body carries
an error ``Code`` (``status: 200``), or an answer sent one byte at a time (``trickle_ms``).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

_DEFAULT_CODES = {500: "InternalError", 503: "ServiceUnavailable", 400: "Throttling.User"}
_DEFAULT_MESSAGES = {
    "Throttling.User": "Request was denied due to user flow control.",
    "ServiceUnavailable": "The request has failed due to a temporary failure of the server.",
    "InternalError": "The request processing has failed due to some unknown error.",
}
_BOOL_KEYS = ("malformed", "reset", "timeout", "apply", "lock_timeout")
_KNOWN_KEYS = {
    "action", "status", "code", "message", "delay_ms", "retry_after", "count",
    "shape", "truncate", "trickle_ms", "region", "after", "account", "product",
}  # fmt: skip
_BOOL_KEYS_EXTRA = ("loop",)
SHAPES = ("empty", "instances-list", "renamed", "instance-not-list")
"""``shape`` values: a ``{}`` body (RequestId only), ``Instances`` as a bare list,
``Instances`` renamed to ``InstanceSet``, ``Instances.Instance`` as an object."""


@dataclass
class Fault:
    """One fault rule; ``count`` None means it never runs out.

    ``status`` answers an error before the action runs; ``delay_ms`` sleeps and then
    runs the action (inside the instance lock for ModifySecurityIps); ``malformed``,
    ``reset`` and ``timeout`` replace the answer (with ``apply`` the action runs first,
    so the change happens but its answer is lost). ``lock_timeout`` answers 400
    ``LockTimeout`` only while the Redis instance the call names is being modified (its
    lock held, or ``Changing`` after a write); a call that finds it idle runs normally and
    does not use the fault up. ``status`` 200 answers 200 with an error ``Code`` in the
    body (with ``apply`` after running the action). ``shape``, ``truncate`` and ``loop``
    change a ``DescribeInstances`` answer (``reshape``); ``trickle_ms`` sends the answer
    one byte per ``trickle_ms`` (server only).
    """

    action: str = "*"
    status: int | None = None
    code: str | None = None
    message: str | None = None
    delay_ms: int = 0
    retry_after: int | None = None
    malformed: bool = False
    reset: bool = False
    timeout: bool = False
    apply: bool = False
    lock_timeout: bool = False
    count: int | None = None
    shape: str | None = None
    truncate: int = 0
    loop: bool = False
    trickle_ms: int = 0
    region: str | None = None
    after: int = 0
    account: str | None = None
    product: str | None = None

    def matches(self, action: str, region: str = "", account: str = "", product: str = "") -> bool:
        """True for its own action (any action when ``action`` is "*"), and, when the
        fault names a ``region``, only for calls whose ``RegionId`` is that region; when
        it names an ``account``, only for calls made in that account; when it names a
        ``product`` (``Ecs``, ``R-kvstore``, ``Rds``, ``polardb``, ``Dds``, ``Ess``, ``Sts``),
        only for that product's calls (``DescribeInstances`` is ECS's and R-KVStore's)."""
        return (
            self.action in ("*", action)
            and self.region in (None, region)
            and self.account in (None, account)
            and self.product in (None, product)
        )

    def error_code(self) -> str:
        """The code answered by a status fault (a sensible default per status)."""
        if self.code:
            return self.code
        return _DEFAULT_CODES.get(self.status or 0, "InjectedFault")

    def error_message(self) -> str:
        """The message answered by a status fault."""
        if self.message:
            return self.message
        return _DEFAULT_MESSAGES.get(self.error_code(), "Fault injected by localcloud.")

    def lies(self) -> bool:
        """True when the action runs but its answer is rewritten (``reshape``)."""
        return bool(self.shape or self.truncate or self.loop)

    def request_params(self, params: Mapping[str, str]) -> dict[str, str]:
        """The parameters the action really runs with: a ``loop`` fault serves the first
        page again whatever ``NextToken`` asked for."""
        if self.loop:
            return {k: v for k, v in params.items() if k != "NextToken"}
        return dict(params)

    def reshape(self, result: dict[str, Any]) -> dict[str, Any]:
        """The answer body as this fault rewrites it (unchanged when it does not lie)."""
        if self.truncate:
            result = _truncated(result, self.truncate)
        if self.loop:
            result = {**result, "NextToken": uuid.uuid4().hex}
        if self.shape:
            result = _reshaped(result, self.shape)
        return result

    def to_dict(self) -> dict[str, Any]:
        """The fault as the admin JSON (keys left at their defaults omitted)."""
        return {k: v for k, v in asdict(self).items() if v not in (None, False, 0) or k == "action"}


def parse_fault(body: Mapping[str, Any]) -> Fault:
    """A fault from the admin JSON; unknown keys and wrong types are refused."""
    unknown = set(body) - _KNOWN_KEYS - set(_BOOL_KEYS) - set(_BOOL_KEYS_EXTRA)
    if unknown:
        raise ValueError(f"unknown fault keys: {sorted(unknown)}")
    fault = Fault(action=str(body.get("action", "*")))
    for key in ("status", "delay_ms", "retry_after", "count", "truncate", "trickle_ms", "after"):
        if body.get(key) is not None:
            setattr(fault, key, _int(body, key))
    for key in ("code", "message", "shape", "region", "account", "product"):
        if body.get(key) is not None:
            setattr(fault, key, str(body[key]))
    for key in (*_BOOL_KEYS, *_BOOL_KEYS_EXTRA):
        setattr(fault, key, bool(body.get(key, False)))
    _check(fault)
    return fault


def _int(body: Mapping[str, Any], key: str) -> int:
    value = body[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"fault {key} must be a non-negative integer")
    return value


def _check(fault: Fault) -> None:
    kinds = [
        fault.status is not None, fault.malformed, fault.reset, fault.timeout, fault.lock_timeout
    ]  # fmt: skip
    if sum(kinds) > 1:
        raise ValueError(
            "a fault has at most one of status, malformed, reset, timeout, lock_timeout"
        )
    if not any(kinds) and not (fault.delay_ms or fault.lies() or fault.trickle_ms):
        raise ValueError(
            "a fault needs status, delay_ms, malformed, reset, timeout, lock_timeout, shape, "
            "truncate, loop or trickle_ms"
        )
    if fault.status is not None and not (fault.status == 200 or 400 <= fault.status <= 599):
        raise ValueError("fault status must be 400-599, or 200 with an error code")
    if fault.status == 200 and not fault.code:
        raise ValueError("a status 200 fault needs the error code its body carries")
    if fault.shape is not None and fault.shape not in SHAPES:
        raise ValueError(f"fault shape must be one of {', '.join(SHAPES)}")
    if fault.count == 0:
        raise ValueError("fault count must be positive (omit it for a fault that never ends)")


class FaultBook:
    """The active faults, first added first used; thread-safe."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> None:
        """Add a fault after the existing ones."""
        with self._lock:
            self._faults.append(fault)

    def take(
        self,
        action: str,
        fires: Callable[[Fault], bool] = lambda _: True,
        region: str = "",
        account: str = "",
        product: str = "",
    ) -> Fault | None:
        """The first fault for ``action`` (in ``region``, ``account``) that ``fires`` now,
        counting one use of it; a fault with ``after`` lets that many matching calls
        through first."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(action, region, account, product) and fires(fault):
                    if fault.after:
                        fault.after -= 1
                        return None
                    self._use(fault)
                    return fault
        return None

    def _use(self, fault: Fault) -> None:
        if fault.count is not None:
            fault.count -= 1
            if fault.count == 0:
                self._faults.remove(fault)

    def clear(self) -> None:
        """Remove every fault."""
        with self._lock:
            self._faults.clear()

    def list(self) -> list[dict[str, Any]]:
        """The active faults with their remaining counts."""
        with self._lock:
            return [fault.to_dict() for fault in self._faults]


def _truncated(result: dict[str, Any], drop: int) -> dict[str, Any]:
    """The page without its last ``drop`` instances; ``TotalCount`` still counts them."""
    instances = result.get("Instances")
    if not isinstance(instances, dict) or not isinstance(instances.get("Instance"), list):
        return result
    kept = instances["Instance"][: max(len(instances["Instance"]) - drop, 0)]
    return {**result, "Instances": {**instances, "Instance": kept}}


def _reshaped(result: dict[str, Any], shape: str) -> dict[str, Any]:
    """The answer in one of the undocumented shapes of ``SHAPES``."""
    items = result.get("Instances", {}).get("Instance", [])
    others = {k: v for k, v in result.items() if k != "Instances"}
    if shape == "empty":
        return {}
    if shape == "instances-list":
        return {**others, "Instances": items}
    if shape == "renamed":
        return {**others, "InstanceSet": {"Instance": items}}
    return {**others, "Instances": {"Instance": {"items": items}}}
