"""The product table: every whitelist product the function serves, one row each.

Adding a product (ClickHouse, say) is one spec module beside this file, one row here,
and a ``localcloud`` adapter. Spec modules are imported on first use only, so a Redis-only
configuration never loads the others (cold start).
"""

from __future__ import annotations

import importlib
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
