"""What one database product's whitelist API looks like, as data (pure).

A ``ProductSpec`` says everything the function needs to know about a product: how its
instance ids look, which groups are its own system groups, how many entries fit, and the
read and write it calls (actions, parameter names, where the list sits in the answer,
which refusals mean "already done"). The store family in ``aliyun/stores`` and the
configuration are driven by it; only real differences are code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field

from whitelist_core.core.values import frozen

ENTRIES_LIMIT = 1000
"""Every product's limit: 1000 entries, per group or per instance (see ``Capacity``)."""


@frozen
class Capacity:
    """How many entries fit. ``per_instance``: the limit counts every group of the
    instance, foreign ones included, so an owned group has what the others leave."""

    entries: int = ENTRIES_LIMIT
    per_instance: bool = False
    groups: int | None = None
    """How many groups an instance may have, as the product documents it (None: not
    documented). The one source of the figure the docs repeat (a test checks them)."""

    def room(self, held_elsewhere: int) -> int:
        """Entries the owned group may hold, given what the instance's other groups hold."""
        if not self.per_instance:
            return self.entries
        return max(0, self.entries - held_elsewhere)


@frozen
class Endpoint:
    """How the API's regional host is found (the official SDK's rule) and overridden."""

    prefix: str
    """``<prefix>[-vpc].<region>.aliyuncs.com`` for regions outside ``regional``."""
    variable: str
    """The environment variable whose base URL replaces the host for every region."""
    regional: Mapping[str, str] = field(default_factory=dict)
    """The SDK's endpoint map: region -> host (it wins over the network choice)."""


@frozen
class Read:
    """The read action and where its answer keeps the groups."""

    action: str
    id_param: str
    path: tuple[str, ...]
    name: str
    attribute: str
    entries: str


@frozen
class Write:
    """The write action and its parameter names (``ModifyMode`` is common to all)."""

    action: str
    id_param: str
    group_param: str
    attribute_param: str
    entries_param: str = "SecurityIps"
    fixed: Mapping[str, str] = field(default_factory=dict)
    """Parameters sent on every write (e.g. RDS ``SecurityIPType=IPv4``)."""


@frozen
class Ram:
    """RAM: the service prefix of the actions and the instance's resource ARN form."""

    service: str
    resource: str
    """With ``{region}``, ``{account}`` and ``{id}`` placeholders."""


@frozen
class Catalog:
    """The product's list API, paged by ``PageNumber``/``PageSize``: only ``audit
    --all-instances`` calls it, with the user's own credentials (never the function)."""

    action: str
    items: tuple[str, str]
    """Where the answer keeps the page's instances: ``("Items", "DBInstance")``."""
    id_field: str
    total: str
    """The answer's count of every instance listed: ``TotalCount`` or ``TotalRecordCount``."""
    kinds: tuple[tuple[str, str], ...] = ()
    """Parameters of separate listings that together list every instance (MongoDB lists
    replica sets unless ``DBInstanceType=sharding`` is asked for)."""


@frozen
class ProductSpec:
    """One whitelist product (Redis, RDS, PolarDB, MongoDB, ...)."""

    name: str
    title: str
    version: str
    instance_id: str
    """A regular expression the whole instance id must match."""
    instance_id_form: str
    endpoint: Endpoint
    read: Read
    write: Write
    ram: Ram
    capacity: Capacity = Capacity()
    reserved_groups: frozenset[str] = frozenset()
    """System and service groups this product creates; never owned."""
    group_name: str = r"[a-z][a-z0-9_]{0,30}[a-z0-9]"
    """A regular expression an owned group's name must match (on top of the common rule)."""
    group_rule: str = ""
    already_there: frozenset[str] = frozenset()
    """Codes an ``Append`` refusal carries when the entries are already in the group."""
    already_absent: frozenset[str] = frozenset()
    """Codes a ``Delete`` refusal carries when the entries are already gone."""
    not_found: frozenset[str] = frozenset()
    busy: frozenset[str] = frozenset()
    """Codes for an instance that cannot take a write now (retried until the deadline)."""
    network_param: str = ""
    """RDS only: the parameter naming the network a group serves (``WhitelistNetworkType``)."""
    catalog: Catalog | None = None

    def claims_done(self, mode: str, code: str) -> bool:
        """True for a refusal meaning "already there" (Append) or "already absent" (Delete)."""
        if mode == "Append":
            return code in self.already_there or code.lower().endswith(".duplicate")
        if mode == "Delete":
            lowered = code.lower()
            generic = lowered.startswith("invalidsecurityip") and lowered.endswith(".notfound")
            return code in self.already_absent or generic
        return False
