"""What every subcommand of the command line shares: its program name, where the
configuration is, logging kept out of the answer, printing a result, and saying an error.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from pathlib import Path
from typing import Any

from whitelist_core.errors import IncompleteRun, WhitelistError

EXIT_OK, EXIT_ERROR, EXIT_PENDING = 0, 1, 2


class NoConfiguration(WhitelistError):
    """The configuration file is not there."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"no configuration at {path} (set --config or WHITELIST_CONFIG)")


def prog() -> str:
    """How the user called us, as a command they can run again."""
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    return name if name.startswith("redis-whitelist-sync") else "python -m whitelist_core"


def runnable() -> str:
    """The program as a command that can be pasted and run as it is, from here: the
    console script by name, or this very interpreter with ``-m whitelist_core``."""
    if prog() != "python -m whitelist_core":
        return prog()
    python = Path(sys.executable)
    if python.is_relative_to(Path.cwd()):
        python = python.relative_to(Path.cwd())
    return f"{shlex.quote(str(python))} -m whitelist_core"


def config_file(args: argparse.Namespace) -> Path:
    """The configuration: ``--config`` (or check-config's FILE), else ``WHITELIST_CONFIG``,
    else ``./whitelist.yml``; ``NoConfiguration`` when nothing is there."""
    from whitelist_core.config import config_path

    given = [Path(f) for f in (getattr(args, "file", None), args.config) if f]
    if len({p.resolve() for p in given}) > 1:
        args.subparser.error("give the configuration either as FILE or as --config, not both")
    path = given[0] if given else config_path(os.environ, Path.cwd())
    if not path.exists():
        raise NoConfiguration(path)
    return path


def cli_environ(config: Path) -> dict[str, str]:
    """The environment a run sees: ours, with ``WHITELIST_CONFIG`` the file found."""
    return dict(os.environ) | {"WHITELIST_CONFIG": str(config.resolve())}


def log_level() -> str:
    """Warnings and errors only, unless ``LOG_LEVEL`` asks for more: the answer is the
    table (or JSON) on stdout, the log lines go to stderr."""
    return os.environ.get("LOG_LEVEL") or "WARNING"


def start_logging() -> None:
    """Log lines to stderr at ``log_level()``."""
    from whitelist_core.logs import configure_logging, send_logs_to_stderr

    send_logs_to_stderr()
    configure_logging(log_level())


def print_result(data: dict[str, Any], as_json: bool) -> None:
    """A rendered result: a summary's table and totals line, each item's of a batch, or
    an HTTP answer's status and body; ``as_json`` prints the dict itself."""
    from whitelist_core.entrypoints.report import render_summary, totals

    if as_json:
        extra = {"totals": totals(data)} if "targets" in data else {}
        print(json.dumps(data | extra, indent=2, sort_keys=True))
    elif "results" in data:  # a batch: one summary per item
        print(f"batch: {data.get('status')} ({len(data['results'])} item(s))")
        for number, item in enumerate(data["results"], 1):
            print(f"\n[{number}] " + render_summary(item))
    elif "statusCode" in data:  # an HTTP trigger's answer
        print(f"HTTP {data['statusCode']}\n{data.get('body', '')}")
    else:
        print(render_summary(data))


def report_error(exc: Exception, args: argparse.Namespace) -> int:
    """Say an error on stderr (a run that failed part way: its table first); exit 1."""
    if isinstance(exc, IncompleteRun):
        print_result(exc.summary, getattr(args, "json", False))
        lines = [
            f"  {f.get('target')}: {f.get('action')} {f.get('code')}: {f.get('message')}"
            for f in exc.failures
        ]
        print(f"error: {len(exc.failures)} target(s) failed:", *lines, sep="\n", file=sys.stderr)
    else:
        print(f"error: {exc}", file=sys.stderr)
    return EXIT_ERROR
