"""ECS 2014-05-26: DescribeInstances."""

from localcloud.ecs.models import EcsModel
from localcloud.ecs.responses import describe_instances

__all__ = ["EcsModel", "describe_instances"]
