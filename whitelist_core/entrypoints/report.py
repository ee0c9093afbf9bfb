"""Plans as text a person reads at a glance (pure): one block per target, then a
one-line summary of what is added, removed and held back."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def render_summary(summary: Mapping[str, Any]) -> str:
    """A summary (handler result shape) as a readable table, one block per target, ending
    with the ``N to add, M to remove, K held back`` line."""
    lines = [_headline(summary)]
    for target in summary.get("targets", []):
        lines.extend(render_target(target))
    if summary.get("targets"):
        lines.extend(["", totals_line(summary)])
    return "\n".join(lines)


def totals(summary: Mapping[str, Any]) -> dict[str, int]:
    """How many entries the run adds, removes and holds back, over the targets that ran
    (a target in error wrote nothing, whatever its plan said)."""
    ran = [t for t in summary.get("targets", []) if t.get("status") != "error"]
    return {
        "add": sum(len(t.get("added", [])) for t in ran),
        "remove": sum(len(t.get("removed", [])) for t in ran),
        "held_back": sum(len(t.get("held_back", [])) for t in ran),
    }


def totals_line(summary: Mapping[str, Any]) -> str:
    """``3 to add, 1 to remove, 2 held back`` (``added`` / ``removed`` once applied)."""
    count = totals(summary)
    if summary.get("status") == "applied":
        return f"{count['add']} added, {count['remove']} removed, {count['held_back']} held back"
    return f"{count['add']} to add, {count['remove']} to remove, {count['held_back']} held back"


def _headline(summary: Mapping[str, Any]) -> str:
    mode = " (dry run)" if summary.get("dry_run") else ""
    message = f": {summary['message']}" if summary.get("message") else ""
    return f"status: {summary.get('status')}{mode}{message}"


def render_target(target: Mapping[str, Any]) -> list[str]:
    """The lines of one target: header, then + / - / = / ! / ~ / x rows."""
    head = (
        f"\n{target['target']}  {target['region']}/{target['instance_id']} group "
        f"{target['group']}  [{target['status']}]{_sizes(target)}"
    )
    rows = [head, *_group_rows(target.get("groups", []))]
    changes, held = target.get("changes", []), target.get("held_back", [])
    rows.extend(_change_rows(changes, held, spilled="groups" in target))
    rows.extend(f"  ! blocked: {reason}" for reason in target.get("blocked", []))
    rows.extend(f"  ~ warning: {reason}" for reason in target.get("warnings", []))
    if target.get("error"):
        error = target["error"]
        rid = f" (RequestId {error['request_id']})" if error.get("request_id") else ""
        rows.append(f"  x error: {error.get('code')}: {error.get('message')}{rid}")
    if len(rows) == 1:
        rows.append("  (no change)")
    return rows


def _sizes(target: Mapping[str, Any]) -> str:
    """``  3 -> 4 entries``: what the group holds before and after the plan."""
    before, after = target.get("entries_before"), target.get("entries_after")
    if before is None or after is None or target.get("status") == "error":
        return ""
    return f"  {before} -> {after} entries" if before != after else f"  {before} entries"


def _group_rows(groups: Iterable[Mapping[str, Any]]) -> list[str]:
    """A target with spill-over groups: each owned group's size before -> after."""
    sizes = [
        f"{g['group']}{' (draining)' if g.get('draining') else ''} {g['before']} -> {g['after']}"
        for g in groups
    ]
    return [f"  groups: {', '.join(sizes)}"] if sizes else []


_SIGNS = {"add": "+", "remove": "-", "move": ">", "drop": "-"}


def _change_rows(
    changes: Iterable[Mapping[str, str]],
    held: Iterable[Mapping[str, str]],
    *,
    spilled: bool = False,
) -> list[str]:
    rows = [
        (_SIGNS.get(c["op"], "?"), c["entry"], _where(c, spilled) + c["reason"]) for c in changes
    ]
    rows += [("=", h["entry"], f"held back: {h['reason']}") for h in held]
    width = max((len(entry) for _, entry, _ in rows), default=0)
    return [f"  {sign} {entry:<{width}}  {reason}" for sign, entry, reason in rows]


def _where(change: Mapping[str, str], spilled: bool) -> str:
    """Which owned group a change goes to (a move: from -> to), for a spilled target."""
    if not spilled:
        return ""
    moved = f"{change['from']} -> " if change.get("from") else ""
    return f"{moved}{change.get('group', '')}  "
