"""The console script: ``pip install .`` gives ``redis-whitelist-sync``, and it works from
any directory against localcloud.

It installs the project into a fresh virtual environment with ``--no-deps --no-index
--no-build-isolation`` (no network): the environment finds the runtime dependencies and
setuptools through a ``.pth`` file naming this interpreter's site-packages. The project is
installed from a copy of its sources, so the checkout gains no ``build/`` or ``egg-info``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import site
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from localcloud.testing import run_server

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``bin`` directory of a venv with the project installed by pip."""
    if importlib.util.find_spec("wheel") is None:
        # setuptools (65) builds wheels only with the `wheel` package, which cannot be
        # fetched without network. requirements-dev.txt lists it, so `make venv` has it.
        pytest.skip("the `wheel` package is not installed here (requirements-dev.txt has it)")
    base = tmp_path_factory.mktemp("console")
    source = base / "source"
    source.mkdir()
    for name in ("pyproject.toml", "handler.py", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "whitelist_core", source / "whitelist_core",
        ignore=shutil.ignore_patterns("__pycache__"),
    )  # fmt: skip
    venv = base / "venv"
    made = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot create a virtual environment here: {made.stderr.strip()[-300:]}")
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    ours = {sysconfig.get_paths()["purelib"], *site.getsitepackages()}
    (Path(purelib) / "shared-deps.pth").write_text("\n".join(sorted(ours)) + "\n")
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    pip += ["--no-deps", "--no-index", "--no-build-isolation", str(source)]
    result = subprocess.run(pip, capture_output=True, text=True, cwd=base)
    assert result.returncode == 0, result.stderr
    return venv / "bin"


def _run(
    bin_dir: Path, *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("WHITELIST_", "ALIBABA_"))}
    environ |= env or {}
    environ["PATH"] = f"{bin_dir}{os.pathsep}{environ.get('PATH', '')}"
    return subprocess.run(["redis-whitelist-sync", *args], capture_output=True, text=True,
                          cwd=cwd, env=environ, timeout=120)  # fmt: skip


def test_the_console_script_has_the_project_name_and_version(
    installed: Path, tmp_path: Path
) -> None:
    result = _run(installed, "--version", cwd=tmp_path)
    assert result.returncode == 0
    assert re.fullmatch(r"redis-whitelist-sync \d+\.\d+\.\d+\n", result.stdout)
    usage = _run(installed, "plan", "--bogus", cwd=tmp_path)
    assert usage.returncode == 1
    assert "usage: redis-whitelist-sync plan" in usage.stderr


def test_the_console_script_checks_a_configuration_from_any_directory(
    installed: Path, tmp_path: Path
) -> None:
    good = _run(
        installed,
        "check-config",
        "--config",
        str(ROOT / "examples" / "whitelist.yml"),
        cwd=tmp_path,
    )
    assert good.returncode == 0, good.stderr
    bad = _run(installed, "check-config", str(ROOT / "examples" / "broken.yml"), cwd=tmp_path)
    assert bad.returncode == 1
    assert "targets[1] (billing-cache).group" in bad.stderr


def test_the_console_script_plans_applies_and_invokes_against_localcloud(
    installed: Path, tmp_path: Path
) -> None:
    config = tmp_path / "whitelist.yml"
    shutil.copy2(ROOT / "examples" / "whitelist.yml", config)
    with run_server(ROOT / "examples" / "seed.json") as url:
        env = {
            "WHITELIST_ENDPOINT": url, "WHITELIST_ECS_ENDPOINT": url, "WHITELIST_KVSTORE_ENDPOINT": url,
            "ALIBABA_CLOUD_ACCESS_KEY_ID": "localcloud-id",
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "localcloud-secret",
        }  # fmt: skip
        event = str(ROOT / "examples" / "events" / "orders-web-2-running.json")
        invoke = _run(
            installed, "invoke", "--event", event, "--config", str(config), "--json",
            cwd=tmp_path, env=env,
        )  # fmt: skip
        assert invoke.returncode == 0, invoke.stdout + invoke.stderr
        assert json.loads(invoke.stdout)["status"] == "applied"
        planned = _run(
            installed,
            "plan",
            "--config",
            "whitelist.yml",
            "--json",
            "--out",
            "p.json",
            cwd=tmp_path,
            env=env,
        )
        assert planned.returncode == 2, planned.stderr
        assert json.loads(planned.stdout)["status"] == "planned"
        apply = _run(
            installed, "apply", "p.json", "--config", "whitelist.yml", cwd=tmp_path, env=env
        )
        assert apply.returncode == 0, apply.stderr
        again = _run(installed, "plan", "--config", "whitelist.yml", cwd=tmp_path, env=env)
        assert again.returncode == 0, again.stdout + again.stderr
        stale = _run(
            installed, "apply", "p.json", "--config", "whitelist.yml", cwd=tmp_path, env=env
        )
        assert stale.returncode == 1
        assert "no longer holds what the plan was made from" in stale.stderr


def test_the_install_puts_no_top_level_handler_in_site_packages(installed: Path) -> None:
    python = installed / "python"
    where = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    top = sorted(p.name for p in Path(where).iterdir() if not p.name.endswith((".pth", "-info")))
    assert "handler.py" not in top
    assert "whitelist_core" in top


def test_python_m_and_invoke_work_from_any_directory(installed: Path, tmp_path: Path) -> None:
    """``python -m whitelist_core`` of the installed package, in a directory that holds
    nothing of the project, runs the FC handler on an event (issue 28 item 6)."""
    config = tmp_path / "whitelist.yml"
    shutil.copy2(ROOT / "examples" / "whitelist.yml", config)
    event = str(ROOT / "examples" / "events" / "orders-web-2-running.json")
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("WHITELIST_", "ALIBABA_"))}
    environ.pop("PYTHONPATH", None)
    with run_server(ROOT / "examples" / "seed.json") as url:
        environ |= {
            "WHITELIST_ENDPOINT": url,
            "ALIBABA_CLOUD_ACCESS_KEY_ID": "localcloud-id",
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "localcloud-secret",
        }
        command = [str(installed / "python"), "-m", "whitelist_core", "invoke", "--event", event]
        result = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path,
                                env=environ, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 added, 0 removed, 0 held back" in result.stdout


def test_the_dependencies_match_requirements_txt() -> None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # CPython 3.10, the FC runtime's version, has no tomllib
        import tomli as tomllib

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    required = [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()]
    assert sorted(declared) == sorted(required)


# -- the operator's errors, through both entry points -------------------------------------------

ERROR_CASES = [
    # (arguments, text that must be on stderr or stdout, exit code)
    (["plan", "--targets", "", "--config", "{config}"], "--targets needs target names", 1),
    (["apply", "--bogus"], "usage:", 1),
    (["check-config", "--config", "{empty}"], "the file is empty", 1),
    (["check-config", "--config", "{wrong_case}"], "did you mean 'Running'", 1),
    (["plan", "--config", "{config}"], "missing credentials", 1),
    (["--help"], "exit codes:", 0),
]


def _operator_files(tmp_path: Path) -> dict[str, str]:
    empty = tmp_path / "empty.yml"
    empty.write_text("", encoding="utf-8")
    text = (ROOT / "examples" / "whitelist.yml").read_text(encoding="utf-8")
    wrong = tmp_path / "wrong-case.yml"
    wrong.write_text(
        text.replace("    selector:              # every field given must match",
                     "    statuses: [running]\n    selector:              # every field given must match", 1),
        encoding="utf-8",
    )  # fmt: skip
    config = str(ROOT / "examples" / "whitelist.yml")
    return {"config": config, "empty": str(empty), "wrong_case": str(wrong)}


@pytest.mark.parametrize(("args", "said", "code"), ERROR_CASES, ids=lambda v: str(v)[:30])
def test_operator_errors_through_python_m(
    args: list[str], said: str, code: int, tmp_path: Path
) -> None:
    files = _operator_files(tmp_path)
    argv = [a.format(**files) for a in args]
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("WHITELIST_", "ALIBABA_"))}
    environ["PYTHONPATH"] = str(ROOT)
    result = subprocess.run([sys.executable, "-m", "whitelist_core", *argv], capture_output=True,
                            text=True, cwd=tmp_path, env=environ, timeout=120)  # fmt: skip
    assert result.returncode == code, result.stdout + result.stderr
    assert said in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("args", "said", "code"), ERROR_CASES, ids=lambda v: str(v)[:30])
def test_operator_errors_through_the_console_script(
    installed: Path, args: list[str], said: str, code: int, tmp_path: Path
) -> None:
    files = _operator_files(tmp_path)
    result = _run(installed, *[a.format(**files) for a in args], cwd=tmp_path)
    assert result.returncode == code, result.stdout + result.stderr
    assert said in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
