"""The backend both transports share: authenticate, inject faults, run, log."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from localcloud import actions
from localcloud.auth import Authenticator, Identity
from localcloud.calls import CallLog
from localcloud.clock import Clock
from localcloud.context import CallContext
from localcloud.ecs.models import EcsModel
from localcloud.ecs.responses import describe_instances
from localcloud.errors import CloudError, CustomError
from localcloud.faults import Fault, FaultBook
from localcloud.kvstore.exceptions import LockTimeout
from localcloud.principals import Principal
from localcloud.ram import refusal
from localcloud.state import CloudState, Seed, load_seed
from localcloud.wire import HttpReply, HttpRequest, Params, error_reply, new_request_id

DEFAULT_TIMEOUT_HOLD_S = 30.0
DROP_CODES = {"reset": "localcloud.Reset", "timeout": "localcloud.Timeout"}


class Backend:
    """The emulated cloud: state, credentials, faults and the call log."""

    def __init__(
        self,
        seed: Seed | str | None = None,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        """``clock`` checks signature timestamps and, moved forward by the admin's
        ``advance`` (``cloud_clock``), times temporary credentials; ``monotonic`` times
        settling instances."""
        self._seed = load_seed(seed)
        self.clock = clock
        self.cloud_clock = Clock(clock)
        self.monotonic = monotonic
        self.stopping = threading.Event()
        self.faults = FaultBook()
        self.calls = CallLog()
        self._load(self._seed)

    def _load(self, seed: Seed) -> None:
        self.state = CloudState(seed, self.monotonic)
        self.auth = Authenticator(
            self.state.credentials,
            self.clock,
            self.state.principals,
            self.state.sessions,
            self.cloud_clock.now,
        )

    def reset(self, seed: Seed | None = None) -> None:
        """Start again from ``seed`` (default: the first seed): state, faults, log, nonces,
        temporary credentials and the clock's advance."""
        self._load(self._seed if seed is None else load_seed(seed))
        self.faults.clear()
        self.calls.reset()
        self.cloud_clock.reset()

    def handle(self, request: HttpRequest) -> HttpReply:
        """Answer one cloud API request, and log it (with its account, when several)."""
        request_id = new_request_id()
        params = request.params()
        action, version = actions.resolve(request, params)
        caller: Principal | None = None
        try:
            spec = actions.lookup(action, version)
            identity = self.auth.authenticate(request, params)
            caller = identity.principal
            reply = self._run(spec, identity, params, action, request_id)
        except CloudError as error:
            product = actions.PRODUCTS.get(version, "Unknown")
            reply = error_reply(error, request_id, request.headers.get("host", ""), product)
            reply.headers.update(error.headers)
            self._record(action, error.status, error.code, caller)
            return reply
        self._record(action, reply.status, _reply_code(reply), caller)
        return reply

    def _record(self, action: str, status: int, code: str | None, caller: Principal | None) -> None:
        account = caller.account if caller else None
        self.calls.record(action, status, code, account, keyed=self.state.multi_account)

    def _run(
        self,
        spec: actions.ActionSpec,
        identity: Identity,
        params: Params,
        action: str,
        request_id: str,
    ) -> HttpReply:
        account = identity.principal.account if identity.principal else ""
        denial = self.state.denied.get(identity.access_key_id)
        if denial is not None and action in denial.actions:
            if not denial.empty_listing(spec.product, action, params.boolean("DryRun")):
                raise refusal(action, spec.product, identity.access_key_id, account)
            return self._empty_listing(params, request_id)
        fault = self.faults.take(
            action,
            lambda f: not f.lock_timeout or self._busy(params, account),
            params.get("RegionId", ""),
            account,
            spec.product,
        )
        delay = fault.delay_ms / 1000 if fault and not fault.timeout else 0.0
        ctx = CallContext(
            delay_s=delay,
            stopping=self.stopping,
            caller=identity.principal,
            now=self.cloud_clock.now(),
        )
        if fault and fault.status is not None and not (fault.status == 200 and fault.apply):
            ctx.pause()
            return _code_reply(fault, request_id)
        if fault and fault.lock_timeout:
            ctx.pause()
            raise LockTimeout()
        if fault and _replaces_answer(fault) and not fault.apply:
            ctx.pause()
            return _broken_reply(fault, request_id)
        run_params = Params(fault.request_params(params)) if fault else params
        try:
            result = spec.run(self.state, run_params, ctx)
        finally:
            ctx.pause()
        if fault and (_replaces_answer(fault) or fault.status == 200):
            return _broken_reply(fault, request_id)
        return _answer(fault, {"RequestId": request_id, **result})

    def _busy(self, params: Params, account: str) -> bool:
        """True while the Redis instance the call names is being modified."""
        return self.state.account(account or None).kvstore.busy(params.get("InstanceId", ""))

    def _empty_listing(self, params: Params, request_id: str) -> HttpReply:
        """The older answer to an unauthorised DescribeInstances: 200 and no instances."""
        result = describe_instances(EcsModel(), params, CallContext())
        return HttpReply.json(200, {"RequestId": request_id, **result})


def _answer(fault: Fault | None, body: dict[str, Any]) -> HttpReply:
    """The normal answer, unless a fault rewrites it (``reshape``) or trickles it."""
    if fault is None:
        return HttpReply.json(200, body)
    reply = HttpReply.json(200, fault.reshape(body))
    reply.trickle_s = fault.trickle_ms / 1000
    if fault.lies():
        reply.note = "localcloud.Lie"
    return reply


def _code_reply(fault: Fault, request_id: str) -> HttpReply:
    """A status fault's answer: an error, or an HTTP 200 carrying the error's code."""
    if fault.status != 200:
        raise _fault_error(fault)
    body = {"RequestId": request_id, "Code": fault.error_code(), "Message": fault.error_message()}
    reply = HttpReply.json(200, body)
    reply.note = fault.error_code()
    return reply


def _replaces_answer(fault: Fault) -> bool:
    return fault.malformed or fault.reset or fault.timeout


def _fault_error(fault: Fault) -> CustomError:
    error = CustomError(fault.error_code(), fault.status or 500, fault.error_message())
    if fault.retry_after is not None:
        error.headers["x-acs-retry-after"] = str(fault.retry_after)
    return error


def _broken_reply(fault: Fault, request_id: str) -> HttpReply:
    if fault.status == 200:
        return _code_reply(fault, request_id)
    if fault.malformed:
        # A truncated JSON body, as a proxy cutting the answer short would give.
        body = f'{{"RequestId": "{request_id}", "Instan'.encode()
        reply = HttpReply(200, body, {"Content-Type": "application/json;charset=utf-8"})
        reply.note = "localcloud.Malformed"
        return reply
    if fault.reset:
        return HttpReply(0, b"", drop="reset")
    hold = fault.delay_ms / 1000 if fault.delay_ms else DEFAULT_TIMEOUT_HOLD_S
    return HttpReply(0, b"", drop="timeout", drop_after_s=hold)


def _reply_code(reply: HttpReply) -> str | None:
    return DROP_CODES.get(reply.drop or "", reply.note)
