"""ECS DescribeInstances: parameters in, the SDK model's response shape out."""

from __future__ import annotations

from typing import Any

from localcloud.context import CallContext
from localcloud.ecs.filters import parse_query
from localcloud.ecs.models import EcsModel, Page
from localcloud.errors import DryRunOperation, InvalidParameter
from localcloud.wire import Params

VERSION = "2014-05-26"
PRODUCT = "Ecs"
HOST = "ecs.aliyuncs.com"
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100


def describe_instances(model: EcsModel, params: Params, ctx: CallContext) -> dict[str, Any]:
    """DescribeInstances with its filters, MaxResults/NextToken or PageSize/PageNumber paging."""
    region = params.require("RegionId")
    query = parse_query(params)
    if params.boolean("DryRun"):
        raise DryRunOperation()
    ctx.pause()
    found = model.select(region, query)
    if "MaxResults" in params or "NextToken" in params:
        size = _clamp(params.integer("MaxResults"))
        page = model.page_by_token(found, params.get("NextToken", ""), size)
        number = 1
    else:
        size, number = _page_size(params), _page_number(params)
        page = model.page_by_number(found, number, size)
    return _body(page, number, size)


def _clamp(max_results: int | None) -> int:
    # The SDK documents MaxResults as clamped into 10..100 rather than refused.
    if max_results is None:
        return DEFAULT_PAGE_SIZE
    return min(max(max_results, DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE)


def _page_size(params: Params) -> int:
    size = params.integer("PageSize")
    if size is None:
        return DEFAULT_PAGE_SIZE
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise InvalidParameter("PageSize", "Valid values: 1 to 100.")
    return size


def _page_number(params: Params) -> int:
    number = params.integer("PageNumber")
    if number is None:
        return 1
    if number < 1:
        raise InvalidParameter("PageNumber", "It must be at least 1.")
    return number


def _body(page: Page, number: int, size: int) -> dict[str, Any]:
    return {
        "NextToken": page.next_token,
        "PageNumber": number,
        "PageSize": size,
        "TotalCount": page.total,
        "Instances": {"Instance": page.instances},
    }
