"""Each processor and the redaction helpers on their own, without configuring logging."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any

import pytest

from whitelist_core import logs

STS_TOKEN = "CAIS+abc/DEF==xyz"


class Named:
    name = "whitelist_core.service.reconcile"


def test_add_timestamp_is_iso_utc_with_z_and_now() -> None:
    before = time.time()
    out = logs.add_timestamp(None, "info", {"event": "x"})
    after = time.time()
    stamp = out["timestamp"]
    assert stamp.endswith("Z")
    parsed = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    assert before - 0.001 <= parsed.timestamp() <= after + 0.001


@pytest.mark.parametrize(
    ("method", "level"),
    [
        ("debug", "debug"),
        ("info", "info"),
        ("warning", "warning"),
        ("warn", "warning"),
        ("error", "error"),
        ("exception", "error"),
        ("critical", "critical"),
        ("fatal", "critical"),
    ],
)
def test_add_level_names_the_level(method: str, level: str) -> None:
    assert logs.add_level(None, method, {"event": "x"})["level"] == level


def test_add_logger_name_from_the_wrapped_logger() -> None:
    assert logs.add_logger_name(Named(), "info", {})["logger"] == "whitelist_core.service.reconcile"
    assert logs.add_logger_name(object(), "info", {})["logger"] == "root"


def test_add_logger_name_keeps_an_explicit_one() -> None:
    assert logs.add_logger_name(Named(), "info", {"logger": "mine"})["logger"] == "mine"


@pytest.mark.parametrize(
    "key",
    [
        "access_key_secret",
        "AccessKeySecret",
        "secret",
        "WEBHOOK_SECRET",
        "security_token",
        "SecurityToken",
        "token",
        "signature",
        "Authorization",
        "password",
        "x-acs-security-token",
        "X-Whitelist-Signature",
        "credentials",
    ],
)
def test_secret_keys_are_recognised_in_any_case(key: str) -> None:
    assert logs.is_secret_key(key)


@pytest.mark.parametrize(
    "key", ["event", "request_id", "access_key_id", "instance_ids", "group", 3]
)
def test_ordinary_keys_are_not_secret(key: object) -> None:
    assert not logs.is_secret_key(key)


def test_redaction_by_key_reaches_nested_dicts_and_lists() -> None:
    event = {
        "event": "call",
        "secret": "s1",
        "request": {
            "headers": {"Authorization": "ACS3-HMAC-SHA256 x", "x-acs-action": "DescribeInstances"},
            "items": [{"password": "p"}, {"name": "ok"}, ("tuple", {"Token": "t"})],
        },
    }
    out = logs.redact_secrets(None, "info", event)
    assert out["secret"] == "***"
    assert out["request"]["headers"] == {
        "Authorization": "***",
        "x-acs-action": "DescribeInstances",
    }
    assert out["request"]["items"] == [
        {"password": "***"},
        {"name": "ok"},
        ["tuple", {"Token": "***"}],
    ]
    assert out["event"] == "call"


def test_redaction_masks_a_whole_value_under_a_secret_key() -> None:
    out = logs.redact({"credentials": {"access_key_id": "id", "nested": ["a", "b"]}})
    assert out == {"credentials": "***"}


def test_redaction_does_not_modify_the_callers_data() -> None:
    headers = {"Authorization": "sig"}
    event: dict[str, Any] = {"headers": headers}
    logs.redact(event)
    assert headers == {"Authorization": "sig"}
    assert event == {"headers": headers}


def test_registered_secret_is_masked_inside_longer_strings() -> None:
    logs.register_secret(STS_TOKEN)
    out = logs.redact({"event": f"token is {STS_TOKEN}.", "list": [f"x{STS_TOKEN}y"]})
    assert out == {"event": "token is ***.", "list": ["x***y"]}


@pytest.mark.parametrize(
    "url",
    [
        f"https://ecs.aliyuncs.com/?Action=DescribeInstances&Token={STS_TOKEN}&x=1",
        "https://ecs.aliyuncs.com/?Action=DescribeInstances&Token=CAIS%2Babc%2FDEF%3D%3Dxyz&x=1",
        "https://ecs.aliyuncs.com/?Action=DescribeInstances&Token=CAIS%2Babc/DEF%3D%3Dxyz&x=1",
    ],
)
def test_registered_secret_is_masked_in_urls_raw_or_percent_encoded(url: str) -> None:
    logs.register_secret(STS_TOKEN)
    masked = logs.mask_text(url)
    assert masked == "https://ecs.aliyuncs.com/?Action=DescribeInstances&Token=***&x=1"


def test_unregistered_text_is_left_alone_and_clear_secrets_forgets() -> None:
    logs.register_secret(STS_TOKEN)
    logs.clear_secrets()
    assert logs.mask_text(f"a {STS_TOKEN}") == f"a {STS_TOKEN}"


@pytest.mark.parametrize("value", [None, "", "abc"])
def test_empty_and_very_short_secrets_are_ignored(value: str | None) -> None:
    logs.register_secret(value)
    assert logs.mask_text("abc abcd") == "abc abcd"


def test_the_longest_registered_secret_wins_when_they_overlap() -> None:
    logs.register_secret("hunter2")
    logs.register_secret("hunter2hunter2")
    assert logs.mask_text("p=hunter2hunter2!") == "p=***!"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GET /?Signature=abc%3D&Action=X HTTP/1.1", "GET /?Signature=***&Action=X HTTP/1.1"),
        ("/?SecurityToken=CAIS123&b=2", "/?SecurityToken=***&b=2"),
        ("?signaturemethod=HMAC-SHA1", "?signaturemethod=HMAC-SHA1"),
    ],
)
def test_secret_query_parameters_are_masked_without_registration(text: str, expected: str) -> None:
    assert logs.mask_text(text) == expected


def test_non_json_values_become_masked_text() -> None:
    logs.register_secret(STS_TOKEN)
    out = logs.redact({"error": ValueError(f"bad {STS_TOKEN}"), "raw": STS_TOKEN.encode(), "n": 3})
    assert out == {"error": "bad ***", "raw": "***", "n": 3}
