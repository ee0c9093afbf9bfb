"""Secrets never leave the function: not in any stdout/stderr line (DEBUG level, stdlib
and third-party loggers included), not in any result or HTTP answer, not in any
exception message, not in ``repr``/``str`` of the credential objects.

Watched values: the AccessKey secret, the STS token, the webhook secrets (current and
rotated-out), every request signature the function computed (the hex after
``Signature=`` in each ``Authorization`` header localcloud received) and every
``X-Whitelist-Signature`` value sent to the webhook.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests
from reliability_kit import (
    BASE_URL,
    H3,
    config,
    encode,
    host,
    http_event,
    mounted,
    scenario_seed,
    signed_http_event,
    state_change,
    timer,
)

import handler
from localcloud.mock import LocalCloud
from whitelist_core.aliyun.transport.credentials import Credentials, load_credentials
from whitelist_core.errors import ConfigError, WhitelistError
from whitelist_core.webhook import SIGNATURE_HEADER, sign

KEY_ID = "LTAIrelKeyId0001"
KEY_SECRET = "relSecretZq8vX1pL0aB3cD4eF5gH6"
STS_TOKEN = "sts-token-CAISrelToken9y8x7w6v5u4t3s2r1q0"
WEBHOOK = "whsec-rel-secret-7c1e0b9a4d2f"
OLD_WEBHOOK = "whsec-rel-rotated-out-55aa33cc"
_AUTH_SIGNATURE = re.compile(r"Signature=([0-9a-fA-F]{16,})")


class Recorder:
    """Collects every signature the function computed, as localcloud received them."""

    def __init__(self) -> None:
        self.signatures: set[str] = set()

    def __call__(self, cloud: LocalCloud, prepared: requests.PreparedRequest) -> None:
        found = _AUTH_SIGNATURE.search(str(prepared.headers.get("Authorization", "")))
        if found:
            self.signatures.add(found[1])


def _seed() -> dict[str, Any]:
    seed = scenario_seed()
    seed["credentials"] = [{"AccessKeyId": KEY_ID, "AccessKeySecret": KEY_SECRET}]
    return seed


def test_no_secret_appears_anywhere(
    rel_env: Callable[..., Any],
    rel_no_backoff: None,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    recorder = Recorder()
    outputs: list[str] = []
    webhook_signatures: set[str] = set()

    def run(event: Any) -> None:
        if isinstance(event, dict) and SIGNATURE_HEADER in event.get("headers", {}):
            webhook_signatures.add(event["headers"][SIGNATURE_HEADER].removeprefix("v1="))
        try:
            payload = event if isinstance(event, bytes) else encode(event)
            outputs.append(json.dumps(handler.handler(payload, None), default=str))
        except WhitelistError as exc:
            outputs.extend([str(exc), repr(exc), json.dumps(getattr(exc, "to_dict", dict)(), default=str)])  # fmt: skip

    with mounted(_seed(), hook=recorder) as cloud:
        rel_env(BASE_URL, config(), LOG_LEVEL="DEBUG")
        monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", KEY_ID)
        monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", KEY_SECRET)
        monkeypatch.setenv("ALIBABA_CLOUD_SECURITY_TOKEN", STS_TOKEN)
        monkeypatch.setenv("WHITELIST_WEBHOOK_SECRET", f"{WEBHOOK},{OLD_WEBHOOK}")

        run(timer())  # applies an add and a removal
        run(state_change(H3, "Running"))
        run([state_change(H3, "Stopped"), {"junk": True}, timer()])  # a batch
        body = b'{"targets": ["orders"]}'
        run(signed_http_event("POST", "/reconcile", body, secret=WEBHOOK))
        run(signed_http_event("POST", "/reconcile", body, secret=OLD_WEBHOOK))
        run(signed_http_event("POST", "/reconcile", body, secret=WEBHOOK, timestamp=time.time() - 999))  # fmt: skip
        forged = sign(body + b" ", WEBHOOK, int(time.time()))
        run(http_event("POST", "/reconcile", body, forged))
        run(signed_http_event("POST", "/instances", b'{"instance_ids": "nope"}', secret=WEBHOOK))
        run(http_event("GET", "/health"))
        run(b"\xff not an event")

        cloud.add_fault(action="ModifySecurityIps", status=503)  # transient, outlasts retries
        cloud.put_instances("cn-hangzhou", [host("i-bp1sec0000000001", "10.0.1.77")])
        run(timer())
        run(signed_http_event("POST", "/reconcile", body, secret=WEBHOOK))  # -> 503 answer
        cloud.clear_faults()
        cloud.add_fault(action="DescribeSecurityIps", status=403, code="Forbidden.RAM")
        run(timer())  # permanent: an error summary with code and RequestId
        cloud.clear_faults()

        monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", KEY_SECRET[::-1])
        run(timer())  # the cloud refuses the signature
        monkeypatch.delenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
        run(timer())  # no credentials at all
        run(signed_http_event("POST", "/reconcile", body, secret=WEBHOOK))
        captured = capfd.readouterr()

    assert recorder.signatures, "the fake saw no signed request: the scenario is broken"
    assert webhook_signatures
    # The scenarios really covered success, refusals, cloud failures and bad credentials.
    for expected in ('"statusCode": 200', '"statusCode": 401', '"statusCode": 503',
                     '"status": "applied"', '"status": "rejected"', "SignatureDoesNotMatch",
                     "Forbidden.RAM", "ALIBABA_CLOUD_ACCESS_KEY_SECRET"):  # fmt: skip
        assert any(expected in output for output in outputs), expected
    haystack = "\n".join([captured.out, captured.err, *outputs])
    assert '"event": "invocation_summary"' in captured.out  # logs were really captured
    secrets = {KEY_SECRET, KEY_SECRET[::-1], STS_TOKEN, WEBHOOK, OLD_WEBHOOK}
    for secret in secrets | recorder.signatures | webhook_signatures:
        assert secret not in haystack, f"secret leaked: {secret[:6]}..."
        assert secret.lower() not in haystack.lower()
    # Every log line is one JSON object (a stack trace would be several plain lines).
    for line in filter(None, captured.out.splitlines()):
        json.loads(line)


def test_credential_objects_are_redacted() -> None:
    credentials = Credentials(KEY_ID, KEY_SECRET, STS_TOKEN)
    for text in (repr(credentials), str(credentials), f"{credentials}", f"{credentials!r}",
                 repr([credentials]), repr({"c": credentials})):  # fmt: skip
        assert KEY_SECRET not in text
        assert STS_TOKEN not in text
        assert KEY_ID not in text  # only a prefix of the id is shown
    loaded = load_credentials(
        None,
        {
            "ALIBABA_CLOUD_ACCESS_KEY_ID": KEY_ID,
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET": KEY_SECRET,
            "ALIBABA_CLOUD_SECURITY_TOKEN": STS_TOKEN,
        },
    )
    assert loaded == credentials
    assert KEY_SECRET not in repr(loaded)
    assert STS_TOKEN not in repr(loaded)


@pytest.mark.parametrize(
    "environ",
    [
        {"ALIBABA_CLOUD_ACCESS_KEY_ID": KEY_ID},
        {"ALIBABA_CLOUD_ACCESS_KEY_SECRET": KEY_SECRET, "ALIBABA_CLOUD_SECURITY_TOKEN": STS_TOKEN},
        {"ALIBABA_CLOUD_ACCESS_KEY_ID": " ", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": KEY_SECRET},
    ],
)
def test_missing_credentials_error_names_no_value(environ: dict[str, str]) -> None:
    with pytest.raises(ConfigError) as raised:
        load_credentials(None, environ)
    message = f"{raised.value} {raised.value!r} {raised.value.problems!r}"
    assert "ALIBABA_CLOUD_ACCESS_KEY" in message  # it names what is missing
    assert KEY_SECRET not in message
    assert STS_TOKEN not in message
