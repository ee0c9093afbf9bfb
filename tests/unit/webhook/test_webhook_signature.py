"""verify_signature and sign: HMAC-SHA256 over "<timestamp>.<raw body>", within a window."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from whitelist_core.entrypoints.webhook import parse_secrets, sign, verify_signature
from whitelist_core.errors import BadSignature

NOW = 1_700_000_000
BODY = b'{"targets": ["orders-cache"]}'
SECRET = "s3cret-A"


def headers(body: bytes = BODY, secret: str = SECRET, ts: int = NOW) -> dict[str, str]:
    return sign(body, secret, ts)


def verify(hdrs: dict[str, str], body: bytes = BODY, secrets: object = (SECRET,)) -> None:
    verify_signature(hdrs, body, secrets, now=NOW, tolerance_seconds=300)  # type: ignore[arg-type]


def refused(hdrs: dict[str, str], body: bytes = BODY, secrets: object = (SECRET,)) -> str:
    with pytest.raises(BadSignature) as caught:
        verify(hdrs, body, secrets)
    return str(caught.value)


def test_sign_matches_an_independent_computation() -> None:
    expected = hmac.new(b"s3cret-A", b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert headers() == {
        "X-Whitelist-Timestamp": "1700000000",
        "X-Whitelist-Signature": f"v1={expected}",
    }


def test_valid_signature_is_accepted() -> None:
    verify(headers())


@pytest.mark.parametrize("skew", [-300, -1, 0, 1, 300])
def test_timestamps_inside_the_window_are_accepted(skew: int) -> None:
    verify(headers(ts=NOW + skew))


@pytest.mark.parametrize("skew", [-301, 301, -86400, 10**6])
def test_stale_and_future_timestamps_are_refused(skew: int) -> None:
    assert "outside the 300 s window" in refused(headers(ts=NOW + skew))


@pytest.mark.parametrize(
    "transform", [str.lower, str.upper, lambda name: name, lambda name: name.swapcase()]
)
def test_header_names_are_case_insensitive(transform: object) -> None:
    verify({transform(k): v for k, v in headers().items()})  # type: ignore[operator]


def test_unsigned_request_is_refused() -> None:
    assert "missing X-Whitelist-Timestamp or X-Whitelist-Signature" in refused({})


def test_signature_without_timestamp_is_refused() -> None:
    hdrs = headers()
    del hdrs["X-Whitelist-Timestamp"]
    assert "missing" in refused(hdrs)


def test_wrong_secret_is_refused() -> None:
    assert "does not match" in refused(headers(secret="other"))


def test_signature_of_a_different_body_is_refused() -> None:
    assert "does not match" in refused(headers(body=b"{}"), body=BODY)


def test_timestamp_is_part_of_the_signed_message() -> None:
    hdrs = headers(ts=NOW - 10)
    hdrs["X-Whitelist-Timestamp"] = str(NOW)
    assert "does not match" in refused(hdrs)


@pytest.mark.parametrize(
    "stamp", ["1700000000.0", "1.7e9", "-1700000000", "+1700000000", "abc", "١٧٠٠٠٠٠٠٠٠", "17_0"]
)
def test_non_integer_timestamp_is_refused(stamp: str) -> None:
    hdrs = headers()
    hdrs["X-Whitelist-Timestamp"] = stamp
    assert "must be an integer of unix seconds" in refused(hdrs)


@pytest.mark.parametrize(
    "transform",
    [
        lambda sig: sig.removeprefix("v1="),
        lambda sig: "v2=" + sig[3:],
        lambda sig: sig.upper(),
        lambda sig: "v1=" + sig[3:].upper(),
        lambda sig: sig[:-1],
        lambda sig: sig + "0",
        lambda sig: sig[:-1] + "é",
    ],
)
def test_malformed_signature_is_refused(transform: object) -> None:
    hdrs = headers()
    hdrs["X-Whitelist-Signature"] = transform(hdrs["X-Whitelist-Signature"])  # type: ignore[operator]
    assert "must be v1=<64 lowercase hex digits>" in refused(hdrs)


def test_rotation_accepts_both_secrets_and_refuses_a_third() -> None:
    secrets = ("old-secret", "new-secret")
    verify(headers(secret="old-secret"), secrets=secrets)
    verify(headers(secret="new-secret"), secrets=secrets)
    assert "does not match" in refused(headers(secret="third-secret"), secrets=secrets)


def test_a_comma_separated_string_is_two_secrets_not_single_letters() -> None:
    verify(headers(secret="new-secret"), secrets="old-secret, new-secret")
    assert "does not match" in refused(headers(secret="o"), secrets="old-secret,new-secret")


@pytest.mark.parametrize("secrets", [(), ("",), "", " , "])
def test_no_secret_configured_refuses_everything(secrets: object) -> None:
    assert "not configured" in refused(headers(secret=""), secrets=secrets)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ()),
        ("", ()),
        ("a", ("a",)),
        ("a,b", ("a", "b")),
        (" a , b ,", ("a", "b")),
    ],
)
def test_parse_secrets(value: str | None, expected: tuple[str, ...]) -> None:
    assert parse_secrets(value) == expected
