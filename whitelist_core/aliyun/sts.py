"""STS ``AssumeRole`` (2015-04-01): temporary credentials that act in another account.

Signed and retried by the shared ``RpcClient`` with the function's own credentials, like
every other call. The secret and the security token of every session are registered with
the log redaction the moment they arrive, so no log line, result or error can carry them.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from whitelist_core.aliyun.transport.answers import as_dict, as_str
from whitelist_core.aliyun.transport.credentials import Credentials
from whitelist_core.aliyun.transport.endpoints import Endpoints
from whitelist_core.aliyun.transport.rpc import Call, RpcClient
from whitelist_core.core.values import frozen
from whitelist_core.logs import register_secret

ACTION = "AssumeRole"
VERSION = "2015-04-01"
SESSION_NAME = "whitelist-sync"
"""``RoleSessionName``: what the member account's ActionTrail shows as the caller."""
DURATION_SECONDS = 3600
"""The session asked for (the role's maximum session duration may cap it; at least 900)."""


@frozen
class RoleSession:
    """Temporary credentials of an assumed role, and when they stop working."""

    credentials: Credentials
    expiration: datetime


def assume_role(
    rpc: RpcClient,
    endpoints: Endpoints,
    region: str,
    role_arn: str,
    external_id: str | None = None,
) -> RoleSession:
    """Assume ``role_arn``; ``CloudError`` with STS's code when it cannot be assumed."""
    params = {
        "RoleArn": role_arn,
        "RoleSessionName": SESSION_NAME,
        "DurationSeconds": str(DURATION_SECONDS),
    }
    if external_id:
        params["ExternalId"] = external_id
    call = Call(endpoints.base_url("sts", region), "sts", region, ACTION, VERSION, params)
    answer = rpc.call(call, _complete)
    return session_of(answer)


def session_of(answer: dict[str, Any]) -> RoleSession:
    """The session in an ``AssumeRole`` answer (checked by ``_complete`` first)."""
    body = as_dict(answer.get("Credentials"))
    secret, token = as_str(body.get("AccessKeySecret")), as_str(body.get("SecurityToken"))
    register_secret(secret)
    register_secret(token)
    credentials = Credentials(as_str(body.get("AccessKeyId")), secret, token)
    return RoleSession(credentials, expiration_of(as_str(body.get("Expiration"))))


def expiration_of(text: str) -> datetime:
    """``2026-12-07T12:00:00Z`` as an aware datetime (``ValueError`` when it is not one)."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment


def _complete(answer: dict[str, Any]) -> None:
    """An answer without every part of the credentials is a failed attempt (retried)."""
    body = answer.get("Credentials")
    if not isinstance(body, dict):
        raise ValueError("the answer carries no Credentials")
    for name in ("AccessKeyId", "AccessKeySecret", "SecurityToken", "Expiration"):
        if not as_str(body.get(name)):
            raise ValueError(f"Credentials.{name} is missing")
    expiration_of(as_str(body["Expiration"]))
