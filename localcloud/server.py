"""The HTTP transport: a threaded server in front of the shared backend."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from localcloud.admin import route
from localcloud.backend import Backend
from localcloud.wire import HttpReply, HttpRequest


class LocalCloudServer(ThreadingHTTPServer):
    """Serves both APIs and the admin endpoints on one port."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, backend: Backend, host: str = "127.0.0.1", port: int = 0) -> None:
        self.backend = backend
        super().__init__((host, port), _Handler)

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT`` of the bound socket."""
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def stop(self) -> None:
        """Stop serving; interrupts injected delays and held connections."""
        self.backend.stopping.set()
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: LocalCloudServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle's algorithm and the client's
    # delayed ACK every keep-alive answer would wait ~40 ms.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: object) -> None:
        # One line per request on stderr would drown test output; the call log
        # (GET /_localcloud/calls) is the record of what was asked.
        return

    def _serve(self) -> None:
        reply = route(self.server.backend, self._request())
        if reply.drop:
            self._drop(reply)
            return
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if reply.trickle_s > 0:
            self._trickle(reply)
            return
        self.wfile.write(reply.body)

    def _trickle(self, reply: HttpReply) -> None:
        """A slow answer: one byte, then a pause, until the body is sent or we stop."""
        for index in range(len(reply.body)):
            if self.server.backend.stopping.wait(reply.trickle_s if index else 0):
                break
            try:
                self.wfile.write(reply.body[index : index + 1])
                self.wfile.flush()
            except OSError:  # the client gave up: what a trickle is for
                break
        self.close_connection = True

    def _request(self) -> HttpRequest:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        headers: dict[str, str] = {}
        for name in self.headers:
            headers[name.lower()] = ",".join(self.headers.get_all(name) or [])
        return HttpRequest(
            method=self.command,
            path=parts.path or "/",
            query=parts.query,
            headers=headers,
            body=body,
            loopback=_is_loopback(self.client_address[0]),
        )

    def _drop(self, reply: HttpReply) -> None:
        if reply.drop == "timeout":
            self.server.backend.stopping.wait(reply.drop_after_s)
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
