"""Results are values until the edge: each renders the public result shape, and the
summary line's counts come from the value, never from a rendered form."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from whitelist_core.core.planner import Change, TargetPlan
from whitelist_core.entrypoints.httpapp import HttpAnswer
from whitelist_core.entrypoints.webhook import HttpResponse
from whitelist_core.outcome import CloudFailure, ConfigFailure, RunResult, TargetResult
from whitelist_core.summary import BatchSummary, Counts, HookAnswer, Summary

PLAN = TargetPlan(
    "orders", "cn-hangzhou", "r-1", "ecs_orders", "",
    current=("10.0.0.9",),
    add=(Change("10.0.0.5", "new", "i-1"), Change("10.0.0.6", "new", "i-2")),
    remove=(Change("10.0.0.9", "stale"),),
)  # fmt: skip
RUN = RunResult((TargetResult(PLAN, "applied"),), dry_run=False)
FAILURE = CloudFailure("DescribeSecurityIps", "Forbidden.RAM", "denied", "RID-1", 403)


def test_a_run_renders_the_result_shape_with_its_targets() -> None:
    data = Summary.of_run(RUN, "timer", "timer/t/1").to_dict()
    assert list(data) == [
        "status", "attention", "trigger", "event_id", "targets", "dry_run", "blocked",
        "findings",
    ]  # fmt: skip
    assert data["attention"] == []
    assert data["status"] == "applied"
    assert data["findings"] == {"critical": 0, "high": 0, "medium": 0, "low": 0, "info": 0}
    assert data["targets"] == [TargetResult(PLAN, "applied").to_dict()]
    assert (data["dry_run"], data["blocked"]) == (False, False)


@pytest.mark.parametrize(
    ("summary", "expected"),
    [
        (
            Summary("ignored", "eventbridge", "acs.ecs/1", message="asks for nothing"),
            {"attention": [], "status": "ignored", "trigger": "eventbridge", "event_id": "acs.ecs/1",
             "targets": [], "message": "asks for nothing"},
        ),
        (
            Summary("rejected", "unknown", message="bad"),
            {"attention": [], "status": "rejected", "trigger": "unknown", "event_id": "", "targets": [],
             "message": "bad"},
        ),
        (
            Summary("error", "timer", "t", "denied", failure=FAILURE, dry_run=True),
            {"attention": [], "status": "error", "trigger": "timer", "event_id": "t", "targets": [],
             "message": "denied", "error": FAILURE.fields() | {"kind": "cloud"},
             "dry_run": True},
        ),
        (
            Summary("error", "timer", "t", "bad config", failure=ConfigFailure(("x: y",))),
            {"attention": [], "status": "error", "trigger": "timer", "event_id": "t", "targets": [],
             "message": "bad config", "error": {"kind": "configuration", "problems": ["x: y"]}},
        ),
    ],
)  # fmt: skip
def test_a_summary_without_a_run_renders_why(summary: Summary, expected: dict[str, object]) -> None:
    assert summary.to_dict() == expected


def test_a_lifecycle_answer_comes_last() -> None:
    answered = replace(Summary.of_run(RUN, "ess"), lifecycle=HookAnswer("ash-1", "CONTINUE"))
    assert list(answered.to_dict())[-1] == "lifecycle"
    assert answered.to_dict()["lifecycle"] == {"hook": "ash-1", "result": "CONTINUE"}
    refused = HookAnswer("ash-1", None, error=FAILURE).to_dict()
    assert refused == {"hook": "ash-1", "result": None, "error": FAILURE.fields()}


def test_counts_come_from_the_plans() -> None:
    assert Summary.of_run(RUN, "timer").counts() == Counts(targets=1, added=2, removed=1)
    assert Summary("rejected", "unknown", message="bad").counts() == Counts()


def test_a_batch_adds_up_its_items_and_keeps_the_status_precedence() -> None:
    batch = BatchSummary((Summary.of_run(RUN, "timer"), Summary("rejected", "unknown")))
    assert batch.counts() == Counts(targets=1, added=2, removed=1)
    assert batch.to_dict()["status"] == batch.label == "applied"
    assert BatchSummary(()).to_dict() == {"status": "ignored", "attention": [], "results": []}


def test_an_http_answer_counts_its_run_whatever_its_body_says() -> None:
    summary = Summary.of_run(RUN, "http")
    answer = HttpAnswer(HttpResponse(422, {"error": "policy_rejected"}), summary)
    assert answer.label == "http_422"
    assert answer.counts() == summary.counts()
    assert HttpAnswer(HttpResponse(401, {"error": "unauthorized"})).counts() == Counts()
    assert answer.to_dict()["statusCode"] == 422


def test_an_incomplete_run_is_logged_from_its_value_not_its_rendering(
    capsys: pytest.CaptureFixture[str], clean_logging: None
) -> None:
    from whitelist_core.entrypoints.telling import tell_failure
    from whitelist_core.errors import IncompleteRun
    from whitelist_core.logs import configure_logging

    configure_logging("INFO")
    failed = TargetResult(PLAN, "error", FAILURE)
    value = Summary.of_run(RunResult((failed,), dry_run=False), "timer")
    tell_failure(IncompleteRun({"targets": []}, [{"target": "orders"}], result=value), ms=5)
    tell_failure(IncompleteRun({}, []), ms=5)
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert first["results"] == [{"target": "orders", "status": "error", "code": "Forbidden.RAM"}]
    assert (first["targets"], first["added"], first["removed"]) == (1, 2, 1)
    assert (first["errors"], first["error_targets"], first["error_codes"]) == (
        1, "orders", "Forbidden.RAM",
    )  # fmt: skip
    assert (first["level"], first["error"]) == ("error", "IncompleteRun")
    assert "results" not in second
    assert (second["errors"], second["level"]) == (0, "error")


HELD = replace(
    PLAN,
    add=(),
    remove=(),
    held_back=(Change("10.0.0.9", "2 removals exceed max_removals=1"),),
    blocked=("2 removals exceed max_removals=1; nothing removed",),
)


def test_held_back_removals_and_blocks_are_the_results_attention() -> None:
    summary = Summary.of_run(RunResult((TargetResult(HELD, "noop"),), dry_run=False), "timer")
    assert summary.status == "noop"
    assert summary.to_dict()["attention"] == ["held_back", "blocked"]
    fields = summary.attention().as_fields()
    assert (fields["attention"], fields["held_back"], fields["held_back_targets"]) == (
        "held_back,blocked", 1, "orders",
    )  # fmt: skip
    assert (fields["blocked"], fields["blocked_targets"]) == (1, "orders")
    assert summary.attention().needs_a_person


def test_a_batch_counts_a_target_its_items_share_once() -> None:
    item = Summary.of_run(RunResult((TargetResult(HELD, "noop"),), dry_run=False), "eventbridge")
    batch = BatchSummary((item, item))
    assert batch.attention().as_fields()["held_back"] == 1
    assert batch.to_dict()["attention"] == ["held_back", "blocked"]


def test_an_unanswered_hook_is_counted_with_its_id() -> None:
    left = replace(Summary.of_run(RUN, "ess"), lifecycle=HookAnswer("ash-1", None, "dry run"))
    answered = replace(Summary.of_run(RUN, "ess"), lifecycle=HookAnswer("ash-2", "CONTINUE"))
    fields = BatchSummary((left, answered)).attention().as_fields()
    assert (fields["hooks_unanswered"], fields["hook_ids"]) == (1, "ash-1")
    assert left.to_dict()["attention"] == []  # a hook is told, it does not stop convergence
