"""What makes a ``DescribeInstances`` listing believable: page shape and completeness.

Removals rest on listings ("no selected instance holds this IP"), so a listing is
believed only when every page has the documented shape and the pages together yield
as many distinct instances as their ``TotalCount``. Anything else is a doubtful read:

- a page whose ``Instances`` is not ``{"Instance": [...]}``, whose ``TotalCount`` is not
  a number, or an empty ``{}`` body, is malformed (``check_page``, a ``ValueError`` that
  the transport turns into a retried ``MalformedResponse``), never "no instances";
- pages that yield fewer distinct instances than ``TotalCount`` are a truncated listing;
- pages whose ``TotalCount`` changes drifted: instances came or went mid-listing, and a
  page boundary (ECS does not say how its ``NextToken`` keeps its place) may have hidden
  a live one, so the listing is not believed, whatever the pages add up to;
- a ``NextToken`` that keeps changing while the instances repeat is a loop, caught at the
  first page that brings nothing new, or once there are more pages than ``TotalCount``
  can fill.

The last three raise ``IncompleteListing`` (transient: the read may succeed later), so no
removal is ever planned on such a listing. Reference: the ECS API documents
``TotalCount`` on every page; treating disagreement as malformed is our inference.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from whitelist_core.errors import TransientCloudError

ACTION = "DescribeInstances"
SPARE_PAGES = 2
"""Pages allowed beyond what ``TotalCount`` needs (instances may appear mid-listing)."""


class IncompleteListing(TransientCloudError):
    """A listing's pages do not add up: truncated, or looping on ``NextToken``."""

    def __init__(self, code: str, message: str, request_id: str = "") -> None:
        super().__init__(ACTION, code, message, request_id=request_id)


def check_page(page: dict[str, Any]) -> None:
    """Raise ``ValueError`` unless ``page`` has the documented shape."""
    instances = page.get("Instances")
    if not isinstance(instances, Mapping) or not isinstance(instances.get("Instance"), list):
        raise ValueError('DescribeInstances page: Instances is not {"Instance": [...]}')
    total = page.get("TotalCount")
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        raise ValueError("DescribeInstances page: TotalCount is not a non-negative integer")
    token = page.get("NextToken")
    if token is not None and not isinstance(token, str):
        raise ValueError("DescribeInstances page: NextToken is not a string")


class Tally:
    """Counts the pages of one listing and says when they stop adding up."""

    def __init__(self, page_size: int) -> None:
        self._ids: set[str] = set()
        self._items = 0
        self._pages = 0
        self._least_total: int | None = None
        self._most_total = 0
        self._smallest_page = page_size

    def add(self, page: Mapping[str, Any]) -> list[Any]:
        """Record one (well-formed) page; its items. Raises on a loop."""
        items: list[Any] = page["Instances"]["Instance"]
        total: int = page["TotalCount"]
        self._pages += 1
        self._least_total = total if self._least_total is None else min(self._least_total, total)
        self._most_total = max(self._most_total, total)
        ids = {i.get("InstanceId") for i in items if isinstance(i, Mapping)} - {None, ""}
        fresh = ids - self._ids
        self._ids |= {str(i) for i in ids}
        self._items += len(items)
        if items:
            self._smallest_page = min(self._smallest_page, len(items))
        more = bool(page.get("NextToken"))
        if more and items and not fresh:
            raise IncompleteListing(
                "RepeatedPage",
                f"page {self._pages} repeats instances already listed while NextToken changes",
                _request_id(page),
            )
        if more and self._pages >= self._page_limit():
            raise IncompleteListing(
                "TooManyPages",
                f"{self._pages} pages and still a NextToken, for a TotalCount of "
                f"{self._most_total}",
                _request_id(page),
            )
        return items

    def finish(self, last_page: Mapping[str, Any]) -> None:
        """Raise ``IncompleteListing`` when the listing yielded fewer instances than the
        smallest ``TotalCount`` any page gave (instances may vanish mid-listing)."""
        least = self._least_total or 0
        if least != self._most_total:
            raise IncompleteListing(
                "DriftingListing",
                f"TotalCount changed between pages (from {least} to {self._most_total}): "
                "instances came or went mid-listing, so a page boundary may have hidden one",
                _request_id(last_page),
            )
        if len(self._ids) < least:
            raise IncompleteListing(
                "TruncatedListing",
                f"the pages yielded {len(self._ids)} distinct instances "
                f"({self._items} items) but TotalCount is {least}",
                _request_id(last_page),
            )

    def _page_limit(self) -> int:
        """Pages ``TotalCount`` can fill at the page size the API really serves."""
        needed = -(-self._most_total // self._smallest_page)
        return max(needed, 1) + SPARE_PAGES


def _request_id(page: Mapping[str, Any]) -> str:
    value = page.get("RequestId")
    return value if isinstance(value, str) else ""
