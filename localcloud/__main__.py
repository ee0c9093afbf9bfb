"""``python -m localcloud [--host 127.0.0.1] [--port 0] [--seed FILE]``."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from localcloud.backend import Backend
from localcloud.server import LocalCloudServer


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line: --host, --port, --seed."""
    parser = argparse.ArgumentParser(
        prog="python -m localcloud",
        description="Local stand-in for ECS DescribeInstances and R-KVStore whitelist APIs.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind (default 0: any free)")
    parser.add_argument("--seed", help="JSON seed file with the initial state")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGTERM or SIGINT; the first stdout line says where."""
    args = parse_args(argv)
    server = LocalCloudServer(Backend(args.seed), args.host, args.port)
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
    server.stop()
    thread.join(timeout=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
