"""Several accounts in the templates: the central template grants ``sts:AssumeRole`` on
exactly the member role ARNs it is given; templates/member-account.yml creates the role the
function assumes (trusting exactly the central function's role, least privilege on the
member's listed instances) and the rule forwarding the member's events to the central bus.
Both pass the ROS specification check (tests/deploy/test_ros_spec.py finds every template).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from ros_spec_kit import find_templates
from test_template_products import NO_VALUE, _evaluate

ROOT = Path(__file__).resolve().parents[2]
MEMBER = ROOT / "templates" / "member-account.yml"
CENTRAL_UID = "1111111111111111"
B, C = "2222222222222222", "3333333333333333"
ARNS = f"acs:ram::{B}:role/whitelist-sync-member,acs:ram::{C}:role/whitelist-sync-member"
CENTRAL_EMPTY = {
    name: ""
    for name in ("RedisInstanceIds", "RedisRegion", "RdsInstanceIds", "PolarDbClusterIds",
                 "MongoDbInstanceIds", "DatabaseRegion", "MemberRoleArns", "MemberEventBusName",
                 "MemberAccountIds")
} | {"FunctionName": "redis-whitelist-sync"}  # fmt: skip
MEMBER_DEFAULTS = {
    "CentralAccountId": CENTRAL_UID,
    "CentralFunctionRoleName": "redis-whitelist-sync-role",
    "RoleName": "whitelist-sync-member",
    "ExternalId": "",
    "RedisInstanceIds": "",
    "RedisRegion": "",
    "RdsInstanceIds": "",
    "PolarDbClusterIds": "",
    "MongoDbInstanceIds": "",
    "DatabaseRegion": "",
    "CentralEventBusName": "whitelist-members",
    "CentralEventsRoleName": "redis-whitelist-sync-member-events",
}


def load(path: Path) -> dict[str, Any]:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture(scope="module")
def central() -> dict[str, Any]:
    return load(ROOT / "template.yml")


@pytest.fixture(scope="module")
def member() -> dict[str, Any]:
    return load(MEMBER)


def granted(template: dict[str, Any], role: str, params: dict[str, Any]) -> dict[str, Any]:
    """action -> resource of ``role``'s policy for a stack made with ``params``."""
    document = template["Resources"][role]["Properties"]["Policies"][0]["PolicyDocument"]
    found: dict[str, Any] = {}
    for raw in document["Statement"]:
        # Conditional statements are evaluated; the others may hold Fn::GetAtt (kept as is).
        statement = _evaluate(raw, params, template) if "Fn::If" in raw else raw
        if statement is NO_VALUE:
            continue
        for action in statement["Action"]:
            assert action not in found, f"{action} granted twice"
            found[action] = statement["Resource"]
    return found


def test_the_member_template_is_checked_against_the_ros_specification() -> None:
    assert MEMBER in find_templates(ROOT)


def test_the_central_role_assumes_exactly_the_member_roles_it_is_given(
    central: dict[str, Any],
) -> None:
    grants = granted(central, "FunctionRole", CENTRAL_EMPTY | {"MemberRoleArns": ARNS})
    assert grants["sts:AssumeRole"] == ARNS.split(",")
    assert "sts:AssumeRole" not in granted(central, "FunctionRole", CENTRAL_EMPTY)


def test_member_events_reach_the_function_only_from_the_member_accounts(
    central: dict[str, Any],
) -> None:
    params = CENTRAL_EMPTY | {"MemberEventBusName": "whitelist-members",
                              "MemberAccountIds": f"{B},{C}"}  # fmt: skip
    resources = central["Resources"]
    assert resources["MemberEventsRole"]["Condition"] == "HasMemberEvents"
    assert resources["MemberEventRule"]["Condition"] == "MemberEventsToFunction"  # and a function
    role = _evaluate(resources["MemberEventsRole"]["Properties"], params, central)
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {
        "Service": [f"{B}@eventbridge.aliyuncs.com", f"{C}@eventbridge.aliyuncs.com"]
    }
    bus = "acs:eventbridge:cn-hangzhou:1234567890:eventbus/whitelist-members"
    puts = granted(central, "MemberEventsRole", params)
    assert list(puts) == ["eventbridge:PutEvents"]
    assert _evaluate(puts["eventbridge:PutEvents"], params, central) == [bus]
    rule = _evaluate(resources["MemberEventRule"]["Properties"], params, central)
    assert rule["EventBusName"] == "whitelist-members"
    assert rule["FilterPattern"]["aliyunoriginalaccountid"] == [B, C]
    direct = resources["EventRule"]["Properties"]["FilterPattern"]
    assert {k: rule["FilterPattern"][k] for k in direct} == direct  # the same event types
    (target,) = rule["Targets"]
    assert target["Type"] == "acs.fc.function"
    keys = {p["ResourceKey"]: p for p in target["ParamList"]}
    assert keys["functionName"]["Value"] == {"Fn::GetAtt": ["Function", "FunctionName"]}
    assert keys["Body"]["Form"] == "ORIGINAL"


def test_the_member_role_trusts_exactly_the_central_functions_role(
    member: dict[str, Any],
) -> None:
    role = _evaluate(member["Resources"]["MemberRole"]["Properties"], MEMBER_DEFAULTS, member)
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Action"] == "sts:AssumeRole"
    assert trust["Principal"] == {"RAM": [f"acs:ram::{CENTRAL_UID}:role/redis-whitelist-sync-role"]}
    assert trust["Condition"] is NO_VALUE  # no ExternalId asked for
    assert role["MaxSessionDuration"] == 3600  # the sessions the function asks for
    with_id = _evaluate(
        member["Resources"]["MemberRole"]["Properties"],
        MEMBER_DEFAULTS | {"ExternalId": "ext-0123"},
        member,
    )
    condition = with_id["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]
    assert condition == {"StringEquals": {"sts:ExternalId": "ext-0123"}}


def test_the_member_role_is_scoped_to_the_members_listed_instances(member: dict[str, Any]) -> None:
    bare = granted(member, "MemberRole", MEMBER_DEFAULTS)
    assert set(bare) == {
        "ecs:DescribeInstances",
        "ecs:DescribeNetworkInterfaces",
        "ess:CompleteLifecycleAction",
    }
    assert bare["ecs:DescribeInstances"] == ["*"]  # no resource-level authorisation exists
    lifecycle = _evaluate(bare["ess:CompleteLifecycleAction"], MEMBER_DEFAULTS, member)
    assert lifecycle == "acs:ess:*:1234567890:scalinggroup/*"
    params = MEMBER_DEFAULTS | {"RedisInstanceIds": "r-aaa,r-bbb", "RdsInstanceIds": "rm-ccc"}
    grants = granted(member, "MemberRole", params)
    assert grants["kvstore:ModifySecurityIps"] == [
        "acs:kvstore:cn-hangzhou:1234567890:instance/r-aaa",
        "acs:kvstore:cn-hangzhou:1234567890:instance/r-bbb",
    ]
    assert grants["rds:ModifySecurityIps"] == ["acs:rds:cn-hangzhou:1234567890:dbinstance/rm-ccc"]
    assert not {a for a in grants if a.startswith(("polardb:", "dds:"))}
    assert not [a for a in grants if "*" in a]


def test_the_member_grants_what_the_central_role_grants_and_nothing_more(
    central: dict[str, Any], member: dict[str, Any]
) -> None:
    ids = {"RedisInstanceIds": "r-a", "RdsInstanceIds": "rm-a", "PolarDbClusterIds": "pc-a",
           "MongoDbInstanceIds": "dds-a"}  # fmt: skip
    theirs = set(granted(central, "FunctionRole", CENTRAL_EMPTY | ids))
    ours = set(granted(member, "MemberRole", MEMBER_DEFAULTS | ids))
    assert ours == theirs - {"log:PostLogStoreLogs"}  # the logs stay in the central account


def test_the_member_forwards_its_events_to_the_central_bus(
    central: dict[str, Any], member: dict[str, Any]
) -> None:
    rule = member["Resources"]["ForwardRule"]
    assert rule["Condition"] == "ForwardsEvents"
    properties = _evaluate(rule["Properties"], MEMBER_DEFAULTS, member)
    assert properties["EventBusName"] == "default"
    assert (
        properties["FilterPattern"]
        == central["Resources"]["EventRule"]["Properties"]["FilterPattern"]
    )
    (target,) = properties["Targets"]
    assert target["Type"] == "acs.eventbridge"
    assert (
        target["Endpoint"]
        == f"acs:eventbridge:cn-hangzhou:{CENTRAL_UID}:eventbus/whitelist-members"
    )
    keys = {p["ResourceKey"]: p["Value"] for p in target["ParamList"]}
    assert keys["AccountType"] == "AnotherAccount"
    assert keys["AccountId"] == CENTRAL_UID
    assert keys["EventBusName"] == "whitelist-members"
    assert keys["RAMRoleName"] == "redis-whitelist-sync-member-events"
    assert member["Outputs"]["RoleArn"]["Value"] == {"Fn::GetAtt": ["MemberRole", "Arn"]}
