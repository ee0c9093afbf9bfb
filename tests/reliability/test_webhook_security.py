"""Webhook security through ``handler.handler``: every forged, stale, replayed-too-late or
unsigned request is refused with 401 and causes no cloud call at all; a correctly signed
one (whatever the header case) goes through. The scenario's reconcile would write, so
an accepted request is visible in the call log."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from reliability_kit import (
    BASE_URL,
    DESIRED,
    WEBHOOK_SECRET,
    config,
    count,
    encode,
    entries,
    http_event,
    mounted,
    scenario_seed,
    signed_http_event,
)

import handler
from localcloud.mock import LocalCloud
from whitelist_core.entrypoints.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

BODY = b'{"targets": ["orders"]}'


@pytest.fixture
def fake(rel_env: Callable[..., Any], rel_no_backoff: None) -> Any:
    with mounted(scenario_seed()) as cloud:
        rel_env(BASE_URL, config())
        yield cloud


def _send(event: dict[str, Any]) -> dict[str, Any]:
    return handler.handler(encode(event), None)


def _refused(cloud: LocalCloud, answer: dict[str, Any], status: int = 401) -> None:
    assert answer["statusCode"] == status, answer
    assert json.loads(answer["body"])["message"]
    assert cloud.calls()["counts"] == {}  # not a single cloud call, let alone a write


def _accepted(cloud: LocalCloud, answer: dict[str, Any]) -> None:
    assert answer["statusCode"] == 200, answer
    assert count(cloud.calls(), "ModifySecurityIps") > 0
    assert entries(cloud.state()) == DESIRED


def _headers(body: bytes, stamp: float, secret: str = WEBHOOK_SECRET) -> dict[str, str]:
    return sign(body, secret, int(stamp))


@pytest.mark.parametrize("age", [301, 310, 3600, 86_400 * 365])
def test_replay_outside_the_window_is_refused(fake: LocalCloud, age: int) -> None:
    _refused(
        fake, _send(signed_http_event("POST", "/reconcile", BODY, timestamp=time.time() - age))
    )


@pytest.mark.parametrize("ahead", [310, 3600, 10**12])
def test_timestamp_in_the_future_is_refused(fake: LocalCloud, ahead: int) -> None:
    _refused(
        fake, _send(signed_http_event("POST", "/reconcile", BODY, timestamp=time.time() + ahead))
    )


@pytest.mark.parametrize("skew", [-290, 0, 290])
def test_inside_the_window_is_accepted(fake: LocalCloud, skew: int) -> None:
    _accepted(
        fake, _send(signed_http_event("POST", "/reconcile", BODY, timestamp=time.time() + skew))
    )


def test_replay_inside_the_window_converges_once(fake: LocalCloud) -> None:
    """The same signed request twice: accepted both times (there is no nonce), and the
    second changes nothing because reconciling is idempotent."""
    event = signed_http_event("POST", "/reconcile", BODY)
    _accepted(fake, _send(event))
    writes = count(fake.calls(), "ModifySecurityIps")
    again = _send(event)
    assert again["statusCode"] == 200
    assert json.loads(again["body"])["status"] == "noop"
    assert count(fake.calls(), "ModifySecurityIps") == writes


@pytest.mark.parametrize(
    "forge",
    [
        "other-body",
        "other-secret",
        "other-timestamp",
        "uppercase-hex",
        "no-version-prefix",
        "v2-prefix",
        "truncated",
        "empty-signature",
        "no-signature",
        "no-timestamp",
        "non-numeric-timestamp",
        "negative-timestamp",
        "fractional-timestamp",
        "duplicated-in-other-case",
    ],
)
def test_forged_signatures_are_refused(fake: LocalCloud, forge: str) -> None:
    now = time.time()
    headers = _headers(BODY, now)
    body = BODY
    signature = headers[SIGNATURE_HEADER]
    if forge == "other-body":
        body = b'{"targets": ["orders"], "dry_run": false}'
    elif forge == "other-secret":
        headers = _headers(BODY, now, "not-the-secret")
    elif forge == "other-timestamp":
        headers[TIMESTAMP_HEADER] = str(int(now) - 1)
    elif forge == "uppercase-hex":
        headers[SIGNATURE_HEADER] = "v1=" + signature[3:].upper()
    elif forge == "no-version-prefix":
        headers[SIGNATURE_HEADER] = signature[3:]
    elif forge == "v2-prefix":
        headers[SIGNATURE_HEADER] = "v2=" + signature[3:]
    elif forge == "truncated":
        headers[SIGNATURE_HEADER] = signature[:-2]
    elif forge == "empty-signature":
        headers[SIGNATURE_HEADER] = ""
    elif forge == "no-signature":
        del headers[SIGNATURE_HEADER]
    elif forge == "no-timestamp":
        del headers[TIMESTAMP_HEADER]
    elif forge == "non-numeric-timestamp":
        headers[TIMESTAMP_HEADER] = headers[TIMESTAMP_HEADER] + "abc"
    elif forge == "negative-timestamp":
        headers[TIMESTAMP_HEADER] = "-" + headers[TIMESTAMP_HEADER]
    elif forge == "fractional-timestamp":
        headers[TIMESTAMP_HEADER] = headers[TIMESTAMP_HEADER] + ".0"
    elif forge == "duplicated-in-other-case":
        # FC joins repeated headers with commas: two signatures are not one valid one.
        headers[SIGNATURE_HEADER.lower()] = "v1=" + "0" * 64
    _refused(fake, _send(http_event("POST", "/reconcile", body, headers)))


@pytest.mark.parametrize(
    "case", [str.lower, str.upper, lambda name: name.swapcase(), lambda name: name]
)
def test_header_names_are_case_insensitive(fake: LocalCloud, case: Callable[[str], str]) -> None:
    headers = {case(name): value for name, value in _headers(BODY, time.time()).items()}
    _accepted(fake, _send(http_event("POST", "/reconcile", BODY, headers)))


def test_base64_body_is_verified_on_its_raw_bytes(fake: LocalCloud) -> None:
    headers = _headers(BODY, time.time())
    _accepted(fake, _send(http_event("POST", "/reconcile", BODY, headers, base64_body=True)))


def test_a_signature_over_the_base64_text_is_refused(fake: LocalCloud) -> None:
    """FC delivers the body base64-encoded; a signature over that text (not the raw
    bytes the caller sent) authenticates nothing."""
    text = base64.b64encode(BODY)
    headers = _headers(text, time.time())
    _refused(fake, _send(http_event("POST", "/reconcile", BODY, headers, base64_body=True)))


def test_rotated_secrets_are_both_accepted(
    fake: LocalCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WHITELIST_WEBHOOK_SECRET", f"old-secret-value, {WEBHOOK_SECRET}")
    old = http_event("POST", "/reconcile", BODY, _headers(BODY, time.time(), "old-secret-value"))
    _accepted(fake, _send(old))
    new = http_event("POST", "/reconcile", b"{}", _headers(b"{}", time.time()))
    assert _send(new)["statusCode"] == 200


@pytest.mark.parametrize("configured", [None, "", " ", ",", " , "])
@pytest.mark.parametrize(
    "request_kind", ["signed-with-old-secret", "signed-with-empty-secret", "unsigned"]
)
def test_without_a_secret_everything_signed_is_refused(
    fake: LocalCloud,
    monkeypatch: pytest.MonkeyPatch,
    configured: str | None,
    request_kind: str,
) -> None:
    if configured is None:
        monkeypatch.delenv("WHITELIST_WEBHOOK_SECRET")
    else:
        monkeypatch.setenv("WHITELIST_WEBHOOK_SECRET", configured)
    now = time.time()
    headers = {
        "signed-with-old-secret": _headers(BODY, now),
        "signed-with-empty-secret": _headers(BODY, now, ""),
        "unsigned": {},
    }[request_kind]
    for path, body in (("/reconcile", BODY), ("/instances", b'{"instance_ids": ["i-bp1host000000003"]}')):  # fmt: skip
        _refused(fake, _send(http_event("POST", path, body, headers)))
    health = _send(http_event("GET", "/health"))
    assert health["statusCode"] == 200  # health needs no secret and calls no API
    assert fake.calls()["counts"] == {}


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/reconcile", 405), ("POST", "/health/../reconcile", 404), ("POST", "/admin", 404),
     ("PUT", "/instances", 405)],
)  # fmt: skip
def test_wrong_routes_never_reach_the_cloud(
    fake: LocalCloud, method: str, path: str, status: int
) -> None:
    event = http_event(method, path, BODY, _headers(BODY, time.time()))
    _refused(fake, _send(event), status)


def test_oversized_body_is_refused_before_any_work(fake: LocalCloud) -> None:
    body = b"{" + b" " * 70_000 + b"}"
    _refused(fake, _send(http_event("POST", "/reconcile", body, _headers(body, time.time()))), 413)
