"""Plans as text a person reads at a glance (pure): one block per target."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def render_summary(summary: Mapping[str, Any]) -> str:
    """A summary (handler result shape) as a readable table, one block per target."""
    lines = [_headline(summary)]
    for target in summary.get("targets", []):
        lines.extend(render_target(target))
    return "\n".join(lines)


def _headline(summary: Mapping[str, Any]) -> str:
    mode = " (dry run)" if summary.get("dry_run") else ""
    message = f": {summary['message']}" if summary.get("message") else ""
    return f"status: {summary.get('status')}{mode}{message}"


def render_target(target: Mapping[str, Any]) -> list[str]:
    """The lines of one target: header, then + / - / ! rows."""
    head = (
        f"\n{target['target']}  {target['region']}/{target['instance_id']} group "
        f"{target['group']}  [{target['status']}]  kept {target.get('kept', 0)}"
    )
    rows = [head]
    rows.extend(_change_rows(target.get("changes", [])))
    rows.extend(f"  ! blocked: {reason}" for reason in target.get("blocked", []))
    rows.extend(f"  ~ warning: {reason}" for reason in target.get("warnings", []))
    if target.get("error"):
        error = target["error"]
        rows.append(
            f"  x error: {error.get('code')}: {error.get('message')} ({error.get('request_id')})"
        )
    if len(rows) == 1:
        rows.append("  (no change)")
    return rows


def _change_rows(changes: Iterable[Mapping[str, str]]) -> list[str]:
    width = max((len(c["entry"]) for c in changes), default=0)
    rows = []
    for change in changes:
        sign = "+" if change["op"] == "add" else "-"
        rows.append(f"  {sign} {change['entry']:<{width}}  {change['reason']}")
    return rows
