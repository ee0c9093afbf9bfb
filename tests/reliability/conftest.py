"""Fixtures of the reliability tests (names prefixed so they never shadow tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from reliability_kit import UNSET_ENV, function_env, no_sleep_clients, write_config

import handler
from whitelist_core import logs
from whitelist_core.aliyun import factory


@pytest.fixture
def rel_logging() -> Iterator[None]:
    """Leave logging, registered secrets and bound fields as other tests expect them."""
    yield
    logs.reset_logging()
    logs.clear_secrets()
    logs.clear_invocation()


Configure = Callable[..., Path]


@pytest.fixture
def rel_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, rel_logging: None) -> Configure:
    """``rel_env(base_url, config_dict, **extra_env)``: point the function at a fake with
    that configuration (written to a fresh file); returns the configuration's path."""
    for name in UNSET_ENV:
        monkeypatch.delenv(name, raising=False)

    def configure(base_url: str, data: Mapping[str, Any], **extra: str) -> Path:
        path = write_config(tmp_path, data)
        for name, value in function_env(base_url, path, **extra).items():
            monkeypatch.setenv(name, value)
        return path

    return configure


@pytest.fixture
def rel_no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries keep their number of attempts and their deadline but do not sleep."""
    monkeypatch.setattr(factory, "RpcClient", no_sleep_clients())


@pytest.fixture
def rel_invoke() -> Callable[[Any], dict[str, Any]]:
    """Run ``handler.handler`` on an event encoded as FC passes it (bytes), no context."""

    def run(event: Any) -> dict[str, Any]:
        payload = event if isinstance(event, bytes) else json_bytes(event)
        return handler.handler(payload, None)

    return run


def json_bytes(event: Any) -> bytes:
    import json

    return json.dumps(event).encode("utf-8")
