"""RAM roles with their trust policies, and the temporary credentials STS issues.

Trust policies are evaluated as RAM documents them for ``AssumeRole``: a statement
applies when its ``Action`` covers ``sts:AssumeRole``, its ``Principal.RAM`` names the
caller (:meth:`Principal.named_by`) and its ``Condition`` holds; an applying ``Deny``
wins over any ``Allow``. The only condition understood is ``StringEquals`` on
``sts:ExternalId``; any other condition never holds (**choice**: fail closed).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from localcloud.principals import ROLE_ARN, Principal, role_session

DEFAULT_MAX_SESSION = 3600
"""A role's ``MaxSessionDuration`` when the seed gives none (RAM's default)."""
_ASSUME_ACTIONS = {"sts:assumerole", "sts:*", "*"}


@dataclass(frozen=True)
class Role:
    """A RAM role: its name, account, trust policy and longest session."""

    account: str
    name: str
    policy: Mapping[str, Any]
    max_session: int = DEFAULT_MAX_SESSION
    raw_policy: Any = None  # the document as seeded (object or JSON string), for the dump

    @property
    def arn(self) -> str:
        """``acs:ram::<account>:role/<name>``."""
        return f"acs:ram::{self.account}:role/{self.name}"

    @property
    def role_id(self) -> str:
        """A stable 19-digit RoleId (real ones are opaque numbers of that length)."""
        return stable_id(self.arn)

    def trusts(self, caller: Principal, external_id: str) -> bool:
        """True when the trust policy lets ``caller`` assume this role."""
        allowed = False
        for statement in self.policy.get("Statement", []):
            if not _applies(statement, caller, external_id):
                continue
            if statement.get("Effect") == "Deny":
                return False
            allowed = allowed or statement.get("Effect") == "Allow"
        return allowed

    def to_seed(self) -> dict[str, Any]:
        """The role in the seed's shape."""
        item = {"RoleName": self.name, "Arn": self.arn, "AssumeRolePolicyDocument": self.raw_policy}
        if self.max_session != DEFAULT_MAX_SESSION:
            item["MaxSessionDuration"] = self.max_session
        return item


def stable_id(arn: str) -> str:
    """A 19-digit id derived from ``arn`` (case-insensitive): RoleIds and user ids."""
    digest = hashlib.sha256(arn.lower().encode("utf-8")).hexdigest()
    return str(int(digest, 16))[:19]


def role_from_seed(account: str, item: Mapping[str, Any]) -> Role:
    """A role of ``account`` from the seed; its ``Arn``, when given, must name it there."""
    name = str(item.get("RoleName", ""))
    arn = str(item.get("Arn") or f"acs:ram::{account}:role/{name}")
    match = ROLE_ARN.fullmatch(arn)
    if match is None or match["account"] != account or match["name"].lower() != name.lower():
        raise ValueError(f"role {name!r} of account {account} has a wrong Arn: {arn!r}")
    raw = item.get("AssumeRolePolicyDocument")
    policy = json.loads(raw) if isinstance(raw, str) else raw
    if not isinstance(policy, Mapping) or not isinstance(policy.get("Statement"), list):
        raise ValueError(f"role {arn}: AssumeRolePolicyDocument needs a Statement list")
    max_session = item.get("MaxSessionDuration", DEFAULT_MAX_SESSION)
    if isinstance(max_session, bool) or not isinstance(max_session, int):
        raise ValueError(f"role {arn}: MaxSessionDuration is a number of seconds")
    return Role(account, name, policy, max_session, raw)


def _applies(statement: Mapping[str, Any], caller: Principal, external_id: str) -> bool:
    actions = {a.lower() for a in _strings(statement.get("Action"))}
    if not actions & _ASSUME_ACTIONS:
        return False
    principal = statement.get("Principal")
    named = _strings(principal.get("RAM")) if isinstance(principal, Mapping) else []
    if not any(caller.named_by(arn) for arn in named):
        return False
    return _conditions_hold(statement.get("Condition"), external_id)


def _conditions_hold(condition: Any, external_id: str) -> bool:
    if not condition:
        return True
    if not isinstance(condition, Mapping) or set(condition) != {"StringEquals"}:
        return False
    tests = condition["StringEquals"]
    if not isinstance(tests, Mapping) or {k.lower() for k in tests} != {"sts:externalid"}:
        return False
    expected = _strings(next(iter(tests.values())))
    return bool(external_id) and external_id in expected


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value]
    return []


@dataclass(frozen=True)
class Session:
    """Temporary credentials: who they act as, and until when (localcloud's clock)."""

    access_key_id: str
    secret: str = field(repr=False)
    token: str = field(repr=False)
    principal: Principal
    role_id: str
    expires_at: float


class SessionBook:
    """Every temporary credential issued since the last reset (expired ones too)."""

    def __init__(self) -> None:
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def issue(self, role: Role, session_name: str, expires_at: float) -> Session:
        """New credentials for a session of ``role``."""
        principal = role_session(role.account, role.name, session_name)
        session = Session(
            access_key_id="STS." + secrets.token_urlsafe(21).replace("-", "x").replace("_", "y"),
            secret=secrets.token_urlsafe(30),
            token="CAIS" + secrets.token_urlsafe(96),
            principal=principal,
            role_id=role.role_id,
            expires_at=expires_at,
        )
        with self._lock:
            self._sessions[session.access_key_id] = session
        return session

    def find(self, access_key_id: str) -> Session | None:
        """The session of ``access_key_id``, if STS issued it."""
        with self._lock:
            return self._sessions.get(access_key_id)

    def issued(self, token: str) -> bool:
        """True when ``token`` belongs to some session (of other credentials)."""
        with self._lock:
            return any(s.token == token for s in self._sessions.values())
