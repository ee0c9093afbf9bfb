"""The events the cloud would deliver to the function (EventBridge CloudEvents,
CloudMonitor system events, FC timer and FC 3.0 HTTP trigger events), in the shapes
``tests/events/README.md`` gives the provenance of. Used by tests, the demo and the
benchmarks.

Account ids (``account=``, default :data:`ACCOUNT`), ARNs and times are placeholders;
event ids are unique per process.
"""

from localcloud.events.common import ACCOUNT
from localcloud.events.ecs import (
    cloudmonitor_eni_private_ip_change,
    cloudmonitor_state_change,
    ecs_state_change,
    eni_private_ip_change,
    vswitch_changed,
)
from localcloud.events.ess import ess_lifecycle_hook, ess_scale_out
from localcloud.events.fc import encode, http_event, timer_event

__all__ = [
    "ACCOUNT",
    "cloudmonitor_eni_private_ip_change",
    "cloudmonitor_state_change",
    "ecs_state_change",
    "encode",
    "eni_private_ip_change",
    "ess_lifecycle_hook",
    "ess_scale_out",
    "http_event",
    "timer_event",
    "vswitch_changed",
]
