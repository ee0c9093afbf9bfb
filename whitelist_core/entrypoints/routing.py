"""Events routed by account: which configured account an item's event happened in.

An event names its account (``aliyunaccountid``, or ``aliyunoriginalaccountid`` when a
member account's rule forwarded it to the central bus). Once the configuration names
other accounts, an event is handled for that account only: it touches the targets whose
hosts are listed there, and an event from an account the configuration does not name is
ignored, saying so. Without ``accounts:`` nothing is routed (one account, as before).
The function's own account is the FC context's ``account_id``, else ``FC_ACCOUNT_ID``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from whitelist_core.accounts import account_named_by
from whitelist_core.config import Config
from whitelist_core.intents import Ignore, ReconcileTargets, SyncInstances

OWN_ACCOUNT_VARIABLE = "FC_ACCOUNT_ID"


def own_account_id(context: Any, environ: Mapping[str, str]) -> str:
    """The uid of the function's own account (``""`` when neither source says)."""
    found = getattr(context, "account_id", None)
    if isinstance(found, str) and found.strip():
        return found.strip()
    return environ.get(OWN_ACCOUNT_VARIABLE, "").strip()


def route(
    config: Config, intent: SyncInstances | ReconcileTargets, own_uid: str
) -> str | Ignore | None:
    """The configured account the intent's event happened in (``OWN``: the function's),
    None when it is not routed (no accounts configured, or the event names no account:
    a timer, a webhook, the CLI), or ``Ignore`` for an account not configured."""
    if not config.accounts or not intent.account_id:
        return None
    name = account_named_by(intent.account_id, own_uid, config.accounts)
    if name is not None:
        return name
    own = "" if own_uid else f"; the function's own account is unknown: set {OWN_ACCOUNT_VARIABLE}"
    reason = (
        f"event from account {intent.account_id}, which the configuration does not name "
        f"under accounts: ignored{own}"
    )
    return Ignore(reason, intent.trigger, intent.event_id)
