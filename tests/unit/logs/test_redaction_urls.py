"""mask_text masks the credentials a URL or a query string may carry, without registration."""

from __future__ import annotations

import pytest

from whitelist_core.redaction import mask_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("http://user:pa55word@10.0.0.1:80/x", "http://***@10.0.0.1:80/x"),
        ("endpoint 'https://tok@host'", "endpoint 'https://***@host'"),
        ("http://host/?token=abc123&x=1", "http://host/?token=***&x=1"),
        ("access_token=abc password=hunter2", "access_token=*** password=***"),
        ("AccessKeySecret=s3cr3t", "AccessKeySecret=***"),
        ("SignatureMethod=HMAC-SHA1&SignatureVersion=1.0", "SignatureMethod=HMAC-SHA1&SignatureVersion=1.0"),
        ("mail me at ops@example.com", "mail me at ops@example.com"),
    ],
)  # fmt: skip
def test_url_and_query_credentials_are_masked(text: str, expected: str) -> None:
    assert mask_text(text) == expected
