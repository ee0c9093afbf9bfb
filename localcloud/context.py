"""What an action may need from the transport: an injectable, interruptible pause."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from localcloud.principals import Principal


@dataclass
class CallContext:
    """Per-call context; ``delay_s`` comes from a delay fault and is slept once per call.

    ``caller`` is who signed the call (None for calls made without one, e.g. by a test
    straight into a model) and ``now`` localcloud's clock when the call came in.
    """

    delay_s: float = 0.0
    stopping: threading.Event = field(default_factory=threading.Event)
    paused: bool = False
    caller: Principal | None = None
    now: float = 0.0

    def pause(self) -> None:
        """Sleep the injected delay (the first time only); returns early when stopping.

        Actions call this at the point where the real service does its work (for
        ModifySecurityIps: while holding the instance lock), so that a delay widens
        the window in which calls overlap.
        """
        if self.paused:
            return
        self.paused = True
        if self.delay_s > 0:
            self.stopping.wait(self.delay_s)
