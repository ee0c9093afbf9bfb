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

import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from _common import ROOT, Figure, log, median

sys.path.insert(0, str(ROOT / "tools"))
import package  # tools/package.py

SDKS = ("alibabacloud-r-kvstore20150101", "alibabacloud-ecs20140526")


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


def _unpack(archive_path: Path, dest: Path) -> Path:
    with zipfile.ZipFile(archive_path) as archive:
        archive.extractall(dest)
    return dest


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="bench-package-") as tmp:
        out = Path(tmp)
        python = package.find_python310(None)
        ours = package.build(ROOT, out / "ours", python310=python)
        theirs = sdk_package(out)
        mib = 1024 * 1024
        figures = [
            Figure("package zip, ours vs SDK-client based", ours.stat().st_size / mib, "MiB", theirs.stat().st_size / mib,
                   note="ours with 3.10 bytecode when a 3.10 is at hand; theirs sources only"),
        ]  # fmt: skip
        log(f"package: ours {ours.stat().st_size} B, SDK-based {theirs.stat().st_size} B")
        if python is None:
            note = "no CPython 3.10 here: package built without bytecode, not compared"
            figures.append(Figure("package with 3.10 bytecode", 0, "-", note=note))
            return figures
        plain = package.build(ROOT, out / "plain", python310=None)
        figures.append(
            Figure(
                "package zip with 3.10 bytecode (shipped) vs sources only",
                ours.stat().st_size / mib, "MiB", plain.stat().st_size / mib,
            )
        )  # fmt: skip
        pyc_ms = import_ms(str(python), _unpack(ours, out / "unpacked-ours"))
        plain_ms = import_ms(str(python), _unpack(plain, out / "unpacked-plain"))
        log(f"python3.10 import from package: {plain_ms:.0f} ms without .pyc, {pyc_ms:.0f} ms with")
        figures.append(
            Figure(
                "python3.10 cold import from the package, with bytecode vs without",
                pyc_ms, "ms", plain_ms,
                note="without: every cold start compiles (read-only code dir)",
            )
        )  # fmt: skip
    return figures


if __name__ == "__main__":
    for figure in run():
        print(figure)
