"""RAM refusals: which credential is denied which actions, and how the refusal reads.

A seeded credential may carry ``"Denied": [action, ...]``. A denied action answers 403
``Forbidden.RAM`` with an ``AccessDeniedDetail`` object, as ECS has answered its query
APIs since 2025-12-20 (the ECS announcement of changes to the authentication of query
APIs). ``"DeniedAnswer": "empty-list"`` brings back the older answer to
``DescribeInstances`` (HTTP 200, no instances) that accounts and APIs not yet moved still
give; ``DryRun`` and every other action are refused with the 403 either way.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from localcloud.errors import CloudError, ForbiddenRam
from localcloud.principals import DEFAULT_ACCOUNT_ID
from localcloud.sts.exceptions import CallerNoPermission

ANSWERS = ("forbidden", "empty-list")
ACCOUNT_ID = DEFAULT_ACCOUNT_ID  # the default account (a refusal names the caller's own)
# RAM service codes of the products' actions (ecs:DescribeInstances, kvstore:...).
RAM_CODES = {"Ecs": "ecs", "R-kvstore": "kvstore"}


@dataclass(frozen=True)
class Denial:
    """What one credential may not do, and how the refusal of ``DescribeInstances`` reads."""

    actions: frozenset[str]
    answer: str = "forbidden"

    def empty_listing(self, product: str, action: str, dry_run: bool) -> bool:
        """True when this refusal is the old 200 empty list rather than the 403 (ECS's
        ``DescribeInstances`` only: R-KVStore's of the same name is refused with the 403)."""
        return (
            self.answer == "empty-list"
            and (product, action) == ("Ecs", "DescribeInstances")
            and not dry_run
        )

    def to_seed(self) -> dict[str, Any]:
        """The credential keys this denial came from (``DeniedAnswer`` only when not default)."""
        keys: dict[str, Any] = {"Denied": sorted(self.actions)}
        return keys | ({"DeniedAnswer": self.answer} if self.answer != "forbidden" else {})


def denial_from_seed(item: Mapping[str, Any]) -> Denial | None:
    """The credential's denial, or None when it is denied nothing."""
    answer = item.get("DeniedAnswer", "forbidden")
    if answer not in ANSWERS:
        raise ValueError(f'credential "DeniedAnswer" must be one of {list(ANSWERS)}: {answer!r}')
    if not item.get("Denied"):
        return None
    return Denial(frozenset(map(str, item["Denied"])), str(answer))


def refusal(action: str, product: str, access_key_id: str, account: str = ACCOUNT_ID) -> CloudError:
    """The 403 for ``access_key_id`` (of ``account``) calling ``action`` of ``product``.

    Detail values are choices in the real field set: a RAM user (``SubUser``) named after
    its AccessKeyId, no policy allowing the action (``ImplicitDeny``), and an opaque
    diagnostic blob. STS answers its own ``NoPermission`` instead (no detail).
    """
    if product == "Sts":
        return CallerNoPermission()
    auth_action = f"{RAM_CODES.get(product, product.lower())}:{action}"
    detail = {
        "AuthAction": auth_action,
        "AuthPrincipalType": "SubUser",
        "AuthPrincipalDisplayName": access_key_id,
        "AuthPrincipalOwnerId": account,
        "NoPermissionType": "ImplicitDeny",
        "PolicyType": "AccountLevelIdentityBasedPolicy",
        "EncodedDiagnosticMessage": _diagnostic(auth_action, access_key_id),
    }
    return ForbiddenRam(detail)


def _diagnostic(auth_action: str, access_key_id: str) -> str:
    # The real blob is opaque and decodable only by Alibaba's diagnosis tool.
    raw = json.dumps({"action": auth_action, "principal": access_key_id}, sort_keys=True)
    return base64.b64encode(raw.encode("utf-8")).decode("ascii")
