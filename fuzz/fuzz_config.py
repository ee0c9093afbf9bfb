"""Fuzz the configuration loader: ``load_config`` on arbitrary text (YAML or JSON by the
first byte) gives a ``Config`` or a ``ConfigError`` whose every problem has a rule.

    python fuzz/fuzz_config.py -atheris_runs=100000
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from _fuzzlib import run

WORKDIR = Path(tempfile.mkdtemp(prefix="fuzz-config-"))


def test_one_input(data: bytes) -> None:
    from whitelist_core.config import Config, load_config
    from whitelist_core.errors import ConfigError

    suffix = ".json" if data[:1] == b"{" or (data[:1] and data[0] & 1) else ".yml"
    path = WORKDIR / f"config{suffix}"
    path.write_bytes(data[1:])
    try:
        loaded = load_config(path)
    except ConfigError as exc:
        if not exc.problems or not all(p.rule for p in exc.problems):
            raise AssertionError(f"a ConfigError without a rule: {exc!r}") from exc
        return
    assert isinstance(loaded, Config)


if __name__ == "__main__":
    run(test_one_input, ["whitelist_core.config", "whitelist_core.core.entries"])
    sys.exit(0)
