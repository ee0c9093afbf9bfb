"""The error base shared by both APIs, and the gateway's own errors.

Every error an action can answer is a :class:`CloudError`. The gateway errors
(signature, credentials, missing or invalid common parameters) live here; the
product-specific ones live in ``ecs/exceptions.py`` and ``kvstore/exceptions.py``.
Codes, HTTP statuses and messages follow the Alibaba Cloud POP gateway's table
of client errors (see docs/localcloud.md for the sources and the guesses).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class CloudError(Exception):
    """An error answered as ``{"RequestId","HostId","Code","Message","Recommend"}``."""

    CODE = "InternalError"
    STATUS = 500
    MESSAGE = "The request processing has failed due to some unknown error."

    def __init__(self, message: str | None = None) -> None:
        self.code: str = self.CODE
        self.status: int = self.STATUS
        self.message: str = message if message is not None else self.MESSAGE
        self.headers: dict[str, str] = {}
        self.extra: dict[str, Any] = {}  # more keys of the error body (AccessDeniedDetail)
        super().__init__(f"{self.code}: {self.message}")


class CustomError(CloudError):
    """An error whose code and status are chosen at run time (injected faults)."""

    def __init__(self, code: str, status: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


class MissingParameter(CloudError):
    """A mandatory parameter is absent: the gateway answers ``Missing<Name>``."""

    STATUS = 400

    def __init__(self, name: str) -> None:
        super().__init__(f"{name} is mandatory for this action.")
        self.code = f"Missing{name}"


class InvalidParameter(CloudError):
    """A parameter fails the gateway's type/enum check: ``Invalid<Name>``."""

    STATUS = 400

    def __init__(self, name: str, detail: str = "") -> None:
        suffix = f" {detail}" if detail else ""
        super().__init__(f"Specified parameter {name} is not valid.{suffix}")
        self.code = f"Invalid{name}"


class InvalidApiNotFound(CloudError):
    CODE = "InvalidApi.NotFound"
    STATUS = 404
    MESSAGE = "Specified api is not found, please check your url and method."


class SignatureDoesNotMatch(CloudError):
    CODE = "SignatureDoesNotMatch"
    STATUS = 400
    MESSAGE = "Specified signature is not matched with our calculation."


class IncompleteSignature(CloudError):
    CODE = "IncompleteSignature"
    STATUS = 400
    MESSAGE = "The request signature does not conform to Aliyun standards."


class InvalidSignatureMethod(CloudError):
    CODE = "InvalidSignatureMethod"
    STATUS = 400
    MESSAGE = "Specified signature method is not valid."


class InvalidAccessKeyIdNotFound(CloudError):
    CODE = "InvalidAccessKeyId.NotFound"
    STATUS = 404
    MESSAGE = "Specified access key is not found."


class IllegalTimestamp(CloudError):
    CODE = "IllegalTimestamp"
    STATUS = 400
    MESSAGE = (
        'The input parameter "Timestamp" that is mandatory for processing this request'
        " is not supplied."
    )


class InvalidTimeStampFormat(CloudError):
    CODE = "InvalidTimeStamp.Format"
    STATUS = 400
    MESSAGE = "Specified time stamp or date value is not well formatted."


class InvalidTimeStampExpired(CloudError):
    CODE = "InvalidTimeStamp.Expired"
    STATUS = 400
    MESSAGE = "Specified time stamp or date value is expired."


class SignatureNonceUsed(CloudError):
    CODE = "SignatureNonceUsed"
    STATUS = 400
    MESSAGE = "Specified signature nonce was used already."


class DryRunOperation(CloudError):
    CODE = "DryRunOperation"
    STATUS = 400
    MESSAGE = "Request validation has been passed with DryRun flag set."


class ForbiddenRam(CloudError):
    """The caller's RAM policy does not allow the action (seeded with ``Denied``)."""

    CODE = "Forbidden.RAM"
    STATUS = 403
    MESSAGE = (
        "User not authorized to operate on the specified resource, or this API doesn't support RAM."
    )

    def __init__(self, detail: Mapping[str, str] | None = None) -> None:
        super().__init__()
        if detail is not None:
            self.extra["AccessDeniedDetail"] = dict(detail)


class MissingSecurityToken(CloudError):
    """Temporary credentials (an ``STS.`` AccessKeyId) sent without their token."""

    CODE = "MissingSecurityToken"
    STATUS = 400
    MESSAGE = "SecurityToken is mandatory for this action."


class InvalidSecurityTokenExpired(CloudError):
    """Temporary credentials past their ``Expiration`` on localcloud's clock."""

    CODE = "InvalidSecurityToken.Expired"
    STATUS = 400
    MESSAGE = "Specified SecurityToken is expired."


class InvalidSecurityTokenMismatch(CloudError):
    """A token that STS issued, but with other temporary credentials."""

    CODE = "InvalidSecurityToken.MismatchWithAccessKey"
    STATUS = 400
    MESSAGE = "Specified SecurityToken mismatch with the AccessKey."


class InvalidSecurityTokenMalformed(CloudError):
    """A token STS never issued."""

    CODE = "InvalidSecurityToken.Malformed"
    STATUS = 400
    MESSAGE = "Specified SecurityToken is malformed."
