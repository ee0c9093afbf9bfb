"""Figure 6: the deployment package, ours vs one built on the official SDK clients.

Ours: ``tools/package.py`` (what ``make package`` runs). Theirs: the same build with
``requests`` swapped for ``alibabacloud-r-kvstore20150101`` + ``alibabacloud-ecs20140526``
(pip ``--target``, CPython 3.10 manylinux2014 wheels, zipped the same way) and our
sources as they are (a real SDK port would drop ``whitelist_core/aliyun``: a few KB).

Also: the same package with ``.pyc`` compiled by CPython 3.10 (``unchecked-hash``, so the
zip's fixed timestamps do not invalidate them), its size, and the cold import of
``handler`` from the unpacked package by python3.10 with and without them (``-B``: FC's
code directory is read-only, so without shipped bytecode every cold start compiles).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from _common import ROOT, Figure, log, median

sys.path.insert(0, str(ROOT / "tools"))
import package  # tools/package.py

SDKS = ("alibabacloud-r-kvstore20150101", "alibabacloud-ecs20140526")
PYTHON310 = ("python3.10", str(Path.home() / ".pyenv/versions/3.10.13/bin/python3.10"))


def python310() -> str | None:
    for candidate in PYTHON310:
        found = shutil.which(candidate) if "/" not in candidate else candidate
        if found and Path(found).is_file():
            probe = subprocess.run([found, "-c", "pass"], capture_output=True, check=False)
            if probe.returncode == 0:
                return found
    return None


def sdk_package(out: Path) -> Path:
    requirements = [
        line
        for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if not line.startswith("requests")
    ]
    with tempfile.TemporaryDirectory(prefix="bench-sdk-") as tmp:
        req = Path(tmp) / "requirements.txt"
        req.write_text("\n".join([*requirements, *SDKS]) + "\n", encoding="utf-8")
        deps = Path(tmp) / "deps"
        package.install_dependencies(req, deps)
        files = {
            **package.collect_tree(deps),
            **package.collect_sources(ROOT, ROOT / "examples" / "whitelist.yml"),
        }
        dest = out / "sdk.zip"
        package.write_zip(files, dest)
    return dest


def import_ms(python: str, directory: Path, runs: int = 7) -> float:
    code = f"import sys; sys.path.insert(0, {str(directory)!r}); import handler"
    base = f"import sys; sys.path.insert(0, {str(directory)!r})"
    times = []
    for _ in range(runs):
        times.append(
            _wall([python, "-s", "-E", "-B", "-c", code])
            - _wall([python, "-s", "-E", "-B", "-c", base])
        )
    return median(times) * 1000


def _wall(command: list[str]) -> float:
    import time

    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def with_pyc(python: str, ours: Path, out: Path) -> tuple[Path, Path]:
    unpacked = out / "unpacked"
    with zipfile.ZipFile(ours) as archive:
        archive.extractall(unpacked)
    compiled = out / "compiled"
    shutil.copytree(unpacked, compiled)
    subprocess.run(
        [python, "-m", "compileall", "-q", "--invalidation-mode", "unchecked-hash", str(compiled)],
        check=True, capture_output=True,
    )  # fmt: skip
    files = {
        p.relative_to(compiled).as_posix(): p for p in sorted(compiled.rglob("*")) if p.is_file()
    }
    dest = out / "with-pyc.zip"
    package.write_zip(files, dest)
    return dest, unpacked


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="bench-package-") as tmp:
        out = Path(tmp)
        ours = package.build(ROOT, out / "ours")
        theirs = sdk_package(out)
        mib = 1024 * 1024
        figures = [
            Figure("package zip, ours vs SDK-client based", ours.stat().st_size / mib, "MiB", theirs.stat().st_size / mib),
        ]  # fmt: skip
        log(f"package: ours {ours.stat().st_size} B, SDK-based {theirs.stat().st_size} B")
        python = python310()
        if python is None:
            figures.append(
                Figure(
                    "package with .pyc for 3.10", 0, "-", note="no python3.10 here: not measured"
                )
            )
            return figures
        compiled, unpacked = with_pyc(python, ours, out)
        figures.append(
            Figure(
                "package zip with .pyc (3.10) vs without",
                compiled.stat().st_size / mib, "MiB", ours.stat().st_size / mib,
            )
        )  # fmt: skip
        plain_ms = import_ms(python, unpacked)
        pyc_ms = import_ms(python, out / "compiled")
        log(f"python3.10 import from package: {plain_ms:.0f} ms without .pyc, {pyc_ms:.0f} ms with")
        figures.append(
            Figure(
                "python3.10 cold import from the package, with .pyc vs without",
                pyc_ms, "ms", plain_ms,
                note="without: every cold start compiles (read-only code dir)",
            )
        )  # fmt: skip
    return figures


if __name__ == "__main__":
    for figure in run():
        print(figure)
