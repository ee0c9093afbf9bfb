"""Fixtures: an in-thread localcloud server on 127.0.0.1, reset before every test."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from localcloud_support import Running, demo_seed

from localcloud.backend import Backend
from localcloud.server import LocalCloudServer


@pytest.fixture(scope="session")
def _server() -> Iterator[LocalCloudServer]:
    server = LocalCloudServer(Backend(demo_seed()), "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.stop()
    thread.join(timeout=5)


@pytest.fixture
def lc(_server: LocalCloudServer) -> Running:
    """The shared server, reset to the demo seed (state, faults, log, nonces)."""
    _server.backend.reset()
    url = _server.base_url
    return Running(url, url.removeprefix("http://"), _server.backend)
