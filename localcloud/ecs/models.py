"""ECS instances per region, listed in InstanceId order, with NextToken paging."""

from __future__ import annotations

import copy
import threading
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from localcloud.ecs.filters import InstanceQuery
from localcloud.errors import InvalidParameter


@dataclass(frozen=True)
class Page:
    """One page of a listing; ``next_token`` is "" on the last page."""

    instances: list[dict[str, Any]]
    total: int
    next_token: str


class EcsModel:
    """Instances keyed by region then InstanceId; instances are stored as given."""

    def __init__(self) -> None:
        self.regions: dict[str, dict[str, dict[str, Any]]] = {}
        self._tokens: dict[str, str] = {}
        self._lock = threading.RLock()

    def put(self, region: str, instances: Iterable[Mapping[str, Any]]) -> None:
        """Add or replace instances (by InstanceId) in ``region``."""
        with self._lock:
            bucket = self.regions.setdefault(region, {})
            for instance in instances:
                if not isinstance(instance, Mapping) or not instance.get("InstanceId"):
                    raise ValueError("every ECS instance needs an InstanceId")
                bucket[str(instance["InstanceId"])] = copy.deepcopy(dict(instance))

    def delete(self, region: str, instance_ids: Iterable[str]) -> None:
        """Remove instances from ``region``; unknown ids are ignored."""
        with self._lock:
            bucket = self.regions.get(region, {})
            for instance_id in instance_ids:
                bucket.pop(instance_id, None)

    def dump(self) -> dict[str, list[dict[str, Any]]]:
        """Every region's instances, sorted by InstanceId (the seed shape)."""
        with self._lock:
            return {
                region: [copy.deepcopy(bucket[key]) for key in sorted(bucket)]
                for region, bucket in self.regions.items()
            }

    def select(self, region: str, query: InstanceQuery) -> list[dict[str, Any]]:
        """The matching instances of ``region``, sorted by InstanceId (not copies: pages
        copy only what they serve, so a 10,000-instance region is not copied per page)."""
        with self._lock:
            bucket = self.regions.get(region, {})
            keys = bucket if query.instance_ids is None else query.instance_ids & bucket.keys()
            return [bucket[k] for k in sorted(keys) if query.matches(bucket[k])]

    def page_by_token(self, found: list[dict[str, Any]], token: str, size: int) -> Page:
        """The page after the one that issued ``token`` ("" = the first page)."""
        start = 0
        if token:
            cursor = self._cursor(token)
            start = sum(1 for inst in found if inst["InstanceId"] <= cursor)
        return self._page(found, start, size)

    def page_by_number(self, found: list[dict[str, Any]], number: int, size: int) -> Page:
        """Page ``number`` (from 1) of ``size`` instances; past the end it is empty."""
        return self._page(found, (number - 1) * size, size)

    def _page(self, found: list[dict[str, Any]], start: int, size: int) -> Page:
        chunk = [copy.deepcopy(instance) for instance in found[start : start + size]]
        more = start + size < len(found)
        token = self._issue(chunk[-1]["InstanceId"]) if more and chunk else ""
        return Page(chunk, len(found), token)

    def _issue(self, cursor: str) -> str:
        # Tokens are opaque ids mapped to the last InstanceId served, so a page
        # boundary survives instances being added or removed between calls.
        token = uuid.uuid4().hex
        with self._lock:
            self._tokens[token] = cursor
        return token

    def _cursor(self, token: str) -> str:
        with self._lock:
            cursor = self._tokens.get(token)
        if cursor is None:
            raise InvalidParameter("NextToken")
        return cursor
