"""What every event builder shares: the placeholder account, unique ids, the envelope."""

from __future__ import annotations

import itertools
from typing import Any

from localcloud.principals import DEFAULT_ACCOUNT_ID

ACCOUNT = DEFAULT_ACCOUNT_ID
"""The default account (localcloud's ``DEFAULT_ACCOUNT_ID``): where events happen by default."""
_ids = itertools.count(1)


def next_number() -> int:
    """A number never handed out before in this process."""
    return next(_ids)


def next_id(prefix: str) -> str:
    """``<prefix>-<n>``, unique in this process."""
    return f"{prefix}-{next_number()}"


def cloud_event(
    *,
    event_id: str,
    source: str,
    kind: str,
    subject: str,
    time: str,
    region: str,
    account: str,
    original_account: str | None,
    data: dict[str, Any],
) -> dict[str, Any]:
    """An EventBridge CloudEvent: ``aliyunaccountid`` is ``account``; an event forwarded
    from another account's bus also carries ``aliyunoriginalaccountid`` (reference §11.4:
    which account each field holds after forwarding is UNVERIFIED, so tests say both)."""
    event: dict[str, Any] = {
        "id": event_id,
        "source": source,
        "specversion": "1.0",
        "type": kind,
        "subject": subject,
        "time": time,
        "aliyunaccountid": account,
        "aliyunregionid": region,
    }
    if original_account is not None:
        event["aliyunoriginalaccountid"] = original_account
    return event | {"data": data}
