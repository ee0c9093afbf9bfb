"""MongoDB (Dds 2015-12-01): DescribeSecurityIps and ModifySecurityIps."""

from localcloud.mongodb.models import RULES, new_model
from localcloud.mongodb.responses import describe_security_ips, modify_security_ips

__all__ = ["RULES", "describe_security_ips", "modify_security_ips", "new_model"]
