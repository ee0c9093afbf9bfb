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
        "        (draft,) = recheck_removals(inventory, region, [target], [draft])\n",
        "",
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
        "elsewhere = sum(g.size for g in groups if g.name not in target.groups)",
        'elsewhere = sum(g.size for g in groups if g.name not in target.groups and g.attribute != "hidden")',
        (FUNC + "test_functional_room_hidden.py",),
    ),
    Break(
        "secret-masked-verbatim-only", 34, "whitelist_core/redaction.py",
        'forms = {value, quote(value), quote(value, safe=""), quote_plus(value, safe="")}',
        "forms = {value}",
        (UNIT + "logs/test_redaction_encoded.py",),
    ),
    Break(
        "hook-ready-when-any-found", 43, SERVICE + "batch.py",
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
        'write = {"Append": store.append, "Delete": store.delete}.get(step.mode, store.cover)',
        'write = {"Append": store.append if plan.current else store.cover, "Delete": store.delete}.get(step.mode, store.cover)',
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
        "no-room-kept-for-last-entry", 30, CORE + "writes.py",
        "fits = max(0, write.capacity - write.unparsed - (len(write.current) - len(early)))",
        "fits = max(0, write.capacity - write.unparsed)",
        (FUNC + "test_functional_full_group.py",),
    ),
    Break(
        "capacity-off-by-one", 30, CORE + "placement.py",
        "while index < len(groups) and room[groups[index]] <= 0:",
        "while index < len(groups) and room[groups[index]] < 0:",
        (FUNC + "test_functional_full_group.py", FUNC + "test_functional_safety_capacity.py"),
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
    # -- one break for each other guarantee ------------------------------------------------
    Break(
        "add-only-pass-never-writes", 2, SERVICE + "reconcile.py",
        "results[target.name] = self._run(target, unit.dry_run, planner)",
        "results[target.name] = self._run(target, True, planner)",
        (FUNC + "test_functional_events.py::test_running_event_adds_the_ip_to_every_matching_target_and_nothing_else",),
    ),
    Break(
        "last-entry-deleted-first", 5, CORE + "writes.py",
        '(6, Step(name, "Delete", last)),',
        '(0, Step(name, "Delete", last)),',
        (UNIT + "core/test_core_placement.py::test_write_steps", REL + "test_stateful.py::test_whitelist_state_machine"),
    ),
    Break(
        "empty-listing-not-confirmed", 7, "whitelist_core/aliyun/ecs/inventory.py",
        "            self._verify_access(region)\n",
        "            pass\n",
        (REL + "test_guards.py::test_an_unauthorised_role_is_an_error_not_an_empty_fleet",),
    ),
    Break(
        "max-removals-exclusive", 8, CORE + "policy.py",
        "if count > rules.max_removals:",
        "if count >= rules.max_removals:",
        (REL + "test_guards.py::test_shrunken_listing_is_held_to_the_limits",),
    ),
    Break(
        "persistent-fault-not-raised", 11, SERVICE + "execution.py",
        "    if failures:\n        whole = ",
        "    if False:\n        whole = ",
        (FUNC + "test_functional_errors.py::test_transient_error_outlasting_the_retries_raises_within_the_budget",),
    ),
    Break(
        "already-done-believed", 12, "whitelist_core/aliyun/stores/whitelist.py",
        "                    claim = error\n",
        "                    return\n",
        (REL + "test_fault_matrix.py::test_a_false_already_done_answer_is_not_believed",),
    ),
    Break(
        "permanent-refusal-raised", 13, SERVICE + "apply.py",
        '        return TargetResult(part, "error", CloudFailure.from_error(exc))',
        "        raise",
        (FUNC + "test_functional_errors.py::test_permanent_error_on_a_write_is_reported_with_its_request_id",),
    ),
    Break(
        "late-event-adds-ineligible", 15, CORE + "selection.py",
        "eligible = [i for i in instances if is_eligible(target, i)]",
        "eligible = [i for i in instances if matches(target.selector, i)]",
        (FUNC + "test_functional_events.py::test_a_late_running_event_for_a_host_that_stopped_since_writes_nothing",),
    ),
    Break(
        "parse-has-no-safety-net", 16, "whitelist_core/entrypoints/events/parse.py",
        "_INPUT_ERRORS = (ValueError, TypeError, RecursionError, OverflowError)",
        "_INPUT_ERRORS = ()",
        (REL + "test_hostile_input.py::test_parse_event_arbitrary_json_values", REL + "test_hostile_input.py::test_parse_event_mutated_samples"),
    ),
    Break(
        "deferred-model-built-unlocked", 16, "whitelist_core/entrypoints/wire.py",
        "        with _building:\n            if not model.__pydantic_complete__:\n                model.model_rebuild()\n",
        "        pass\n",
        (UNIT + "events/test_wire_building.py::test_concurrent_first_validations_build_the_model_once",),
    ),
    Break(
        "hostile-timestamp-raises", 17, "whitelist_core/entrypoints/webhook.py",
        "    if not _TIMESTAMP.fullmatch(stamp):\n",
        "    if not stamp.lstrip(\"+-\"):\n",
        (REL + "test_hostile_input.py::test_route_unsigned_requests_only_get_responses",),
    ),
    Break(
        "config-parser-recursion-leaks", 18, "whitelist_core/config.py",
        "_PARSER_ERRORS = (ValueError, RecursionError, OverflowError)",
        "_PARSER_ERRORS = (ValueError, OverflowError)",
        (REL + "test_hostile_input.py::test_load_config_pathological_text",),
    ),
    Break(
        "signature-ignores-body", 20, "whitelist_core/entrypoints/webhook.py",
        'message = stamp.encode("ascii") + b"." + body',
        'message = stamp.encode("ascii") + b"."',
        (REL + "test_webhook_security.py::test_forged_signatures_are_refused",),
    ),
    Break(
        "header-looked-up-by-its-spelling", 21, "whitelist_core/entrypoints/webhook.py",
        'stamp = lower.get(TIMESTAMP_HEADER.lower(), "").strip()',
        'stamp = lower.get(TIMESTAMP_HEADER, "").strip()',
        (REL + "test_webhook_security.py::test_header_names_are_case_insensitive",),
    ),
    Break(
        "no-secret-serves-unsigned", 22, "whitelist_core/entrypoints/webhook.py",
        "    if not keys:\n        raise BadSignature(",
        "    if not keys:\n        return\n        raise BadSignature(",
        (REL + "test_webhook_security.py::test_without_a_secret_everything_signed_is_refused",),
    ),
    Break(
        "oversized-body-served", 23, "whitelist_core/entrypoints/webhook.py",
        "len(request.body) > MAX_BODY_BYTES:",
        "len(request.body) > 2 * MAX_BODY_BYTES:",
        (REL + "test_webhook_security.py::test_oversized_body_is_refused_before_any_work",),
    ),
    Break(
        "present-entries-re-added", 24, CORE + "placement.py",
        "new = [e for e in wanted if e not in homes]",
        "new = list(wanted)",
        (REL + "test_webhook_security.py::test_replay_inside_the_window_converges_once",),
    ),
    Break(
        "sts-token-not-registered", 25, "whitelist_core/entrypoints/wiring.py",
        "    register_secret(credentials.security_token)\n    return credentials\n",
        "    return credentials\n",
        (REL + "test_secrets.py::test_no_secret_appears_anywhere",),
    ),
    Break(
        "whole-key-id-shown", 26, TRANSPORT + "credentials.py",
        'key_id = self.access_key_id[:4] + "****" if self.access_key_id else ""',
        "key_id = self.access_key_id",
        (REL + "test_secrets.py::test_credential_objects_are_redacted",),
    ),
    Break(
        "landed-write-not-audited", 29, SERVICE + "apply.py",
        "        if part.changed:\n            audit(part)",
        "        if False:\n            audit(part)",
        (FUNC + "test_functional_isolation.py::test_an_append_that_landed_before_a_delete_failed_is_audited",),
    ),
    Break(
        "unconfirmed-write-silent", 31, "whitelist_core/aliyun/stores/whitelist.py",
        "        raise _unconfirmed(mode, group, pending, exists, claim, reads)",
        "        return",
        (UNIT + "aliyun/test_aliyun_kvstore.py::test_a_duplicate_claim_the_group_never_confirms_is_a_transient_error",),
    ),
    Break(
        "error-code-in-200-believed", 33, TRANSPORT + "reading.py",
        'if first_text(body, "Code", "code").lower() in SUCCESS_CODES:',
        "if True:",
        (UNIT + "aliyun/test_aliyun_answers.py",),
    ),
    Break(
        "oversized-event-not-413", 35, "whitelist_core/entrypoints/webhook.py",
        "if request.oversized or len(request.body)",
        "if len(request.body)",
        (FUNC + "test_functional_http_limits.py",),
    ),
    # -- several accounts (issue 26) -------------------------------------------------------
    Break(
        "hosts-listed-in-own-account", 36, SERVICE + "accounts.py",
        "found = self.inventory(account).list_instances(region, query)",
        "found = self.inventory(OWN).list_instances(region, query)",
        (FUNC + "test_functional_accounts.py::test_a_host_of_one_account_never_keeps_an_entry_of_a_target_whose_hosts_are_in_another",),
    ),
    Break(
        "role-refusal-not-remembered", 37, "whitelist_core/aliyun/roles.py",
        "                self._refused = exc\n",
        "",
        (UNIT + "aliyun/test_aliyun_sts.py::test_a_role_that_cannot_be_assumed_raises_the_sts_code_once_per_invocation",),
    ),
    Break(
        "session-used-to-its-last-second", 38, "whitelist_core/aliyun/roles.py",
        "session.expiration - self._margin <= self._now()",
        "session.expiration <= self._now()",
        (UNIT + "aliyun/test_aliyun_sts.py::test_a_session_is_renewed_once_its_expiration_minus_the_margin_is_reached",),
    ),
    Break(
        "unnamed-account-event-served", 39, "whitelist_core/entrypoints/routing.py",
        "    return Ignore(reason, intent.trigger, intent.event_id)",
        "    return None",
        (FUNC + "test_functional_accounts.py::test_events_from_an_account_the_configuration_does_not_name_change_nothing",),
    ),
    # -- the audit (issue 25) ----------------------------------------------------------------
    Break(
        "audit-re-reads-the-groups", 40, SERVICE + "reconcile.py",
        "groups = self.reads.cached_groups(target, draft.plan.region)",
        "groups = None if self.reads.forget_groups(target, draft.plan.region) or not self.config.audit.enabled else self.reads.groups(target, draft.plan.region)",
        (FUNC + "test_functional_audit.py::test_the_audit_makes_no_call_of_its_own",),
    ),
    Break(
        "stale-judged-across-accounts", 41, SERVICE + "auditing.py",
        "    if config.account_of(target) != config.hosts_account_of(target):\n        whole = None\n",
        "",
        (UNIT + "test_auditing.py::test_a_database_whose_hosts_are_listed_in_another_account_is_never_judged_stale",),
    ),
    Break(
        "failed-database-listing-unsaid", 42, SERVICE + "audit_run.py",
        'failures.append(f"listing {product} instances in {region} failed: {exc}")',
        "pass",
        (FUNC + "test_cli_audit.py::test_a_read_that_fails_exits_1_and_still_reports_the_rest",),
    ),
)  # fmt: skip
