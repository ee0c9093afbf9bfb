"""Policy: the safety rules a plan must pass (pure).

``check`` returns every violation of a plan; it never edits the plan. Blocking
violations name an entry (that entry is not added) or the removals as a whole (nothing
is removed for that target); warnings only inform. ``police`` is check then enforce,
with the capacity warning computed from the plan as enforced (what will really be
there: held-back removals stay, blocked additions do not come).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

from whitelist_core.core.entries import (
    is_placeholder,
    is_private,
    is_world,
    prefix_length,
    quad_number,
)
from whitelist_core.core.planner import enforce  # planner never imports policy: no cycle
from whitelist_core.core.violations import Violation

if TYPE_CHECKING:
    from whitelist_core.core.planner import TargetPlan


class Rules(Protocol):
    """The policy settings (``config.Policy`` satisfies it)."""

    @property
    def allow_public(self) -> bool: ...
    @property
    def min_prefix(self) -> int: ...
    @property
    def allow_world(self) -> bool: ...
    @property
    def max_removals(self) -> int: ...
    @property
    def max_removal_percent(self) -> int: ...
    @property
    def capacity_warn_percent(self) -> int: ...


def entry_violations(entry: str, rules: Rules) -> list[Violation]:
    """Why ``entry`` may not be whitelisted under ``rules`` (empty when it may)."""
    if is_placeholder(entry):
        return []
    if is_world(entry):
        if rules.allow_world:
            return []
        return [
            _v(
                "world_open",
                f"{entry} opens the instance to every address (needs allow_world)",
                entry,
            )
        ]
    found = []
    if prefix_length(entry) < rules.min_prefix:
        found.append(
            _v("too_wide", f"{entry} is wider than /{rules.min_prefix} (min_prefix)", entry)
        )
    if not rules.allow_public and not _is_private(entry):
        found.append(_v("public", f"{entry} is not a private address (needs allow_public)", entry))
    return found


@lru_cache(maxsize=65536)
def _is_private(entry: str) -> bool:
    """``is_private``, remembered per entry and computed without ``ipaddress`` for a
    plain address (``is_private`` builds an ``IPv4Network`` each time); a CIDR block or
    anything unusual goes to ``is_private`` itself."""
    number = None if "/" in entry else quad_number(entry)
    if number is None:
        return is_private(entry)
    return any(low <= number <= high for low, high in _PRIVATE_RANGES)


_PRIVATE_RANGES = (
    (10 << 24, (11 << 24) - 1),
    ((172 << 24) | (16 << 16), (172 << 24) | (32 << 16) - 1),
    ((192 << 24) | (168 << 16), (192 << 24) | (169 << 16) - 1),
    ((100 << 24) | (64 << 16), (100 << 24) | (128 << 16) - 1),
)
"""10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 and 100.64.0.0/10 as inclusive integer ranges
(the networks of ``entries.is_private``)."""


def _v(code: str, message: str, entry: str) -> Violation:
    return Violation(code=code, message=message, scope="add", entry=entry)


def check(plan: TargetPlan, rules: Rules) -> tuple[Violation, ...]:
    """Every violation of ``plan`` under ``rules``, additions first, in a stable order."""
    found: list[Violation] = []
    for change in plan.add:
        found.extend(entry_violations(change.entry, rules))
    blocked = {v.entry for v in found if v.scope == "add"}
    found.extend(removal_violations(plan, rules, blocked_additions=blocked))
    found.extend(capacity_warnings(plan, rules, blocked_additions=len(blocked)))
    return tuple(found)


def police(plan: TargetPlan, rules: Rules) -> TargetPlan:
    """``plan`` with policy enforced, and the capacity warning of the enforced plan."""
    violations = [v for v in check(plan, rules) if v.code != "capacity"]
    enforced = enforce(plan, violations)
    notes = tuple(v.message for v in capacity_warnings(enforced, rules))
    if not notes:
        return enforced
    return replace(enforced, warnings=enforced.warnings + notes, near_capacity=True)


def removal_violations(
    plan: TargetPlan, rules: Rules, *, blocked_additions: Iterable[str] = ()
) -> list[Violation]:
    """Removal limits; both are inclusive (exactly the limit is allowed).

    The share is counted against the target as it will be once this run's additions are
    in (the adoption rule): taking over 3 entries, 2 of them stale, while adding 5 hosts
    removes 2 of 8. An empty or shrunken listing adds nothing, so the share is then that
    of the groups as they are. Additions that policy blocks, and the placeholder, do not count.
    """
    # An entry leaving a target is one removal, however many of its groups held it.
    removals = {c.entry for c in plan.remove if not is_placeholder(c.entry)}
    skipped = set(blocked_additions)
    added = {c.entry for c in plan.add if c.entry not in skipped}
    owned = [e for e in {*plan.current, *added} if not is_placeholder(e)]
    count = len(removals)
    if count == 0:
        return []
    found = []
    if count > rules.max_removals:
        message = f"{count} removals exceed max_removals={rules.max_removals}; nothing removed"
        found.append(Violation("too_many_removals", message, scope="remove"))
    if owned and count * 100 > rules.max_removal_percent * len(owned):
        share = round(count * 100 / len(owned))
        message = (
            f"removing {count} of {len(owned)} entries ({share}%) exceeds "
            f"max_removal_percent={rules.max_removal_percent}; nothing removed"
        )
        found.append(Violation("removal_share", message, scope="remove"))
    return found


def capacity_warnings(
    plan: TargetPlan, rules: Rules, *, blocked_additions: int = 0
) -> list[Violation]:
    """A warning when the target would pass ``capacity_warn_percent`` of what its groups
    hold (1000 each; all its groups together; on RDS/PolarDB the instance's 1000, its
    other groups included), counting only the additions policy lets through, and the
    entries its groups hold but the function cannot parse (they take room too)."""
    size, limit = plan.fill
    size += sum(len(g.unparsed) for g in plan.held) - blocked_additions
    if size * 100 < rules.capacity_warn_percent * limit:
        return []
    groups = len(plan.layout.filling)
    if plan.shared:
        holder = f"instance (all groups, {plan.shared} in groups it does not own)"
    else:
        holder = "group" if groups == 1 else f"target ({groups} groups of {plan.capacity})"
    message = (
        f"{holder} would hold {size} of {limit} entries "
        f"(over capacity_warn_percent={rules.capacity_warn_percent})"
    )
    return [Violation("capacity", message, scope="target", severity="warn")]
