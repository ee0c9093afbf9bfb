"""The invocation's time budget and its cloud adapters: one of each per invocation."""

from __future__ import annotations

import types
from pathlib import Path
from typing import Any

import pytest

from whitelist_core.entrypoints.app import SAFETY_MARGIN_SECONDS, Invocation


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        self.now += 7.0  # every look at the clock finds time has passed
        return self.now


def _invocation(environ: dict[str, str], context: Any = None) -> tuple[Invocation, list[float]]:
    built: list[float] = []

    def clients(deadline: float) -> Any:
        built.append(deadline)
        return object(), object()

    invocation = Invocation(environ, clients, Path("."), context, monotonic=Clock())
    return invocation, built


def test_the_deadline_is_fixed_once_so_batch_items_share_one_budget() -> None:
    invocation, _ = _invocation({"WHITELIST_TIMEOUT_SECONDS": "30"})
    first = invocation.deadline()
    assert first == 1007.0 + 30 - SAFETY_MARGIN_SECONDS
    assert invocation.deadline() == first


def test_the_adapters_are_built_once_with_that_deadline() -> None:
    invocation, built = _invocation({})
    assert invocation.ports() is invocation.ports()
    assert built == [invocation.deadline()]


@pytest.mark.parametrize(
    ("environ", "context", "budget"),
    [
        ({}, None, 60.0),
        ({"WHITELIST_TIMEOUT_SECONDS": "12"}, None, 12.0),
        ({"WHITELIST_TIMEOUT_SECONDS": "soon"}, None, 60.0),
        (
            {"WHITELIST_TIMEOUT_SECONDS": "12"},
            types.SimpleNamespace(function=types.SimpleNamespace(timeout=90)),
            90.0,
        ),
        ({}, types.SimpleNamespace(function=types.SimpleNamespace(timeout=0)), 60.0),
    ],
)
def test_budget_prefers_the_fc_timeout_then_the_environment(
    environ: dict[str, str], context: Any, budget: float
) -> None:
    invocation, _ = _invocation(environ, context)
    assert invocation.budget() == budget


def test_a_tiny_budget_still_leaves_one_second_for_the_cloud() -> None:
    invocation, _ = _invocation({"WHITELIST_TIMEOUT_SECONDS": "3"})
    assert invocation.deadline() == 1007.0 + 1.0
