"""Any 5xx is worth retrying, whatever it carries: a gateway's HTML page, a code nobody
listed, or no body at all. Only the status says "the server failed"; the same request may
succeed on the next attempt, so the transport retries it inside the deadline.
"""

from __future__ import annotations

import pytest
import responses
from aliyun_fakes import ECS_URL, RpcFactory, error_body

from whitelist_core.aliyun.transport.retry import Backoff, is_transient
from whitelist_core.aliyun.transport.rpc import Call
from whitelist_core.errors import TransientCloudError

CALL = Call(ECS_URL.rstrip("/"), "ecs", "cn-hangzhou", "DescribeInstances", "2014-05-26", {})
OK = {"RequestId": "R-OK"}
GATEWAY_PAGE = "<html><head><title>500 Internal Server Error</title></head></html>"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (GATEWAY_PAGE, "text/html"),
        ('{"RequestId": "R-500", "Code": "InternalError.Backend", "Message": "x"}', "application/json"),
        ("", "text/plain"),
    ],
    ids=["gateway-html", "unknown-code", "empty"],
)  # fmt: skip
def test_a_500_of_any_kind_is_retried_and_then_succeeds(
    mocked: responses.RequestsMock, make_rpc: RpcFactory, body: str, content_type: str
) -> None:
    mocked.add(responses.POST, ECS_URL, body=body, status=500, content_type=content_type)
    mocked.add(responses.POST, ECS_URL, json=OK)
    assert make_rpc().call(CALL) == OK
    assert len(mocked.calls) == 2


@pytest.mark.parametrize("status", [500, 501, 502, 503, 504, 599])
@pytest.mark.parametrize("code", ["InternalError.Backend", "HTTP500", "SomethingNew"])
def test_every_5xx_status_is_transient_whatever_its_code(code: str, status: int) -> None:
    assert is_transient(code, status)


@pytest.mark.parametrize("status", [400, 403, 404, 499])
def test_an_unknown_code_under_500_is_permanent(status: int) -> None:
    assert not is_transient("SomethingNew", status)


def test_a_500_retried_until_the_attempts_run_out_keeps_its_code(
    mocked: responses.RequestsMock, make_rpc: RpcFactory
) -> None:
    mocked.add(responses.POST, ECS_URL, json=error_body("InternalError.Backend"), status=500)
    with pytest.raises(TransientCloudError) as caught:
        make_rpc(backoff=Backoff(max_attempts=3)).call(CALL)
    assert (caught.value.code, caught.value.http_status) == ("InternalError.Backend", 500)
    assert len(mocked.calls) == 3
