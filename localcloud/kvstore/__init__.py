"""R-KVStore 2015-01-01: DescribeSecurityIps and ModifySecurityIps."""

from localcloud.kvstore.models import KvstoreModel, RedisInstance, SecurityIpGroup
from localcloud.kvstore.responses import describe_security_ips, modify_security_ips

__all__ = [
    "KvstoreModel",
    "RedisInstance",
    "SecurityIpGroup",
    "describe_security_ips",
    "modify_security_ips",
]
