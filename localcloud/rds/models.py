"""RDS's whitelist rules: 1000 entries per instance across all groups, 200 groups."""

from __future__ import annotations

import re

from localcloud.rds import exceptions as e
from localcloud.whitelist import Codes, Rules, Shape, WhitelistModel

NETWORK_TYPES = ("Classic", "VPC", "MIX")
ENHANCED_MODE = "safety"
"""``SecurityIPMode`` of an instance in enhanced whitelist mode (``normal``: standard mode)."""

RULES = Rules(
    product="Rds",
    shape=Shape(
        id_field="DBInstanceId",
        status_field="DBInstanceStatus",
        groups_field="DBInstanceIPArray",
        name_field="DBInstanceIPArrayName",
        attribute_field="DBInstanceIPArrayAttribute",
        list_field="SecurityIPList",
    ),
    codes=Codes(
        not_found=e.InvalidDBInstanceNotFound,
        bad_state=e.IncorrectDBInstanceState,
        ip_format=e.SecurityIPListFormat,
        list_duplicate=e.InvalidSecurityIPListDuplicate,
        already_there=e.InvalidInstanceIpDuplicate,
        not_there=e.InvalidSecurityIPsNotFound,
        quota=e.InvalidSecurityIPListQuotaExceeded,
        group_quota=e.InvalidSecurityIPListGroupQuotaExceeded,
        group_name=e.InvalidGroupNameFormat,
        system_group=e.SystemGroupDenied,
    ),
    group_name=re.compile(r"[a-z][a-z0-9_]{0,30}[a-z0-9]"),
    max_groups=200,
    cap_per_instance=True,
    group_fields={"WhitelistNetworkType": "MIX"},
)


def new_model() -> WhitelistModel:
    """An empty RDS backend."""
    return WhitelistModel(RULES)
