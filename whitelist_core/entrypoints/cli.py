"""Command line: ``redis-whitelist-sync`` (or ``python -m whitelist_core``).

One grammar: every subcommand takes the configuration as ``--config FILE`` (default
``WHITELIST_CONFIG``, else ``./whitelist.yml``); ``check-config FILE`` is the one
positional form. Exit codes: 0 success and nothing pending; 2 ``plan`` found changes to
make, or a ``plan`` or ``apply`` run needs attention (removals held back by a limit, a
target blocked by policy: the result's ``attention``); 1 error, including a usage error.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whitelist_core import __version__
from whitelist_core.entrypoints.cli_support import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_PENDING,
    cli_environ,
    config_file,
    print_result,
    prog,
    report_error,
    runnable,
    start_logging,
)
from whitelist_core.errors import WhitelistError

if TYPE_CHECKING:
    from whitelist_core.summary import Summary

DESCRIPTION = """\
Keep database IP whitelists in sync with the private IPs of ECS instances.

products (a target's product:, default redis):
{products}

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
            _unrecognized(args, parser, extra)
    except SystemExit as exc:  # argparse exits 2 on a usage error; 2 means "pending" here
        return EXIT_OK if exc.code == 0 else EXIT_ERROR
    try:
        return int(args.run(args))
    except SystemExit as exc:  # a usage error found after parsing (args.subparser.error)
        return EXIT_OK if exc.code == 0 else EXIT_ERROR
    except (WhitelistError, OSError) as exc:
        return report_error(exc, args)


def _unrecognized(
    args: argparse.Namespace, parser: argparse.ArgumentParser, extra: list[str]
) -> None:
    sub = getattr(args, "subparser", parser)
    given = [e for e in extra if not e.startswith("-")]
    if given and sub is not parser and getattr(args, "config", None) is None:
        command = f"{runnable()} {sub.prog.split()[-1]} --config {shlex.quote(given[0])}"
        sub.error(f"the configuration is given with --config:  {command}")
    sub.error(f"unrecognized arguments: {' '.join(extra)}")


def _products() -> str:
    from whitelist_core.products import PRODUCTS, spec_of

    rows = [
        f"  {name:<9} {spec_of(name).title}, ids {spec_of(name).instance_id_form}"
        for name in PRODUCTS
    ]
    return "\n".join(rows)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog(),
        description=DESCRIPTION.format(products=_products()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
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
    from whitelist_core.entrypoints.cli_invoke import invoke

    run = _command(commands, "invoke", invoke, "run the FC handler on an event file")
    run.add_argument("--event", required=True, help="event file (JSON), '-' for stdin")
    run.add_argument("--json", action="store_true", help="print what FC returns, as JSON")
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


def _target_names(args: argparse.Namespace) -> tuple[str, ...] | None:
    if args.targets is None:
        return None
    names = tuple(n.strip() for n in args.targets.split(","))
    if not all(names):
        args.subparser.error("--targets needs target names separated by commas (omit it for all)")
    return names


def _check_config(args: argparse.Namespace) -> int:
    from whitelist_core.config import load_config

    path = config_file(args)
    config = load_config(path)
    print(f"{path}: valid ({len(config.targets)} target(s))")
    return EXIT_OK


def _plan(args: argparse.Namespace) -> int:
    summary = _reconcile(args, dry_run=True)
    print_result(summary.to_dict(), args.json)
    if summary.status in {"error", "rejected"}:
        return EXIT_ERROR
    if args.out:
        from whitelist_core.entrypoints.replay import write_plan
        from whitelist_core.entrypoints.wiring import load_cached

        path = config_file(args)
        write_plan(Path(args.out), summary, load_cached(path))
        again = f"{runnable()} apply {shlex.quote(args.out)} --config {shlex.quote(str(path))}"
        print(
            f"plan saved to {args.out}; apply exactly this plan with:\n  {again}", file=sys.stderr
        )
    return EXIT_PENDING if summary.status == "planned" or _attention(summary) else EXIT_OK


def _attention(summary: Summary) -> bool:
    """Removals held back by a limit, or a target blocked by policy: the run did not
    converge, and someone must look (``attention`` in the result)."""
    return bool(summary.attention().kinds)


def _apply(args: argparse.Namespace) -> int:
    if args.planfile:
        if args.targets is not None:
            args.subparser.error("a saved plan already names its targets: drop --targets")
        if Path(args.planfile).suffix in {".yml", ".yaml"} and args.config is None:
            args.subparser.error(
                f"{args.planfile} is a configuration, not a saved plan: use "
                f"{runnable()} apply --config {shlex.quote(args.planfile)}"
            )
        from whitelist_core.entrypoints.replay import apply_saved

        path = config_file(args)
        start_logging()
        summary = apply_saved(Path(args.planfile), cli_environ(path), Path.cwd())
    else:
        summary = _reconcile(args, dry_run=None)
    print_result(summary.to_dict(), args.json)
    if summary.status in {"error", "rejected"}:
        return EXIT_ERROR
    return EXIT_PENDING if _attention(summary) else EXIT_OK


def _reconcile(args: argparse.Namespace, dry_run: bool | None) -> Summary:
    from whitelist_core.entrypoints.app import Invocation
    from whitelist_core.entrypoints.wiring import cloud_clients
    from whitelist_core.intents import ReconcileTargets

    names = _target_names(args)
    environ = cli_environ(config_file(args))
    start_logging()
    invocation = Invocation(environ, cloud_clients(None, environ, interactive=True), Path.cwd())
    intent = ReconcileTargets(targets=names, dry_run=dry_run, trigger="cli", reason="cli")
    return invocation.run_intent(intent)


def _audit(args: argparse.Namespace) -> int:
    from whitelist_core.entrypoints.audit_command import run_audit

    path = config_file(args)
    start_logging()
    return run_audit(args, path, cli_environ(path))


if __name__ == "__main__":
    sys.exit(main())
