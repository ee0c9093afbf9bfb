"""The error hierarchy: every error says whose fault it is and what to do.

- ``CallerError``: the request was bad (unparseable event, bad webhook body, bad signature).
- ``ConfigError``: our configuration is wrong; carries every problem with its field path.
- ``PolicyError``: a plan was rejected by policy; carries every violation.
- ``CloudError``: Alibaba Cloud refused or failed; carries code, message, RequestId and
  whether retrying can help (``TransientCloudError``) or not (``PermanentCloudError``).

Messages never contain secrets: callers must not pass credential values into them, and a
cloud error's message (which may echo the request) is masked when the error is made.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import field

from whitelist_core.core.values import frozen
from whitelist_core.redaction import mask_text, redact


class WhitelistError(Exception):
    """Base of every error this project raises on purpose."""


class CallerError(WhitelistError):
    """The input was bad; nothing was written. Fix the request, do not retry it."""


class BadEvent(CallerError):
    """An event or request body could not be parsed or failed validation."""


class BadSignature(CallerError):
    """A webhook request was unsigned, wrongly signed, or outside the time window."""


@frozen
class Problem:
    """One configuration problem: where it is (``targets[0].group``) and which rule it breaks.

    ``target`` is the name of the target the path is under, when it has one: it is shown
    after the index, ``targets[0] (orders-cache).group``, so the reader knows which.
    """

    path: str
    rule: str
    target: str = field(default="", compare=False)
    """Shown, not compared: a problem is its path and rule, whoever names it."""

    @property
    def where(self) -> str:
        """The path as shown: with the target's name after its index."""
        if not self.target:
            return self.path
        shown = f" ({self.target})"
        return re.sub(r"^targets\[\d+\]", lambda m: m.group(0) + shown, self.path, count=1)

    def __str__(self) -> str:
        return f"{self.where}: {self.rule}" if self.path else self.rule


class ConfigError(WhitelistError):
    """The configuration is invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: Iterable[Problem], source: str = "") -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.source = source
        where = f" in {source}" if source else ""
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(
            f"invalid configuration{where} ({len(self.problems)} problem(s)):\n{lines}"
        )


class CredentialsError(ConfigError):
    """No usable credentials: neither the FC context nor the environment carries any."""

    def __init__(self, rule: str) -> None:
        super().__init__([Problem("credentials", rule)])
        # Not "invalid configuration": the file is fine, the identity is what is missing.
        Exception.__init__(self, f"missing credentials: {rule}")


class PolicyError(WhitelistError):
    """A plan was rejected by policy; ``reasons`` lists every violation as a sentence."""

    def __init__(self, reasons: Sequence[str]) -> None:
        self.reasons = tuple(reasons)
        super().__init__("plan rejected by policy: " + "; ".join(self.reasons))


class CloudError(WhitelistError):
    """An Alibaba Cloud API call failed.

    ``retryable`` tells whether the same call may succeed later (throttling, 5xx,
    ``LockTimeout``, network trouble). ``request_id`` is the cloud's RequestId when there
    was an answer, for support tickets.
    """

    retryable = False

    def __init__(
        self,
        action: str,
        code: str,
        message: str,
        *,
        request_id: str = "",
        http_status: int | None = None,
    ) -> None:
        message = mask_text(message)  # the cloud may echo the request: token, secret
        self.action = action
        self.code = code
        self.message = message
        self.request_id = request_id
        self.http_status = http_status
        rid = f" (RequestId {request_id})" if request_id else ""
        status = f" HTTP {http_status}" if http_status is not None else ""
        super().__init__(f"{action} failed:{status} {code}: {message}{rid}")

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description for results and logs."""
        return {
            "action": self.action,
            "code": self.code,
            "message": self.message,
            "request_id": self.request_id,
            "http_status": self.http_status,
            "retryable": self.retryable,
        }


class TransientCloudError(CloudError):
    """Retrying may help; raised only once the retries within the deadline are used up."""

    retryable = True


class PermanentCloudError(CloudError):
    """Retrying cannot help (not found, forbidden, invalid parameter, bad signature)."""


class IncompleteRun(TransientCloudError):
    """Some targets failed for a reason retrying may fix; every other target was carried
    out. Raised after the whole run so the platform retries the invocation; ``summary``
    is the run's result (every target's outcome, failures as data) as rendered, ``result``
    the same as a value. ``action``, ``code``
    and ``request_id`` are those of the first retryable failure."""

    def __init__(
        self,
        summary: dict[str, object],
        failures: Sequence[dict[str, object]],
        result: object = None,
    ) -> None:
        first = failures[0] if failures else {}
        lines = "; ".join(
            f"{f.get('target')}: {f.get('action')} {f.get('code')}: {f.get('message')}"
            for f in failures
        )
        super().__init__(
            str(first.get("action", "")),
            str(first.get("code", "")),
            f"{len(failures)} target(s) failed ({lines})",
            request_id=str(first.get("request_id") or ""),
        )
        self.summary = redact(summary)
        self.failures = tuple(redact(f) for f in failures)
        self.result = result
        """The value ``summary`` renders (a ``Summary`` or ``BatchSummary``), for counting."""
