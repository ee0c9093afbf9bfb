"""Secrets never leave the function: not in any stdout/stderr line (DEBUG level, stdlib
and third-party loggers included), not in any result or HTTP answer, not in any
exception message, not in ``repr``/``str`` of the credential objects.

Watched values: the AccessKey secret, the STS token, the webhook secrets (current and
rotated-out), every request signature the function computed (the hex after
``Signature=`` in each ``Authorization`` header localcloud received) and every
``X-Whitelist-Signature`` value sent to the webhook.

The secrets also travel every channel the redaction guards, during real invocations:

- registered values inside ordinary text: the ECS listing holds "addresses" that are
  the AccessKey secret and the STS token (the function logs each address it skips), and
  a library logs a message quoting the secrets;
- ``Signature=`` in a query string: a library logs a URL signed the old way (signature
  in the query, which no registry knows);
- secret-looking keys: a library logs a password, a client token and a nested
  security-token header as fields (values no registry knows), through the stdlib and
  through structlog.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests
import responses
import structlog
from aliyunsdkcore.auth.composer import rpc_signature_composer
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
from whitelist_core.entrypoints.webhook import SIGNATURE_HEADER, sign
from whitelist_core.errors import ConfigError, WhitelistError

KEY_ID = "LTAIrelKeyId0001"
KEY_SECRET = "relSecretZq8vX1pL0aB3cD4eF5gH6"
STS_TOKEN = "sts-token-CAISrelToken9y8x7w6v5u4t3s2r1q0"
WEBHOOK = "whsec-rel-secret-7c1e0b9a4d2f"
OLD_WEBHOOK = "whsec-rel-rotated-out-55aa33cc"
_AUTH_SIGNATURE = re.compile(r"Signature=([0-9a-fA-F]{16,})")
# Values no registry knows: only the key they are logged under marks them as secret.
PASSWORD = "pw-rel-unregistered-31d7c2"
CLIENT_TOKEN = "ct-rel-unregistered-8e4a1f"
HEADER_TOKEN = "hdr-rel-unregistered-2b9c5e"


def _query_signed_url() -> tuple[str, str]:
    """A URL signed the old way (RPC v1: ``Signature=`` in the query), and its signature."""
    params = {"Action": "DescribeSecurityIps", "Version": "2015-01-01", "InstanceId": "r-x"}
    path, _ = rpc_signature_composer.get_signed_url(params, KEY_ID, KEY_SECRET, "JSON", "GET", {})
    found = re.search(r"[?&]Signature=([^&]+)", path)
    assert found
    return f"http://localcloud.reliability.test{path}", found[1]


QUERY_URL, QUERY_SIGNATURE = _query_signed_url()


def library_logs() -> None:
    """What a library might log while the function runs (its calls, its settings)."""
    stdlib = logging.getLogger("urllib3.connectionpool")
    stdlib.debug('%s "GET %s HTTP/1.1" 200 512', "localcloud", QUERY_URL)
    stdlib.warning("retrying with key %s/%s and token %s", KEY_ID, KEY_SECRET, STS_TOKEN)
    stdlib.info(
        "client settings",
        extra={"password": PASSWORD, "headers": {"X-Acs-Security-Token": HEADER_TOKEN}},
    )
    structlog.get_logger("sdk.client").debug(
        "client_settings",
        config={"client_token": CLIENT_TOKEN, "retry": 3},
        access_key_secret=KEY_SECRET,
        note=f"webhook secret {WEBHOOK}, old {OLD_WEBHOOK}, url {QUERY_URL}",
    )


class Recorder:
    """Collects every signature the function computed, as localcloud received them, and
    has a library log secrets (``library_logs``) during the run's first cloud call."""

    def __init__(self) -> None:
        self.signatures: set[str] = set()
        self.library_logged = False

    def __call__(self, cloud: LocalCloud, prepared: requests.PreparedRequest) -> None:
        found = _AUTH_SIGNATURE.search(str(prepared.headers.get("Authorization", "")))
        if found:
            self.signatures.add(found[1])
        if not self.library_logged:
            self.library_logged = True
            library_logs()


LEAKY = "i-bp1leaky00000001"  # its listing carries the secrets as "addresses"


def _seed() -> dict[str, Any]:
    leaky = host(LEAKY, "10.0.1.88", secondary_ips=[KEY_SECRET, STS_TOKEN, QUERY_URL])
    seed = scenario_seed()
    seed["ecs"]["cn-hangzhou"].append(leaky)
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

    def run(event: Any) -> dict[str, Any] | WhitelistError:
        if isinstance(event, dict) and SIGNATURE_HEADER in event.get("headers", {}):
            webhook_signatures.add(event["headers"][SIGNATURE_HEADER].removeprefix("v1="))
        try:
            payload = event if isinstance(event, bytes) else encode(event)
            result = handler.handler(payload, None)
        except WhitelistError as exc:
            outputs.extend([str(exc), repr(exc), json.dumps(getattr(exc, "to_dict", dict)(), default=str)])  # fmt: skip
            return exc
        outputs.append(json.dumps(result, default=str))
        return result

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
        refused = run(timer())  # permanent: reported (code and RequestId), not raised
        cloud.clear_faults()
        assert isinstance(refused, dict), refused
        assert refused["status"] == "error"
        assert refused["targets"][0]["error"]["code"] == "Forbidden.RAM"
        assert refused["targets"][0]["error"]["request_id"]

        monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", KEY_SECRET[::-1])
        run(timer())  # the cloud refuses the signature
        monkeypatch.delenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
        run(timer())  # no credentials at all
        run(signed_http_event("POST", "/reconcile", body, secret=WEBHOOK))
        captured = capfd.readouterr()

    assert recorder.signatures, "the fake saw no signed request: the scenario is broken"
    assert webhook_signatures
    # Every channel was really used: the skipped "addresses" and the library's lines
    # were logged (masked), through the stdlib and through structlog.
    logged = [json.loads(line) for line in filter(None, captured.out.splitlines())]
    skipped = {r["ip"] for r in logged if r.get("event") == "instance_ip_skipped"}
    assert "***" in skipped  # the secret and the token, masked
    assert any("Signature=***" in ip for ip in skipped)  # the signed URL, masked
    by_event = {str(r.get("event")): r for r in logged}
    assert by_event["client settings"]["password"] == "***"
    assert by_event["client_settings"]["access_key_secret"] == "***"
    assert any(e.startswith("retrying with key") for e in by_event)
    assert any(e.startswith('localcloud "GET') and "Signature=***" in e for e in by_event)
    # The scenarios really covered success, refusals, cloud failures and bad credentials.
    for expected in ('"statusCode": 200', '"statusCode": 401', '"statusCode": 503',
                     '"status": "applied"', '"status": "rejected"', "SignatureDoesNotMatch",
                     "Forbidden.RAM", "ALIBABA_CLOUD_ACCESS_KEY_SECRET"):  # fmt: skip
        assert any(expected in output for output in outputs), expected
    haystack = "\n".join([captured.out, captured.err, *outputs])
    assert '"event": "invocation_summary"' in captured.out  # logs were really captured
    secrets = {KEY_SECRET, KEY_SECRET[::-1], STS_TOKEN, WEBHOOK, OLD_WEBHOOK, QUERY_SIGNATURE,
               PASSWORD, CLIENT_TOKEN, HEADER_TOKEN}  # fmt: skip
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


# -- assumed roles (several accounts) ------------------------------------------------


class Sessions:
    """Every assumed role's secret and token localcloud issued, and every signature made
    with them; on the first request made with a session just issued (the function holds it
    then: not merely the next request of any thread, which may come from another region's
    or account's thread before the function has read the answer), a library logs that
    session's secret and token."""

    def __init__(self) -> None:
        self.secrets: set[str] = set()
        self.signatures: set[str] = set()
        self._fresh: tuple[str, str] | None = None

    def watch(self, cloud: LocalCloud) -> None:
        answer = cloud._callback

        def callback(prepared: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
            fresh, token = self._fresh, prepared.headers.get("x-acs-security-token")
            if fresh is not None and token == fresh[1]:
                self._library_logs(*fresh)
                self._fresh = None
            status, headers, body = answer(prepared)
            found = _AUTH_SIGNATURE.search(str(prepared.headers.get("Authorization", "")))
            if found and prepared.headers.get("x-acs-security-token"):
                self.signatures.add(found[1])
            issued = json.loads(body).get("Credentials") if b"Credentials" in body else None
            if isinstance(issued, dict):
                self._fresh = (issued["AccessKeySecret"], issued["SecurityToken"])
                self.secrets |= set(self._fresh)
            return status, headers, body

        cloud._callback = callback  # type: ignore[method-assign]

    @staticmethod
    def _library_logs(secret: str, token: str) -> None:
        logging.getLogger("urllib3.connectionpool").warning(
            "assumed with secret %s token %s", secret, token
        )
        structlog.get_logger("sdk.client").debug(
            "session", access_key_secret=secret, note=f"token {token}"
        )


def test_no_assumed_role_secret_appears_anywhere(
    rel_env: Callable[..., Any],
    rel_no_backoff: None,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    from accounts_kit import APP_B, B_CACHE, CENTRAL, DENIED_CACHE, FN_KEY, FN_SECRET, R_B
    from accounts_kit import config as accounts_config
    from accounts_kit import host as app_host
    from accounts_kit import seed as accounts_seed

    from whitelist_core.aliyun.roles import SESSIONS

    sessions, outputs = Sessions(), []

    def run(event: Any) -> None:
        try:
            outputs.append(json.dumps(handler.handler(encode(event), None), default=str))
        except WhitelistError as exc:
            outputs.extend([str(exc), repr(exc), json.dumps(getattr(exc, "to_dict", dict)(), default=str)])  # fmt: skip

    SESSIONS.clear()
    cloud = LocalCloud(accounts_seed(), BASE_URL)
    sessions.watch(cloud)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        cloud.register(mock)
        rel_env(BASE_URL, accounts_config(B_CACHE, DENIED_CACHE), LOG_LEVEL="DEBUG")
        for name, value in (("WHITELIST_ENDPOINT", BASE_URL), ("FC_ACCOUNT_ID", CENTRAL),
                            ("ALIBABA_CLOUD_ACCESS_KEY_ID", FN_KEY),
                            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", FN_SECRET)):  # fmt: skip
            monkeypatch.setenv(name, value)
        run(timer())  # B's group written with the session; the denied role reported
        assert sessions.secrets, "no role was assumed: the scenario is broken"
        leaky = app_host("i-bp1appbleaky0001", "10.0.1.99", "shop")
        leaky["NetworkInterfaces"] = {"NetworkInterface": [{"PrivateIpSets": {"PrivateIpSet": [
            {"PrivateIpAddress": value} for value in sorted(sessions.secrets)]}}]}  # fmt: skip
        cloud.put_instances("cn-hangzhou", [leaky], account=APP_B)  # "addresses" = secrets
        run(state_change("i-bp1appbleaky0001", "Running") | {"aliyunaccountid": APP_B})
        cloud.advance_clock(3600)  # the session expires: renewed, a new secret is issued
        run(timer())
        cloud.add_fault(action="ModifySecurityIps", status=503, account=APP_B)
        cloud.put_instances("cn-hangzhou", [app_host("i-bp1appbnew000001", "10.0.1.98", "shop")], account=APP_B)  # fmt: skip
        run(timer())  # transient in B, outlasts the retries: the invocation fails
        cloud.clear_faults()
        captured = capfd.readouterr()
    SESSIONS.clear()

    assert len(sessions.secrets) == 4  # two sessions: each a secret and a token
    assert sessions.signatures
    assert entries_present(outputs, R_B)
    for expected in ("NoPermission", "InvalidSecurityToken.Expired", '"status": "applied"'):
        assert any(expected in text for text in [*outputs, captured.out]), expected
    logged = [json.loads(line) for line in filter(None, captured.out.splitlines())]
    assert any(r.get("event") == "session" and r["access_key_secret"] == "***" for r in logged)
    haystack = "\n".join([captured.out, captured.err, *outputs])
    for secret in sessions.secrets | sessions.signatures:
        assert secret not in haystack, f"secret leaked: {secret[:6]}..."
        assert secret.lower() not in haystack.lower()


def entries_present(outputs: list[str], instance_id: str) -> bool:
    """A result names the member account's instance (the run reached it)."""
    return any(instance_id in text for text in outputs)
