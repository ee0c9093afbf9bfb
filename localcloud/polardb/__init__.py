"""PolarDB 2017-08-01: DescribeDBClusterAccessWhitelist and ModifyDBClusterAccessWhitelist."""

from localcloud.polardb.models import RULES, new_model
from localcloud.polardb.responses import (
    describe_db_cluster_access_whitelist,
    modify_db_cluster_access_whitelist,
)

__all__ = [
    "RULES",
    "describe_db_cluster_access_whitelist",
    "modify_db_cluster_access_whitelist",
    "new_model",
]
