"""Configuration errors in the operator's words, not the validation library's."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from whitelist_core.config import load_config, validate_config
from whitelist_core.errors import ConfigError, Problem

VALID: dict[str, Any] = {
    "version": 1,
    "region": "cn-hangzhou",
    "targets": [
        {
            "name": "orders-cache",
            "instance_id": "r-demoorders01",
            "group": "ecs_orders",
            "selector": {"tags": {"app": "orders"}},
        }
    ],
}


def problems(data: Any) -> tuple[Problem, ...]:
    with pytest.raises(ConfigError) as caught:
        validate_config(data)
    return caught.value.problems


def load_problems(path: Path) -> tuple[ConfigError, tuple[Problem, ...]]:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return caught.value, caught.value.problems


@pytest.mark.parametrize("text", ["", "\n# only a comment\n", "---\n"])
def test_an_empty_file_says_it_is_empty(tmp_path: Path, text: str) -> None:
    path = tmp_path / "whitelist.yml"
    path.write_text(text, encoding="utf-8")
    error, (problem,) = load_problems(path)
    assert "is empty" in problem.rule
    assert "dictionary" not in str(error)
    assert "instance of Config" not in str(error)


def test_a_document_that_is_not_a_mapping_says_what_it_needs() -> None:
    (problem,) = problems(["a", "list"])
    assert "dictionary" not in problem.rule
    assert "mapping" in problem.rule
    assert "a list" in problem.rule


def test_no_targets_says_at_least_one_target_is_needed() -> None:
    data = copy.deepcopy(VALID) | {"targets": []}
    (problem,) = problems(data)
    assert problem.path == "targets"
    assert problem.rule == "at least one target is needed"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("version: 1\nregion: cn-hangzhou\ntargets:\n  - name: [x\n", 5),
        ("version: 1\nregion: cn-hangzhou\n  bad: indent\n", 3),
        ("version: 1\n\tregion: x\n", 2),
    ],
    ids=["unclosed-flow", "bad-indent", "tab"],
)
def test_a_yaml_error_names_the_file_and_the_line(tmp_path: Path, text: str, line: int) -> None:
    path = tmp_path / "whitelist.yml"
    path.write_text(text, encoding="utf-8")
    error, (problem,) = load_problems(path)
    assert str(path) in str(error)
    assert f"line {line}" in problem.rule
    assert "<unicode string>" not in str(error)


def test_a_json_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "whitelist.json"
    path.write_text('{\n  "version": 1,\n  "region": \n}\n', encoding="utf-8")
    error, (problem,) = load_problems(path)
    assert str(path) in str(error)
    assert "line 4" in problem.rule


@pytest.mark.parametrize(
    ("given", "meant"),
    [("running", "Running"), ("STOPPED", "Stopped"), ("pending", "Pending")],
)
def test_a_status_in_the_wrong_case_says_which_spelling_is_meant(given: str, meant: str) -> None:
    data = copy.deepcopy(VALID)
    data["targets"][0]["statuses"] = ["Running", given]
    (problem,) = problems(data)
    assert problem.path == "targets[0].statuses[1]"
    assert f"did you mean {meant!r}" in problem.rule


def test_an_unknown_status_still_lists_the_valid_ones() -> None:
    data = copy.deepcopy(VALID)
    data["targets"][0]["statuses"] = ["Terminated"]
    (problem,) = problems(data)
    assert "did you mean" not in problem.rule
    assert "'Running'" in problem.rule
