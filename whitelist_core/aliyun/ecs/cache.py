"""A per-run cache in front of an ``InstanceInventory``.

Many targets share a region (and often the same server-side query); one listing per
``(region, query)`` per run serves them all. Create one ``CachedInventory`` per
invocation: the cache has no expiry, because a run is short and must see one snapshot.
"""

from __future__ import annotations

from collections.abc import Sequence

from whitelist_core.ports import Instance, InstanceInventory, InstanceQuery


class CachedInventory:
    """``InstanceInventory`` that lists each ``(region, query)`` once per run.

    ``find_by_private_ips`` is not cached: it is the "does anyone hold this IP *now*"
    check made right before removals (IPs are reused after release), so it goes to the
    inner inventory every time.
    """

    def __init__(self, inner: InstanceInventory) -> None:
        self._inner = inner
        self._listings: dict[tuple[str, InstanceQuery], tuple[Instance, ...]] = {}

    def list_instances(self, region: str, query: InstanceQuery | None = None) -> list[Instance]:
        """The inner listing for ``(region, query)``, fetched on first use only."""
        key = (region, query or InstanceQuery())
        if key not in self._listings:
            self._listings[key] = tuple(self._inner.list_instances(region, key[1]))
        return list(self._listings[key])

    def get_instances(self, region: str, instance_ids: Sequence[str]) -> list[Instance]:
        """The instances with these ids, through the listing cache."""
        if not instance_ids:
            return []
        return self.list_instances(region, InstanceQuery(instance_ids=tuple(instance_ids)))

    def find_by_private_ips(
        self, region: str, ips: Sequence[str], *, primary_only: bool = False
    ) -> list[Instance]:
        """Always fresh from the inner inventory (see the class docstring)."""
        if primary_only:
            return self._inner.find_by_private_ips(region, ips, primary_only=True)
        return self._inner.find_by_private_ips(region, ips)

    def clear(self) -> None:
        """Forget every listing (for a long-lived process that starts a new run)."""
        self._listings.clear()
