"""Admin endpoints under ``/_localcloud/``: state, call log, faults, seeding, the clock.

They need no signature, answer only loopback clients, and are never logged as calls.
Seeding bodies take an optional ``"account"`` (default: the default account); ``state``
and ``calls`` take an optional ``?account=<uid>`` query.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from localcloud.accounts import AccountState, UnknownAccount
from localcloud.backend import Backend
from localcloud.clock import iso8601
from localcloud.errors import CloudError
from localcloud.faults import parse_fault
from localcloud.kvstore.models import instance_from_seed
from localcloud.wire import HttpReply, HttpRequest

PREFIX = "/_localcloud/"


def apply_ecs(backend: Backend, body: Mapping[str, Any]) -> None:
    """``{"region", "put": [instance...], "delete": ["i-..."]}`` applied to ECS."""
    region = _region(body)
    model = _account(backend, body).ecs
    model.put(region, _list(body, "put"))
    model.delete(region, [str(i) for i in _list(body, "delete")])


def apply_kvstore(backend: Backend, body: Mapping[str, Any]) -> None:
    """``{"region", "put": [instance...], "delete": ["r-..."], "status": {"r-...": "..."}}``.

    ``region`` is needed only with ``put``; ``delete`` and ``status`` find the
    instance in any region, as the API does.
    """
    model = _account(backend, body).kvstore
    puts = _list(body, "put")
    if puts:
        model.put(_region(body), [instance_from_seed(item) for item in puts])
    model.delete([str(i) for i in _list(body, "delete")])
    statuses = body.get("status") or {}
    if not isinstance(statuses, Mapping):
        raise ValueError('"status" maps instance ids to InstanceStatus values')
    for instance_id, status in statuses.items():
        model.set_status(str(instance_id), str(status))


def apply_whitelist(backend: Backend, key: str, body: Mapping[str, Any]) -> None:
    """The same body as ``apply_kvstore``, for RDS, PolarDB or MongoDB (``key``: rds ...)."""
    model = _account(backend, body).whitelists[key]
    puts = _list(body, "put")
    if puts:
        model.put(_region(body), puts)
    model.delete([str(i) for i in _list(body, "delete")])
    statuses = body.get("status") or {}
    if not isinstance(statuses, Mapping):
        raise ValueError('"status" maps instance ids to status values')
    for instance_id, status in statuses.items():
        model.set_status(str(instance_id), str(status))


def clock(backend: Backend, body: Mapping[str, Any]) -> dict[str, Any]:
    """``{"advance_seconds": N}`` moves localcloud's clock forward (an empty body reads it):
    ``{"now": ISO 8601, "advanced_seconds": total since the last reset}``."""
    seconds = body.get("advance_seconds", 0)
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
        raise ValueError('"advance_seconds" is a non-negative number')
    now = backend.cloud_clock.advance(seconds)
    return {"now": iso8601(now), "advanced_seconds": backend.cloud_clock.offset}


def route(backend: Backend, request: HttpRequest) -> HttpReply:
    """Send a request to the admin endpoints or to the cloud APIs."""
    if request.path.startswith(PREFIX):
        return handle_admin(backend, request)
    return backend.handle(request)


def handle_admin(backend: Backend, request: HttpRequest) -> HttpReply:
    """Answer one admin request; bad input is a 400 with ``{"error": message}``."""
    if not request.loopback:
        return HttpReply.json(403, {"error": "admin endpoints answer loopback clients only"})
    route = (request.method, request.path[len(PREFIX) :].rstrip("/"))
    try:
        body = _json_body(request)
        account = dict(request.query_pairs()).get("account") or None
        return _dispatch(backend, route, body, account)
    except CloudError as error:
        return HttpReply.json(error.status, {"error": error.message, "code": error.code})
    except UnknownAccount as error:
        return HttpReply.json(404, {"error": str(error)})
    except (ValueError, KeyError, TypeError) as error:
        return HttpReply.json(400, {"error": str(error)})


def _dispatch(
    backend: Backend, route: tuple[str, str], body: Any, account: str | None
) -> HttpReply:
    ok = HttpReply.json(200, {"ok": True})
    match route:
        case ("GET", "state"):
            return HttpReply.json(200, backend.state.dump(account))
        case ("GET", "calls"):
            return HttpReply.json(200, backend.calls.snapshot(account))
        case ("GET" | "POST", "clock"):
            return HttpReply.json(200, clock(backend, body))
        case ("POST", "reset-calls"):
            backend.calls.reset()
        case ("GET", "faults"):
            return HttpReply.json(200, {"faults": backend.faults.list()})
        case ("DELETE", "faults"):
            backend.faults.clear()
        case ("POST", "faults"):
            _post_faults(backend, body)
        case ("POST", "ecs"):
            apply_ecs(backend, body)
        case ("POST", "kvstore"):
            apply_kvstore(backend, body)
        case ("POST", key) if key in backend.state.whitelists:
            apply_whitelist(backend, key, body)
        case ("POST", "reset"):
            backend.reset(body or None)
        case _:
            return HttpReply.json(404, {"error": f"no admin endpoint {route[0]} {route[1]}"})
    return ok


def _post_faults(backend: Backend, body: Any) -> None:
    if isinstance(body, Mapping) and body.get("clear"):
        backend.faults.clear()
        return
    for item in body if isinstance(body, list) else [body]:
        if not isinstance(item, Mapping):
            raise ValueError("a fault is a JSON object")
        backend.faults.add(parse_fault(item))


def _account(backend: Backend, body: Mapping[str, Any]) -> AccountState:
    account = body.get("account")
    if account is not None and not isinstance(account, str):
        raise ValueError('"account" is an account id (a string)')
    return backend.state.account(account)


def _json_body(request: HttpRequest) -> Any:
    if not request.body.strip():
        return {}
    return json.loads(request.body)


def _region(body: Mapping[str, Any]) -> str:
    region = body.get("region")
    if not isinstance(region, str) or not region:
        raise ValueError('"region" is required')
    return region


def _list(body: Mapping[str, Any], key: str) -> list[Any]:
    value = body.get(key) or []
    if not isinstance(value, list):
        raise ValueError(f'"{key}" must be a list')
    return value
