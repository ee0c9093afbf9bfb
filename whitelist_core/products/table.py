"""The product table: every whitelist product the function serves, one row each.

Adding a product (ClickHouse, say) is one spec module beside this file, one row here,
and a ``localcloud`` adapter. Spec modules are imported on first use only, so a Redis-only
configuration never loads the others (cold start).
"""

from __future__ import annotations

import importlib
import re
from functools import cache
from typing import TYPE_CHECKING, Literal, get_args

if TYPE_CHECKING:
    from whitelist_core.products.spec import ProductSpec

ProductName = Literal["redis", "rds", "polardb", "mongodb"]
"""The ``product`` a target may name (the table's keys)."""

PRODUCTS: dict[str, str] = {
    "redis": "whitelist_core.products.redis",  # the default: Redis / Tair, R-KVStore API
    "rds": "whitelist_core.products.rds",
    "polardb": "whitelist_core.products.polardb",
    "mongodb": "whitelist_core.products.mongodb",
}
"""product name -> the module whose ``SPEC`` describes it."""

DEFAULT_PRODUCT: ProductName = "redis"

assert set(get_args(ProductName)) == set(PRODUCTS), "ProductName and PRODUCTS must agree"


@cache
def spec_of(product: str) -> ProductSpec:
    """The spec of ``product`` (a key of ``PRODUCTS``), imported on first use."""
    spec: ProductSpec = importlib.import_module(PRODUCTS[product]).SPEC
    return spec


ECS_INSTANCE_ID = r"i-[a-z0-9]{8,40}"
"""The form of an ECS instance id: never a database instance."""


def mistaken_for(instance_id: str, product: str) -> str | None:
    """What ``instance_id`` is, when it is not an id of ``product``: ``"ecs"`` for an ECS
    instance, or the other product whose id form it has; None when nothing says so.

    Redis's own form is wide enough to hold every other product's ids (``rm-``, ``pc-``,
    ``dds-``), so a Redis target is checked against the others; its usual ``r-`` ids load
    no other spec (cold start).
    """
    if re.fullmatch(ECS_INSTANCE_ID, instance_id):
        return "ecs"
    if product == DEFAULT_PRODUCT and instance_id.startswith("r-"):
        return None
    for other in PRODUCTS:
        if other not in (product, DEFAULT_PRODUCT) and re.fullmatch(
            spec_of(other).instance_id, instance_id
        ):
            return other
    return None
