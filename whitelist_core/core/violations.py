"""A violation: one broken policy rule, as a value (pure).

Policy produces violations and the planner enforces them on a plan; both import this
module, so neither has to import the other for the type.
"""

from __future__ import annotations

from typing import Literal

from whitelist_core.core.values import frozen

__all__ = ["Scope", "Severity", "Violation"]

Severity = Literal["block", "warn"]
Scope = Literal["add", "remove", "target"]


@frozen
class Violation:
    """One broken rule: a stable ``code``, a sentence, and what it applies to."""

    code: str
    message: str
    scope: Scope = "add"
    entry: str = ""
    severity: Severity = "block"
