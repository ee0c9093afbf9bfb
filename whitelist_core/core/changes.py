"""Turning a placement into a plan's changes, each with its reason (pure).

``place_changes`` asks ``placement`` where each wanted entry goes and writes the answer
into a plan as additions, removals, moves, drops and kept entries, with placement's own
reasons: the capacity that left entries out and the draining groups that could not be
emptied yet. ``cleared`` takes a plan back to before placement, so that it can be
placed again (``enforcement``) and those reasons are stated afresh.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from whitelist_core.core.entries import PLACEHOLDER
from whitelist_core.core.placement import Layout, place
from whitelist_core.core.plan import Change, TargetPlan, entry_key, sort_changes
from whitelist_core.core.selection import Source

FILLER = "placeholder: the group may not be empty"
CAPACITY = "capacity: "
DRAIN = "drain: "


def cleared(plan: TargetPlan, *, add_only: bool | None = None) -> TargetPlan:
    """The plan before placement: no changes, and none of placement's own reasons (placing
    again states them afresh)."""
    empty = replace(plan, add=(), remove=(), keep=(), move=(), drop=(), unplaced=(), pending=())
    return replace(
        empty,
        add_only=plan.add_only if add_only is None else add_only,
        blocked=tuple(b for b in plan.blocked if not b.startswith(CAPACITY)),
        warnings=tuple(w for w in plan.warnings if not w.startswith(DRAIN)),
    )


def place_changes(
    blank: TargetPlan, wanted: Mapping[str, Source] | Mapping[str, Change], filler: str = ""
) -> TargetPlan:
    """Place ``wanted`` across the owned groups and turn the placement into changes."""
    layout = blank.layout
    held = set(blank.current)
    # Only new entries need an order (placement puts them in it); held ones stay put.
    order = [e for e in wanted if e in held] + sorted(
        (e for e in wanted if e not in held), key=entry_key
    )
    placement = place(layout, order, remove_stale=not blank.add_only)
    filler = filler or ("placeholder: nothing is selected" if not wanted else FILLER)
    add = [_in(e, wanted[e], g) for e, g in placement.add]
    add += [Change(PLACEHOLDER, filler, group=g) for g in placement.placeholder]
    remove = [_stale(e, g) for e, g in placement.remove]
    gone = "placeholder no longer needed"
    remove += [Change(PLACEHOLDER, gone, group=g) for g in placement.unplaceholder]
    keep = [_in(e, wanted[e], g) for e, g in placement.keep if e in wanted]
    filled = {g for _, g in (*placement.keep, *placement.add)} | {t for _, t, _ in placement.move}
    for name, content in zip(layout.groups, layout.held, strict=True):
        if PLACEHOLDER in content and name not in filled:
            keep.append(Change(PLACEHOLDER, filler, group=name))
    move = [_in(e, wanted[e], to, src) for e, to, src in placement.move]
    drop = [Change(e, f"duplicate: {home} holds it too", group=g) for e, g, home in placement.drop]
    return replace(
        blank,
        add=sort_changes(add) if placement.placeholder else tuple(add),  # already in numeric order
        remove=tuple(sorted(remove, key=lambda c: entry_key(c.entry))),
        keep=tuple(keep),
        move=tuple(move),
        drop=tuple(drop),
        unplaced=placement.unplaced,
        pending=tuple(_in(e, wanted[e], "") for e in placement.unplaced),
        blocked=blank.blocked + _capacity_reasons(layout, placement.unplaced),
        warnings=blank.warnings + _drain_notes(layout, placement.unmoved),
    )


def _capacity_reasons(layout: Layout, unplaced: Sequence[str]) -> tuple[str, ...]:
    if not unplaced:
        return ()
    count, groups = len(unplaced), len(layout.filling)
    sample = ", ".join(unplaced[:5]) + (", ..." if count > 5 else "")
    return (
        f"{CAPACITY}{count} entries not added ({sample}): {groups} group(s) of "
        f"{layout.capacity} hold at most {groups * layout.capacity} and everything already "
        "whitelisted stays; raise max_groups or narrow the selector",
    )


def _drain_notes(layout: Layout, unmoved: Sequence[str]) -> tuple[str, ...]:
    if not unmoved:
        return ()
    draining = ", ".join(layout.groups[len(layout.filling) :])
    return (
        f"{DRAIN}{len(unmoved)} entries stay in {draining} for now: the other groups are "
        "full (they stay whitelisted; do not lower max_groups yet)",
    )


def _in(entry: str, origin: Source | Change, group: str, from_group: str = "") -> Change:
    """The change for ``entry`` placed in ``group``, from its source or an earlier change
    (built directly, once per entry: plans hold thousands)."""
    return Change(entry, origin.reason, origin.instance_id, origin.instance_name, group, from_group)


def _stale(entry: str, group: str) -> Change:
    return Change(entry, "stale: no selected instance holds it and it is not static", group=group)
