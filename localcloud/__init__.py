"""localcloud: a local stand-in for the Alibaba Cloud APIs the function uses (moto-style).

ECS, R-KVStore, RDS, PolarDB, MongoDB, ESS and STS, in one or several accounts.

It imports nothing from ``whitelist_core``: it is an independent oracle.
"""

from localcloud.accounts import DEFAULT_ACCOUNT_ID
from localcloud.backend import Backend
from localcloud.builders import make_group, make_instance, make_redis_instance, make_seed
from localcloud.errors import CloudError
from localcloud.server import LocalCloudServer
from localcloud.state import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, CloudState

__all__ = [
    "DEFAULT_ACCESS_KEY_ID",
    "DEFAULT_ACCESS_KEY_SECRET",
    "DEFAULT_ACCOUNT_ID",
    "Backend",
    "CloudError",
    "CloudState",
    "LocalCloudServer",
    "make_group",
    "make_instance",
    "make_redis_instance",
    "make_seed",
]
