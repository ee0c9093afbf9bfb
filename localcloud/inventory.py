"""The database products' list APIs, paged as each real one pages.

R-KVStore ``DescribeInstances``, RDS ``DescribeDBInstances``, PolarDB ``DescribeDBClusters``
and MongoDB ``DescribeDBInstances`` share one job: a region's instances (or the ids asked
for), optionally of one status, one page at a time. They differ in names, page sizes and
count fields, which a :class:`Listing` spells out (each from the product's official SDK
models). Instances are listed by id (**choice**: the real order is not documented), each
in its stored fields without its whitelist groups, plus its ``RegionId``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from localcloud.errors import InvalidParameter
from localcloud.wire import Params

MAX_IDS = 30
"""Ids one call may name (the R-KVStore and RDS request docs say 30)."""


@dataclass(frozen=True)
class Listing:
    """How one product's list API names and pages things."""

    items: tuple[str, str]  # ("Items", "DBInstance"): the answer's list, two levels deep
    id_field: str
    status_field: str
    ids_param: str  # comma-separated ids
    status_param: str
    sizes: Collection[int]  # PageSize values accepted
    total_key: str  # "TotalCount" or "TotalRecordCount"
    size_key: str  # "PageSize" (the size asked) or "PageRecordCount" (the items in the page)
    region_required: bool = True
    default_size: int = 30
    type_param: str = ""  # MongoDB: DBInstanceType, by default "replicate"
    default_type: str = ""
    tokens: bool = False  # RDS: MaxResults / NextToken paging too


Item = tuple[str, dict[str, Any]]  # (region, the instance's listed fields)


class Listed(Protocol):
    """A product model whose instances a list API pages through."""

    def listing(self) -> list[Item]:
        """(region, listed fields) for every instance, in any order."""
        ...


def list_instances(spec: Listing, stored: Iterable[Item], params: Params) -> dict[str, Any]:
    """One page of the instances ``params`` select, in ``spec``'s answer shape."""
    region = params.require("RegionId") if spec.region_required else params.get("RegionId", "")
    found = sorted(
        (item for where, item in stored if _selected(spec, params, region, where, item)),
        key=lambda item: str(item[spec.id_field]),
    )
    if spec.tokens and ("MaxResults" in params or "NextToken" in params):
        return _token_page(spec, found, params)
    number, size = _page_request(spec, params)
    page = found[(number - 1) * size : number * size]
    counted = size if spec.size_key == "PageSize" else len(page)
    answer = {spec.items[0]: {spec.items[1]: page}, "PageNumber": number, spec.size_key: counted}
    answer[spec.total_key] = len(found)
    if spec.tokens:
        answer["NextToken"] = ""
    return answer


def _selected(
    spec: Listing, params: Params, region: str, where: str, item: Mapping[str, Any]
) -> bool:
    ids = _ids(spec, params)
    status = params.get(spec.status_param, "")
    kind = params.get(spec.type_param, spec.default_type) if spec.type_param else ""
    return (
        (not region or where == region)
        and (ids is None or str(item[spec.id_field]) in ids)
        and (not status or item.get(spec.status_field) == status)
        and (not kind or item.get(spec.type_param, spec.default_type) == kind)
    )


def _ids(spec: Listing, params: Params) -> set[str] | None:
    raw = params.get(spec.ids_param, "")
    if not raw:
        return None
    ids = {part.strip() for part in raw.split(",") if part.strip()}
    if len(ids) > MAX_IDS:
        raise InvalidParameter(spec.ids_param, f"At most {MAX_IDS} ids.")
    return ids


def _page_request(spec: Listing, params: Params) -> tuple[int, int]:
    number = params.integer("PageNumber") or 1
    size = params.integer("PageSize") or spec.default_size
    if number < 1:
        raise InvalidParameter("PageNumber")
    if size not in spec.sizes:
        raise InvalidParameter("PageSize")
    return number, size


def _token_page(spec: Listing, found: list[dict[str, Any]], params: Params) -> dict[str, Any]:
    """RDS's token paging: ``MaxResults`` (1..100, default 30) after ``NextToken``."""
    size = params.integer("MaxResults") or spec.default_size
    if not 1 <= size <= 100:
        raise InvalidParameter("MaxResults")
    after = _cursor(params.get("NextToken", ""))
    rest = [item for item in found if str(item[spec.id_field]) > after]
    page = rest[:size]
    token = _token(str(page[-1][spec.id_field])) if len(rest) > size else ""
    answer = {spec.items[0]: {spec.items[1]: page}, "PageNumber": 1, spec.size_key: len(page)}
    return answer | {spec.total_key: len(found), "NextToken": token}


def _token(last_id: str) -> str:
    return base64.urlsafe_b64encode(last_id.encode("utf-8")).decode("ascii")


def _cursor(token: str) -> str:
    if not token:
        return ""
    try:
        return base64.b64decode(token.encode("ascii"), b"-_", validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raise InvalidParameter("NextToken") from None
