"""The two ports the reconciler talks through, and the plain values that cross them.

``aliyun/`` implements them against the real APIs; tests may use any other
implementation (``localcloud`` behind the real adapters is preferred). The values are
frozen and already normalised, so the pure core never parses wire formats.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import field
from typing import Protocol

from whitelist_core.core.values import frozen


@frozen
class Instance:
    """An ECS instance as the core sees it.

    ``private_ips`` are the primary private IPv4 addresses (VPC primary IP, or the
    classic-network inner IP); ``secondary_ips`` are every other private IPv4 address
    held by any of its network interfaces. All addresses are normalised entries.
    """

    instance_id: str
    region: str
    name: str = ""
    status: str = "Running"
    vpc_id: str = ""
    vswitch_id: str = ""
    security_group_ids: frozenset[str] = frozenset()
    tags: Mapping[str, str] = field(default_factory=dict, hash=False)
    resource_group_id: str = ""
    private_ips: tuple[str, ...] = ()
    secondary_ips: tuple[str, ...] = ()


@frozen
class Group:
    """One whitelist group of a Redis instance, as read from ``DescribeSecurityIps``.

    ``entries`` keeps the order the API returned, normalised (``10.0.0.5/32`` is
    ``10.0.0.5``); ``attribute`` is ``""`` or ``"hidden"``. ``unparsed``: what the group
    holds that is not an IPv4 entry this function can read (IPv6, leading zeros, netmask
    form), as the API returned it: never written, but it takes room like any entry.
    """

    name: str
    attribute: str = ""
    entries: tuple[str, ...] = ()
    unparsed: tuple[str, ...] = ()

    @property
    def size(self) -> int:
        """Every entry the cloud holds and counts against a cap, parsed or not."""
        return len(self.entries) + len(self.unparsed)


@frozen
class InstanceQuery:
    """Server-side filters for one ``DescribeInstances`` listing (all given fields AND).

    Filters narrow what is listed; the selector is still applied afterwards, so a filter
    may be broader than a target's selector but never narrower.
    """

    vpc_id: str = ""
    tags: tuple[tuple[str, str], ...] = ()
    instance_ids: tuple[str, ...] = ()
    private_ips: tuple[str, ...] = ()
    """VPC primary IPs (``PrivateIpAddresses``)."""
    inner_ips: tuple[str, ...] = ()
    """Classic-network inner IPs (``InnerIpAddresses``)."""


class InstanceInventory(Protocol):
    """Reads ECS instances. Every method returns complete results or raises ``CloudError``."""

    def list_instances(self, region: str, query: InstanceQuery | None = None) -> list[Instance]:
        """Every instance of ``region`` matching ``query`` (all pages)."""
        ...

    def get_instances(self, region: str, instance_ids: Sequence[str]) -> list[Instance]:
        """The instances with these ids that still exist (missing ids are simply absent)."""
        ...

    def find_by_private_ips(
        self, region: str, ips: Sequence[str], *, primary_only: bool = False
    ) -> list[Instance]:
        """Instances that hold any of these private IPs now (primary or secondary), each
        address looked up directly: never a listing a page boundary could hide one in.

        ``primary_only=True``: the caller only needs holders of a VPC primary IP, so an
        implementation may skip looking at secondary and classic inner IPs.
        """
        ...


class WhitelistStore(Protocol):
    """Reads and edits the whitelist groups of Redis instances.

    Writes are commutative edits of one group: ``append`` and ``delete`` send only the
    entries that change; ``cover`` replaces the group and is used only to place the
    ``127.0.0.1`` placeholder. ``attribute`` is passed on every write so it is preserved.
    """

    def read_groups(self, region: str, instance_id: str) -> list[Group]:
        """Every group of the instance, hidden ones included."""
        ...

    def append(
        self, region: str, instance_id: str, group: str, entries: Sequence[str], attribute: str
    ) -> None:
        """Add entries to a group (created if missing)."""
        ...

    def delete(
        self, region: str, instance_id: str, group: str, entries: Sequence[str], attribute: str
    ) -> None:
        """Remove entries from a group; never called with every entry of the group."""
        ...

    def cover(
        self, region: str, instance_id: str, group: str, entries: Sequence[str], attribute: str
    ) -> None:
        """Replace the whole content of a group."""
        ...


class WhitelistStores(WhitelistStore, Protocol):
    """A store of the default product (Redis) that also hands out every product's store."""

    def for_target(self, product: str, options: Mapping[str, str]) -> WhitelistStore:
        """The store of ``product`` (a product table key), with a target's
        product-specific ``options`` (e.g. RDS ``network_type``)."""
        ...


def store_of(stores: WhitelistStore, product: str, options: Mapping[str, str]) -> WhitelistStore:
    """The store of ``product`` (``WhitelistStores.for_target``); a plain single store,
    which has no ``for_target``, serves every product itself."""
    pick = getattr(stores, "for_target", None)
    if pick is None:
        return stores
    store: WhitelistStore = pick(product, options)
    return store


class LifecycleHooks(Protocol):
    """Answers ESS lifecycle hooks (``CompleteLifecycleAction``)."""

    def complete(self, region: str, hook_id: str, token: str, result: str) -> None:
        """Answer the hook's pending action with ``result`` (``CONTINUE`` or ``ABANDON``)."""
        ...


AccountPorts = Callable[[str], tuple[InstanceInventory, WhitelistStore]]
"""The inventory and stores of another account, by its name under ``accounts:``: calls
through them act in that account (an assumed role) and raise the STS ``CloudError`` when
its role cannot be assumed."""

AccountHooks = Callable[[str], LifecycleHooks]
"""The lifecycle-hook port of an account, by name (``""``: the function's own)."""


class DatabaseCatalog(Protocol):
    """Lists a product's database instances (``audit --all-instances`` only)."""

    def list_databases(self, product: str, region: str) -> list[str]:
        """The id of every instance of ``product`` (a product table key) in ``region``
        (all pages, every kind); complete or raises ``CloudError``."""
        ...
