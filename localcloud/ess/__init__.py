"""ESS (Auto Scaling) 2022-02-22: CompleteLifecycleAction, recorded in the state."""

from localcloud.ess.models import EssModel
from localcloud.ess.responses import PRODUCT, VERSION, complete_lifecycle_action

__all__ = ["PRODUCT", "VERSION", "EssModel", "complete_lifecycle_action"]
