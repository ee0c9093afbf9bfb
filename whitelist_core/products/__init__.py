"""The whitelist products as data: one spec module per product, and the table of them."""

from .spec import Capacity, Endpoint, ProductSpec, Ram, Read, Write
from .table import DEFAULT_PRODUCT, PRODUCTS, ProductName, spec_of

__all__ = [
    "DEFAULT_PRODUCT",
    "PRODUCTS",
    "Capacity",
    "Endpoint",
    "ProductName",
    "ProductSpec",
    "Ram",
    "Read",
    "Write",
    "spec_of",
]
