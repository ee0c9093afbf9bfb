"""Command line: ``redis-whitelist-sync`` (or ``python -m whitelist_core``).

Exit codes: 0 success and nothing pending; 2 ``plan`` found changes to make, or a ``plan``
or ``apply`` run needs attention (removals held back by a limit, a target blocked by
policy: the result's ``attention``); 1 error, including a usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whitelist_core import __version__
from whitelist_core.errors import WhitelistError

if TYPE_CHECKING:
    from whitelist_core.summary import Summary

EXIT_OK, EXIT_ERROR, EXIT_PENDING = 0, 1, 2

DESCRIPTION = """\
Keep ApsaraDB for Redis (Tair) IP whitelists in sync with ECS private IPs.

commands:
  check-config   validate a configuration offline
  plan           show what a reconcile would change (a dry run); --out saves the plan
  apply          reconcile and apply the changes, or apply a saved plan exactly
  invoke         run the Function Compute handler on an event file
  audit          find whitelist entries that open the databases too far (read-only)

exit codes: 0 nothing pending (or applied), 2 plan found changes, or removals were held
back or a target was blocked (plan and apply), or audit found findings, 1 error.
Every command takes --config FILE (default: WHITELIST_CONFIG, else ./whitelist.yml).
"""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = _parser()
    try:
        args, extra = parser.parse_known_args(argv)
        if extra:  # report it with the usage of the subcommand it was given to
            getattr(args, "subparser", parser).error(f"unrecognized arguments: {' '.join(extra)}")
    except SystemExit as exc:  # argparse exits 2 on a usage error; 2 means "pending" here
        return EXIT_OK if exc.code == 0 else EXIT_ERROR
    try:
        return int(args.run(args))
    except SystemExit as exc:  # a usage error found after parsing (args.subparser.error)
        return EXIT_OK if exc.code == 0 else EXIT_ERROR
    except (WhitelistError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR


def _prog() -> str:
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    return name if name.startswith("redis-whitelist-sync") else "python -m whitelist_core"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=_prog(), description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--version", action="version", version=f"redis-whitelist-sync {__version__}"
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    check = _command(commands, "check-config", _check_config, "validate a configuration offline")
    check.add_argument("file", nargs="?", help="the configuration (same as --config)")
    plan = _command(commands, "plan", _plan, "show what a reconcile would change (dry run)")
    _reconcile_options(plan)
    plan.add_argument("--out", metavar="PLANFILE", help="also save the plan, for apply PLANFILE")
    apply = _command(commands, "apply", _apply, "reconcile and apply, or apply a saved plan")
    apply.add_argument("planfile", nargs="?", metavar="PLANFILE", help="a plan saved by plan --out")
    _reconcile_options(apply)
    invoke = _command(commands, "invoke", _invoke, "run the FC handler on an event file")
    invoke.add_argument("--event", required=True, help="event file (JSON), '-' for stdin")
    from whitelist_core.entrypoints import audit_command

    audit_command.add_options(_command(commands, "audit", _audit, audit_command.HELP))
    return parser


def _command(commands: Any, name: str, run: Any, text: str) -> argparse.ArgumentParser:
    sub: argparse.ArgumentParser = commands.add_parser(name, help=text, description=text)
    sub.add_argument("--config", metavar="FILE", help="configuration (default: WHITELIST_CONFIG)")
    sub.set_defaults(run=run, subparser=sub)
    return sub


def _reconcile_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--targets", help="comma-separated target names (default: all)")
    sub.add_argument("--json", action="store_true", help="print JSON instead of a table")


def _config_file(args: argparse.Namespace) -> Path:
    from whitelist_core.config import config_path

    given = [Path(f) for f in (getattr(args, "file", None), args.config) if f]
    if len({p.resolve() for p in given}) > 1:
        args.subparser.error("give the configuration either as FILE or as --config, not both")
    return given[0] if given else config_path(os.environ, Path.cwd())


def _target_names(args: argparse.Namespace) -> tuple[str, ...] | None:
    if args.targets is None:
        return None
    names = tuple(n.strip() for n in args.targets.split(","))
    if not all(names):
        args.subparser.error("--targets needs target names separated by commas (omit it for all)")
    return names


def _check_config(args: argparse.Namespace) -> int:
    from whitelist_core.config import load_config

    path = _config_file(args)
    config = load_config(path)
    print(f"{path}: valid ({len(config.targets)} target(s))")
    return EXIT_OK


def _plan(args: argparse.Namespace) -> int:
    summary = _reconcile(args, dry_run=True)
    _print(summary, args.json)
    if summary.status in {"error", "rejected"}:
        return EXIT_ERROR
    if args.out:
        from whitelist_core.config import config_path
        from whitelist_core.entrypoints.replay import write_plan
        from whitelist_core.entrypoints.wiring import load_cached

        config = load_cached(config_path(_environ(args), Path.cwd()))
        write_plan(Path(args.out), summary, config)
        print(f"plan saved to {args.out}: apply it with  apply {args.out}", file=sys.stderr)
    return EXIT_PENDING if summary.status == "planned" or _attention(summary) else EXIT_OK


def _attention(summary: Summary) -> bool:
    """Removals held back by a limit, or a target blocked by policy: the run did not
    converge, and someone must look (``attention`` in the result)."""
    return bool(summary.attention().kinds)


def _apply(args: argparse.Namespace) -> int:
    if args.planfile:
        if args.targets is not None:
            args.subparser.error("a saved plan already names its targets: drop --targets")
        from whitelist_core.entrypoints.replay import apply_saved

        _start_logging()
        summary = apply_saved(Path(args.planfile), _environ(args), Path.cwd())
    else:
        summary = _reconcile(args, dry_run=None)
    _print(summary, args.json)
    if summary.status in {"error", "rejected"}:
        return EXIT_ERROR
    return EXIT_PENDING if _attention(summary) else EXIT_OK


def _start_logging() -> None:
    from whitelist_core.logs import configure_logging, send_logs_to_stderr

    send_logs_to_stderr()
    configure_logging(os.environ.get("LOG_LEVEL") or "WARNING")


def _environ(args: argparse.Namespace) -> dict[str, str]:
    environ = dict(os.environ)
    if args.config:
        environ["WHITELIST_CONFIG"] = str(Path(args.config).resolve())
    return environ


def _reconcile(args: argparse.Namespace, dry_run: bool | None) -> Summary:
    from whitelist_core.entrypoints.app import Invocation
    from whitelist_core.entrypoints.wiring import cloud_clients
    from whitelist_core.intents import ReconcileTargets

    names = _target_names(args)
    _start_logging()
    environ = _environ(args)
    invocation = Invocation(environ, cloud_clients(None, environ), Path.cwd())
    intent = ReconcileTargets(targets=names, dry_run=dry_run, trigger="cli", reason="cli")
    return invocation.run_intent(intent)


def _audit(args: argparse.Namespace) -> int:
    from whitelist_core.entrypoints.audit_command import run_audit

    _start_logging()
    return run_audit(args, _config_file(args), _environ(args))


def _invoke(args: argparse.Namespace) -> int:
    import handler
    from whitelist_core.logs import send_logs_to_stderr

    send_logs_to_stderr()
    raw = sys.stdin.buffer.read() if args.event == "-" else Path(args.event).read_bytes()
    saved = os.environ.get("WHITELIST_CONFIG")
    if args.config:  # the handler reads WHITELIST_CONFIG itself, as on FC
        os.environ["WHITELIST_CONFIG"] = str(Path(args.config).resolve())
    try:
        result = handler.handler(raw, None)
    finally:
        _restore("WHITELIST_CONFIG", saved)
    print(json.dumps(result, indent=2, sort_keys=True))
    status = result.get("status", "")
    return EXIT_ERROR if status in {"error", "rejected"} else EXIT_OK


def _restore(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def _print(summary: Summary, as_json: bool) -> None:
    from whitelist_core.entrypoints.report import render_summary, totals

    data = summary.to_dict()  # rendered once, here at the edge
    if as_json:
        print(json.dumps(data | {"totals": totals(data)}, indent=2, sort_keys=True))
    else:
        print(render_summary(data))


if __name__ == "__main__":
    sys.exit(main())
