"""Real adapters for the ports: signed, retrying clients of ECS and R-KVStore (re-exports)."""

from whitelist_core.aliyun.cache import CachedInventory
from whitelist_core.aliyun.credentials import Credentials, load_credentials
from whitelist_core.aliyun.ecs import EcsInventory
from whitelist_core.aliyun.endpoints import Endpoints
from whitelist_core.aliyun.factory import make_clients
from whitelist_core.aliyun.kvstore import KvstoreWhitelistStore
from whitelist_core.aliyun.rpc import RpcClient

__all__ = [
    "CachedInventory",
    "Credentials",
    "EcsInventory",
    "Endpoints",
    "KvstoreWhitelistStore",
    "RpcClient",
    "load_credentials",
    "make_clients",
]
