"""The whitelist products as data: one spec module per product, and the table of them.

The spec's classes live in ``products.spec``; only the table is re-exported here, so that
importing the package loads no spec (cold start: a spec is loaded when a target names it).
"""

from whitelist_core.products.table import DEFAULT_PRODUCT, PRODUCTS, ProductName, spec_of

__all__ = ["DEFAULT_PRODUCT", "PRODUCTS", "ProductName", "spec_of"]
