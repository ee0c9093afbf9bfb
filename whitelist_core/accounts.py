"""The accounts a configuration names: one member account's model, the checks of every
name that refers to one, and which configured account an event's account uid is.

The function's own account has no name here: it is ``OWN`` (``""``), the default of a
target's ``account`` and, through the target, of its selector's. Every other account is
named under ``accounts:`` with the RAM role the function assumes there (STS
``AssumeRole``); the account's uid is the one in that role's ARN.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from whitelist_core.errors import Problem

OWN = ""
"""The function's own account (the FC context's ``account_id``, or ``FC_ACCOUNT_ID``)."""

ACCOUNT_NAME = r"^[a-z][a-z0-9_-]{0,31}$"
AccountName = Annotated[str, Field(pattern=ACCOUNT_NAME)]
ROLE_ARN = re.compile(r"^acs:ram::(\d{16}):role/([A-Za-z0-9.-]{1,64})$")
ROLE_ARN_FORM = "acs:ram::<16-digit account uid>:role/<role name>"


class Account(BaseModel):
    """Another Alibaba Cloud account: the RAM role the function assumes to act there."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    role_arn: str
    external_id: str | None = Field(default=None, min_length=2, max_length=1224)
    """Passed as ``ExternalId`` when the role's trust policy asks for one."""

    @field_validator("role_arn")
    @classmethod
    def _role_arn(cls, value: str) -> str:
        if not ROLE_ARN.fullmatch(value):
            raise ValueError(f"{value!r} is not a RAM role ARN ({ROLE_ARN_FORM})")
        return value

    @property
    def uid(self) -> str:
        """The account's uid, from its role ARN."""
        return uid_of(self.role_arn)


def uid_of(role_arn: str) -> str:
    """The account uid of a RAM role ARN (``""`` when it is not one)."""
    match = ROLE_ARN.fullmatch(role_arn)
    return match.group(1) if match else ""


def valid_accounts(data: Any) -> dict[str, Account]:
    """The valid accounts of a configuration document that failed validation (the others
    are already reported with their field paths), to check the names that refer to them."""
    raw = data.get("accounts") if isinstance(data, dict) else None
    accounts = {}
    for name, body in (raw if isinstance(raw, dict) else {}).items():
        try:
            accounts[str(name)] = Account.model_validate(body)
        except ValidationError:
            continue
    return accounts


def reference_problems(
    accounts: Mapping[str, Account], references: Iterable[tuple[str, str | None]]
) -> list[Problem]:
    """A problem for every ``(field path, account name)`` that names no configured account,
    and for two accounts with one uid (an event from it could not be routed)."""
    problems = []
    known = ", ".join(sorted(accounts)) or "none is configured"
    for path, name in references:
        if name is not None and name not in accounts:
            rule = f"names no account under accounts: ({known}); add it there or fix the name"
            problems.append(Problem(path, rule))
    seen: dict[str, str] = {}
    for name, account in sorted(accounts.items()):
        first = seen.setdefault(account.uid, name)
        if first != name:
            rule = f"account {account.uid} is already accounts.{first}: one name per account"
            problems.append(Problem(f"accounts.{name}.role_arn", rule))
    return problems


def account_named_by(uid: str, own_uid: str, accounts: Mapping[str, Account]) -> str | None:
    """The configured account an event from account ``uid`` happened in: ``OWN`` for the
    function's own account (or an event that names none), a name under ``accounts:``, or
    None when the configuration does not name that account."""
    if not uid or uid == own_uid:
        return OWN
    return next((name for name, account in accounts.items() if account.uid == uid), None)
