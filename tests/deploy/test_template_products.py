"""template.yml grants each database product's read and write only for the instances the
stack is given, and nothing for a product it is given none of."""

from __future__ import annotations

import re
from typing import Any

import pytest

from whitelist_core.products import spec_of

PSEUDO = {"ALIYUN::Region": "cn-hangzhou", "ALIYUN::AccountId": "1234567890"}
NO_VALUE = object()
PARAMETERS = {
    "rds": "RdsInstanceIds",
    "polardb": "PolarDbClusterIds",
    "mongodb": "MongoDbInstanceIds",
}


def _condition(name: str, params: dict[str, Any], template: dict[str, Any]) -> bool:
    return bool(_evaluate(template["Conditions"][name], params, template))


def _evaluate(node: Any, params: dict[str, Any], template: dict[str, Any]) -> Any:
    """The few ROS functions the policy uses (Ref, If, Not, Equals, Join, Split, Replace, Sub)."""
    if isinstance(node, list):
        return [_evaluate(item, params, template) for item in node]
    if not isinstance(node, dict) or len(node) != 1:
        return (
            {k: _evaluate(v, params, template) for k, v in node.items()}
            if isinstance(node, dict)
            else node
        )
    ((name, arg),) = node.items()
    if name == "Ref":
        return NO_VALUE if arg == "ALIYUN::NoValue" else {**PSEUDO, **params}[arg]
    if name == "Fn::If":
        condition, yes, no = arg
        return _evaluate(yes if _condition(condition, params, template) else no, params, template)
    value = _evaluate(arg, params, template)
    if name == "Fn::Not":
        return not (value[0] if isinstance(value, list) else value)
    if name == "Fn::Equals":
        return value[0] == value[1]
    if name == "Fn::Join":
        return value[0].join(value[1])
    if name == "Fn::Split":
        return value[1].split(value[0])
    if name == "Fn::Replace":
        text = value[1]
        for old, new in value[0].items():
            text = text.replace(old, new)
        return text
    if name == "Fn::Sub":
        text, names = (value, {}) if isinstance(value, str) else value
        return re.sub(r"\$\{([^}]+)\}", lambda m: {**PSEUDO, **params, **names}[m.group(1)], text)
    return {name: value}


def _granted(template: dict[str, Any], params: dict[str, Any]) -> dict[str, list[str]]:
    """action -> resources, for the stack created with ``params``."""
    role = next(r for r in template["Resources"].values() if r["Type"] == "ALIYUN::RAM::Role")
    statements = role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    granted: dict[str, list[str]] = {}
    for raw in statements:
        statement = _evaluate(raw, params, template) if "Fn::If" in raw else raw
        if statement is NO_VALUE:
            continue
        for action in statement["Action"]:
            granted[action] = statement["Resource"]
    return granted


EMPTY = {
    "RedisInstanceIds": "",
    "RedisRegion": "",
    "RdsInstanceIds": "",
    "PolarDbClusterIds": "",
    "MongoDbInstanceIds": "",
    "DatabaseRegion": "",
    "MemberRoleArns": "",
}


def _product_actions(product: str) -> list[str]:
    spec = spec_of(product)
    return [f"{spec.ram.service}:{spec.read.action}", f"{spec.ram.service}:{spec.write.action}"]


def test_no_product_permission_without_its_ids(template: dict[str, Any]) -> None:
    granted = _granted(template, EMPTY)
    for product in PARAMETERS:
        for action in _product_actions(product):
            assert action not in granted


@pytest.mark.parametrize("product", sorted(PARAMETERS))
def test_each_product_is_granted_its_read_and_write_on_its_instances_only(
    template: dict[str, Any], product: str
) -> None:
    ids = {"rds": "rm-aaa,pgm-bbb", "polardb": "pc-aaa,pc-bbb", "mongodb": "dds-aaa,dds-bbb"}[
        product
    ]
    granted = _granted(template, {**EMPTY, PARAMETERS[product]: ids})
    spec = spec_of(product)
    expected = [spec.ram.resource.format(region="cn-hangzhou", account="1234567890", id=i)
                for i in ids.split(",")]  # fmt: skip
    for action in _product_actions(product):
        assert granted[action] == expected
    others = [a for p in PARAMETERS if p != product for a in _product_actions(p)]
    assert not set(others) & set(granted)


def test_database_region_widens_the_arns(template: dict[str, Any]) -> None:
    granted = _granted(template, {**EMPTY, "RdsInstanceIds": "rm-aaa", "DatabaseRegion": "*"})
    assert granted["rds:ModifySecurityIps"] == ["acs:rds:*:1234567890:dbinstance/rm-aaa"]


def test_redis_grant_is_unchanged_by_the_other_products(template: dict[str, Any]) -> None:
    params = {**EMPTY, "RedisInstanceIds": "r-aaa", "RedisRegion": ""}
    granted = _granted(template, params)
    assert set(granted) >= {"kvstore:DescribeSecurityIps", "kvstore:ModifySecurityIps"}
    assert granted["kvstore:ModifySecurityIps"] == [
        "acs:kvstore:cn-hangzhou:1234567890:instance/r-aaa"
    ]


def test_a_stack_serving_only_other_products_needs_no_redis_instances(
    template: dict[str, Any],
) -> None:
    assert template["Parameters"]["RedisInstanceIds"]["Default"] == ""
    required = [n for n, p in template["Parameters"].items() if "Default" not in p]
    assert required == ["WebhookSecret"]
    granted = _granted(template, {**EMPTY, "RdsInstanceIds": "rm-aaa"})
    assert not [a for a in granted if a.startswith("kvstore:")]
    assert "rds:ModifySecurityIps" in granted
