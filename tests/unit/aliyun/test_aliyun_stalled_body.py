"""A body that stalls after its headers is cut off by the time left, not by the read timeout.

A real in-thread server answers the headers at once and then holds the body back for
``STALL`` seconds. The client's clock is injected and stands still with ``LEFT`` seconds
before the deadline, far less than its 10 s read timeout: each socket read must wait at
most the time left, so the attempt is a ``Timeout`` before the body comes. Were a read
bounded only by the read timeout, it would wait out the stall and return the body. The
outcome is asserted, never elapsed time.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

import pytest
import requests

from whitelist_core.aliyun.transport.credentials import Credentials
from whitelist_core.aliyun.transport.retry import Backoff
from whitelist_core.aliyun.transport.rpc import Call, RpcClient
from whitelist_core.errors import TransientCloudError

LEFT = 0.3
STALL = 3.0
BODY = b'{"RequestId": "R-late", "Instances": {"Instance": []}}'
HEADERS = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"


@pytest.fixture(params=["keep-alive", "close"])
def stalling_server(request: pytest.FixtureRequest) -> Iterator[str]:
    """``http://127.0.0.1:<port>``: headers at once, the body ``STALL`` seconds later;
    the answer keeps the connection open, or closes it (then http.client lets go of
    the socket, which only the body's file object still holds)."""
    closing = b"Connection: close\r\n" if request.param == "close" else b""
    head = HEADERS % len(BODY) + closing + b"\r\n"
    listener = socket.create_server(("127.0.0.1", 0))
    done = threading.Event()

    def serve() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(head)
            done.wait(STALL)
            with contextlib.suppress(OSError):  # the client gave up and closed, as expected
                connection.sendall(BODY)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    done.set()
    thread.join(timeout=STALL + 5)
    listener.close()


def test_a_stalled_body_is_cut_off_by_the_time_left_not_the_read_timeout(
    stalling_server: str,
) -> None:
    now = 1000.0
    rpc = RpcClient(
        Credentials("localcloud-id", "localcloud-secret"),
        deadline=now + 0.5 + LEFT,  # 0.5: the default safety margin
        session=requests.Session(),
        backoff=Backoff(max_attempts=1),
        timeouts=(3.0, 10.0),
        clock=lambda: now,  # time stands still: only the socket's bound can end the read
        sleep=lambda seconds: None,
    )
    call = Call(stalling_server, "ecs", "cn-hangzhou", "DescribeInstances", "2014-05-26", {})
    with pytest.raises(TransientCloudError) as caught:
        rpc.call(call)
    assert caught.value.code == "Timeout"
