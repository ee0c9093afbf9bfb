"""R-KVStore errors, one class per code (see docs/localcloud.md for the evidence)."""

from __future__ import annotations

from localcloud.errors import CloudError


class InvalidInstanceIdNotFound(CloudError):
    CODE = "InvalidInstanceId.NotFound"
    STATUS = 404
    MESSAGE = "The specified instance is not found."


class IncorrectDBInstanceState(CloudError):
    CODE = "IncorrectDBInstanceState"
    STATUS = 403
    MESSAGE = "Current DB instance state does not support this operation."


class InvalidGroupNameFormat(CloudError):
    CODE = "InvalidGroupName.Format"
    STATUS = 400
    MESSAGE = "Sepecified group name is not valid."  # sic: the real message's spelling


class SystemGroupDenied(CloudError):
    # No public source names this code; the rule itself is documented.
    CODE = "OperationDenied.SystemGroup"
    STATUS = 403
    MESSAGE = "You cannot modify a system-generated whitelist group."


class InvalidSecurityIPListFormat(CloudError):
    CODE = "InvalidSecurityIPList.Format"
    STATUS = 400
    MESSAGE = "Specified security IP list is not valid."


class InvalidSecurityIPListDuplicate(CloudError):
    CODE = "InvalidSecurityIPList.Duplicate"
    STATUS = 400
    MESSAGE = "Specified security IP list is not valid: Duplicate IP address in the list."


class InvalidSecurityIPListQuotaExceeded(CloudError):
    CODE = "InvalidSecurityIPList.QuotaExceeded"
    STATUS = 400
    MESSAGE = "The number of IP addresses in the whitelist group exceeds the quota of 1000."


class InvalidInstanceIpDuplicate(CloudError):
    CODE = "InvalidInstanceIp.Duplicate"
    STATUS = 400
    MESSAGE = "The Specified same security IP already exists."


class InvalidSecurityIPsNotFound(CloudError):
    CODE = "InvalidSecurityIPs.NotFound"
    STATUS = 404
    MESSAGE = "The Specified same security IP does not exist or at least one security IP need."


class LockTimeout(CloudError):
    CODE = "LockTimeout"
    STATUS = 400
    MESSAGE = "The request processing has failed due to lock timeout."
