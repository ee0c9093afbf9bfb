"""Who calls: a RAM user or a role session, in an account, named by RAM ARNs."""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_ACCOUNT_ID = "1234567890123456"
"""The account of the default credential and of every credential that names none."""
ROLE_ARN = re.compile(r"acs:ram::(?P<account>[0-9]+):role/(?P<name>[A-Za-z0-9.\-]{1,64})")
"""``acs:ram::<account uid>:role/<role name>`` (RAM role names: letters, digits, ``.-``)."""
_PRINCIPAL_ARN = re.compile(r"acs:ram::(?P<account>[0-9]+):(?P<rest>.+)")


@dataclass(frozen=True)
class Principal:
    """A caller: ``kind`` "user" (a RAM user's AccessKey) or "role" (a role's session)."""

    account: str
    kind: str
    name: str
    session: str = ""

    @property
    def arn(self) -> str:
        """The ARN a trust policy names this principal by (the role's ARN for a session)."""
        return f"acs:ram::{self.account}:{self.kind}/{self.name}"

    @property
    def identity_arn(self) -> str:
        """The ARN ``GetCallerIdentity`` answers (``assumed-role/<role>/<session>``)."""
        if self.kind == "role" and self.session:
            return f"acs:ram::{self.account}:assumed-role/{self.name}/{self.session}"
        return self.arn

    def named_by(self, arn: str) -> bool:
        """True when a trust policy's ``RAM`` principal ``arn`` covers this caller.

        ``acs:ram::<uid>:root`` covers every user and role of account ``uid``; a user or
        role ARN covers that user, or the sessions of that role (names case-insensitive).
        """
        match = _PRINCIPAL_ARN.fullmatch(arn.strip())
        if match is None or match["account"] != self.account:
            return False
        rest = match["rest"]
        if rest == "root":
            return True
        kind, _, name = rest.partition("/")
        return kind == self.kind and name.lower() == self.name.lower()


def user(account: str, name: str) -> Principal:
    """A RAM user of ``account``."""
    return Principal(account, "user", name)


def role_session(account: str, role_name: str, session: str = "") -> Principal:
    """A session of role ``role_name`` in ``account``."""
    return Principal(account, "role", role_name, session)
