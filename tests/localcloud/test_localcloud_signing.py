"""Signature verification against the published vectors and the gateway's rules."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from urllib.parse import urlencode

import pytest

from localcloud import signing
from localcloud.auth import Authenticator, parse_timestamp
from localcloud.errors import CloudError
from localcloud.wire import HttpRequest

VECTOR_SECRET = "testsecret"
EMPTY_SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
SIGNED = "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version"


def published_headers() -> dict[str, str]:
    return {
        "host": "ecs.cn-shanghai.aliyuncs.com",
        "x-acs-action": "RunInstances",
        "x-acs-version": "2014-05-26",
        "x-acs-date": "2023-10-26T10:22:32Z",
        "x-acs-signature-nonce": "3156853299f313e23d1673dc12e1703d",
        "x-acs-content-sha256": EMPTY_SHA,
    }


PUBLISHED_QUERY = [
    ("ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"),
    ("RegionId", "cn-shanghai"),
]


def test_v3_published_vector() -> None:
    canonical = signing.v3_canonical_request(
        "POST", "/", PUBLISHED_QUERY, published_headers(), SIGNED.split(";"), EMPTY_SHA
    )
    assert signing.v3_string_to_sign(canonical).endswith(
        "7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259"
    )
    assert (
        signing.v3_signature("YourAccessKeySecret", canonical)
        == "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
    )


def test_v3_special_characters_vector_e1() -> None:
    query = [
        ("RegionId", "cn-hangzhou"),
        ("InstanceIds", '["i-abc", "i-def"]'),
        ("Tag.1.Key", "env"),
        ("Tag.1.Value", "a b*c~d/é+,"),
        ("MaxResults", "100"),
    ]
    assert signing.canonical_query(query) == (
        "InstanceIds=%5B%22i-abc%22%2C%20%22i-def%22%5D&MaxResults=100&RegionId=cn-hangzhou"
        "&Tag.1.Key=env&Tag.1.Value=a%20b%2Ac~d%2F%C3%A9%2B%2C"
    )
    headers = {
        "host": "ecs.cn-hangzhou.aliyuncs.com",
        "x-acs-action": "DescribeInstances",
        "x-acs-version": "2014-05-26",
        "x-acs-date": "2024-01-02T03:04:05Z",
        "x-acs-signature-nonce": "0123456789abcdef0123456789abcdef",
        "x-acs-content-sha256": EMPTY_SHA,
    }
    canonical = signing.v3_canonical_request(
        "POST", "/", query, headers, SIGNED.split(";"), EMPTY_SHA
    )
    assert signing.v3_signature("testsecret", canonical) == (
        "f6b92d6be0099b63c4f6be28d9a42982bb517ca544cc0a165938ad9b9ee4f8f3"
    )


V1_PARAMS = {
    "AccessKeyId": "testid",
    "Action": "DescribeRegions",
    "Format": "XML",
    "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
    "SignatureVersion": "1.0",
    "Timestamp": "2016-02-23T12:46:24Z",
    "Version": "2014-05-26",
}


@pytest.mark.parametrize(
    ("method", "expected"),
    [("GET", "OLeaidS1JvxuMvnyHOwuJ+uX5qY="), ("POST", "MxbnVAM4w6sft9xjVpe/GCKueuk=")],
)
def test_v1_published_vectors(method: str, expected: str) -> None:
    string_to_sign = signing.v1_string_to_sign(method, {**V1_PARAMS, "Signature": "ignored"})
    assert string_to_sign.startswith(f"{method}&%2F&AccessKeyId%3Dtestid%26Action%3D")
    assert "Timestamp%3D2016-02-23T12%253A46%253A24Z" in string_to_sign
    assert signing.v1_signature("testsecret", string_to_sign) == expected


def v1_request(params: dict[str, str], key_secret: str = VECTOR_SECRET) -> HttpRequest:
    signature = signing.v1_signature(key_secret, signing.v1_string_to_sign("GET", params))
    return HttpRequest("GET", "/", urlencode({**params, "Signature": signature}), {"host": "x"})


def authenticator(now: float) -> Authenticator:
    return Authenticator({"testid": "testsecret"}, clock=lambda: now)


VECTOR_TIME = parse_timestamp("2016-02-23T12:46:24Z")


def code_of(auth: Authenticator, request: HttpRequest) -> str:
    with pytest.raises(CloudError) as caught:
        auth.authenticate(request, request.params())
    return caught.value.code


def test_v1_valid_request_is_accepted_once_then_nonce_is_used() -> None:
    auth = authenticator(VECTOR_TIME + 60)
    request = v1_request(V1_PARAMS)
    identity = auth.authenticate(request, request.params())
    assert (identity.access_key_id, identity.scheme) == ("testid", "v1")
    assert code_of(auth, request) == "SignatureNonceUsed"


def test_v1_wrong_secret_unknown_key_and_skew() -> None:
    assert (
        code_of(authenticator(VECTOR_TIME), v1_request(V1_PARAMS, "nope"))
        == "SignatureDoesNotMatch"
    )
    unknown = v1_request({**V1_PARAMS, "AccessKeyId": "who"})
    assert code_of(authenticator(VECTOR_TIME), unknown) == "InvalidAccessKeyId.NotFound"
    late = authenticator(VECTOR_TIME + 15 * 60 + 1)
    assert code_of(late, v1_request(V1_PARAMS)) == "InvalidTimeStamp.Expired"
    assert authenticator(VECTOR_TIME + 15 * 60).authenticate(
        v1_request(V1_PARAMS), v1_request(V1_PARAMS).params()
    )


def test_v1_bad_timestamp_and_method() -> None:
    bad_time = v1_request({**V1_PARAMS, "Timestamp": "yesterday"})
    assert code_of(authenticator(VECTOR_TIME), bad_time) == "InvalidTimeStamp.Format"
    sha256 = v1_request({**V1_PARAMS, "SignatureMethod": "HMAC-SHA256"})
    assert code_of(authenticator(VECTOR_TIME), sha256) == "InvalidSignatureMethod"


def v3_request(extra: dict[str, str] | None = None, signed: str = SIGNED) -> HttpRequest:
    headers = {**published_headers(), **(extra or {})}
    canonical = signing.v3_canonical_request(
        "POST", "/", PUBLISHED_QUERY, headers, signed.split(";"), EMPTY_SHA
    )
    signature = signing.v3_signature("testsecret", canonical)
    headers["authorization"] = (
        f"ACS3-HMAC-SHA256 Credential=testid,SignedHeaders={signed},Signature={signature}"
    )
    query = "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai"
    return HttpRequest("POST", "/", query, headers)


PUBLISHED_TIME = parse_timestamp("2023-10-26T10:22:32Z")


def test_v3_valid_then_replayed() -> None:
    auth = authenticator(PUBLISHED_TIME)
    assert auth.authenticate(v3_request(), v3_request().params()).scheme == "v3"
    assert code_of(auth, v3_request()) == "SignatureNonceUsed"


def test_v3_tampered_query_body_or_header_fails() -> None:
    good = v3_request()
    tampered = HttpRequest("POST", "/", good.query.replace("shanghai", "beijing"), good.headers)
    assert code_of(authenticator(PUBLISHED_TIME), tampered) == "SignatureDoesNotMatch"
    with_body = HttpRequest("POST", "/", good.query, good.headers, b"RegionId=x")
    assert code_of(authenticator(PUBLISHED_TIME), with_body) == "SignatureDoesNotMatch"


def test_v3_unsigned_acs_header_and_malformed_authorization() -> None:
    token = {"x-acs-security-token": "CAIS-token"}
    assert code_of(authenticator(PUBLISHED_TIME), v3_request(token)) == "IncompleteSignature"
    signed = v3_request(token, SIGNED + ";x-acs-security-token")
    assert authenticator(PUBLISHED_TIME).authenticate(signed, signed.params()).security_token
    broken = HttpRequest("POST", "/", "", {"authorization": "ACS3-HMAC-SHA256 Credential=x"})
    assert code_of(authenticator(PUBLISHED_TIME), broken) == "IncompleteSignature"


def test_v3_skew_and_missing_date() -> None:
    assert code_of(authenticator(PUBLISHED_TIME - 901), v3_request()) == "InvalidTimeStamp.Expired"
    no_date = v3_request()
    headers = {k: v for k, v in no_date.headers.items() if k != "x-acs-date"}
    assert code_of(authenticator(PUBLISHED_TIME), HttpRequest("POST", "/", "", headers)) == (
        "IllegalTimestamp"
    )


def test_no_signature_at_all() -> None:
    assert code_of(authenticator(time.time()), HttpRequest("POST", "/", "", {})) == (
        "MissingSignature"
    )


def test_parse_timestamp_accepts_fractions() -> None:
    expected = datetime(2024, 1, 2, 3, 4, 5, 500000, tzinfo=timezone.utc).timestamp()
    assert parse_timestamp("2024-01-02T03:04:05.5Z") == expected


def sdk_vector_headers(**extra: str) -> dict[str, str]:
    return {
        "host": "ecs.cn-hangzhou.aliyuncs.com",
        "x-acs-action": "DescribeInstances",
        "x-acs-version": "2014-05-26",
        "x-acs-date": "2024-01-02T03:04:05Z",
        "x-acs-signature-nonce": "0123456789abcdef0123456789abcdef",
        **extra,
    }


@pytest.mark.parametrize(
    ("method", "query", "body", "extra", "expected"),
    [
        (  # E2: STS token header is signed
            "POST",
            [("RegionId", "cn-hangzhou")],
            b"",
            {"x-acs-security-token": "CAIS-example-token"},
            "00052b80010eb9d10b4e154c14e54f2a4a41fcaf70c83a617603f6c4a826b71e",
        ),
        (  # E3: form body, no query, content-type signed
            "POST",
            [],
            b"RegionId=cn-hangzhou&VpcId=vpc-1",
            {"content-type": "application/x-www-form-urlencoded"},
            "342b42bc754bfedefc3d5447e5e36168ff58df766e6fa0e59796206dadcfeba6",
        ),
        (  # E4: GET with an empty value
            "GET",
            [("RegionId", "cn-hangzhou"), ("NextToken", "")],
            b"",
            {},
            "0ea233ae3f5c5fa4d16a6ff7308738ead53ce76bb820e4bf6d400801e2a018ca",
        ),
    ],
)
def test_sdk_computed_v3_vectors(
    method: str, query: list[tuple[str, str]], body: bytes, extra: dict[str, str], expected: str
) -> None:
    body_hash = signing.payload_hash(body)
    headers = sdk_vector_headers(**extra, **{"x-acs-content-sha256": body_hash})
    canonical = signing.v3_canonical_request(
        method, "/", query, headers, sorted(headers), body_hash
    )
    assert signing.v3_signature(VECTOR_SECRET, canonical) == expected
