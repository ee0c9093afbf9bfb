"""The state container: credentials, ECS, R-KVStore and the other databases, from a seed."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from localcloud.ecs.models import EcsModel
from localcloud.ess.models import EssModel
from localcloud.kvstore.models import KvstoreModel, instance_from_seed
from localcloud.mongodb import new_model as new_mongodb
from localcloud.polardb import new_model as new_polardb
from localcloud.ram import Denial, denial_from_seed
from localcloud.rds import new_model as new_rds
from localcloud.whitelist.models import WhitelistModel

DEFAULT_ACCESS_KEY_ID = "localcloud-id"
DEFAULT_ACCESS_KEY_SECRET = "localcloud-secret"  # noqa: S105 - a published fake credential
WHITELIST_PRODUCTS = {"rds": new_rds, "polardb": new_polardb, "mongodb": new_mongodb}
"""The database products beside R-KVStore: seed/state key -> a new empty backend."""
_SEED_KEYS = {"credentials", "ecs", "kvstore", "ess", "settle_ms", *WHITELIST_PRODUCTS}

Seed = Mapping[str, Any]


class CloudState:
    """Everything the APIs read and write. Dumps in the seed's shape.

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
        self.credentials = {DEFAULT_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_SECRET}
        self.denied: dict[str, Denial] = {}
        for item in seed.get("credentials", []):
            self.credentials[str(item["AccessKeyId"])] = str(item["AccessKeySecret"])
            denial = denial_from_seed(item)
            if denial is not None:
                self.denied[str(item["AccessKeyId"])] = denial
        self.ecs = EcsModel()
        for region, instances in _regions(seed, "ecs").items():
            self.ecs.put(region, instances)
        self.kvstore = KvstoreModel(self.settle_ms / 1000, monotonic)
        for region, instances in _regions(seed, "kvstore").items():
            self.kvstore.put(region, [instance_from_seed(item) for item in instances])
        self.ess = EssModel(seed.get("ess"))
        self.whitelists: dict[str, WhitelistModel] = {}
        for key, new_model in WHITELIST_PRODUCTS.items():
            model = self.whitelists[key] = new_model()
            for region, instances in _regions(seed, key).items():
                model.put(region, instances)

    def dump(self) -> dict[str, Any]:
        """The state in the seed's shape (a seed that reproduces it)."""
        credentials = [
            {"AccessKeyId": key, "AccessKeySecret": secret}
            | (self.denied[key].to_seed() if key in self.denied else {})
            for key, secret in self.credentials.items()
        ]
        products = {key: model.dump() for key, model in self.whitelists.items()}
        return {
            "credentials": credentials,
            "ecs": self.ecs.dump(),
            "kvstore": self.kvstore.dump(),
            **products,
            "ess": self.ess.dump(),
        } | ({"settle_ms": self.settle_ms} if self.settle_ms else {})


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


def _regions(seed: Seed, key: str) -> Mapping[str, list[Mapping[str, Any]]]:
    regions = seed.get(key, {})
    if not isinstance(regions, Mapping):
        raise ValueError(f'seed "{key}" maps region ids to lists of instances')
    return regions


def _settle_ms(seed: Seed) -> int:
    value = seed.get("settle_ms", 0)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f'seed "settle_ms" must be a non-negative integer: {value!r}')
    return value
