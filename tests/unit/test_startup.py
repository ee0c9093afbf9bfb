"""``LongLived``: the collector is off while the function is imported, what the import
made is frozen, and the collector comes back as it was."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from whitelist_core.entrypoints.startup import LongLived

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def collector() -> Iterator[None]:
    """Each test leaves the collector as it found it, with nothing frozen by it."""
    was_on = gc.isenabled()
    yield
    gc.unfreeze()
    if was_on:
        gc.enable()
    else:
        gc.disable()


def tracked(thing: object) -> bool:
    return any(seen is thing for seen in gc.get_objects())


def test_the_collector_is_off_inside_and_back_on_after() -> None:
    gc.enable()
    with LongLived():
        inside = gc.isenabled()
    assert (inside, gc.isenabled()) == (False, True)


def test_what_the_block_made_is_frozen_and_what_comes_after_is_not() -> None:
    gc.unfreeze()
    with LongLived():
        made = [[1], {"a": []}]
    later = [[2]]
    assert gc.get_freeze_count() > 0
    assert not tracked(made)
    assert tracked(later)


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    with LongLived():
        pass
    assert not gc.isenabled()


def test_the_collector_comes_back_when_the_block_raises() -> None:
    gc.enable()
    with pytest.raises(ImportError, match="no such module"), LongLived():
        raise ImportError("no such module")
    assert gc.isenabled()


def test_importing_the_handler_runs_no_collection_and_freezes_the_libraries() -> None:
    """In a fresh interpreter, as FC loads it: no collection once the import has reached
    the libraries (a collection may fall due while ``handler.py`` itself starts), the
    collector on afterwards, pydantic's model class among the frozen objects."""
    probe = """
import gc, sys
runs = []
def counted(phase, info):
    if phase == "start" and "pydantic" in sys.modules:
        runs.append(info["generation"])
gc.callbacks.append(counted)
import handler
import pydantic
print(len(runs), gc.isenabled(), any(o is pydantic.BaseModel for o in gc.get_objects()))
"""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True)  # fmt: skip
    assert done.stdout.split() == ["0", "True", "False"]
