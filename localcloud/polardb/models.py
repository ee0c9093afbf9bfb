"""PolarDB's whitelist rules: 1000 entries per cluster across all groups, 50 groups."""

from __future__ import annotations

import re

from localcloud.polardb import exceptions as e
from localcloud.whitelist import Codes, Rules, Shape, WhitelistModel

RULES = Rules(
    product="polardb",
    shape=Shape(
        id_field="DBClusterId",
        status_field="DBClusterStatus",
        groups_field="DBClusterIPArray",
        name_field="DBClusterIPArrayName",
        attribute_field="DBClusterIPArrayAttribute",
        list_field="SecurityIps",
    ),
    codes=Codes(
        not_found=e.InvalidDBClusterIdNotFound,
        bad_state=e.OperationDeniedDBClusterStatus,
        ip_format=e.InvalidSecurityIPListFormat,
        list_duplicate=e.InvalidSecurityIPListDuplicate,
        already_there=e.InvalidInstanceIpDuplicate,
        not_there=e.InvalidSecurityIPsNotFound,
        quota=e.InvalidSecurityIPListQuotaExceeded,
        group_quota=e.WhitelistGroupQuotaExceeded,
        group_name=e.InvalidDBClusterIPArrayNameMalformed,
        system_group=e.SystemGroupDenied,
    ),
    # The documented rule: 2-120 lowercase letters and digits, starting with a letter.
    group_name=re.compile(r"[a-z][a-z0-9]{0,118}[a-z0-9]"),
    max_groups=50,
    cap_per_instance=True,
)


def new_model() -> WhitelistModel:
    """An empty PolarDB backend."""
    return WhitelistModel(RULES)
