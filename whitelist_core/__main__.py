"""Command line: ``python -m whitelist_core check-config | plan | apply | invoke``.

Exit codes: 0 success and nothing pending; 2 ``plan`` found changes to make; 1 error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import WhitelistError

if TYPE_CHECKING:
    from .summary import Summary

EXIT_OK, EXIT_ERROR, EXIT_PENDING = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on a usage error; 2 means "pending" here
        return EXIT_OK if exc.code == 0 else EXIT_ERROR
    try:
        return int(args.run(args))
    except (WhitelistError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m whitelist_core", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    check = commands.add_parser("check-config", help="validate a configuration offline")
    check.add_argument("file", nargs="?", help="default: WHITELIST_CONFIG or whitelist.yml")
    check.set_defaults(run=_check_config)
    for name, run, text in (
        ("plan", _plan, "show what a reconcile would change (dry run)"),
        ("apply", _apply, "reconcile and apply the changes"),
    ):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--config", help="configuration file (default: WHITELIST_CONFIG)")
        sub.add_argument("--targets", help="comma-separated target names (default: all)")
        sub.add_argument("--json", action="store_true", help="print JSON instead of a table")
        sub.set_defaults(run=run)
    invoke = commands.add_parser("invoke", help="run the FC handler on an event file")
    invoke.add_argument("--event", required=True, help="event file (JSON), '-' for stdin")
    invoke.set_defaults(run=_invoke)
    return parser


def _check_config(args: argparse.Namespace) -> int:
    from .config import config_path, load_config

    path = Path(args.file) if args.file else config_path(os.environ, Path.cwd())
    config = load_config(path)
    print(f"{path}: valid ({len(config.targets)} target(s))")
    return EXIT_OK


def _plan(args: argparse.Namespace) -> int:
    summary = _reconcile(args, dry_run=True)
    _print(summary, args.json)
    if summary.status in {"error", "rejected"}:
        return EXIT_ERROR
    return EXIT_PENDING if summary.status == "planned" else EXIT_OK


def _apply(args: argparse.Namespace) -> int:
    summary = _reconcile(args, dry_run=None)
    _print(summary, args.json)
    return EXIT_ERROR if summary.status in {"error", "rejected"} else EXIT_OK


def _reconcile(args: argparse.Namespace, dry_run: bool | None) -> Summary:
    from .app import Invocation
    from .intents import ReconcileTargets
    from .logs import configure_logging, send_logs_to_stderr
    from .wiring import cloud_clients

    send_logs_to_stderr()
    configure_logging(os.environ.get("LOG_LEVEL") or "WARNING")
    environ = dict(os.environ)
    if args.config:
        environ["WHITELIST_CONFIG"] = str(Path(args.config).resolve())
    names = tuple(n.strip() for n in args.targets.split(",") if n.strip()) if args.targets else None
    invocation = Invocation(environ, cloud_clients(None, environ), Path.cwd())
    intent = ReconcileTargets(targets=names, dry_run=dry_run, trigger="cli", reason="cli")
    return invocation.run_intent(intent)


def _invoke(args: argparse.Namespace) -> int:
    import handler

    from .logs import send_logs_to_stderr

    send_logs_to_stderr()
    raw = sys.stdin.buffer.read() if args.event == "-" else Path(args.event).read_bytes()
    result = handler.handler(raw, None)
    print(json.dumps(result, indent=2, sort_keys=True))
    status = result.get("status", "")
    return EXIT_ERROR if status in {"error", "rejected"} else EXIT_OK


def _print(summary: Summary, as_json: bool) -> None:
    from .report import render_summary

    data = summary.to_dict()  # rendered once, here at the edge
    print(json.dumps(data, indent=2, sort_keys=True) if as_json else render_summary(data))


if __name__ == "__main__":
    sys.exit(main())
