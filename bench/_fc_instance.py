"""One Function Compute instance of the figure 7 storm model, as a process of its own.

Reads one JSON line on stdin: ``{"events": [[request_id, event], ...], "timeout":
seconds}``; imports the handler (the cold start) and prints ``ready``; reads a second line,
the epoch second to start at, waits for it, then serves every event at once, one thread per request, as FC serves the
concurrent requests of one instance (``InstanceConcurrency``). Prints one JSON document:
``{"results": [[request_id, ok, finished_at], ...]}`` (``ok`` false when the invocation
raised: the platform would retry it). The environment (endpoints, credentials,
configuration, ``WHITELIST_COALESCE_MS``) is the parent's.
"""

from __future__ import annotations

import json
import sys
import threading
import time
import types
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import handler


def serve(request_id: str, event: Any, timeout: int) -> tuple[str, bool, float]:
    context = types.SimpleNamespace(
        request_id=request_id, credentials=None, function=types.SimpleNamespace(timeout=timeout)
    )
    try:
        handler.handler(json.dumps(event).encode(), context)
    except Exception:  # noqa: BLE001 - counted: the platform would retry this invocation
        return request_id, False, time.time()
    return request_id, True, time.time()


def main() -> None:
    job = json.loads(sys.stdin.readline())
    print("ready", flush=True)
    start_at = float(sys.stdin.readline())
    results: list[tuple[str, bool, float]] = []
    lock = threading.Lock()

    def one(request_id: str, event: Any) -> None:
        outcome = serve(request_id, event, int(job["timeout"]))
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=one, args=(r, e)) for r, e in job["events"]]
    time.sleep(max(0.0, start_at - time.time()))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps({"results": results}))


if __name__ == "__main__":
    main()
