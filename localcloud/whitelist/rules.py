"""What differs between the whitelist products: wire field names, limits, error classes."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from localcloud.errors import CloudError

MODES = ("Cover", "Append", "Delete")
SERVICE_GROUPS = frozenset({"ali_dms_group", "hdm_security_ips", "dms"})
"""Groups that DMS and DAS create; their name alone makes them read-only."""


@dataclass(frozen=True)
class Shape:
    """The product's field names for an instance and its groups (seed, state and answers)."""

    id_field: str
    status_field: str
    groups_field: str
    name_field: str
    attribute_field: str
    list_field: str


@dataclass(frozen=True)
class Codes:
    """The error class the product answers for each broken rule."""

    not_found: type[CloudError]
    bad_state: type[CloudError]
    ip_format: type[CloudError]
    list_duplicate: type[CloudError]
    already_there: type[CloudError]
    not_there: type[CloudError]
    quota: type[CloudError]
    group_quota: type[CloudError]
    group_name: type[CloudError]
    system_group: type[CloudError]


@dataclass(frozen=True)
class Rules:
    """One product's whitelist rules.

    ``cap_per_instance``: the ``max_entries`` limit counts every group of the instance
    (RDS, PolarDB) instead of each group on its own (MongoDB, like Redis).
    ``group_fields``: extra per-group fields and their default (RDS ``WhitelistNetworkType``).
    """

    product: str
    shape: Shape
    codes: Codes
    group_name: re.Pattern[str]
    max_groups: int
    cap_per_instance: bool
    running: str = "Running"
    default_group: str = "default"
    max_entries: int = 1000
    system_groups: frozenset[str] = SERVICE_GROUPS
    group_fields: Mapping[str, str] = field(default_factory=dict)
