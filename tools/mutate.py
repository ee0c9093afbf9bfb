"""`make mutate`: break each guarantee on purpose and check that its cited tests notice.

Each break of ``tools/mutations.py`` is applied, one at a time, to a scratch copy of the
tracked tree (never the working tree); the tests the table cites for it run first, with
``-x`` (stop at the first failure). A break they do not catch is a survivor; with
``--fallback`` the whole suite then runs against it, and a break caught only there is a
wrong citation. Prints a Markdown table and exits non-zero on any survivor or wrong
citation.

    python tools/mutate.py                  # every break
    python tools/mutate.py -k recheck       # the breaks whose name holds "recheck"
    python tools/mutate.py --list           # the table, nothing run
    python tools/mutate.py --fallback       # also run the whole suite on a survivor
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mutations import BREAKS, Break

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 900
"""Seconds one break's test run may take; a hang the break causes counts as caught."""


def scratch_copy(target: Path) -> None:
    """The tree's files as they are now (tracked and new, not ignored) under ``target``."""
    git = shutil.which("git") or "git"
    command = [git, "ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    listed = subprocess.run(command, cwd=ROOT, check=True, capture_output=True).stdout.decode()  # noqa: S603
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def pytest(tree: Path, tests: list[str]) -> tuple[bool, str]:
    """Run ``tests`` in ``tree`` with -x: whether one failed, and which (or the last line)."""
    env = dict(os.environ, PYTHONPATH=str(tree), PYTHONDONTWRITEBYTECODE="1")
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    try:
        run = subprocess.run(  # noqa: S603
            command, cwd=tree, env=env, capture_output=True, text=True, timeout=TIMEOUT
        )
    except subprocess.TimeoutExpired:
        return True, f"timed out after {TIMEOUT} s"
    lines = (run.stdout + run.stderr).strip().splitlines()
    if run.returncode not in (0, 1):  # 2-5: interrupted, internal error, usage, no tests
        tail = "\n".join(lines[-20:])
        raise SystemExit(f"pytest could not run {tests}: exit {run.returncode}\n{tail}")
    failed = [line.split(" ")[1] for line in lines if line.startswith(("FAILED ", "ERROR "))]
    return run.returncode == 1, failed[0] if failed else (lines[-1] if lines else "")


def apply(tree: Path, item: Break) -> str:
    """Put the break in place; returns the file's original text."""
    path = tree / item.file
    text = path.read_text(encoding="utf-8")
    if text.count(item.original) != 1:
        raise SystemExit(f"{item.name}: the snippet is not exactly once in {item.file}")
    path.write_text(text.replace(item.original, item.replacement), encoding="utf-8")
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "-k", dest="only", default="", help="breaks whose name holds one of these (comma-separated)"
    )
    parser.add_argument("--list", action="store_true", help="print the table, run nothing")
    parser.add_argument("--fallback", action="store_true", help="whole suite on a survivor")
    args = parser.parse_args(argv)
    chosen = [b for b in BREAKS if any(part in b.name for part in args.only.split(","))]
    if args.list:
        for item in chosen:
            print(
                f"{item.name} (guarantee {item.guarantee}): {item.file}\n  "
                + "\n  ".join(item.tests)
            )
        return 0
    rows, bad = [], 0
    with tempfile.TemporaryDirectory(prefix="mutate-") as scratch:
        tree = Path(scratch)
        scratch_copy(tree)
        for item in chosen:
            started = time.monotonic()
            original = apply(tree, item)
            try:
                caught, tail = pytest(tree, list(item.tests))
                verdict = "caught" if caught else "SURVIVED"
                if not caught and args.fallback:
                    elsewhere, tail = pytest(tree, ["tests"])
                    verdict = f"WRONG CITATION (caught by {tail})" if elsewhere else "SURVIVED"
            finally:
                (tree / item.file).write_text(original, encoding="utf-8")
            bad += verdict != "caught"
            seconds = time.monotonic() - started
            rows.append(f"| {item.name} | {item.guarantee} | {verdict} | {seconds:.0f} s |")
            print(rows[-1], f"  <- {tail}", flush=True)
    print("\n| break | guarantee | result | time |\n| --- | --- | --- | --- |")
    print("\n".join(rows))
    print(f"\n{len(rows)} breaks, {len(rows) - bad} caught by their cited tests, {bad} not")
    missing = sorted(set(guarantee_numbers()) - {b.guarantee for b in BREAKS})
    if missing and not args.only:
        print(f"guarantees with no break in the table: {', '.join(map(str, missing))}")
    return 1 if bad or (missing and not args.only) else 0


def guarantee_numbers() -> list[int]:
    """The numbers of the guarantees docs/guarantees.md states."""
    text = (ROOT / "docs" / "guarantees.md").read_text(encoding="utf-8")
    return [int(n) for n in re.findall(r"^(\d+)\. \*\*", text, re.M)]


if __name__ == "__main__":
    raise SystemExit(main())
