"""Whitelist entries as the database products parse them (IPv4 address or CIDR block)."""

from __future__ import annotations

import re

from localcloud.whitelist.rules import Rules

_OCTET = re.compile(r"0|[1-9][0-9]{0,2}")
_PREFIX = re.compile(r"[1-9][0-9]?")


def parse_entry(text: str, rules: Rules) -> str:
    """One entry, normalised (``/32`` dropped); anything else answers the product's Format error."""
    if text == "0.0.0.0/0":
        return text
    address, slash, prefix = text.partition("/")
    bad = rules.codes.ip_format(f"Specified security IP {text!r} is not valid.")
    if not _is_ipv4(address):
        raise bad
    if not slash:
        return address
    if not _PREFIX.fullmatch(prefix) or int(prefix) > 32:
        raise bad
    return address if prefix == "32" else f"{address}/{prefix}"


def parse_list(text: str, rules: Rules) -> tuple[str, ...]:
    """A comma-separated list of entries, normalised; a repeated entry is refused."""
    entries = tuple(parse_entry(item, rules) for item in text.split(","))
    if len(set(entries)) != len(entries):
        raise rules.codes.list_duplicate()
    return entries


def seeded_entries(text: str, rules: Rules) -> list[str]:
    """The entries of a seeded list (empty text: no entries)."""
    return [parse_entry(item, rules) for item in text.split(",")] if text else []


def _is_ipv4(text: str) -> bool:
    parts = text.split(".")
    return len(parts) == 4 and all(_OCTET.fullmatch(p) and int(p) <= 255 for p in parts)
