"""Accounts: each one's own databases, hosts, lifecycle answers and RAM roles.

A seed without ``accounts`` is one account, :data:`DEFAULT_ACCOUNT_ID`, as before. With
``"accounts": {"<uid>": {<the single-account keys>, "roles": [...]}}`` every other
account gets the same services of its own; the top-level keys stay the default account's.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from typing import Any

from localcloud.ecs.models import EcsModel
from localcloud.ess.models import EssModel
from localcloud.kvstore.models import KvstoreModel, instance_from_seed
from localcloud.mongodb import new_model as new_mongodb
from localcloud.polardb import new_model as new_polardb
from localcloud.principals import DEFAULT_ACCOUNT_ID
from localcloud.rds import new_model as new_rds
from localcloud.sts.models import Role, role_from_seed
from localcloud.whitelist.models import WhitelistModel

WHITELIST_PRODUCTS = {"rds": new_rds, "polardb": new_polardb, "mongodb": new_mongodb}
"""The database products beside R-KVStore: seed/state key -> a new empty backend."""
RESOURCE_KEYS = ("ecs", "kvstore", *WHITELIST_PRODUCTS, "ess")
"""An account's seed keys besides ``roles`` (the single-account seed's resources)."""
__all__ = [
    "DEFAULT_ACCOUNT_ID",
    "RESOURCE_KEYS",
    "WHITELIST_PRODUCTS",
    "AccountState",
    "UnknownAccount",
    "split_seed",
]
_ACCOUNT_ID = re.compile(r"[0-9]{1,32}")

Seed = Mapping[str, Any]


class UnknownAccount(LookupError):
    """An account id the cloud does not hold (admin: 404)."""

    def __init__(self, uid: str) -> None:
        super().__init__(f"no account {uid} in this cloud")


class AccountState:
    """One account's resources: ECS hosts, the databases' whitelists, ESS answers, roles."""

    def __init__(
        self,
        uid: str,
        seed: Seed,
        settle_s: float = 0.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        unknown = set(seed) - {*RESOURCE_KEYS, "roles"}
        if unknown:
            raise ValueError(f"unknown keys in account {uid}: {sorted(unknown)}")
        self.uid = uid
        self.ecs = EcsModel()
        for region, instances in _regions(seed, "ecs").items():
            self.ecs.put(region, instances)
        self.kvstore = KvstoreModel(settle_s, monotonic)
        for region, instances in _regions(seed, "kvstore").items():
            self.kvstore.put(region, [instance_from_seed(item) for item in instances])
        self.ess = EssModel(seed.get("ess"))
        self.whitelists: dict[str, WhitelistModel] = {}
        for key, new_model in WHITELIST_PRODUCTS.items():
            model = self.whitelists[key] = new_model()
            for region, instances in _regions(seed, key).items():
                model.put(region, instances)
        self.roles: dict[str, Role] = {}
        for item in seed.get("roles", []):
            role = role_from_seed(uid, item)
            if role.name.lower() in self.roles:
                raise ValueError(f"account {uid} has two roles named {role.name}")
            self.roles[role.name.lower()] = role

    def role(self, name: str) -> Role | None:
        """The role called ``name`` (RAM role names are case-insensitive)."""
        return self.roles.get(name.lower())

    def dump_resources(self) -> dict[str, Any]:
        """The resource keys in the seed's shape (no roles)."""
        products = {key: model.dump() for key, model in self.whitelists.items()}
        return {
            "ecs": self.ecs.dump(),
            "kvstore": self.kvstore.dump(),
            **products,
            "ess": self.ess.dump(),
        }

    def dump(self) -> dict[str, Any]:
        """Every key of this account, roles included (``GET /_localcloud/state?account=``)."""
        return self.dump_resources() | {"roles": [r.to_seed() for r in self.roles.values()]}


def split_seed(seed: Seed) -> dict[str, dict[str, Any]]:
    """Each account's own seed, by uid; the top-level resource keys are the default's.

    The default account may also be listed under ``accounts`` (for its roles), but a
    resource key may not be given both at the top level and there.
    """
    listed = seed.get("accounts", {})
    if not isinstance(listed, Mapping):
        raise ValueError('seed "accounts" maps account ids to account seeds')
    accounts: dict[str, dict[str, Any]] = {}
    for uid, own in listed.items():
        if not isinstance(uid, str) or not _ACCOUNT_ID.fullmatch(uid):
            raise ValueError(f"an account id is a string of digits: {uid!r}")
        if not isinstance(own, Mapping):
            raise ValueError(f"account {uid} is a JSON object")
        accounts[uid] = dict(own)
    default = accounts.setdefault(DEFAULT_ACCOUNT_ID, {})
    for key in RESOURCE_KEYS:
        if key in seed:
            if key in default:
                raise ValueError(f'"{key}" of account {DEFAULT_ACCOUNT_ID} is given twice')
            default[key] = seed[key]
    return accounts


def _regions(seed: Seed, key: str) -> Mapping[str, list[Mapping[str, Any]]]:
    regions = seed.get(key, {})
    if not isinstance(regions, Mapping):
        raise ValueError(f'seed "{key}" maps region ids to lists of instances')
    return regions
