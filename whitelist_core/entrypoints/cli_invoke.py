"""``invoke``: run the Function Compute handler on an event file, as FC would, and show
its result the way ``plan`` and ``apply`` do (a table and the totals line, JSON with
``--json``), with the log lines on stderr at warning level unless ``LOG_LEVEL`` says."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from whitelist_core.entrypoints.cli_support import (
    EXIT_ERROR,
    EXIT_OK,
    cli_environ,
    config_file,
    log_level,
    print_result,
)


def invoke(args: argparse.Namespace) -> int:
    """Run the handler on ``--event`` with ``--config``; exit 1 when it failed."""
    from whitelist_core.entrypoints.function import handle
    from whitelist_core.logs import send_logs_to_stderr

    environ = cli_environ(config_file(args))  # the handler reads WHITELIST_CONFIG, as on FC
    raw = sys.stdin.buffer.read() if args.event == "-" else Path(args.event).read_bytes()
    send_logs_to_stderr()
    result = handle(raw, None, Path.cwd(), environ, level=log_level(), interactive=True)
    print_result(result, args.json)
    status = result.get("status", "")
    failed = status in {"error", "rejected"} or int(result.get("statusCode", 200)) >= 400
    return EXIT_ERROR if failed else EXIT_OK
