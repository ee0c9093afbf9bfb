"""The re-check before removal: IPs are reused, so just before removing an entry ask
ECS who holds it *now*, and keep any entry an eligible instance holds, whatever the
earlier listing said. It looks each address up directly (``find_by_private_ips``), never
through a second listing that a moving page boundary could blind the same way. Without
the re-check nothing is removed (additions still go).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from whitelist_core.core.entries import PLACEHOLDER
from whitelist_core.core.planner import retain
from whitelist_core.core.selection import instance_entries, is_eligible
from whitelist_core.errors import CloudError
from whitelist_core.outcome import CloudFailure, TargetResult
from whitelist_core.ports import Instance, InstanceInventory
from whitelist_core.schema import Target


def recheck_removals(
    inventory: InstanceInventory,
    region: str,
    targets: Sequence[Target],
    drafts: list[TargetResult],
) -> list[TargetResult]:
    """Each draft with the removals an eligible instance holds now kept (one lookup for
    all of ``targets``), or with every removal held back when the lookup failed."""
    ips = sorted({c.entry for d in drafts for c in d.plan.remove if _is_host(c.entry)})
    if not ips:
        return drafts
    try:
        if _primary_only(targets):
            holders = inventory.find_by_private_ips(region, ips, primary_only=True)
        else:
            holders = inventory.find_by_private_ips(region, ips)
    except CloudError as exc:  # no removal without the re-check; additions still go
        return [_without_removals(d, exc) for d in drafts]
    return [_keep_held(t, d, holders) for t, d in zip(targets, drafts, strict=True)]


def _primary_only(targets: Sequence[Target]) -> bool:
    """True when only a VPC primary IP can make an instance hold a removed entry for these
    targets, so the re-check may look the addresses up by ``PrivateIpAddresses`` alone.

    Not when a target counts secondary IPs, nor when one may select a classic-network
    instance (no ``vpc_id`` in its selector: its address is the inner IP). The listing is
    not asked: a holder it failed to show is exactly the one the re-check must find.
    """
    return not any(t.secondary_ips or not t.selector.vpc_id for t in targets)


def _is_host(entry: str) -> bool:
    return "/" not in entry and entry != PLACEHOLDER


def _keep_held(target: Target, draft: TargetResult, holders: list[Instance]) -> TargetResult:
    held = {
        ip: h
        for h in holders
        if is_eligible(target, h)
        for ip in instance_entries(h, target.secondary_ips)
    }
    kept = {
        c.entry: f"kept {c.entry}: re-check found it held by {held[c.entry].instance_id}"
        for c in draft.plan.remove
        if c.entry in held
    }
    return replace(draft, plan=retain(draft.plan, kept)) if kept else draft


def _without_removals(draft: TargetResult, exc: CloudError) -> TargetResult:
    """The draft with its removals kept, carrying the re-check's error (the run fails)."""
    if not draft.plan.remove or draft.status == "error":
        return draft
    why = f"removals held back: the re-check before removing failed ({exc.code})"
    kept = {c.entry: f"kept {c.entry}: {why}" for c in draft.plan.remove}
    return replace(draft, plan=retain(draft.plan, kept), error=CloudFailure.from_error(exc))
