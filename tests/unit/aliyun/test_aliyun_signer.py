"""The V3 signer reproduces the published vector, the SDK-computed vectors, and the SDK."""

from __future__ import annotations

import hashlib
import random
import string
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from alibabacloud_tea_openapi.utils import Utils

from whitelist_core.aliyun.transport import signer

ALGO = "ACS3-HMAC-SHA256"
SIGNED = "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version"
COMMON = {
    "access_key_id": "testid",
    "access_key_secret": "testsecret",
    "now": datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
    "nonce": "0123456789abcdef0123456789abcdef",
    "host": "ecs.cn-hangzhou.aliyuncs.com",
    "action": "DescribeInstances",
    "version": "2014-05-26",
}
FORM = "application/x-www-form-urlencoded"


def test_published_vector_headers_and_authorization() -> None:
    headers = signer.sign_request(
        host="ecs.cn-shanghai.aliyuncs.com",
        action="RunInstances",
        version="2014-05-26",
        query={
            "ImageId": "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd",
            "RegionId": "cn-shanghai",
        },
        access_key_id="YourAccessKeyId",
        access_key_secret="YourAccessKeySecret",
        now=datetime(2023, 10, 26, 10, 22, 32, tzinfo=timezone.utc),
        nonce="3156853299f313e23d1673dc12e1703d",
    )
    assert headers == {
        "host": "ecs.cn-shanghai.aliyuncs.com",
        "x-acs-action": "RunInstances",
        "x-acs-version": "2014-05-26",
        "x-acs-date": "2023-10-26T10:22:32Z",
        "x-acs-signature-nonce": "3156853299f313e23d1673dc12e1703d",
        "x-acs-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "Authorization": f"{ALGO} Credential=YourAccessKeyId,SignedHeaders={SIGNED},"
        "Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0",
    }


def test_published_canonical_request_hash() -> None:
    query = {
        "ImageId": "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd",
        "RegionId": "cn-shanghai",
    }
    block, signed = signer.canonical_headers(
        {
            "host": "ecs.cn-shanghai.aliyuncs.com",
            "x-acs-action": "RunInstances",
            "x-acs-version": "2014-05-26",
            "x-acs-date": "2023-10-26T10:22:32Z",
            "x-acs-signature-nonce": "3156853299f313e23d1673dc12e1703d",
            "x-acs-content-sha256": signer.EMPTY_SHA256,
        }
    )
    canonical = "\n".join(
        ["POST", "/", signer.canonical_query(query), block, signed, signer.EMPTY_SHA256]
    )
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    assert digest == "7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259"


@pytest.mark.parametrize(
    ("extra", "expected_signed", "signature"),
    [
        pytest.param(
            {
                "query": {
                    "RegionId": "cn-hangzhou",
                    "InstanceIds": '["i-abc", "i-def"]',
                    "Tag.1.Key": "env",
                    "Tag.1.Value": "a b*c~d/é+,",
                    "MaxResults": "100",
                }
            },
            SIGNED,
            "f6b92d6be0099b63c4f6be28d9a42982bb517ca544cc0a165938ad9b9ee4f8f3",
            id="E1-json-array-tags-specials",
        ),
        pytest.param(
            {"query": {"RegionId": "cn-hangzhou"}, "security_token": "CAIS-example-token"},
            "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-security-token;"
            "x-acs-signature-nonce;x-acs-version",
            "00052b80010eb9d10b4e154c14e54f2a4a41fcaf70c83a617603f6c4a826b71e",
            id="E2-sts-token",
        ),
        pytest.param(
            {"query": {}, "body": b"RegionId=cn-hangzhou&VpcId=vpc-1", "content_type": FORM},
            "content-type;" + SIGNED,
            "342b42bc754bfedefc3d5447e5e36168ff58df766e6fa0e59796206dadcfeba6",
            id="E3-form-body",
        ),
        pytest.param(
            {"query": {"RegionId": "cn-hangzhou", "NextToken": ""}, "method": "GET"},
            SIGNED,
            "0ea233ae3f5c5fa4d16a6ff7308738ead53ce76bb820e4bf6d400801e2a018ca",
            id="E4-get-empty-value",
        ),
    ],
)
def test_extra_vectors(extra: dict[str, object], expected_signed: str, signature: str) -> None:
    headers = signer.sign_request(**{**COMMON, **extra})  # type: ignore[arg-type]
    assert headers["Authorization"] == (
        f"{ALGO} Credential=testid,SignedHeaders={expected_signed},Signature={signature}"
    )


def test_extra_vector_e5_kvstore_sts_form_body() -> None:
    headers = signer.sign_request(
        **{
            **COMMON,
            "host": "r-kvstore.aliyuncs.com",
            "action": "ModifySecurityIps",
            "version": "2015-01-01",
            "access_key_id": "STS.exampleid",
            "access_key_secret": "examplesecret",
        },  # type: ignore[arg-type]
        query={"InstanceId": "r-bp1example", "SecurityIps": "10.0.0.1,10.0.0.2"},
        body=b"SecurityIpGroupName=ecs_sync&ModifyMode=Cover",
        content_type=FORM,
        security_token="token-example",
    )
    assert headers["x-acs-security-token"] == "token-example"
    assert headers["Authorization"].endswith(
        ",Signature=506d28fe73d87192032353c06565ed5d6e1c02fa564c05483e6a6bbfac3ee4a2"
    )


def test_e1_canonical_query() -> None:
    query = {
        "RegionId": "cn-hangzhou",
        "InstanceIds": '["i-abc", "i-def"]',
        "Tag.1.Key": "env",
        "Tag.1.Value": "a b*c~d/é+,",
        "MaxResults": "100",
    }
    assert signer.canonical_query(query) == (
        "InstanceIds=%5B%22i-abc%22%2C%20%22i-def%22%5D&MaxResults=100&RegionId=cn-hangzhou"
        "&Tag.1.Key=env&Tag.1.Value=a%20b%2Ac~d%2F%C3%A9%2B%2C"
    )


def test_rfc3986_encoding_of_keys_and_values() -> None:
    assert signer.canonical_query({"a b": "x*y", "Empty": ""}) == "Empty=&a%20b=x%2Ay"


def test_unsigned_headers_are_not_signed_and_values_trimmed() -> None:
    block, signed = signer.canonical_headers(
        {"Host": " h.example ", "Accept": "application/json", "X-Acs-Date": "d", "User-Agent": "u"}
    )
    assert (block, signed) == ("host:h.example\nx-acs-date:d\n", "host;x-acs-date")


def test_naive_and_non_utc_dates_are_formatted_in_utc() -> None:
    plus8 = timezone(timedelta(hours=8))
    assert (
        signer.format_date(datetime(2024, 1, 2, 11, 4, 5, tzinfo=plus8)) == "2024-01-02T03:04:05Z"
    )
    assert signer.format_date(datetime(2024, 1, 2, 3, 4, 5)) == "2024-01-02T03:04:05Z"


# -- oracle: the official SDK's get_authorization on many generated requests -----------

_VALUE_CHARS = string.ascii_letters + string.digits + " *~/+,-_.=&%[]\"':;!?@#$()" + "éü中文ß€"
_KEY_CHARS = string.ascii_letters + string.digits + "."


def _random_request(rng: random.Random) -> tuple[dict[str, str], dict[str, str], bytes]:
    query: dict[str, str] = {}
    for _ in range(rng.randint(0, 8)):
        key = rng.choice(string.ascii_letters) + "".join(
            rng.choice(_KEY_CHARS) for _ in range(rng.randint(0, 12))
        )
        kind = rng.random()
        if kind < 0.15:
            value = ""
        elif kind < 0.35:
            ids = [f"i-{rng.randrange(10**6)}" for _ in range(rng.randint(0, 4))]
            value = "[" + ", ".join(f'"{i}"' for i in ids) + "]"
        else:
            value = "".join(rng.choice(_VALUE_CHARS) for _ in range(rng.randint(1, 20)))
        query[key] = value
    body = b"" if rng.random() < 0.7 else f"k={rng.randrange(10**9)}".encode()
    headers = {
        "host": rng.choice(
            ["ecs.cn-hangzhou.aliyuncs.com", "r-kvstore.aliyuncs.com", "127.0.0.1:8080"]
        ),
        "x-acs-action": rng.choice(["DescribeInstances", "ModifySecurityIps"]),
        "x-acs-version": rng.choice(["2014-05-26", "2015-01-01"]),
        "x-acs-date": f"2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T0{rng.randint(0, 9)}:00:00Z",
        "x-acs-signature-nonce": f"{rng.getrandbits(128):032x}",
        "x-acs-content-sha256": hashlib.sha256(body).hexdigest(),
    }
    if rng.random() < 0.5:
        headers["x-acs-security-token"] = "CAIS" + "".join(
            rng.choice(_KEY_CHARS) for _ in range(40)
        )
    if body:
        headers["content-type"] = FORM
    return query, headers, body


@pytest.mark.parametrize("seed", range(300))
def test_authorization_matches_official_sdk(seed: int) -> None:
    rng = random.Random(seed)
    query, headers, _body = _random_request(rng)
    method = rng.choice(["POST", "GET"])
    secret = "".join(rng.choice(_KEY_CHARS) for _ in range(30))
    payload = headers["x-acs-content-sha256"]
    ours = signer.authorization(
        method=method,
        path="/",
        query=query,
        headers=headers,
        payload_hash=payload,
        access_key_id="AKID" + str(seed),
        access_key_secret=secret,
    )
    request = SimpleNamespace(pathname="/", method=method, query=dict(query), headers=dict(headers))
    theirs = Utils.get_authorization(request, ALGO, payload, "AKID" + str(seed), secret)
    assert ours == theirs


@pytest.mark.parametrize("seed", range(50))
def test_sign_request_headers_verify_with_official_sdk(seed: int) -> None:
    rng = random.Random(1000 + seed)
    query, _, _ = _random_request(rng)
    token = "tok-" + str(seed) if seed % 2 else ""
    headers = signer.sign_request(
        **{**COMMON, "nonce": f"{seed:032x}"}, query=query, security_token=token
    )  # type: ignore[arg-type]
    authorization = headers.pop("Authorization")
    assert ("x-acs-security-token" in headers) == bool(token)
    request = SimpleNamespace(pathname="/", method="POST", query=query, headers=headers)
    expected = Utils.get_authorization(request, ALGO, signer.EMPTY_SHA256, "testid", "testsecret")
    assert authorization == expected
