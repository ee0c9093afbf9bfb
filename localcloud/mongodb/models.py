"""MongoDB's whitelist rules: 1000 entries per group (as Redis), groups as Redis names them."""

from __future__ import annotations

import re

from localcloud.mongodb import exceptions as e
from localcloud.whitelist import Codes, Rules, Shape, WhitelistModel

RULES = Rules(
    product="Dds",
    shape=Shape(
        id_field="DBInstanceId",
        status_field="DBInstanceStatus",
        groups_field="SecurityIpGroups",
        name_field="SecurityIpGroupName",
        attribute_field="SecurityIpGroupAttribute",
        list_field="SecurityIpList",
    ),
    codes=Codes(
        not_found=e.InvalidDBInstanceIdNotFound,
        bad_state=e.IncorrectDBInstanceState,
        ip_format=e.InvalidSecurityIPListFormat,
        list_duplicate=e.InvalidSecurityIPListDuplicate,
        already_there=e.InvalidInstanceIpDuplicate,
        not_there=e.InvalidSecurityIPsNotFound,
        quota=e.InvalidSecurityIPListQuotaExceeded,
        group_quota=e.SecurityIPGroupQuotaExceeded,
        group_name=e.InvalidGroupNameFormat,
        system_group=e.SystemGroupDenied,
    ),
    group_name=re.compile(r"[a-z][a-z0-9_]{0,30}[a-z0-9]"),
    max_groups=50,  # INFERRED: no MongoDB source states a group limit
    cap_per_instance=False,
)


def new_model() -> WhitelistModel:
    """An empty MongoDB backend."""
    return WhitelistModel(RULES)
