"""localcloud: a local stand-in for the ECS and R-KVStore APIs (moto-style).

It imports nothing from ``whitelist_core``: it is an independent oracle.
"""

from localcloud.backend import Backend
from localcloud.builders import make_group, make_instance, make_redis_instance, make_seed
from localcloud.errors import CloudError
from localcloud.server import LocalCloudServer
from localcloud.state import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, CloudState

__all__ = [
    "DEFAULT_ACCESS_KEY_ID",
    "DEFAULT_ACCESS_KEY_SECRET",
    "Backend",
    "CloudError",
    "CloudState",
    "LocalCloudServer",
    "make_group",
    "make_instance",
    "make_redis_instance",
    "make_seed",
]
