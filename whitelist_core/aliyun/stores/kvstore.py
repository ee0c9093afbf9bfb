"""Redis / Tair: the family's store bound to the R-KVStore spec (the default product).

``DescribeSecurityIps`` / ``ModifySecurityIps`` (2015-01-01) with ``InstanceId``.
"""

from __future__ import annotations

from whitelist_core.aliyun.stores.whitelist import (
    Mode,
    ProductWhitelistStore,
    prepare,
)
from whitelist_core.aliyun.transport.endpoints import Endpoints
from whitelist_core.aliyun.transport.rpc import RpcClient
from whitelist_core.products.redis import SPEC

VERSION = SPEC.version

__all__ = ["VERSION", "KvstoreWhitelistStore", "claims_done", "prepare"]


def claims_done(mode: Mode, code: str) -> bool:
    """True for an answer meaning "already there" (Append) or "already absent" (Delete)."""
    return SPEC.claims_done(mode, code)


class KvstoreWhitelistStore(ProductWhitelistStore):
    """Reads and edits whitelist groups of Redis/Tair instances; implements ``WhitelistStore``."""

    def __init__(self, rpc: RpcClient, endpoints: Endpoints) -> None:
        super().__init__(rpc, endpoints, SPEC)
