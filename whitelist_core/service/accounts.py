"""A run's reads, each in its own account: the ports of every account the run touches
(built on first use), each ECS listing once per (account, region, query) and each
instance's groups once per (account, region, instance) for the invocation.

A target's groups are read and written in the target's account; its hosts are listed,
looked up and re-checked in its selector's account. The same private IP may exist in two
accounts, so nothing ever looks for a target's hosts anywhere else. An account whose role
cannot be assumed raises the STS ``CloudError`` from its ports' first call, and the run
records it for the targets that needed that account only.
"""

from __future__ import annotations

import threading

from whitelist_core.accounts import OWN
from whitelist_core.config import Config, Target
from whitelist_core.core.selection import InstanceIndex
from whitelist_core.errors import PermanentCloudError
from whitelist_core.ports import (
    AccountPorts,
    Group,
    InstanceInventory,
    InstanceQuery,
    WhitelistStore,
    store_of,
)

Ports = tuple[InstanceInventory, WhitelistStore]


class Reads:
    """The ports and cached reads of one run; safe for regions running in parallel."""

    def __init__(
        self,
        config: Config,
        inventory: InstanceInventory,
        store: WhitelistStore,
        accounts: AccountPorts | None = None,
    ) -> None:
        self.config = config
        self._ports: dict[str, Ports] = {OWN: (inventory, store)}
        self._accounts = accounts
        self._listings: dict[tuple[str, str, InstanceQuery | None], InstanceIndex] = {}
        self._groups: dict[tuple[str, str, str], list[Group]] = {}
        self._lock = threading.Lock()

    def ports(self, account: str) -> Ports:
        """The inventory and stores of ``account`` (``OWN``: the function's own)."""
        with self._lock:
            if account not in self._ports:
                if self._accounts is None:
                    raise PermanentCloudError(
                        "AssumeRole", "AccountNotWired", f"no clients for account {account!r}"
                    )
                self._ports[account] = self._accounts(account)
            return self._ports[account]

    def inventory(self, account: str) -> InstanceInventory:
        """Where the hosts of ``account`` are listed, looked up and re-checked."""
        return self.ports(account)[0]

    def store(self, target: Target) -> WhitelistStore:
        """The store of the target's product, in the target's account."""
        base = self.ports(self.config.account_of(target))[1]
        return store_of(base, target.product, target.store_options)

    def listing(self, account: str, region: str, query: InstanceQuery | None) -> InstanceIndex:
        """Every instance of ``account`` in ``region`` matching ``query``, listed once."""
        key = (account, region, query)
        if key not in self._listings:
            found = self.inventory(account).list_instances(region, query)
            self._listings[key] = InstanceIndex(found)
        return self._listings[key]

    def groups(self, target: Target, region: str) -> list[Group]:
        """The groups of the target's instance as they are now (read once per run)."""
        key = (self.config.account_of(target), region, target.instance_id)
        if key not in self._groups:
            self._groups[key] = self.store(target).read_groups(region, target.instance_id)
        return self._groups[key]

    def cached_groups(self, target: Target, region: str) -> list[Group] | None:
        """The groups of the target's instance if this run has read them, else None."""
        return self._groups.get((self.config.account_of(target), region, target.instance_id))

    def forget_groups(self, target: Target, region: str) -> None:
        """Read the target's instance afresh next time (after a write was refused)."""
        self._groups.pop((self.config.account_of(target), region, target.instance_id), None)
