"""RDS 2014-08-15 errors, one class per code (see docs/localcloud.md for the evidence)."""

from __future__ import annotations

from localcloud.errors import CloudError


class InvalidDBInstanceNotFound(CloudError):
    CODE = "InvalidDBInstance.NotFound"
    STATUS = 404
    MESSAGE = "Specified instance does not exist or not support."


class IncorrectDBInstanceState(CloudError):
    CODE = "IncorrectDBInstanceState"
    STATUS = 403
    MESSAGE = "Current DB instance state does not support this operation."


class SecurityIPListFormat(CloudError):
    CODE = "SecurityIPList.Format"
    STATUS = 400
    MESSAGE = "Specified security IP list is not valid."


class InvalidSecurityIPListDuplicate(CloudError):
    CODE = "InvalidSecurityIPList.Duplicate"
    STATUS = 400
    MESSAGE = "Specified security IP list is not valid: Duplicate IP address in the list."


class InvalidInstanceIpDuplicate(CloudError):
    CODE = "InvalidInstanceIp.Duplicate"
    STATUS = 400
    MESSAGE = "The Specified same security IP already exists."


class InvalidSecurityIPsNotFound(CloudError):
    CODE = "InvalidSecurityIPs.NotFound"
    STATUS = 404
    MESSAGE = "The Specified same security IP does not exist or at least one security IP need."


class InvalidSecurityIPListQuotaExceeded(CloudError):
    # The limit is 1000 entries per instance, all groups together.
    CODE = "InvalidSecurityIPList.QuotaExceeded"
    STATUS = 400
    MESSAGE = "The number of IP addresses of the instance exceeds the quota of 1000."


class InvalidSecurityIPListGroupQuotaExceeded(CloudError):
    CODE = "InvalidSecurityIPListGroup.QuotaExceeded"
    STATUS = 400
    MESSAGE = "The number of whitelist groups exceeds the quota of 200."


class InvalidGroupNameFormat(CloudError):
    # INFERRED: no public source names RDS's code for a bad group name; Redis's is used.
    CODE = "InvalidGroupName.Format"
    STATUS = 400
    MESSAGE = "Specified group name is not valid."


class SystemGroupDenied(CloudError):
    # INFERRED code; the rule (service groups cannot be modified) is documented.
    CODE = "OperationDenied.SystemGroup"
    STATUS = 403
    MESSAGE = "You cannot modify a system-generated whitelist group."
