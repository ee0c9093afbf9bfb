"""The README's shell blocks run as written, against localcloud, so they cannot drift.

Every ```sh block of README.md is run by bash, line by line, in a directory laid out like
a fresh clone (links to the repository's files, and ``.venv`` to the environment running
these tests), so what a command writes lands there and not in the checkout. A line ending
in ``# exit N`` must exit with N; every other line must exit 0. Three liberties, and only
these: ``make venv`` is taken as done (these tests run inside the environment it builds);
port 8080 becomes a free port, because other test runs share the machine; and the
localcloud started in the background is stopped at the end whatever happens.

A block preceded by ``<!-- readme-test: skip (why) -->`` is not run; the list is kept
small and each one says why. ``make demo``'s story is run by ``test_demo_tells_its_story``.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
SKIP = re.compile(r"<!--\s*readme-test:\s*skip\s*\(([^)]+)\)\s*-->\s*$")
EXIT = re.compile(r"#\s*exit (\d)\b")
pytestmark = pytest.mark.e2e


def shell_blocks(text: str) -> list[tuple[int, str, str | None]]:
    """(first line number, body, skip reason or None) of every ```sh block."""
    blocks, lines = [], text.splitlines()
    for i, line in enumerate(lines):
        if line.strip() != "```sh":
            continue
        end = next(j for j in range(i + 1, len(lines)) if lines[j].strip() == "```")
        before = next((lines[k] for k in range(i - 1, -1, -1) if lines[k].strip()), "")
        skip = SKIP.search(before)
        blocks.append((i + 2, "\n".join(lines[i + 1 : end]), skip.group(1) if skip else None))
    return blocks


def script_of(body: str, port: int) -> str:
    """The block as a bash script that checks each line's exit code."""
    out = ["trap 'kill $(jobs -p) 2>/dev/null' EXIT"]
    for number, line in enumerate(body.splitlines(), 1):
        command = line.split("  #")[0].strip() if "  #" in line else line.strip()
        if not command or command.startswith("#") or command == "make venv":
            continue
        command = command.replace("8080", str(port))
        if command.endswith("&"):
            out.append(command)
            continue
        expected = EXIT.search(line)
        want = int(expected.group(1)) if expected else 0
        out.append(
            f"{command}\nrc=$?; if [ $rc -ne {want} ]; then "
            f"echo 'README line {number} exited '$rc', not {want}: {command}' >&2; exit 99; fi"
        )
    return "\n".join(out) + "\n"


def fresh_clone(tmp_path: Path) -> Path:
    """A directory that looks like a checkout: links to the tracked top-level entries."""
    tracked = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files"], capture_output=True, text=True, check=False
    ).stdout.split()
    tops = sorted({name.split("/")[0] for name in tracked}) or sorted(os.listdir(ROOT))
    clone = tmp_path / "clone"
    clone.mkdir()
    for name in tops:
        if (ROOT / name).exists() and name != ".venv":
            (clone / name).symlink_to(ROOT / name)
    (clone / ".venv").symlink_to(Path(sys.prefix))
    return clone


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_readme_has_runnable_blocks_and_few_skipped_ones() -> None:
    blocks = shell_blocks(README.read_text(encoding="utf-8"))
    assert [b for b in blocks if b[2] is None]
    assert len([b for b in blocks if b[2] is not None]) <= 2


@pytest.mark.parametrize(
    ("line", "body"),
    [(n, b) for n, b, skip in shell_blocks(README.read_text(encoding="utf-8")) if skip is None],
    ids=lambda value: f"line-{value}" if isinstance(value, int) else "",
)
def test_readme_block_runs_as_written(line: int, body: str, tmp_path: Path) -> None:
    clone = fresh_clone(tmp_path)
    before = sorted(os.listdir(clone))
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith(("WHITELIST_", "ALIBABA_CLOUD_"))
    }
    process = subprocess.Popen(
        ["bash", "-c", script_of(body, free_port())], cwd=clone, env=environ,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        out, err = process.communicate(timeout=240)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 0, f"README block at line {line}:\n{err[-3000:]}\n{out[-2000:]}"
    assert sorted(os.listdir(clone)) == before, "a README block left files in the working tree"


@pytest.mark.parametrize(
    ("line", "body"),
    [(n, b) for n, b, skip in shell_blocks(README.read_text(encoding="utf-8")) if skip is None],
    ids=lambda value: f"line-{value}" if isinstance(value, int) else "",
)
def test_readme_block_unsets_what_it_exports(line: int, body: str) -> None:
    exported = set(re.findall(r"\b([A-Z][A-Z0-9_]*)=", " ".join(
        part for part in body.splitlines() if part.lstrip().startswith("export ")
    )))  # fmt: skip
    unset = set(re.findall(r"\bunset ([A-Za-z0-9_ ]+)", body)[-1].split()) if exported else set()
    assert exported <= unset, f"README block at line {line} leaves {exported - unset} exported"


def test_demo_tells_its_story() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "demo.py")],
        capture_output=True, text=True, timeout=240, check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith(("WHITELIST_", "ALIBABA_"))},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "NO (unexpected)" not in result.stdout
    assert "untouched: yes" in result.stdout
    # the audit step: the one seeded finding (a public address in a foreign group)
    assert "'high': 1" in result.stdout
    assert "high      public" in result.stdout
    assert "exit code 2" in result.stdout
    assert "writes: {}" in result.stdout
