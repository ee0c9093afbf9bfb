"""Build the Function Compute code package:
``dist/redis-whitelist-sync-<version>-<configuration digest>.zip``.

The name carries the first 12 hex digits of the SHA-256 of the configuration it ships, so
a changed configuration is a new object name: a ROS stack (or ``s deploy``) given the new
name redeploys the code, and the old zip is what a rollback points back to. The
configuration must be named (``--config FILE``); the demo configuration
``examples/whitelist.yml`` ships only when asked for (``--use-example``). Which
configuration went in, path and digest, is always printed.

The zip root holds what the FC ``python3.10`` runtime imports, and nothing else:

- ``handler.py`` (the entry point, ``handler.handler``) and ``whitelist_core/**/*.py``;
- ``whitelist.yml``: a copy of the configuration (the default ``WHITELIST_CONFIG``);
- the runtime dependencies of ``requirements.txt``, as CPython 3.10 manylinux2014 x86_64
  wheels (pip ``--platform``/``--only-binary``, so this works from any dev machine);
  ``__pycache__``, ``*.pyc``, ``bin/``, ``tests/`` and the install bookkeeping of each
  ``*.dist-info`` (``RECORD``, ``INSTALLER``, ...) are left out, ``METADATA`` and licences kept;
  so are two parts nothing imports: PyYAML's libyaml binding (``yaml/_yaml*.so``: the
  function only calls ``yaml.safe_load``, which is pure Python) and ``pydantic/v1``;
- bytecode compiled by a CPython 3.10 (``python3.10`` on PATH, or ``--python310``) as
  ``__pycache__/*.cpython-310.pyc`` with ``unchecked-hash`` invalidation, because FC's code
  directory is read-only: without it every cold start compiles every module (about 360 ms
  against 200 ms, measured in BENCHMARKS.md). Without a 3.10 the package is built without
  bytecode and says so.

Reproducible: entries sorted, every timestamp 1980-01-01 00:00, every mode 0644, so two
builds from the same sources and dependency versions are byte-identical. The build fails
when the configuration is invalid (the checks of ``check-config``, every problem named,
before anything is downloaded), when an input is missing, when something that must not ship (``localcloud``, tests,
caches, dev tools) slipped in, or when the zip exceeds the size budget.

Usage: python tools/package.py (--config FILE | --use-example) [--root DIR] [--out DIR]
                               [--max-mb N] [--python310 PATH | --no-bytecode]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

NAME = "redis-whitelist-sync"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o100644
DEFAULT_MAX_MB = 5.0
DIGEST_CHARS = 12
EXAMPLE_CONFIG = Path("examples") / "whitelist.yml"
PIP_PLATFORM_ARGS = (
    "--platform",
    "manylinux2014_x86_64",
    "--implementation",
    "cp",
    "--python-version",
    "3.10",
    "--only-binary=:all:",
)
DROP_ANYWHERE = {"__pycache__", "tests", "test"}
DROP_TOP_LEVEL = {"bin"}
DROP_DIST_INFO_FILES = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}
DROP_PATHS = re.compile(r"^(yaml/_yaml\.[^/]*\.so|pydantic/v1/.*)$")
BYTECODE = re.compile(r"(^|/)__pycache__/[^/]+\.cpython-310\.pyc$")
CODE_ROOT = "/code"  # where FC unpacks the package: the file names tracebacks show
FORBIDDEN = re.compile(
    r"(^|/)(localcloud|tests?|__pycache__|_?pytest\w*|mypy\w*|ruff|hypothesis|responses"
    r"|alibabacloud\w*|aliyunsdk\w*|Tea|darabonba)(/|$|-[0-9])|\.py[co]$"
)


class PackageError(Exception):
    """The package cannot be built; the message says what is missing or wrong."""


def read_version(pyproject: Path) -> str:
    """``version`` of the ``[project]`` table of ``pyproject.toml``."""
    text = pyproject.read_text(encoding="utf-8")
    section = re.search(r"^\[project\]\s*$(.*?)(?=^\[|\Z)", text, re.MULTILINE | re.DOTALL)
    found = section and re.search(r'^version\s*=\s*"([^"]+)"', section.group(1), re.MULTILINE)
    if not found:
        raise PackageError(f"no [project] version in {pyproject}")
    return found.group(1)


def config_digest(config: Path) -> str:
    """The configuration's digest in package names: SHA-256 of its bytes, 12 hex digits."""
    return hashlib.sha256(config.read_bytes()).hexdigest()[:DIGEST_CHARS]


def package_name(version: str, config: Path) -> str:
    """``redis-whitelist-sync-<version>-<configuration digest>.zip``."""
    return f"{NAME}-{version}-{config_digest(config)}.zip"


def collect_sources(root: Path, example: Path) -> dict[str, Path]:
    """Our own files, by name in the zip."""
    handler = root / "handler.py"
    core = root / "whitelist_core"
    missing = [str(p) for p in (handler, core / "__init__.py", example) if not p.is_file()]
    if missing:
        raise PackageError("missing package input(s): " + ", ".join(missing))
    files = {"handler.py": handler, "whitelist.yml": example}
    for path in sorted(core.rglob("*.py")):
        if "__pycache__" not in path.parts:
            files[path.relative_to(root).as_posix()] = path
    return files


def install_dependencies(requirements: Path, target: Path) -> None:
    """pip-install the runtime requirements for FC python3.10 into ``target``."""
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-compile"]
    command += ["--disable-pip-version-check", *PIP_PLATFORM_ARGS]
    command += ["--target", str(target), "-r", str(requirements)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise PackageError(f"pip install failed ({result.returncode}):\n{result.stderr.strip()}")


def _dropped(parts: Sequence[str]) -> bool:
    if DROP_PATHS.match("/".join(parts)):
        return True
    if parts[0] in DROP_TOP_LEVEL or DROP_ANYWHERE.intersection(parts):
        return True
    if parts[-1].endswith((".pyc", ".pyo")):
        return True
    return len(parts) == 2 and parts[0].endswith(".dist-info") and parts[1] in DROP_DIST_INFO_FILES


def collect_tree(base: Path) -> dict[str, Path]:
    """Every file under ``base`` that belongs in the package, by its relative name."""
    files = {}
    for path in sorted(base.rglob("*")):
        relative = path.relative_to(base)
        if path.is_file() and not _dropped(relative.parts):
            files[relative.as_posix()] = path
    return files


def forbidden_entries(names: Iterable[str]) -> list[str]:
    """Names that must never ship (local stand-ins, tests, caches, dev tools); the only
    bytecode allowed is CPython 3.10's, beside the source it was compiled from."""
    names = set(names)
    return sorted(
        name
        for name in names
        if (FORBIDDEN.search(name) and not BYTECODE.search(name)) or _orphan_bytecode(name, names)
    )


def _orphan_bytecode(name: str, names: set[str]) -> bool:
    if not BYTECODE.search(name):
        return False
    folder, _, pyc = name.rpartition("__pycache__/")
    return f"{folder}{pyc.split('.')[0]}.py" not in names


def find_python310(explicit: Path | None) -> Path | None:
    """The CPython 3.10 to compile bytecode with: ``explicit``, else ``python3.10`` on PATH,
    else one installed by pyenv (whose shim answers only when 3.10 is selected)."""
    pyenv = sorted(Path.home().glob(".pyenv/versions/3.10*/bin/python3.10"), reverse=True)
    candidates = [explicit] if explicit else [shutil.which("python3.10"), *pyenv]
    for found in filter(None, candidates):
        check = [str(found), "-c", "import sys; assert sys.version_info[:2] == (3, 10)"]
        if subprocess.run(check, capture_output=True, check=False).returncode == 0:  # noqa: S603
            return Path(found)
    return None


def compile_bytecode(python310: Path, files: Mapping[str, Path], stage: Path) -> dict[str, Path]:
    """Compile every ``.py`` of ``files`` with ``python310``; the ``.pyc`` files by zip name.

    ``unchecked-hash`` pycs carry no timestamp (the zip's are all 1980) and are used
    without looking at the source, and ``-s``/``-p`` record ``/code/...`` as file names,
    so the output does not depend on where or when it was built.
    """
    for name, path in files.items():
        if name.endswith(".py"):
            (stage / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, stage / name)
    command = [str(python310), "-m", "compileall", "-q", "--invalidation-mode", "unchecked-hash"]
    command += ["-s", str(stage), "-p", CODE_ROOT, str(stage)]
    # Frozenset constants are marshalled in hash order: fix the seed so builds match.
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    result = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, check=False, env=env
    )
    if result.returncode != 0:
        raise PackageError(f"compileall failed:\n{(result.stdout + result.stderr).strip()}")
    return {
        path.relative_to(stage).as_posix(): path
        for path in sorted(stage.rglob("*.cpython-310.pyc"))
    }


def write_zip(files: Mapping[str, Path], dest: Path) -> None:
    """Write ``files`` (zip name -> path) to ``dest``: sorted, fixed times and modes."""
    partial = dest.with_name(dest.name + ".partial")
    with zipfile.ZipFile(partial, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.create_system = 3  # unix, so external_attr is read as a mode
            info.external_attr = FILE_MODE << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name].read_bytes(), compresslevel=9)
    partial.replace(dest)


def build(
    root: Path,
    out_dir: Path,
    example: Path | None = None,
    max_mb: float = 5.0,
    python310: Path | None = None,
) -> Path:
    """Build the package from the tree at ``root`` into ``out_dir``; return the zip's path.

    ``python310``: compile bytecode with that interpreter (None: ship sources only)."""
    version = read_version(root / "pyproject.toml")
    config = example or root / EXAMPLE_CONFIG
    sources = collect_sources(root, config)
    with tempfile.TemporaryDirectory(prefix="package-deps-") as tmp:
        install_dependencies(root / "requirements.txt", Path(tmp))
        dependencies = collect_tree(Path(tmp))
        clashes = sorted(sources.keys() & dependencies.keys())
        if clashes:
            raise PackageError(f"dependency files would overwrite ours: {clashes}")
        files = {**dependencies, **sources}
        if python310 is not None:
            files |= compile_bytecode(python310, files, Path(tmp) / ".bytecode")
        bad = forbidden_entries(files)
        if bad:
            raise PackageError(f"refusing to package {len(bad)} forbidden file(s): {bad[:10]}")
        out_dir.mkdir(parents=True, exist_ok=True)
        dest = out_dir / package_name(version, config)
        write_zip(files, dest)
    size = dest.stat().st_size
    if size > max_mb * 1024 * 1024:
        raise PackageError(f"{dest} is {size / 1048576:.2f} MiB, over the {max_mb} MiB budget")
    return dest


def config_problems(root: Path, config: Path) -> str:
    """What ``check-config`` says is wrong with ``config`` (``""`` when it is valid), using
    the ``whitelist_core`` of the tree being packaged."""
    sys.path.insert(0, str(root))
    try:
        from whitelist_core.config import load_config
        from whitelist_core.errors import ConfigError
    finally:
        sys.path.remove(str(root))
    try:
        load_config(config)
    except ConfigError as exc:
        return str(exc)
    return ""


def main(argv: Sequence[str] | None = None) -> int:
    repo = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    chosen = parser.add_mutually_exclusive_group()
    chosen.add_argument("--config", "--example", type=Path, help="configuration to ship")
    chosen.add_argument(
        "--use-example", action="store_true", help=f"ship the demo {EXAMPLE_CONFIG}"
    )
    parser.add_argument("--root", type=Path, default=repo, help="source tree (default: repo)")
    parser.add_argument("--out", type=Path, help="output directory (default: ROOT/dist)")
    parser.add_argument("--max-mb", type=float, default=DEFAULT_MAX_MB, help="size budget")
    parser.add_argument("--python310", type=Path, help="CPython 3.10 to compile bytecode with")
    parser.add_argument("--no-bytecode", action="store_true", help="ship sources only")
    args = parser.parse_args(argv)
    if args.config is None and not args.use_example:
        print(
            "package: which configuration? make package CONFIG=path/to/whitelist.yml "
            f"(or EXAMPLE=1 for the demo {EXAMPLE_CONFIG}, which whitelists nothing of yours)",
            file=sys.stderr,
        )
        return 2
    config = args.config or args.root / EXAMPLE_CONFIG
    if not config.is_file():
        print(f"package: no configuration file at {config}; no zip built", file=sys.stderr)
        return 1
    print(f"package: configuration {config} (sha256 {config_digest(config)})")
    problems = config_problems(args.root, config)
    if problems:
        print(f"package: refusing to ship {config}: {problems}", file=sys.stderr)
        print(
            "package: fix it (check-config names the same problems); no zip built", file=sys.stderr
        )
        return 1
    python310 = None if args.no_bytecode else find_python310(args.python310)
    if python310 is None and not args.no_bytecode:
        print("package: no CPython 3.10 found: building without bytecode", file=sys.stderr)
    try:
        out = args.out or args.root / "dist"
        dest = build(args.root, out, config, args.max_mb, python310)
    except PackageError as exc:
        print(f"package: {exc}", file=sys.stderr)
        return 1
    with zipfile.ZipFile(dest) as archive:
        count = len(archive.namelist())
    size = dest.stat().st_size
    print(f"{dest}: {size} bytes ({size / 1048576:.2f} MiB), {count} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
