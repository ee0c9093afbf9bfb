"""The store family: one ``ProductWhitelistStore`` per product, built on first use.

The family is itself a ``WhitelistStore`` for the default product (Redis), so code that
knows one store keeps working; ``for_target`` gives the store of any product.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from whitelist_core.aliyun.stores.kvstore import KvstoreWhitelistStore
from whitelist_core.aliyun.stores.whitelist import ProductWhitelistStore
from whitelist_core.aliyun.transport.endpoints import Endpoints
from whitelist_core.aliyun.transport.rpc import RpcClient
from whitelist_core.ports import Group
from whitelist_core.products import DEFAULT_PRODUCT, spec_of


class StoreFamily:
    """Every product's store on one transport (``WhitelistStores``)."""

    def __init__(self, rpc: RpcClient, endpoints: Endpoints) -> None:
        self._rpc, self._endpoints = rpc, endpoints
        self._stores: dict[str, ProductWhitelistStore] = {
            DEFAULT_PRODUCT: KvstoreWhitelistStore(rpc, endpoints)
        }

    def for_target(self, product: str, options: Mapping[str, str]) -> ProductWhitelistStore:
        """The store of ``product``, with a target's product-specific ``options``."""
        store = self._stores.get(product)
        if store is None:
            store = ProductWhitelistStore(self._rpc, self._endpoints, spec_of(product))
            self._stores[product] = store
        return store.with_options(options) if options else store

    # -- the default product's store -----------------------------------------------------

    def read_groups(self, region: str, instance_id: str) -> list[Group]:
        """Redis: every group of the instance."""
        return self._stores[DEFAULT_PRODUCT].read_groups(region, instance_id)

    def append(
        self, region: str, instance_id: str, group: str, entries: Sequence[str], attribute: str
    ) -> None:
        """Redis: add entries to a group."""
        self._stores[DEFAULT_PRODUCT].append(region, instance_id, group, entries, attribute)

    def delete(
        self, region: str, instance_id: str, group: str, entries: Sequence[str], attribute: str
    ) -> None:
        """Redis: remove entries from a group."""
        self._stores[DEFAULT_PRODUCT].delete(region, instance_id, group, entries, attribute)

    def cover(
        self, region: str, instance_id: str, group: str, entries: Sequence[str], attribute: str
    ) -> None:
        """Redis: replace a group's entries."""
        self._stores[DEFAULT_PRODUCT].cover(region, instance_id, group, entries, attribute)
