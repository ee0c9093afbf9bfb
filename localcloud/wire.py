"""Transport-neutral request and reply values shared by the server and the mock."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from localcloud.errors import CloudError, InvalidParameter, MissingParameter

JSON_CONTENT_TYPE = "application/json;charset=utf-8"


@dataclass(frozen=True)
class HttpRequest:
    """One HTTP request as received: header names are lower-cased."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes = b""
    loopback: bool = True

    def query_pairs(self) -> list[tuple[str, str]]:
        """The URL's query parameters, decoded (``+`` is a space, as urlencode sends it)."""
        return parse_qsl(self.query, keep_blank_values=True)

    def form_pairs(self) -> list[tuple[str, str]]:
        """The body's parameters when it is a urlencoded form, else nothing."""
        content_type = self.headers.get("content-type", "")
        if "x-www-form-urlencoded" not in content_type or not self.body:
            return []
        return parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True)

    def params(self) -> Params:
        """Query and form parameters merged (the form wins on a clash)."""
        return Params(dict(self.query_pairs() + self.form_pairs()))


@dataclass
class HttpReply:
    """What to answer. ``drop`` = "reset" or "timeout" means: send nothing."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    drop: str | None = None
    drop_after_s: float = 0.0
    note: str | None = None  # the code logged for an answer that is not an error
    trickle_s: float = 0.0  # send the body one byte per this many seconds (server only)

    @classmethod
    def json(cls, status: int, payload: Any, headers: Mapping[str, str] | None = None) -> HttpReply:
        """A JSON reply with the content type the real gateway uses."""
        merged = {"Content-Type": JSON_CONTENT_TYPE, **(headers or {})}
        return cls(status, json.dumps(payload).encode("utf-8"), merged)


class Params(Mapping[str, str]):
    """An action's parameters, with the gateway's checks for required and typed values."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = dict(values)

    def __getitem__(self, key: str) -> str:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def require(self, name: str) -> str:
        """The value of a mandatory parameter; absent or empty answers ``Missing<Name>``."""
        value = self._values.get(name, "")
        if value == "":
            raise MissingParameter(name)
        return value

    def integer(self, name: str) -> int | None:
        """An optional integer parameter; a non-integer answers ``Invalid<Name>``."""
        value = self._values.get(name)
        if value is None or value == "":
            return None
        try:
            return int(value)
        except ValueError:
            raise InvalidParameter(name) from None

    def boolean(self, name: str) -> bool:
        """An optional boolean parameter (``true``/``false``, any case)."""
        value = self._values.get(name, "").lower()
        if value not in ("", "true", "false"):
            raise InvalidParameter(name)
        return value == "true"


def new_request_id() -> str:
    """A RequestId in the real form: an upper-case uuid4."""
    return str(uuid.uuid4()).upper()


def error_reply(error: CloudError, request_id: str, host: str, product: str) -> HttpReply:
    """The standard error body for ``error``."""
    recommend = (
        f"https://api.aliyun.com/troubleshoot?q={error.code}&product={product}"
        f"&requestId={request_id}"
    )
    payload = {
        "RequestId": request_id,
        "HostId": host,
        "Code": error.code,
        "Message": error.message,
        "Recommend": recommend,
        **error.extra,
    }
    return HttpReply.json(error.status, payload)
