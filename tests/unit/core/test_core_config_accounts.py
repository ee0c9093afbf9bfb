"""Configuration of several accounts: ``accounts:`` with role ARNs, a target's ``account``
and its selector's; every name is checked and every problem names its field."""

from __future__ import annotations

from typing import Any

import pytest

from whitelist_core.accounts import OWN, account_named_by
from whitelist_core.config import validate_config
from whitelist_core.errors import ConfigError, Problem

PROD = "acs:ram::1111111111111111:role/whitelist-sync-member"
DATA = "acs:ram::2222222222222222:role/whitelist-sync-member"


def target(name: str = "orders", **fields: Any) -> dict[str, Any]:
    return {
        "name": name,
        "instance_id": "r-demoorders01",
        "group": "ecs_orders",
        "selector": {"vpc_id": "vpc-demo01"},
    } | fields


def config(*targets: dict[str, Any], **accounts: Any) -> dict[str, Any]:
    return {"version": 1, "region": "cn-hangzhou", "targets": list(targets), "accounts": accounts}


def problems_of(data: Any) -> list[Problem]:
    with pytest.raises(ConfigError) as caught:
        validate_config(data)
    return list(caught.value.problems)


def test_a_target_defaults_to_the_functions_own_account_and_its_selector_to_the_targets() -> None:
    data = config(
        target("own"),
        target("prod", account="prod"),
        target("shared", account="data", selector={"vpc_id": "vpc-a", "account": "prod"}),
        prod={"role_arn": PROD},
        data={"role_arn": DATA, "external_id": "ext-0123"},
    )
    loaded = validate_config(data)
    _own, _prod, _shared = loaded.targets
    assert [loaded.account_of(t) for t in loaded.targets] == [OWN, "prod", "data"]
    assert [loaded.hosts_account_of(t) for t in loaded.targets] == [OWN, "prod", "prod"]
    assert loaded.accounts["data"].external_id == "ext-0123"
    assert loaded.accounts["prod"].uid == "1111111111111111"


@pytest.mark.parametrize(
    "arn",
    [
        "acs:ram::1111:role/x",  # uid too short
        "acs:ram::1111111111111111:user/x",  # a user, not a role
        "arn:ram::1111111111111111:role/x",
        "acs:ram::1111111111111111:role/",
        "acs:ram::1111111111111111:role/a b",
    ],
)
def test_a_malformed_role_arn_is_an_error_naming_the_field(arn: str) -> None:
    (problem,) = problems_of(config(target(), prod={"role_arn": arn}))
    assert problem.path == "accounts.prod.role_arn"
    assert (
        "is not a RAM role ARN (acs:ram::<16-digit account uid>:role/<role name>)" in problem.rule
    )


def test_an_unknown_account_is_an_error_naming_the_target_and_the_selector() -> None:
    data = config(
        target(account="prdo", selector={"vpc_id": "vpc-a", "account": "stage"}),
        prod={"role_arn": PROD},
    )
    rule = "names no account under accounts: (prod); add it there or fix the name"
    assert problems_of(data) == [
        Problem("targets[0].account", rule),
        Problem("targets[0].selector.account", rule),
    ]


def test_an_account_named_without_any_accounts_section_says_none_is_configured() -> None:
    (problem,) = problems_of(config(target(account="prod")))
    assert problem == Problem(
        "targets[0].account",
        "names no account under accounts: (none is configured); add it there or fix the name",
    )


def test_an_unknown_account_is_reported_beside_a_bad_field_of_another_target() -> None:
    data = config(
        target("a", account="nope"), target("b", group="default"), prod={"role_arn": PROD}
    )
    paths = [p.path for p in problems_of(data)]
    assert "targets[0].account" in paths
    assert "targets[1].group" in paths


def test_two_targets_owning_one_group_on_one_instance_of_one_account_is_an_error() -> None:
    data = config(target("a", account="prod"), target("b", account="prod"), prod={"role_arn": PROD})
    (problem,) = problems_of(data)
    assert problem.path == "targets[1].group"
    assert "targets[0] (a) already owns group 'ecs_orders' on r-demoorders01" in problem.rule


def test_the_same_instance_id_and_group_in_two_accounts_are_two_groups() -> None:
    data = config(target("a"), target("b", account="prod"), prod={"role_arn": PROD})
    assert len(validate_config(data).targets) == 2


def test_two_account_names_for_one_uid_is_an_error() -> None:
    other = PROD.replace("whitelist-sync-member", "other")
    (problem,) = problems_of(config(target(), a={"role_arn": PROD}, b={"role_arn": other}))
    assert problem == Problem(
        "accounts.b.role_arn",
        "account 1111111111111111 is already accounts.a: one name per account",
    )


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"role_arn": PROD, "externalid": "x"}, "accounts.prod.externalid"),
        ({}, "accounts.prod.role_arn"),
        ({"role_arn": PROD, "external_id": "x"}, "accounts.prod.external_id"),
    ],
)
def test_an_account_body_is_strict(body: dict[str, Any], path: str) -> None:
    assert path in [p.path for p in problems_of(config(target(), prod=body))]


def test_an_account_name_has_a_form() -> None:
    (problem,) = problems_of(config(target(), **{"Prod Account": {"role_arn": PROD}}))
    assert problem.path == "accounts.Prod Account.[key]"  # the name, not its body
    assert problem.rule == "'Prod Account' is not valid: it has the wrong form"


def test_a_selector_with_only_an_account_still_needs_a_matching_field() -> None:
    data = config(target(selector={"account": "prod"}), prod={"role_arn": PROD})
    (problem,) = problems_of(data)
    assert problem.path == "targets[0].selector"
    assert "at least one field" in problem.rule


ACCOUNTS = validate_config(config(target(), prod={"role_arn": PROD})).accounts


@pytest.mark.parametrize(
    ("uid", "own", "expected"),
    [
        ("", "9999999999999999", OWN),  # an event that names no account: the function's own
        ("9999999999999999", "9999999999999999", OWN),
        ("1111111111111111", "9999999999999999", "prod"),
        ("3333333333333333", "9999999999999999", None),  # not configured: ignored
        ("3333333333333333", "", None),  # own account unknown: only named accounts route
    ],
)
def test_an_events_account_uid_routes_to_a_configured_account(
    uid: str, own: str, expected: str | None
) -> None:
    assert account_named_by(uid, own, ACCOUNTS) == expected
