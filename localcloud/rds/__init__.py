"""RDS 2014-08-15: DescribeDBInstanceIPArrayList and ModifySecurityIps."""

from localcloud.rds.models import RULES, new_model
from localcloud.rds.responses import describe_db_instance_ip_array_list, modify_security_ips

__all__ = ["RULES", "describe_db_instance_ip_array_list", "modify_security_ips", "new_model"]
