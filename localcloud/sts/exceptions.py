"""STS's own refusals of ``AssumeRole`` (the gateway's token errors live in errors.py).

Codes and messages from Alibaba's STS error pages and the AssumeRole troubleshooting
table; HTTP statuses where no page gives them are inferences (docs/localcloud.md).
"""

from __future__ import annotations

from typing import ClassVar

from localcloud.errors import CloudError


class NoPermission(CloudError):
    """The role's trust policy does not let the caller in (or its ExternalId is wrong)."""

    CODE = "NoPermission"
    STATUS = 403
    MESSAGE = "No permission perform sts:AssumeRole on this Role."


class CallerNoPermission(NoPermission):
    """The caller's own RAM policy does not allow ``sts:AssumeRole`` (seeded ``Denied``)."""

    MESSAGE = "You are not authorized to do this action. You should be authorized by RAM."


class EntityNotExistRole(CloudError):
    """No role of that name in that account."""

    CODE = "EntityNotExist.Role"
    STATUS = 404

    def __init__(self, arn: str) -> None:
        super().__init__(f"The role not exists: {arn}")


class InvalidStsParameter(CloudError):
    """``InvalidParameter.<Name>``: STS's form of a malformed parameter."""

    STATUS = 400
    MESSAGES: ClassVar[dict[str, str]] = {
        "RoleArn": "The parameter RoleArn is wrongly formed.",
        "RoleSessionName": "The parameter RoleSessionName is wrongly formed.",
        "DurationSeconds": "The Min/Max value of DurationSeconds is 15min/{max}.",
        "PolicyGrammar": "The parameter Policy has not passed grammar check.",
        "ExternalId": "The parameter ExternalId is wrongly formed.",
    }

    def __init__(self, name: str, max_seconds: int = 3600) -> None:
        limit = f"{max_seconds // 3600}hr" if max_seconds % 3600 == 0 else f"{max_seconds}s"
        super().__init__(self.MESSAGES[name].format(max=limit))
        self.code = f"InvalidParameter.{name}"
