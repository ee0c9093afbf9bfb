"""Whitelist entries and group names: parsing, normalising, classifying (pure).

An entry is an IPv4 address or CIDR block in its normal form: ``10.0.0.5/32`` is
``10.0.0.5``, and a CIDR block with host bits set (``10.0.0.5/24``) is an error, never
silently masked, because it almost always means a typo.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from functools import lru_cache

PLACEHOLDER = "127.0.0.1"
"""What a group holds when nothing should be allowed: the API refuses an empty group."""

WORLD = "0.0.0.0/0"
MAX_ENTRIES_PER_GROUP = 1000
"""The API's limit on entries in one whitelist group."""

RESERVED_GROUPS = frozenset(
    {
        "default",  # created with every instance; cannot be deleted
        "ali_dms_group",  # created by DMS
        "hdm_security_ips",  # created by DAS / CloudDBA
        "rds_replica_group",  # hidden service group shown in the API's own example
    }
)
"""System and service groups this function must never write, whatever it is told."""

_GROUP_NAME = re.compile(r"^[a-z][a-z0-9_]{0,30}[a-z0-9]$")
_PRIVATE_NETWORKS = tuple(
    ipaddress.IPv4Network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")
)


class EntryError(ValueError):
    """An entry that is not a valid IPv4 address or CIDR block; the message says why."""


@lru_cache(maxsize=65536)
def parse_entry(text: str) -> str:
    """Return the normal form of one entry, or raise ``EntryError`` naming the problem."""
    raw = text.strip()
    if not raw:
        raise EntryError("empty entry")
    if "/" not in raw:
        return str(_address(raw))
    address, _, prefix_text = raw.partition("/")
    prefix = _prefix(raw, prefix_text)
    host = _address(address)  # outside the try: a bad address is not a host-bits problem
    try:
        network = ipaddress.IPv4Network(f"{host}/{prefix}", strict=True)
    except ValueError:
        raise EntryError(f"{raw!r} has host bits set (did you mean the network address?)") from None
    return str(network.network_address) if prefix == 32 else str(network)


def _address(text: str) -> ipaddress.IPv4Address:
    try:
        return ipaddress.IPv4Address(text)
    except ValueError:
        raise EntryError(f"{text!r} is not an IPv4 address") from None


def _prefix(raw: str, prefix_text: str) -> int:
    if not (prefix_text.isascii() and prefix_text.isdigit()) or not 0 <= int(prefix_text) <= 32:
        raise EntryError(f"{raw!r} has an invalid prefix length (must be 0-32)")
    return int(prefix_text)


def parse_entry_list(text: str) -> tuple[str, ...]:
    """Parse the API's comma-separated ``SecurityIpList`` into normal entries, order kept."""
    return tuple(parse_entry(part) for part in text.split(",") if part.strip())


def format_entry_list(entries: Iterable[str]) -> str:
    """The API's comma-separated form of entries."""
    return ",".join(entries)


def network_of(entry: str) -> ipaddress.IPv4Network:
    """The network an entry covers (a single address is a /32)."""
    return ipaddress.IPv4Network(entry)


def prefix_length(entry: str) -> int:
    """The prefix length of an entry; 32 for a single address."""
    _, _, prefix = entry.partition("/")
    return int(prefix) if prefix else 32


def is_world(entry: str) -> bool:
    """True for ``0.0.0.0/0``, which opens the instance to every address."""
    return entry == WORLD


def is_private(entry: str) -> bool:
    """True when the whole entry lies inside RFC 1918 space or 100.64.0.0/10."""
    network = network_of(entry)
    return any(network.subnet_of(private) for private in _PRIVATE_NETWORKS)


def is_placeholder(entry: str) -> bool:
    """True for the ``127.0.0.1`` placeholder."""
    return entry == PLACEHOLDER


def sort_key(entry: str) -> tuple[int, int]:
    """Numeric order of entries (by address, then prefix), for deterministic plans."""
    address, _, prefix = entry.partition("/")
    return int(ipaddress.IPv4Address(address)), int(prefix) if prefix else 32


def sorted_entries(entries: Iterable[str]) -> tuple[str, ...]:
    """Entries in numeric order, duplicates removed."""
    return tuple(sorted(set(entries), key=sort_key))


def group_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a group this function owns, or None when it can."""
    if not 2 <= len(name) <= 32:
        return "group names are 2-32 characters long"
    if not _GROUP_NAME.match(name):
        return (
            "group names use lowercase letters, digits and '_', start with a letter "
            "and end with a letter or digit"
        )
    if name in RESERVED_GROUPS:
        return f"{name!r} is a system group that this function never writes"
    return None


_OCTETS = {str(n): n for n in range(256)}
"""The canonical spelling of each octet: no sign, no leading zero, no space."""


def quad_number(address: str) -> int | None:
    """The integer of a canonical dotted-quad IPv4 address, or None for anything else
    (the caller then falls back to ``ipaddress``)."""
    octets = address.split(".")
    if len(octets) != 4:
        return None
    number = 0
    for octet in octets:
        value = _OCTETS.get(octet)
        if value is None:
            return None
        number = number << 8 | value
    return number
