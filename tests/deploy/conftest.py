"""Fixtures shared by the deployment tests."""

from __future__ import annotations

from typing import Any

import pytest
from template_kit import load_template


@pytest.fixture
def template() -> dict[str, Any]:
    """template.yml as data, a copy of this test's own."""
    return load_template()
