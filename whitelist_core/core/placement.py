"""Placement: which of a target's owned groups holds each entry (pure).

A target with ``max_groups: N`` owns ``group``, ``group_2``, ... ``group_N``. Placement
keeps every entry where it already is (stable), puts new entries first-fit into the
first group with room (so a spill-over group is only created when the ones before it
are full), takes removals out of whichever group holds the entry, and keeps one copy of
an entry found in two groups. The last ``drain`` groups are being given up: nothing new
goes there and their entries move to the others as room allows.

``group_writes`` turns a placement into each group's writes; ``writes`` orders them
(room first). Its names are importable from here too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from whitelist_core.core.entries import MAX_ENTRIES_PER_GROUP, PLACEHOLDER
from whitelist_core.core.values import frozen
from whitelist_core.core.writes import GroupWrite, Mode, Step, write_steps

__all__ = [
    "MAX_GROUPS",
    "GroupWrite",
    "Layout",
    "Mode",
    "Pair",
    "Placement",
    "Step",
    "group_writes",
    "owned_groups",
    "place",
    "placement_writes",
    "write_steps",
]

MAX_GROUPS = 10
"""The most groups one target may own (see docs/configuration.md, "Choosing max_groups")."""


def owned_groups(group: str, max_groups: int) -> tuple[str, ...]:
    """The names a target owns: ``group``, then ``group_2`` ... ``group_N``."""
    return (group, *(f"{group}_{n}" for n in range(2, max_groups + 1)))


@frozen
class Layout:
    """A target's owned groups in fill order and what each holds now (``()`` = absent)."""

    groups: tuple[str, ...]
    held: tuple[tuple[str, ...], ...]
    drain: int = 0
    capacity: int = MAX_ENTRIES_PER_GROUP
    unparsed: tuple[int, ...] = ()
    """Per group, how many entries it holds that are not in ``held`` (the function cannot
    parse them): they stay, and take room."""

    def others(self, group: str) -> int:
        """How many unparsed entries ``group`` holds."""
        return dict(zip(self.groups, self.unparsed, strict=False)).get(group, 0)

    @property
    def filling(self) -> tuple[str, ...]:
        """The groups new entries may go to (all but the draining ones)."""
        return self.groups[: len(self.groups) - self.drain]


@frozen
class Placement:
    """Where every entry goes. Pairs are ``(entry, group)``; moves and drops are
    ``(entry, group written, other group)``: a move is added to the first group and
    deleted from the second, a dropped duplicate is deleted from the first and stays
    in the second."""

    keep: tuple[tuple[str, str], ...] = ()
    add: tuple[tuple[str, str], ...] = ()
    remove: tuple[tuple[str, str], ...] = ()
    move: tuple[tuple[str, str, str], ...] = ()
    drop: tuple[tuple[str, str, str], ...] = ()
    unplaced: tuple[str, ...] = ()
    unmoved: tuple[str, ...] = ()
    placeholder: tuple[str, ...] = ()
    """Groups that end with nothing else and get the ``127.0.0.1`` placeholder."""
    unplaceholder: tuple[str, ...] = ()
    """Groups whose placeholder goes because real entries stay or arrive."""


def place(layout: Layout, wanted: Sequence[str], *, remove_stale: bool = True) -> Placement:
    """Place ``wanted`` (entries in the order new ones should be placed, no placeholder).

    With ``remove_stale`` False every entry held now stays, duplicate copies and
    placeholders included (an add-only run, or removals held back by policy), and counts
    against the room.
    """
    homes, dupes = _homes(layout)
    wanted_set = set(wanted)
    kept = {e: g for e, g in homes.items() if not remove_stale or e in wanted_set}
    room = _room(layout, kept, placeholders_stay=not remove_stale)
    new = [e for e in wanted if e not in homes]
    add, unplaced = _first_fit(new, layout.filling, room)
    draining = set(layout.groups) - set(layout.filling)
    leaving = [e for e, g in kept.items() if g in draining]
    moved, unmoved = _first_fit(leaving, layout.filling, room)
    moved_to = dict(moved)
    keep = tuple((e, g) for e, g in kept.items() if e not in moved_to)
    return Placement(
        keep=keep,
        add=tuple(add),
        remove=tuple((e, g) for e, h in homes.items() if e not in kept for g in dupes.get(e, (h,))),
        move=tuple((e, moved_to[e], kept[e]) for e, _ in moved),
        drop=tuple(
            (e, g, kept[e]) for e, gs in dupes.items() if e in kept and remove_stale for g in gs[1:]
        ),
        unplaced=tuple(unplaced),
        unmoved=tuple(unmoved),
        **_placeholders(
            remove_stale,
            layout,
            _filled(layout, keep, add, moved, kept, remove_stale),
            {g for _, g in (*add, *moved)},
        ),
    )


def _homes(layout: Layout) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Each held entry's home (the first filling group holding it, else the first group
    holding it), and for an entry held in several groups all of them, the home first."""
    homes: dict[str, str] = {}
    dupes: dict[str, list[str]] = {}
    for name, entries in zip(layout.groups, layout.held, strict=True):
        group = dict.fromkeys(entries, name)
        group.pop(PLACEHOLDER, None)
        for entry in group.keys() & homes.keys():
            dupes.setdefault(entry, [homes[entry]]).append(name)
            del group[entry]
        homes.update(group)
    filling = set(layout.filling)
    for entry, groups in dupes.items():
        home = next((g for g in groups if g in filling), groups[0])
        groups.sort(key=lambda g: g != home)
        homes[entry] = home
    return homes, dupes


def _filled(
    layout: Layout,
    keep: Sequence[tuple[str, str]],
    add: Sequence[tuple[str, str]],
    moved: Sequence[tuple[str, str]],
    kept: Mapping[str, str],
    remove_stale: bool,
) -> list[str]:
    """One group name per real entry each group holds once placed."""
    staying = [g for _, g in keep]
    if not remove_stale:  # every copy stays, but the moved ones
        gone = {(e, kept[e]) for e, _ in moved}
        staying = [
            g
            for g, held in zip(layout.groups, layout.held, strict=True)
            for e in held
            if e != PLACEHOLDER and (e, g) not in gone
        ]
    return staying + [g for _, g in add] + [g for _, g in moved]


def _room(layout: Layout, kept: Mapping[str, str], *, placeholders_stay: bool) -> dict[str, int]:
    """Free places per filling group. The placeholder never takes a place (it goes when a
    real entry comes), nor does an entry that leaves: a group whose entries all leave
    keeps the last one until a successor is in, and the write order (``writes``) makes
    the room for the rest. When nothing leaves (an add-only run), every copy counts."""
    load = dict.fromkeys(layout.groups, 0) | Counter(kept.values())
    if placeholders_stay:  # every copy stays where it is
        load.update(
            (name, sum(e != PLACEHOLDER for e in entries))
            for name, entries in zip(layout.groups, layout.held, strict=True)
        )
    return {g: layout.capacity - load[g] - layout.others(g) for g in layout.filling}


def _first_fit(
    entries: Iterable[str], groups: Sequence[str], room: dict[str, int]
) -> tuple[list[tuple[str, str]], list[str]]:
    """Each entry into the first group with room (``room`` is used up in place)."""
    placed: list[tuple[str, str]] = []
    left: list[str] = []
    index = 0
    for entry in entries:
        while index < len(groups) and room[groups[index]] <= 0:
            index += 1
        if index == len(groups):
            left.append(entry)
            continue
        room[groups[index]] -= 1
        placed.append((entry, groups[index]))
    return placed, left


def _placeholders(
    remove_stale: bool, layout: Layout, filled: Iterable[str], receiving: set[str]
) -> dict[str, tuple[str, ...]]:
    """Every group that exists (and the first, when no group holds anything) ends with
    at least one entry: the placeholder when nothing else; never the placeholder beside
    real entries, unless the run removes nothing and the group gains nothing (then only a
    drained group may need one, and no group is created just to hold it)."""
    count = Counter({g: layout.others(g) for g in layout.groups}) + Counter(filled)
    count.update(dict.fromkeys(layout.groups, 0))  # every group has a count
    first = layout.groups[0]
    needed, gone = [], []
    for name, held in zip(layout.groups, layout.held, strict=True):
        has_placeholder = PLACEHOLDER in held
        if count[name] and has_placeholder and (remove_stale or name in receiving):
            gone.append(name)
        elif not count[name] and not has_placeholder and (held or (remove_stale and name == first)):
            needed.append(name)
    if needed[:1] == [first] and not layout.held[0] and any(count.values()):
        needed.pop(0)  # an absent first group is not created just to hold a placeholder
    return {"placeholder": tuple(needed), "unplaceholder": tuple(gone)}


# -- the writes that carry a placement out -------------------------------------------

Pair = tuple[str, str]


def group_writes(
    layout: Layout, incoming: Iterable[Pair], early: Iterable[Pair], late: Iterable[Pair] = ()
) -> tuple[GroupWrite, ...]:
    """Per owned group (in order), from ``(entry, group)`` pairs: what it gains, what
    leaves it to make room, and what leaves it only once its new home holds it."""
    parts: dict[str, tuple[list[str], list[str], list[str]]] = {
        g: ([], [], []) for g in layout.groups
    }
    for index, pairs in enumerate((incoming, early, late)):
        for entry, group in pairs:
            parts[group][index].append(entry)
    return tuple(
        GroupWrite(
            g,
            held,
            tuple(parts[g][0]),
            tuple(parts[g][1]),
            tuple(parts[g][2]),
            layout.capacity,
            layout.others(g),
        )
        for g, held in zip(layout.groups, layout.held, strict=True)
    )


def placement_writes(layout: Layout, placement: Placement) -> tuple[GroupWrite, ...]:
    """The group writes that carry out ``placement`` (what the planner's plan holds)."""
    incoming = [*placement.add, *((e, to) for e, to, _ in placement.move)]
    incoming += [(PLACEHOLDER, g) for g in placement.placeholder]
    early = [*placement.remove, *((e, g) for e, g, _ in placement.drop)]
    early += [(PLACEHOLDER, g) for g in placement.unplaceholder]
    late = [(e, source) for e, _, source in placement.move]
    return group_writes(layout, incoming, early, late)
