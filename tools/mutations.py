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
)  # fmt: skip
