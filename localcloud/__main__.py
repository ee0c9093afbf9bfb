"""``python -m localcloud [--host 127.0.0.1] [--port 0] [--seed FILE]``.

A refusal to start is one line on stderr and a non-zero exit: 1 when it cannot listen
(a port in use, an address it cannot bind), 2 for a bad seed (as for bad arguments).
"""

from __future__ import annotations

import argparse
import errno
import json
import signal
import sys
import threading
from types import FrameType

from localcloud.actions import catalogue
from localcloud.backend import Backend
from localcloud.server import LocalCloudServer

ADMIN = "state, calls, reset-calls, faults, ecs, kvstore, rds, polardb, mongodb, clock, reset"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line: --host, --port, --seed; --help lists the APIs served."""
    parser = argparse.ArgumentParser(
        prog="python -m localcloud",
        description=(
            "Local stand-in for the Alibaba Cloud APIs the whitelist function uses.\n"
            "Prints 'localcloud listening on http://HOST:PORT' once ready;"
            " SIGTERM or SIGINT stops it."
        ),
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind (default 0: any free)")
    parser.add_argument("--seed", help="JSON seed file with the initial state")
    return parser.parse_args(argv)


def _epilog() -> str:
    lines = ["APIs served (product version: actions), all on the one port:"]
    for (product, version), actions in catalogue().items():
        lines.append(f"  {product} {version}: {', '.join(actions)}")
    lines += [
        "Admin endpoints (no signature, loopback only) under /_localcloud/:",
        f"  {ADMIN}",
        "Default credentials: localcloud-id / localcloud-secret. See docs/localcloud.md.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGTERM or SIGINT; the first stdout line says where."""
    args = parse_args(argv)
    try:
        backend = Backend(args.seed)
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"localcloud: bad seed {args.seed}: {_seed_problem(error)}", file=sys.stderr)
        return 2
    try:
        server = LocalCloudServer(backend, args.host, args.port)
    except (OSError, OverflowError) as error:
        print(f"localcloud: cannot listen on {args.host}:{args.port}: {_bind_problem(error)}",
              file=sys.stderr)  # fmt: skip
        return 1
    return _serve(server)


def _serve(server: LocalCloudServer) -> int:
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    thread = threading.Thread(target=server.serve_forever, name="localcloud", daemon=True)
    thread.start()
    print(f"localcloud listening on {server.base_url}", flush=True)
    while not stop.wait(0.5):
        pass
    server.stop()  # interrupts held calls and delays; handler threads are daemons
    thread.join(timeout=5)
    return 0


def _seed_problem(error: Exception) -> str:
    if isinstance(error, FileNotFoundError):
        return "no such file"
    if isinstance(error, json.JSONDecodeError):
        return f"not JSON ({error.msg} at line {error.lineno} column {error.colno})"
    if isinstance(error, OSError):
        return error.strerror or str(error)
    if isinstance(error, KeyError):
        return f"missing key {error.args[0]!r}"
    return str(error)


def _bind_problem(error: Exception) -> str:
    if isinstance(error, OSError) and error.errno == errno.EADDRINUSE:
        return (
            "address already in use (another localcloud? pick another --port,"
            " or --port 0 for any free one)"
        )
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower()
    return str(error)


if __name__ == "__main__":
    sys.exit(main())
