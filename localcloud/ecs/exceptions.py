"""ECS errors, one class per code (see docs/localcloud.md for the evidence)."""

from __future__ import annotations

from localcloud.errors import CloudError


class InvalidInstanceIdsMalformed(CloudError):
    CODE = "InvalidInstanceIds.Malformed"
    STATUS = 400
    MESSAGE = "The specified InstanceIds is not valid."


class TooManyInstanceIds(CloudError):
    CODE = "InvalidParameter.TooManyInstanceIds"
    STATUS = 403
    MESSAGE = "Instance ids cannot be more than 100."


class EcsInvalidParameter(CloudError):
    """A filter value the API cannot use (a bad IP list, a tag index outside 1..20)."""

    CODE = "InvalidParameter"
    STATUS = 400
    MESSAGE = "The specified parameter is not valid."

    def __init__(self, name: str) -> None:
        super().__init__(f"The specified parameter {name} is not valid.")
