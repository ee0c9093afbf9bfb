"""The backend mounted in-process on the ``responses`` library.

``requests``-based clients (including the Tea SDK, which uses ``requests``) pointed
at ``base_url`` reach the same backend, with the same signature checks, without a
socket. The legacy ``aliyunsdkcore`` vendors its own ``requests`` and cannot be
mocked this way: run the server for it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import requests
import responses

from localcloud.admin import apply_ecs, apply_kvstore, apply_whitelist, clock, route
from localcloud.backend import Backend
from localcloud.faults import parse_fault
from localcloud.state import Seed
from localcloud.wire import HttpRequest

_METHODS = ("GET", "POST", "PUT", "DELETE")


class LocalCloud:
    """A backend plus Python methods that mirror the admin endpoints."""

    def __init__(
        self,
        seed: Seed | str | None = None,
        base_url: str = "http://localcloud.test",
        monotonic: Callable[[], float] = time.monotonic,
    ):
        """``monotonic`` is the clock instances settle on (seed ``settle_ms``)."""
        self.backend = Backend(seed, monotonic=monotonic)
        self.base_url = base_url.rstrip("/")

    @classmethod
    @contextmanager
    def mocked(
        cls,
        seed: Seed | str | None = None,
        base_url: str = "http://localcloud.test",
        rsps: responses.RequestsMock | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> Iterator[LocalCloud]:
        """Register callbacks for every path under ``base_url`` for the duration.

        Pass ``rsps`` to add them to a ``responses`` mock that is already active, and
        ``monotonic`` to run settling instances on a clock of the test's own.
        """
        cloud = cls(seed, base_url, monotonic)
        if rsps is not None:
            cloud.register(rsps)
            yield cloud
            return
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            cloud.register(mock)
            yield cloud

    def register(self, rsps: responses.RequestsMock) -> None:
        """Add this cloud's callbacks to ``rsps``."""
        pattern = re.compile(re.escape(self.base_url) + r"(/.*)?(\?.*)?$")
        for method in _METHODS:
            rsps.add_callback(method, pattern, callback=self._callback)

    def _callback(self, prepared: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        reply = route(self.backend, _to_request(prepared))
        if reply.drop == "reset":
            raise requests.exceptions.ConnectionError("localcloud: connection reset (fault)")
        if reply.drop == "timeout":
            raise requests.exceptions.ReadTimeout("localcloud: read timed out (fault)")
        return reply.status, reply.headers, reply.body

    def state(self, account: str | None = None) -> dict[str, Any]:
        """The state dump (seed shape), as ``GET /_localcloud/state[?account=uid]``."""
        return self.backend.state.dump(account)

    def calls(self, account: str | None = None) -> dict[str, Any]:
        """``{"counts": {...}, "calls": [...]}``, as ``GET /_localcloud/calls[?account=uid]``."""
        return self.backend.calls.snapshot(account)

    def advance_clock(self, seconds: float) -> str:
        """Move localcloud's clock forward (temporary credentials expire on it), as
        ``POST /_localcloud/clock``; returns the new time (ISO 8601)."""
        return str(clock(self.backend, {"advance_seconds": seconds})["now"])

    def reset_calls(self) -> None:
        """Empty the call log, as ``POST /_localcloud/reset-calls``."""
        self.backend.calls.reset()

    def add_fault(self, fault: Mapping[str, Any] | None = None, **keys: Any) -> None:
        """Add a fault, given as a dict or as keywords (same keys as the admin endpoint)."""
        self.backend.faults.add(parse_fault({**(fault or {}), **keys}))

    def clear_faults(self) -> None:
        """Remove every fault, as ``DELETE /_localcloud/faults``."""
        self.backend.faults.clear()

    # Every seeding method takes ``account`` (an account id; default: the default account).

    def put_instances(
        self, region: str, instances: Sequence[Mapping[str, Any]], account: str | None = None
    ) -> None:
        """Add or replace ECS instances (DescribeInstances shape) in ``region``."""
        apply_ecs(self.backend, {"region": region, "put": list(instances), "account": account})

    def delete_instances(
        self, region: str, instance_ids: Sequence[str], account: str | None = None
    ) -> None:
        """Release ECS instances from ``region``."""
        body = {"region": region, "delete": list(instance_ids), "account": account}
        apply_ecs(self.backend, body)

    def put_redis_instances(
        self, region: str, instances: Sequence[Mapping[str, Any]], account: str | None = None
    ) -> None:
        """Add or replace Redis instances (seed shape) in ``region``."""
        apply_kvstore(self.backend, {"region": region, "put": list(instances), "account": account})

    def set_instance_status(
        self, instance_id: str, status: str, account: str | None = None
    ) -> None:
        """Set a Redis instance's InstanceStatus (e.g. "Changing" to refuse writes)."""
        apply_kvstore(self.backend, {"status": {instance_id: status}, "account": account})

    def put_db_instances(
        self,
        product: str,
        region: str,
        instances: Sequence[Mapping[str, Any]],
        account: str | None = None,
    ) -> None:
        """Add or replace RDS / PolarDB / MongoDB instances (``product``: rds, polardb, mongodb)."""
        body = {"region": region, "put": list(instances), "account": account}
        apply_whitelist(self.backend, product, body)

    def set_db_status(
        self, product: str, instance_id: str, status: str, account: str | None = None
    ) -> None:
        """Set an RDS / PolarDB / MongoDB instance's status ("Running" accepts writes)."""
        apply_whitelist(
            self.backend, product, {"status": {instance_id: status}, "account": account}
        )

    def reset(self, seed: Seed | None = None) -> None:
        """Back to ``seed`` (default: the first seed), with no faults and an empty log."""
        self.backend.reset(seed)


def _to_request(prepared: requests.PreparedRequest) -> HttpRequest:
    parts = urlsplit(prepared.url or "")
    headers = {name.lower(): str(value) for name, value in prepared.headers.items()}
    # requests adds Host only when sending; a signer that signed it set it itself.
    headers.setdefault("host", parts.netloc)
    body = prepared.body or b""
    return HttpRequest(
        method=(prepared.method or "GET").upper(),
        path=parts.path or "/",
        query=parts.query,
        headers=headers,
        body=body.encode("utf-8") if isinstance(body, str) else bytes(body),
        loopback=True,
    )
