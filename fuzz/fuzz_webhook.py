"""Fuzz ``webhook.route``: only responses (or, for a correctly signed request, an
intent), never an exception; an unsigned request never gets past authentication.

    python fuzz/fuzz_webhook.py -atheris_runs=200000
"""

from __future__ import annotations

import sys
import time

from _fuzzlib import run

SECRET = "fuzz-webhook-secret"  # noqa: S105 - a test value
METHODS = ("GET", "POST", "PUT", "DELETE", "post", "")
PATHS = ("/reconcile", "/instances", "/health", "/", "/reconcile/", "//x")


def test_one_input(data: bytes) -> None:
    from whitelist_core.entrypoints.webhook import HttpResponse, route, sign
    from whitelist_core.intents import HttpRequest, ReconcileTargets, SyncInstances

    if len(data) < 3:
        return
    flags, method, path = data[0], METHODS[data[1] % len(METHODS)], PATHS[data[2] % len(PATHS)]
    rest = data[3:]
    cut = rest.find(b"\n\n")
    head, body = (rest[:cut], rest[cut + 2 :]) if cut >= 0 else (b"", rest)
    headers: dict[str, str] = {}
    for line in head.decode("utf-8", "replace").splitlines():
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    now = int(time.time())
    signed = bool(flags & 1)
    if signed:
        headers |= {k.lower(): v for k, v in sign(body, SECRET, now).items()}
    decision = route(
        HttpRequest(method, path, headers, body),
        secrets=(SECRET,), now=now, tolerance_seconds=300, version="fuzz",
    )  # fmt: skip
    if isinstance(decision, HttpResponse):
        assert 200 <= decision.status < 600
        decision.to_fc()
        return
    assert signed, "an unsigned request was let through"
    assert isinstance(decision, (ReconcileTargets, SyncInstances))


if __name__ == "__main__":
    run(test_one_input, ["whitelist_core.entrypoints.webhook", "whitelist_core.entrypoints.wire"])
    sys.exit(0)
