"""STS ``2015-04-01``: ``AssumeRole`` and ``GetCallerIdentity`` (RPC style)."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from localcloud.clock import iso8601
from localcloud.context import CallContext
from localcloud.errors import MissingParameter
from localcloud.principals import ROLE_ARN, Principal
from localcloud.sts.exceptions import EntityNotExistRole, InvalidStsParameter, NoPermission
from localcloud.sts.models import Role, stable_id
from localcloud.wire import Params

if TYPE_CHECKING:
    from localcloud.state import CloudState

VERSION = "2015-04-01"
PRODUCT = "Sts"
MIN_DURATION = 900
CHAINED_MAX_DURATION = 3600  # a role session assuming another role: at most one hour
_SESSION_NAME = re.compile(r"[\w.@-]{2,64}")
_EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]{2,1224}")


def assume_role(state: CloudState, params: Params, ctx: CallContext) -> dict[str, Any]:
    """Temporary credentials for a session of ``RoleArn``, if its trust policy allows."""
    arn = params.require("RoleArn")
    session_name = params.require("RoleSessionName")
    match = ROLE_ARN.fullmatch(arn)
    if match is None:
        raise InvalidStsParameter("RoleArn")
    if not _SESSION_NAME.fullmatch(session_name):
        raise InvalidStsParameter("RoleSessionName")
    external_id = _external_id(params)
    _check_policy(params.get("Policy", ""))
    duration = params.integer("DurationSeconds") or 3600
    role = _find(state, match["account"], match["name"], arn)
    caller = _caller(ctx)
    if not role.trusts(caller, external_id):
        raise NoPermission()
    longest = min(role.max_session, CHAINED_MAX_DURATION if caller.kind == "role" else 10**9)
    if not MIN_DURATION <= duration <= longest:
        raise InvalidStsParameter("DurationSeconds", longest)
    session = state.sessions.issue(role, session_name, ctx.now + duration)
    answer: dict[str, Any] = {
        "Credentials": {
            "AccessKeyId": session.access_key_id,
            "AccessKeySecret": session.secret,
            "SecurityToken": session.token,
            "Expiration": iso8601(session.expires_at),
        },
        "AssumedRoleUser": {
            "Arn": f"{role.arn}/{session_name}",
            "AssumedRoleId": f"{role.role_id}:{session_name}",
        },
    }
    if params.get("SourceIdentity"):
        answer["SourceIdentity"] = params["SourceIdentity"]
    return answer


def get_caller_identity(state: CloudState, params: Params, ctx: CallContext) -> dict[str, Any]:
    """Who the credentials of this call belong to."""
    caller = _caller(ctx)
    answer = {"AccountId": caller.account, "Arn": caller.identity_arn}
    if caller.kind == "role":
        role_id = stable_id(caller.arn)
        principal_id = f"{role_id}:{caller.session}" if caller.session else role_id
        return answer | {
            "IdentityType": "AssumedRoleUser",
            "RoleId": role_id,
            "PrincipalId": principal_id,
        }
    user_id = stable_id(caller.arn)
    return answer | {"IdentityType": "RAMUser", "UserId": user_id, "PrincipalId": user_id}


def _find(state: CloudState, account: str, name: str, arn: str) -> Role:
    owner = state.accounts.get(account)
    role = owner.role(name) if owner is not None else None
    if role is None:
        raise EntityNotExistRole(arn)
    return role


def _caller(ctx: CallContext) -> Principal:
    if ctx.caller is None:  # every API call is authenticated before it runs
        raise MissingParameter("AccessKeyId")
    return ctx.caller


def _external_id(params: Params) -> str:
    value = params.get("ExternalId", "")
    if value and not _EXTERNAL_ID.fullmatch(value):
        raise InvalidStsParameter("ExternalId")
    return value


def _check_policy(policy: str) -> None:
    if not policy:
        return
    try:
        document = json.loads(policy)
    except ValueError:
        raise InvalidStsParameter("PolicyGrammar") from None
    if not isinstance(document, dict) or not isinstance(document.get("Statement"), list):
        raise InvalidStsParameter("PolicyGrammar")
