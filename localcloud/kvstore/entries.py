"""Whitelist entries and group names, parsed by the R-KVStore rules."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from localcloud.kvstore.exceptions import (
    InvalidGroupNameFormat,
    InvalidSecurityIPListDuplicate,
    InvalidSecurityIPListFormat,
)

MAX_ENTRIES = 1000
DEFAULT_GROUP = "default"
# Groups that services create; their name alone makes them read-only.
SYSTEM_GROUP_NAMES = frozenset({"ali_dms_group", "hdm_security_ips"})
_GROUP_NAME = re.compile(r"[a-z][a-z0-9_]{0,30}[a-z0-9]")
_OCTET = re.compile(r"0|[1-9][0-9]{0,2}")
_PREFIX = re.compile(r"[1-9][0-9]?")


def check_group_name(name: str) -> str:
    """``name`` if it is 2-32 chars of [a-z0-9_], starting with a letter, ending alnum."""
    if not _GROUP_NAME.fullmatch(name):
        raise InvalidGroupNameFormat()
    return name


def parse_entry(text: str) -> str:
    """One entry, normalised (``/32`` dropped); anything else answers the Format error."""
    if text == "0.0.0.0/0":
        return text
    address, slash, prefix = text.partition("/")
    if not _is_ipv4(address):
        raise InvalidSecurityIPListFormat(f"Specified security IP {text!r} is not valid.")
    if not slash:
        return address
    if not _PREFIX.fullmatch(prefix) or int(prefix) > 32:
        raise InvalidSecurityIPListFormat(f"Specified security IP {text!r} is not valid.")
    return address if prefix == "32" else f"{address}/{prefix}"


def parse_list(text: str) -> list[str]:
    """A comma-separated list of entries, normalised, without duplicates."""
    entries = [parse_entry(item) for item in text.split(",")]
    if len(set(entries)) != len(entries):
        raise InvalidSecurityIPListDuplicate()
    return entries


def _is_ipv4(text: str) -> bool:
    parts = text.split(".")
    return len(parts) == 4 and all(_OCTET.fullmatch(p) and int(p) <= 255 for p in parts)


def wire_order(entries: Iterable[str]) -> list[str]:
    """The order DescribeSecurityIps answers a group's entries in.

    The service re-sorts what it was sent; by which key is not documented. The order
    chosen here is the SHA-256 digest of each entry's text: fixed for a given set,
    independent of the order of writes, and unlike numeric or string order, so a client
    that compares lists in order fails against it as it would against the cloud.
    """
    return sorted(entries, key=lambda entry: hashlib.sha256(entry.encode("ascii")).digest())
