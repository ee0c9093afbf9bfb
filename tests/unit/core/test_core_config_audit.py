"""The ``audit:`` section: defaults, each field's rule, and errors that name the field."""

from __future__ import annotations

from typing import Any

import pytest

from whitelist_core.config import validate_config
from whitelist_core.core.audit import AuditRules
from whitelist_core.errors import ConfigError

BASE: dict[str, Any] = {
    "version": 1,
    "region": "cn-hangzhou",
    "targets": [
        {
            "name": "orders-cache",
            "instance_id": "r-demoorders01",
            "group": "ecs_orders",
            "selector": {"tags": {"app": "orders"}},
        }
    ],
}
ACCEPTED = {"instance_id": "r-demoorders01", "group": "default", "entry": "10.16.0.0/12"}


def problems(audit: Any) -> list[tuple[str, str]]:
    with pytest.raises(ConfigError) as caught:
        validate_config(BASE | {"audit": audit})
    return [(p.path, p.rule) for p in caught.value.problems]


def test_without_a_section_the_audit_runs_with_its_defaults() -> None:
    audit = validate_config(BASE).audit
    assert (audit.enabled, audit.min_severity, audit.broad_prefix, audit.accept) == (
        True, "medium", 16, (),
    )  # fmt: skip
    assert audit.rules == AuditRules(16, frozenset())


def test_accepted_risks_become_rules_keyed_by_instance_group_and_entry() -> None:
    audit = validate_config(
        BASE | {"audit": {"broad_prefix": 12, "accept": [ACCEPTED | {"reason": "VPN, 2026-11"}]}}
    ).audit
    assert audit.rules == AuditRules(12, frozenset({("r-demoorders01", "default", "10.16.0.0/12")}))


@pytest.mark.parametrize("prefix", [0, 32])
def test_broad_prefix_takes_every_prefix_length(prefix: int) -> None:
    assert validate_config(BASE | {"audit": {"broad_prefix": prefix}}).audit.broad_prefix == prefix


@pytest.mark.parametrize(
    ("audit", "expected"),
    [
        (
            {"broad_prefix": 33},
            [("audit.broad_prefix", "Input should be less than or equal to 32")],
        ),
        (
            {"broad_prefix": -1},
            [("audit.broad_prefix", "Input should be greater than or equal to 0")],
        ),
        (
            {"min_severity": "High"},
            [
                (
                    "audit.min_severity",
                    "'High' is not a valid value: did you mean 'high'? (values are case-sensitive)",
                )
            ],
        ),
        (
            {"min_severity": "urgent"},
            [
                (
                    "audit.min_severity",
                    "'urgent' is not one of 'critical', 'high', 'medium', 'low' or 'info'",
                )
            ],
        ),
        (
            {"enable": False},
            [
                (
                    "audit.enable",
                    "unknown key (unknown keys are not ignored): did you mean 'enabled'?",
                )
            ],
        ),
        ({"accept": [ACCEPTED]}, [("audit.accept[0].reason", "required")]),
        (
            {"accept": [ACCEPTED | {"reason": "  "}]},
            [("audit.accept[0].reason", "say why the risk is accepted, and who accepted it")],
        ),
        (
            {"accept": [ACCEPTED | {"entry": "10.16.0.1/12", "reason": "vpn"}]},
            [
                (
                    "audit.accept[0].entry",
                    "'10.16.0.1/12' has host bits set (did you mean the network address?)",
                )
            ],
        ),
        (
            {"accept": [ACCEPTED | {"instance_id": "orders", "reason": "vpn"}]},
            [
                (
                    "audit.accept[0].instance_id",
                    "'orders' is not valid: an instance id is a lowercase prefix, '-', then 6-40 "
                    "lowercase letters and digits, like r-bp1abcdef123456 (Redis / Tair), rm-... "
                    "(RDS), pc-... (PolarDB) or dds-... (MongoDB)",
                )
            ],
        ),
    ],
)
def test_each_mistake_is_named_with_its_field_path(
    audit: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    assert problems(audit) == expected


def test_every_problem_of_the_section_is_reported_at_once() -> None:
    found = problems({"broad_prefix": 40, "accept": [ACCEPTED, ACCEPTED | {"group": ""}]})
    assert [path for path, _ in found] == [
        "audit.broad_prefix",
        "audit.accept[0].reason",
        "audit.accept[1].group",
        "audit.accept[1].reason",
    ]
