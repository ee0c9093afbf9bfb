"""Fixtures: an in-thread localcloud server on 127.0.0.1, reset before every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from localcloud_support import Running, demo_seed, serving

from localcloud.backend import Backend


@pytest.fixture(scope="session")
def _server() -> Iterator[Running]:
    with serving(Backend(demo_seed())) as running:
        yield running


@pytest.fixture
def lc(_server: Running) -> Running:
    """The shared server, reset to the demo seed (state, faults, log, nonces)."""
    _server.backend.reset()
    return _server
