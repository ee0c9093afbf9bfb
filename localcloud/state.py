"""The state container: credentials, accounts (their ECS, databases, roles), sessions."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from localcloud.accounts import (
    DEFAULT_ACCOUNT_ID,
    RESOURCE_KEYS,
    WHITELIST_PRODUCTS,
    AccountState,
    UnknownAccount,
    split_seed,
)
from localcloud.ecs.models import EcsModel
from localcloud.ess.models import EssModel
from localcloud.kvstore.models import KvstoreModel
from localcloud.principals import Principal, role_session, user
from localcloud.ram import Denial, denial_from_seed
from localcloud.sts.models import SessionBook
from localcloud.whitelist.models import WhitelistModel

DEFAULT_ACCESS_KEY_ID = "localcloud-id"
DEFAULT_ACCESS_KEY_SECRET = "localcloud-secret"  # noqa: S105 - a published fake credential
_SEED_KEYS = {"credentials", "settle_ms", "accounts", *RESOURCE_KEYS}
_CREDENTIAL_KEYS = {"AccessKeyId", "AccessKeySecret", "Account", "Role", "Denied", "DeniedAnswer"}

Seed = Mapping[str, Any]

__all__ = [
    "DEFAULT_ACCESS_KEY_ID",
    "DEFAULT_ACCESS_KEY_SECRET",
    "DEFAULT_ACCOUNT_ID",
    "WHITELIST_PRODUCTS",
    "AccountState",
    "CloudState",
    "Seed",
    "load_seed",
]


class CloudState:
    """Everything the APIs read and write. Dumps in the seed's shape.

    The default account's services are also reachable as ``ecs``, ``kvstore``,
    ``whitelists`` and ``ess``; other accounts through :meth:`account`.
    ``monotonic`` is the clock instances settle on after a write (seed ``settle_ms``).
    """

    def __init__(
        self, seed: Seed | None = None, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        seed = seed or {}
        unknown = set(seed) - _SEED_KEYS
        if unknown:
            raise ValueError(f"unknown seed keys: {sorted(unknown)}")
        self.settle_ms = _settle_ms(seed)
        self.multi_account = "accounts" in seed
        self.accounts = {
            uid: AccountState(uid, own, self.settle_ms / 1000, monotonic)
            for uid, own in split_seed(seed).items()
        }
        self.credentials = {DEFAULT_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_SECRET}
        self.principals = {DEFAULT_ACCESS_KEY_ID: user(DEFAULT_ACCOUNT_ID, DEFAULT_ACCESS_KEY_ID)}
        self.denied: dict[str, Denial] = {}
        for item in seed.get("credentials", []):
            self._add_credential(item)
        self.sessions = SessionBook()

    def _add_credential(self, item: Mapping[str, Any]) -> None:
        unknown = set(item) - _CREDENTIAL_KEYS
        if unknown:
            raise ValueError(f"unknown credential keys: {sorted(unknown)}")
        key = str(item["AccessKeyId"])
        account = str(item.get("Account", DEFAULT_ACCOUNT_ID))
        if account not in self.accounts:
            raise ValueError(f"credential {key} names account {account}, not in the seed")
        self.credentials[key] = str(item["AccessKeySecret"])
        role = item.get("Role")
        self.principals[key] = role_session(account, str(role)) if role else user(account, key)
        denial = denial_from_seed(item)
        if denial is not None:
            self.denied[key] = denial

    def account(self, uid: str | None = None) -> AccountState:
        """The account ``uid`` (default: the default account), or :class:`UnknownAccount`."""
        found = self.accounts.get(uid or DEFAULT_ACCOUNT_ID)
        if found is None:
            raise UnknownAccount(str(uid))
        return found

    @property
    def ecs(self) -> EcsModel:
        """The default account's ECS."""
        return self.account().ecs

    @property
    def kvstore(self) -> KvstoreModel:
        """The default account's R-KVStore."""
        return self.account().kvstore

    @property
    def whitelists(self) -> dict[str, WhitelistModel]:
        """The default account's RDS, PolarDB and MongoDB (by seed key)."""
        return self.account().whitelists

    @property
    def ess(self) -> EssModel:
        """The default account's ESS."""
        return self.account().ess

    def dump(self, account: str | None = None) -> dict[str, Any]:
        """The state in the seed's shape (a seed that reproduces it); with ``account``,
        that account's keys alone (its resources and roles)."""
        if account is not None:
            return self.account(account).dump()
        dumped: dict[str, Any] = {
            "credentials": [self._dump_credential(k) for k in self.credentials]
        }
        dumped |= self.account().dump_resources()
        if self.settle_ms:
            dumped["settle_ms"] = self.settle_ms
        if self.multi_account:
            dumped["accounts"] = self._dump_accounts()
        return dumped

    def _dump_credential(self, key: str) -> dict[str, Any]:
        principal: Principal = self.principals[key]
        item: dict[str, Any] = {"AccessKeyId": key, "AccessKeySecret": self.credentials[key]}
        if principal.account != DEFAULT_ACCOUNT_ID:
            item["Account"] = principal.account
        if principal.kind == "role":
            item["Role"] = principal.name
        return item | (self.denied[key].to_seed() if key in self.denied else {})

    def _dump_accounts(self) -> dict[str, Any]:
        dumped: dict[str, Any] = {}
        for uid, state in self.accounts.items():
            if uid != DEFAULT_ACCOUNT_ID:
                dumped[uid] = state.dump()
            elif state.roles:
                dumped[uid] = {"roles": state.dump()["roles"]}
        return dumped


def load_seed(source: str | Path | Seed | None) -> dict[str, Any]:
    """A seed from a file path, a mapping, or nothing (an empty cloud)."""
    if source is None:
        return {}
    if isinstance(source, Mapping):
        return dict(source)
    loaded = json.loads(Path(source).read_text(encoding="utf-8"))
    if not isinstance(loaded, dict):
        raise ValueError("a seed file holds one JSON object")
    return loaded


def _settle_ms(seed: Seed) -> int:
    value = seed.get("settle_ms", 0)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f'seed "settle_ms" must be a non-negative integer: {value!r}')
    return value
