"""The deliberate breaks `make mutate` applies, one per promise, and the tests that must
catch each (the ones docs/guarantees.md cites for that promise).

A break is a file, an exact snippet of it and its replacement. The snippet must occur
exactly once in the file (``tests/unit/test_mutations_table.py`` checks it at HEAD, so a
refactor that makes a break stale fails ``make test``). ``guarantee`` is the number of the
promise in docs/guarantees.md. The cited tests run first, with ``-x``: put the quickest
and most direct first.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Break:
    """One deliberate bug: in ``file``, ``original`` becomes ``replacement``."""

    name: str
    guarantee: int
    file: str
    original: str
    replacement: str
    tests: tuple[str, ...]


CORE = "whitelist_core/core/"
SERVICE = "whitelist_core/service/"
TRANSPORT = "whitelist_core/aliyun/transport/"
UNIT = "tests/unit/"
FUNC = "tests/functional/"
REL = "tests/reliability/"

BREAKS: tuple[Break, ...] = (
    # -- the eight that the whole suite once let through (issue 29) ---------------------
    Break(
        "quota-replan-skips-recheck", 1, SERVICE + "reconcile.py",
        "partial(self._redraft, t, region, listing)",
        "partial(self._draft, t, region, listing)",
        (REL + "test_recheck_paths.py::test_the_re_plan_after_a_quota_refusal_re_checks_its_removals",),
    ),
    Break(
        "hidden-check-first-group-only", 3, CORE + "planner.py",
        'hidden = [g.name for g in blank.held if g.attribute == "hidden"]',
        'hidden = [g.name for g in blank.held[:1] if g.attribute == "hidden"]',
        (UNIT + "core/test_core_planner_hidden.py",),
    ),
    Break(
        "unknown-500-permanent", 10, TRANSPORT + "retry.py",
        "(http_status == 429 or http_status >= 500)",
        "(http_status == 429 or http_status > 500)",
        (UNIT + "aliyun/test_aliyun_server_errors.py",),
    ),
    Break(
        "socket-read-unbounded", 32, TRANSPORT + "reading.py",
        "_bound_socket(response, min(left, read_timeout))",
        "_bound_socket(response, read_timeout)",
        (UNIT + "aliyun/test_aliyun_stalled_body.py",),
    ),
    Break(
        "failed-recheck-removes", 28, SERVICE + "recheck.py",
        "return [_without_removals(d, exc) for d in drafts]",
        "return drafts",
        (REL + "test_recheck_paths.py::test_a_failed_re_check_holds_every_removal_back_while_the_additions_go",),
    ),
    Break(
        "instance-cap-ignores-hidden", 30, SERVICE + "reconcile.py",
        "elsewhere = sum(len(g.entries) for g in groups if g.name not in target.groups)",
        'elsewhere = sum(len(g.entries) for g in groups if g.name not in target.groups and g.attribute != "hidden")',
        (FUNC + "test_functional_room_hidden.py",),
    ),
    Break(
        "secret-masked-verbatim-only", 34, "whitelist_core/redaction.py",
        'forms = {value, quote(value), quote(value, safe=""), quote_plus(value, safe="")}',
        "forms = {value}",
        (UNIT + "logs/test_redaction_encoded.py",),
    ),
    Break(
        "hook-ready-when-any-found", 36, SERVICE + "batch.py",
        "not ids <= frozenset().union(*(u.found for u in units))",
        "not ids & frozenset().union(*(u.found for u in units))",
        (FUNC + "test_functional_lifecycle.py::test_a_hook_waits_for_every_instance_not_the_first_one_found",),
    ),
    # -- the eleven that the suite caught, but not by the tests the guarantees cited -----
    Break(
        "rds-dms-group-not-reserved", 3, "whitelist_core/products/rds.py",
        'reserved_groups=RESERVED_GROUPS | {"dms"},',
        "reserved_groups=RESERVED_GROUPS,",
        (UNIT + "core/test_core_products.py::test_system_groups_are_never_owned",),
    ),
    Break(
        "new-group-created-with-cover", 4, SERVICE + "apply.py",
        'write = store.append if step.mode == "Append" else store.delete',
        'write = (store.append if plan.current else store.cover) if step.mode == "Append" else store.delete',
        (REL + "test_write_modes.py",),
    ),
    Break(
        "tag-selector-any-tag", 6, CORE + "selection.py",
        "return all(\n        key in tags",
        "return any(\n        key in tags",
        (UNIT + "core/test_core_selection.py::test_matches",),
    ),
    Break(
        "blocked-additions-dilute-share", 8, CORE + "policy.py",
        "added = {c.entry for c in plan.add if c.entry not in skipped}",
        "added = {c.entry for c in plan.add}",
        (UNIT + "core/test_core_adoption.py::test_additions_that_policy_blocks_do_not_count",),
    ),
    Break(
        "no-422-when-part-applied", 9, "whitelist_core/entrypoints/httpapp.py",
        "    if reasons:\n",
        '    if reasons and summary.status != "applied":\n',
        (UNIT + "webhook/test_webhook_responses.py::test_any_policy_block_is_422_with_every_reason_and_the_result",),
    ),
    Break(
        "no-room-kept-for-last-entry", 30, CORE + "placement.py",
        "layout.capacity - load[g] - (1 if held[g] and not load[g] else 0) for g in layout.filling",
        "layout.capacity - load[g] for g in layout.filling",
        (FUNC + "test_functional_full_group.py",),
    ),
    Break(
        "capacity-off-by-one", 30, CORE + "placement.py",
        "while index < len(groups) and room[groups[index]] <= 0:",
        "while index < len(groups) and room[groups[index]] < 0:",
        (FUNC + "test_functional_full_group.py",),
    ),
    Break(
        "max-groups-off-by-one", 30, CORE + "placement.py",
        'return (group, *(f"{group}_{n}" for n in range(2, max_groups + 1)))',
        'return (group, *(f"{group}_{n}" for n in range(2, max_groups)))',
        (UNIT + "core/test_core_placement.py::test_owned_group_names",),
    ),
    Break(
        "stale-duplicate-copy-left", 14, CORE + "placement.py",
        "if e not in kept for g in dupes.get(e, (h,))),",
        "if e not in kept for g in (h,)),",
        (UNIT + "core/test_core_placement.py::test_place",),
    ),
    Break(
        "truncation-counts-items", 27, "whitelist_core/aliyun/ecs/listing.py",
        "if len(self._ids) < least:",
        "if self._items < least:",
        (UNIT + "aliyun/test_aliyun_ecs.py::test_repeated_items_do_not_count_towards_total_count",),
    ),
    Break(
        "webhook-tolerance-ignored", 19, "whitelist_core/entrypoints/httpapp.py",
        "tolerance_seconds=tolerance,",
        "tolerance_seconds=DEFAULT_TOLERANCE_SECONDS,",
        (FUNC + "test_functional_webhook.py::test_timestamp_inside_the_configured_tolerance_is_accepted",),
    ),
)  # fmt: skip
