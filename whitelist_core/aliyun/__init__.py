"""Real adapters for the ports: signed, retrying clients of the Alibaba Cloud APIs.

The layout says where each thing lives:

- ``transport/``: what every API shares. ``credentials`` (where the keys come from),
  ``signer`` (V3 signatures), ``rpc`` (send, decode, map errors, retry inside the
  deadline), ``retry`` (which answers are transient, backoff), ``endpoints`` (regional
  base URLs and overrides), ``answers`` (defensive readers of decoded JSON).
- ``ecs/``: the instance side, ECS ``DescribeInstances`` behind ``InstanceInventory``
  (``inventory``), the wire-to-``Instance`` decoding (``instances``) and the per-run
  listing cache (``cache``).
- ``stores/``: the whitelist side. ``whitelist`` is the one ``WhitelistStore`` every
  database product shares, driven by the product's spec in ``whitelist_core/products``
  (Redis/Tair, RDS, PolarDB, MongoDB); ``family`` hands each target its product's store;
  ``kvstore`` binds it to Redis (the default); ``network`` is RDS's one real difference.
  A new product is a spec there and a row in its table, not a module here.
- ``ess``: Auto Scaling's ``CompleteLifecycleAction``, the ``LifecycleHooks`` port. Any
  other API family the function comes to call gets its own module at this level, on the
  shared transport.
- ``factory``: the wiring, one transport and one set of adapters per invocation.

This ``__init__`` only re-exports.
"""

from whitelist_core.aliyun.ecs.cache import CachedInventory
from whitelist_core.aliyun.ecs.inventory import EcsInventory
from whitelist_core.aliyun.factory import make_clients
from whitelist_core.aliyun.stores.kvstore import KvstoreWhitelistStore
from whitelist_core.aliyun.transport.credentials import Credentials, load_credentials
from whitelist_core.aliyun.transport.endpoints import Endpoints
from whitelist_core.aliyun.transport.rpc import RpcClient

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
