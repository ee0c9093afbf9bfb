"""RDS only: which ``WhitelistNetworkType`` a write names.

An RDS instance in the standard whitelist mode has ``MIX`` groups only: they apply to
every network. One in the enhanced mode splits its whitelist into ``VPC`` groups (for
clients in a VPC) and ``Classic`` groups (classic network and Internet), and an entry in
the wrong kind of group does not let the client in. ECS hosts in a VPC therefore need a
``VPC`` group there.

``auto`` (the default) keeps an existing group's type; for a new group it names ``VPC``
when the instance's other groups show the enhanced mode (any ``VPC`` or ``Classic``
group), and names nothing otherwise (the API's default, ``MIX``). A target can name the
type itself (``network_type: vpc | classic | mix``).
"""

from __future__ import annotations

from collections.abc import Mapping

NETWORK_TYPES = {"vpc": "VPC", "classic": "Classic", "mix": "MIX"}
_ENHANCED = frozenset({"VPC", "Classic"})


class NetworkChoice:
    """Remembers each RDS instance's group types from its last read; picks a write's type."""

    def __init__(self) -> None:
        self._types: dict[str, dict[str, str]] = {}

    def remember(self, instance_id: str, types: Mapping[str, str]) -> None:
        """The ``WhitelistNetworkType`` of each group, as just read (``""`` when absent)."""
        self._types[instance_id] = dict(types)

    def pick(self, instance_id: str, group: str, wanted: str) -> str | None:
        """The type to send for ``group``, or None to send none (``MIX`` by default)."""
        if wanted in NETWORK_TYPES:
            return NETWORK_TYPES[wanted]
        types = self._types.get(instance_id, {})
        if types.get(group):
            return types[group]
        if _ENHANCED & set(types.values()):
            return "VPC"
        return None
