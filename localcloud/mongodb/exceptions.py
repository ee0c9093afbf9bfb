"""MongoDB (Dds 2015-12-01) errors, one class per code (see docs/localcloud.md for the evidence)."""

from __future__ import annotations

from localcloud.errors import CloudError


class InvalidDBInstanceIdNotFound(CloudError):
    CODE = "InvalidDBInstanceId.NotFound"
    STATUS = 404
    MESSAGE = "The specified instance is not found."


class IncorrectDBInstanceState(CloudError):
    # MongoDB answers this code with HTTP 400 (RDS and Redis use 403).
    CODE = "IncorrectDBInstanceState"
    STATUS = 400
    MESSAGE = "Current DB instance state does not support this operation."


class InvalidSecurityIPListFormat(CloudError):
    # INFERRED (the R-KVStore/RDS family's code).
    CODE = "InvalidSecurityIPList.Format"
    STATUS = 400
    MESSAGE = "Specified security IP list is not valid."


class InvalidSecurityIPListDuplicate(CloudError):
    CODE = "InvalidSecurityIPList.Duplicate"
    STATUS = 400
    MESSAGE = "Specified security IP list is not valid: Duplicate IP address in the list."


class InvalidInstanceIpDuplicate(CloudError):
    # The documented message really talks about quota.
    CODE = "InvalidInstanceIp.Duplicate"
    STATUS = 400
    MESSAGE = "The quota of security ip exceeds."


class InvalidSecurityIPsNotFound(CloudError):
    CODE = "InvalidSecurityIPs.NotFound"
    STATUS = 404
    MESSAGE = "The Specified same security IP does not exist or at least one security IP need."


class InvalidSecurityIPListQuotaExceeded(CloudError):
    # INFERRED code; the limit of 1000 entries per group is documented.
    CODE = "InvalidSecurityIPList.QuotaExceeded"
    STATUS = 400
    MESSAGE = "The number of IP addresses in the whitelist group exceeds the quota of 1000."


class SecurityIPGroupQuotaExceeded(CloudError):
    # INFERRED code and limit (50 groups, as for PolarDB).
    CODE = "InvalidSecurityIPGroup.QuotaExceeded"
    STATUS = 400
    MESSAGE = "The number of whitelist groups exceeds the quota."


class InvalidGroupNameFormat(CloudError):
    # INFERRED (Redis's documented code).
    CODE = "InvalidGroupName.Format"
    STATUS = 400
    MESSAGE = "Specified group name is not valid."


class SystemGroupDenied(CloudError):
    # INFERRED code; the rule (service groups cannot be modified) is documented.
    CODE = "OperationDenied.SystemGroup"
    STATUS = 403
    MESSAGE = "You cannot modify a system-generated whitelist group."
