"""Entries: parsing and normalising, comma lists, private ranges, group-name rules."""

from __future__ import annotations

import re

import pytest

from whitelist_core.core.entries import (
    RESERVED_GROUPS,
    EntryError,
    group_name_problem,
    is_private,
    parse_entry,
    parse_entry_list,
    sorted_entries,
)

NORMALISED = [
    ("10.0.0.5", "10.0.0.5"),
    ("10.0.0.5/32", "10.0.0.5"),
    ("10.0.0.0/24", "10.0.0.0/24"),
    ("10.0.0.0/8", "10.0.0.0/8"),
    ("0.0.0.0/0", "0.0.0.0/0"),
    ("  10.0.0.5  ", "10.0.0.5"),
    ("\t192.168.1.0/24\n", "192.168.1.0/24"),
    ("10.0.0.0/024", "10.0.0.0/24"),
    ("255.255.255.255/32", "255.255.255.255"),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    NORMALISED,
    ids=[
        "host",
        "slash32-is-host",
        "cidr-kept",
        "slash8-kept",
        "world",
        "surrounding-spaces",
        "tabs-newline",
        "prefix-leading-zero",
        "broadcast-slash32",
    ],
)
def test_parse_entry_normalises(text: str, expected: str) -> None:
    assert parse_entry(text) == expected


REFUSED = [
    ("10.0.0.5/24", "host bits"),
    ("10.0.0.1/31", "host bits"),
    ("0.0.0.1/0", "host bits"),
    ("10.0.0.0/33", "invalid prefix"),
    ("10.0.0.0/", "invalid prefix"),
    ("10.0.0.0/-1", "invalid prefix"),
    ("10.0.0.0/+8", "invalid prefix"),
    ("10.0.0.0/8/8", "invalid prefix"),
    ("10.0.0.0/²", "invalid prefix"),
    ("10.0.0.0/١٦", "invalid prefix"),
    ("010.0.0.5", "not an IPv4 address"),
    ("10.0.0.05", "not an IPv4 address"),
    ("10.0. 0.5", "not an IPv4 address"),
    ("10.0.0.5 /32", "not an IPv4 address"),
    ("999.0.0.0/24", "not an IPv4 address"),
    ("10.0.0", "not an IPv4 address"),
    ("", "empty"),
    ("   ", "empty"),
    ("::1", "not an IPv4 address"),
    ("fe80::/10", "not an IPv4 address"),
    ("::ffff:10.0.0.5", "not an IPv4 address"),
    ("example.com", "not an IPv4 address"),
]


@pytest.mark.parametrize(
    ("text", "problem"),
    REFUSED,
    ids=[
        "host-bits-24",
        "host-bits-31",
        "host-bits-world",
        "prefix-33",
        "prefix-missing",
        "prefix-negative",
        "prefix-plus-sign",
        "two-prefixes",
        "prefix-superscript-digit",
        "prefix-arabic-indic-digits",
        "leading-zero-first-octet",
        "leading-zero-last-octet",
        "space-inside",
        "space-before-prefix",
        "octet-over-255",
        "three-octets",
        "empty",
        "blank",
        "ipv6-loopback",
        "ipv6-cidr",
        "ipv4-mapped-ipv6",
        "hostname",
    ],
)
def test_parse_entry_refuses(text: str, problem: str) -> None:
    with pytest.raises(EntryError, match=problem):
        parse_entry(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10.0.0.5,10.0.0.0/24", ("10.0.0.5", "10.0.0.0/24")),
        ("10.0.0.0/24,10.0.0.5/32", ("10.0.0.0/24", "10.0.0.5")),
        (" 10.0.0.5 , 10.0.0.6 ", ("10.0.0.5", "10.0.0.6")),
        ("10.0.0.5,,10.0.0.6,", ("10.0.0.5", "10.0.0.6")),
        (",10.0.0.5, ,", ("10.0.0.5",)),
        ("", ()),
        (" , ", ()),
        ("127.0.0.1", ("127.0.0.1",)),
    ],
    ids=[
        "host-then-cidr",
        "cidr-then-host-order-kept",
        "spaces-around-parts",
        "empty-middle-and-trailing",
        "only-one-real-part",
        "empty-string",
        "only-separators",
        "placeholder",
    ],
)
def test_parse_entry_list(text: str, expected: tuple[str, ...]) -> None:
    assert parse_entry_list(text) == expected


def test_parse_entry_list_refuses_a_bad_part() -> None:
    with pytest.raises(EntryError, match=re.escape("10.0.0.5/24")):
        parse_entry_list("10.0.0.1,10.0.0.5/24")


def test_sorted_entries_is_numeric_and_deduplicated() -> None:
    entries = ["10.0.0.10", "10.0.0.9", "10.0.0.0/24", "9.0.0.0/8", "10.0.0.9", "10.0.0.0"]
    assert sorted_entries(entries) == (
        "9.0.0.0/8",
        "10.0.0.0/24",
        "10.0.0.0",
        "10.0.0.9",
        "10.0.0.10",
    )


@pytest.mark.parametrize(
    ("entry", "private"),
    [
        ("10.0.0.0", True),
        ("10.255.255.255", True),
        ("10.0.0.0/8", True),
        ("9.255.255.255", False),
        ("11.0.0.0", False),
        ("10.0.0.0/7", False),
        ("172.16.0.0", True),
        ("172.31.255.255", True),
        ("172.16.0.0/12", True),
        ("172.15.255.255", False),
        ("172.32.0.0", False),
        ("172.0.0.0/11", False),
        ("192.168.0.0", True),
        ("192.168.255.255", True),
        ("192.168.0.0/16", True),
        ("192.167.255.255", False),
        ("192.169.0.0", False),
        ("192.168.0.0/15", False),
        ("100.64.0.0", True),
        ("100.127.255.255", True),
        ("100.64.0.0/10", True),
        ("100.63.255.255", False),
        ("100.128.0.0", False),
        ("100.0.0.0/9", False),
        ("8.8.8.8", False),
        ("0.0.0.0/0", False),
        ("127.0.0.1", False),
    ],
    ids=[
        "10-first",
        "10-last",
        "10-block",
        "below-10",
        "above-10",
        "wider-than-10",
        "172.16-first",
        "172.31-last",
        "172.16-block",
        "172.15-public",
        "172.32-public",
        "wider-than-172.16",
        "192.168-first",
        "192.168-last",
        "192.168-block",
        "192.167-public",
        "192.169-public",
        "wider-than-192.168",
        "cgnat-first",
        "cgnat-last",
        "cgnat-block",
        "100.63-public",
        "100.128-public",
        "wider-than-cgnat",
        "public-dns",
        "world",
        "loopback-is-not-private-space",
    ],
)
def test_is_private(entry: str, private: bool) -> None:
    assert is_private(entry) is private


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("a", "2-32 characters"),
        ("", "2-32 characters"),
        ("a" * 33, "2-32 characters"),
        ("Orders", "lowercase letters"),
        ("ecs-orders", "lowercase letters"),
        ("1orders", "start with a letter"),
        ("_orders", "start with a letter"),
        ("orders_", "end with a letter or digit"),
        ("default", "system group"),
        ("ali_dms_group", "system group"),
        ("hdm_security_ips", "system group"),
        ("rds_replica_group", "system group"),
    ],
    ids=[
        "one-char",
        "empty",
        "33-chars",
        "uppercase",
        "hyphen",
        "leading-digit",
        "leading-underscore",
        "trailing-underscore",
        "reserved-default",
        "reserved-dms",
        "reserved-das",
        "reserved-replica",
    ],
)
def test_group_name_problem(name: str, problem: str) -> None:
    found = group_name_problem(name)
    assert found is not None
    assert problem in found


@pytest.mark.parametrize(
    "name",
    ["ab", "a1", "a" * 32, "ecs_orders", "x_9", "default2"],
    ids=[
        "two-chars",
        "ends-with-digit",
        "32-chars",
        "underscore-inside",
        "short-mixed",
        "near-reserved",
    ],
)
def test_group_name_accepted(name: str) -> None:
    assert group_name_problem(name) is None


def test_reserved_groups_cover_the_design_list() -> None:
    assert {"default", "ali_dms_group", "hdm_security_ips"} <= RESERVED_GROUPS
