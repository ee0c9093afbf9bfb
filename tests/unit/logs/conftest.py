"""Every logs test starts and ends with logging unconfigured, no secrets, no bound fields."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from whitelist_core import logs


@pytest.fixture(autouse=True)
def _clean_logging() -> Iterator[None]:
    logs.reset_logging()
    logs.clear_secrets()
    logs.clear_invocation()
    yield
    logs.reset_logging()
    logs.clear_secrets()
    logs.clear_invocation()


@pytest.fixture
def lines(capsys: pytest.CaptureFixture[str]) -> Callable[[], list[dict[str, Any]]]:
    """Read what was printed so far; every stdout line must be one JSON object."""

    def read() -> list[dict[str, Any]]:
        out = capsys.readouterr().out
        parsed = []
        for line in out.splitlines():
            value = json.loads(line)  # raises (and fails the test) on any non-JSON line
            assert isinstance(value, dict), line
            parsed.append(value)
        return parsed

    return read
