"""PolarDB 2017-08-01 errors, one class per code (see docs/localcloud.md for the evidence)."""

from __future__ import annotations

from localcloud.errors import CloudError


class InvalidDBClusterIdNotFound(CloudError):
    CODE = "InvalidDBClusterId.NotFound"
    STATUS = 404
    MESSAGE = "The DBClusterId provided does not exist in our records."


class OperationDeniedDBClusterStatus(CloudError):
    CODE = "OperationDenied.DBClusterStatus"
    STATUS = 400
    MESSAGE = "The operation is not permitted due to status of cluster."


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
    # INFERRED: PolarDB's answer to an Append of a present entry is not documented.
    CODE = "InvalidInstanceIp.Duplicate"
    STATUS = 400
    MESSAGE = "The Specified same security IP already exists."


class InvalidSecurityIPsNotFound(CloudError):
    # INFERRED, as for RDS and MongoDB.
    CODE = "InvalidSecurityIPs.NotFound"
    STATUS = 404
    MESSAGE = "The Specified same security IP does not exist or at least one security IP need."


class InvalidSecurityIPListQuotaExceeded(CloudError):
    # The limit is 1000 entries per cluster, all groups together.
    CODE = "InvalidSecurityIPList.QuotaExceeded"
    STATUS = 400
    MESSAGE = "The number of IP addresses of the cluster exceeds the quota of 1000."


class WhitelistGroupQuotaExceeded(CloudError):
    # INFERRED code; the limit of 50 groups per cluster is documented.
    CODE = "QuotaExceeded.WhitelistGroup"
    STATUS = 400
    MESSAGE = "The number of whitelist groups exceeds the quota of 50."


class InvalidDBClusterIPArrayNameMalformed(CloudError):
    # INFERRED code; the rule (2-120 lowercase letters and digits) is documented.
    CODE = "InvalidDBClusterIPArrayName.Malformed"
    STATUS = 400
    MESSAGE = "Specified DBClusterIPArrayName is not valid."


class SystemGroupDenied(CloudError):
    # INFERRED code; the rule (service groups cannot be modified) is documented.
    CODE = "OperationDenied.SystemGroup"
    STATUS = 403
    MESSAGE = "You cannot modify a system-generated whitelist group."
