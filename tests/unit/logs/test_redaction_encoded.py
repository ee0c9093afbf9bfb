"""A registered secret is masked in every form a log line may carry it, not only verbatim.

An STS token holds ``+``, ``/`` and ``=``; a library that logs a URL path or a form body
carries it percent-encoded (``%2B``, ``%2F``, ``%3D``), or with ``+`` for spaces. Outside
a ``token=`` parameter only the registration can catch it, so every encoded form of the
value must be registered with it.
"""

from __future__ import annotations

from urllib.parse import quote, quote_plus

import pytest

from whitelist_core.redaction import MASK, mask_text, redact, register_secret

TOKEN = "CAIS+sts/Token==Value+with/Slashes="  # the shape of a real STS token's tail


@pytest.mark.parametrize(
    "form",
    [TOKEN, quote(TOKEN), quote(TOKEN, safe=""), quote_plus(TOKEN, safe="")],
    ids=["verbatim", "path-quoted", "fully-quoted", "form-encoded"],
)
@pytest.mark.parametrize(
    "template",
    ["GET /v1/sessions/{}/renew failed", "retrying with {} in the path", "{}"],
    ids=["path", "message", "alone"],
)
def test_every_encoded_form_of_a_registered_secret_is_masked(form: str, template: str) -> None:
    register_secret(TOKEN)
    line = template.format(form)
    masked = mask_text(line)
    assert form not in masked
    assert MASK in masked
    assert redact({"message": line})["message"] == masked


def test_the_encoded_forms_really_differ_from_the_value() -> None:
    # Otherwise the test above would prove nothing about encoding.
    encoded = {quote(TOKEN), quote(TOKEN, safe=""), quote_plus(TOKEN, safe="")}
    assert TOKEN not in encoded
    assert len(encoded) == 2  # form encoding differs from quoting only for spaces
