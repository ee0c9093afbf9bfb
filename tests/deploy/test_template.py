"""Structure of template.yml: the resources, triggers, environment and least-privilege role."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yml"
ALLOWED_ACTIONS = {
    "kvstore:DescribeSecurityIps",
    "kvstore:ModifySecurityIps",
    "ecs:DescribeInstances",
    "ecs:DescribeNetworkInterfaces",
    "log:PostLogStoreLogs",
    "ess:CompleteLifecycleAction",
    # RDS, PolarDB, MongoDB: each only when the stack is given instances of it.
    "rds:DescribeDBInstanceIPArrayList",
    "rds:ModifySecurityIps",
    "polardb:DescribeDBClusterAccessWhitelist",
    "polardb:ModifyDBClusterAccessWhitelist",
    "dds:DescribeSecurityIps",
    "dds:ModifySecurityIps",
    # Several accounts: only the member roles' ARNs the stack is given (MemberRoleArns).
    "sts:AssumeRole",
}


def _resources_of(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == kind}


def _one(template: dict[str, Any], kind: str) -> dict[str, Any]:
    if kind == "ALIYUN::RAM::Role":  # the function's; MemberEventsRole is for member events
        return dict(template["Resources"]["FunctionRole"]["Properties"])
    (resource,) = _resources_of(template, kind).values()
    return resource["Properties"]


def _statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    role = _one(template, "ALIYUN::RAM::Role")
    listed = [s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]]
    # A conditional statement ({"Fn::If": [condition, statement, NoValue]}): its statement.
    return [s["Fn::If"][1] if "Fn::If" in s else s for s in listed]


def _actions(statement: dict[str, Any]) -> list[str]:
    action = statement["Action"]
    return [action] if isinstance(action, str) else list(action)


# -- a tiny evaluator of the ROS functions the template uses, to check what they yield --


def _evaluate(node: Any, params: dict[str, Any], template: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_evaluate(item, params, template) for item in node]
    if not isinstance(node, dict):
        return node
    if len(node) != 1:
        return {k: _evaluate(v, params, template) for k, v in node.items()}
    ((name, arg),) = node.items()
    if name == "Ref":
        return params[arg]
    if name == "Fn::If":
        condition, yes, no = arg
        (cond,) = template["Conditions"][condition].values()
        left, right = (_evaluate(x, params, template) for x in cond)
        return _evaluate(yes if left == right else no, params, template)
    value = _evaluate(arg, params, template)
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
        return re.sub(r"\$\{([^}]+)\}", lambda m: {**params, **names}[m.group(1)], text)
    return {name: value}


PSEUDO = {
    "ALIYUN::Region": "cn-hangzhou",
    "ALIYUN::AccountId": "1234567890",
    "ALIYUN::NoValue": None,
}


# -- tests ----------------------------------------------------------------------------


def test_format_version_and_resource_types(template: dict[str, Any]) -> None:
    assert template["ROSTemplateFormatVersion"] == "2015-09-01"
    kinds = sorted(r["Type"] for r in template["Resources"].values())
    assert kinds == sorted(
        [
            "ALIYUN::FC3::Function",
            "ALIYUN::FC3::Trigger",
            "ALIYUN::FC3::Trigger",
            "ALIYUN::FC3::Trigger",
            "ALIYUN::RAM::Role",
            "ALIYUN::SLS::Project",
            "ALIYUN::SLS::Logstore",
            "ALIYUN::SLS::Index",
            # the batched path (EventDelivery=batched): tests/deploy/test_template_batched.py
            "ALIYUN::MNS::Queue",
            "ALIYUN::EventBridge::Rule",
            "ALIYUN::FC3::Trigger",
            # several accounts (MemberEventBusName set): tests/deploy/test_template_accounts.py
            "ALIYUN::RAM::Role",
            "ALIYUN::EventBridge::Rule",
            # being told (docs/operations.md): tests/functional/test_functional_told.py
            *["ALIYUN::SLS::Alert"] * 6,
            "ALIYUN::SLS::Dashboard",
            *["ALIYUN::SLS::Savedsearch"] * 8,
            # the optional cap (ReservedConcurrency > 0): tests/deploy/test_template_concurrency.py
            "ALIYUN::FC3::ConcurrencyConfig",
        ]
    )


def test_function_runtime_handler_code_role_and_logs(template: dict[str, Any]) -> None:
    function = _one(template, "ALIYUN::FC3::Function")
    assert function["Runtime"] == "python3.10"
    assert function["Handler"] == "handler.handler"
    assert function["Code"] == {
        "OssBucketName": {"Ref": "OssBucketName"},
        "OssObjectName": {"Ref": "OssObjectName"},
    }
    unconditional = [k for k, r in _resources_of(template, "ALIYUN::RAM::Role").items()
                     if "Condition" not in r]  # fmt: skip
    assert function["Role"] == {"Fn::GetAtt": [*unconditional, "Arn"]}
    params = template["Parameters"]
    assert function["MemorySize"] == {"Ref": "MemorySize"}
    assert 128 <= params["MemorySize"]["Default"] <= 1024
    assert params["MemorySize"]["Default"] % 64 == 0
    assert function["Timeout"] == {"Ref": "Timeout"}
    assert 60 <= params["Timeout"]["Default"] <= params["Timeout"]["MaxValue"]
    (project,) = _resources_of(template, "ALIYUN::SLS::Project")
    (store,) = _resources_of(template, "ALIYUN::SLS::Logstore")
    assert function["LogConfig"] == {
        "Project": {"Fn::GetAtt": [project, "Name"]},
        "Logstore": {"Fn::GetAtt": [store, "LogstoreName"]},
    }


def test_function_environment_and_parameters(template: dict[str, Any]) -> None:
    env = _one(template, "ALIYUN::FC3::Function")["EnvironmentVariables"]
    assert set(env) == {
        "WHITELIST_CONFIG",
        "WHITELIST_WEBHOOK_SECRET",
        "WHITELIST_DRY_RUN",
        "WHITELIST_COALESCE_MS",
        "LOG_LEVEL",
    }
    params = template["Parameters"]
    for value in env.values():
        assert value["Ref"] in params
    assert params[env["WHITELIST_CONFIG"]["Ref"]]["Default"] == "whitelist.yml"
    secret = params[env["WHITELIST_WEBHOOK_SECRET"]["Ref"]]
    assert secret["NoEcho"] is True
    assert "Default" not in secret
    assert params[env["LOG_LEVEL"]["Ref"]]["Default"] == "INFO"


def test_only_parameters_that_exist_are_referenced(template: dict[str, Any]) -> None:
    known = set(template["Parameters"]) | set(template["Resources"]) | set(PSEUDO)
    refs = re.findall(r"'Ref': '([^']+)'", str(template))
    subs = re.findall(r"\$\{([^}.]+)\}", str(_sub_strings(template)))
    assert refs
    assert set(refs) <= known
    assert set(subs) - {"Region", "Project", "Logstore", "Queue", "Minutes"} <= known


def _sub_strings(node: Any) -> list[str]:
    """The strings of every Fn::Sub (``${...}`` elsewhere, as in alert messages, is text)."""
    if isinstance(node, list):
        return [s for item in node for s in _sub_strings(item)]
    if not isinstance(node, dict):
        return []
    found = [s for value in node.values() for s in _sub_strings(value)]
    sub = node.get("Fn::Sub")
    if sub is None:
        return found
    return [*found, str(sub[0] if isinstance(sub, list) else sub)]


def test_the_object_name_is_the_packages_with_its_configuration(template: dict[str, Any]) -> None:
    # No package as default: every package name carries its configuration's digest, so a
    # default would name a package nobody built (or the demo configuration's).
    parameter = template["Parameters"]["OssObjectName"]
    assert parameter["Default"] == ""
    assert "redis-whitelist-sync-<version>-<configuration digest>.zip" in parameter["Description"]


def _triggers(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    triggers = _resources_of(template, "ALIYUN::FC3::Trigger").values()
    direct = [t for t in triggers if t.get("Condition") != "QueuedTrigger"]
    return {t["Properties"]["TriggerType"]: t["Properties"] for t in direct}


def test_three_triggers_of_the_three_types(template: dict[str, Any]) -> None:
    triggers = _triggers(template)
    assert set(triggers) == {"timer", "http", "eventbridge"}
    (function,) = _resources_of(template, "ALIYUN::FC3::Function")
    for trigger in triggers.values():
        assert trigger["FunctionName"] == {"Fn::GetAtt": [function, "FunctionName"]}


def test_timer_trigger(template: dict[str, Any]) -> None:
    config = _triggers(template)["timer"]["TriggerConfig"]
    assert config["enable"] is True
    cron = template["Parameters"][config["cronExpression"]["Ref"]]["Default"]
    assert cron == "0 */10 * * * *"
    payload = template["Parameters"][config["payload"]["Ref"]]["Default"]
    assert json.loads(payload) == {}


def test_http_trigger_is_anonymous_get_and_post(template: dict[str, Any]) -> None:
    config = _triggers(template)["http"]["TriggerConfig"]
    assert config["authType"] == "anonymous"
    assert sorted(config["methods"]) == ["GET", "POST"]


def test_eventbridge_trigger_filters_ecs_and_ess_events(template: dict[str, Any]) -> None:
    config = _triggers(template)["eventbridge"]["TriggerConfig"]
    assert config["eventSourceConfig"] == {"eventSourceType": "Default"}
    assert config["runOptions"]["mode"] == "event-driven"
    assert isinstance(config["eventRuleFilterPattern"], str)
    pattern = json.loads(config["eventRuleFilterPattern"])
    assert set(pattern["source"]) == {"acs.ecs", "acs.ess"}
    types = set(pattern["type"])
    assert {
        "ecs:Instance:StateChange",
        "ecs:NetworkInterface:PrivateIPAssigned",
        "ecs:NetworkInterface:PrivateIPUnassigned",
        "ess:ScalingActivity:ScaleOutSuccess",
        "ess:ScalingActivity:ScaleInSuccess",
        "ess:LifecycleHook:ScaleOut",
        "ess:LifecycleHook:ScaleIn",
    } <= types
    assert all(t.split(":")[0] in {"ecs", "ess"} for t in types)


def test_role_trusts_function_compute_only(template: dict[str, Any]) -> None:
    trust = _one(template, "ALIYUN::RAM::Role")["AssumeRolePolicyDocument"]
    (statement,) = trust["Statement"]
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Principal"] == {"Service": ["fc.aliyuncs.com"]}


def test_policy_grants_exactly_the_needed_actions_and_no_wildcards(
    template: dict[str, Any],
) -> None:
    statements = _statements(template)
    actions = [a for s in statements for a in _actions(s)]
    assert set(actions) == ALLOWED_ACTIONS
    assert len(actions) == len(set(actions))
    assert not [a for a in actions if "*" in a]
    assert all(s["Effect"] == "Allow" for s in statements)
    wide = [s for s in statements if s["Resource"] in ("*", ["*"])]
    assert [_actions(s) for s in wide] == [
        ["ecs:DescribeInstances", "ecs:DescribeNetworkInterfaces"]
    ]


def test_lifecycle_statement_is_scoped_to_this_accounts_scaling_groups(
    template: dict[str, Any],
) -> None:
    (statement,) = [
        s for s in _statements(template) if "ess:CompleteLifecycleAction" in _actions(s)
    ]
    assert _actions(statement) == ["ess:CompleteLifecycleAction"]
    resource = _evaluate(statement["Resource"], PSEUDO, template)
    assert resource == "acs:ess:*:1234567890:scalinggroup/*"


def _kvstore_resource(template: dict[str, Any]) -> Any:
    (statement,) = [s for s in _statements(template) if "kvstore:ModifySecurityIps" in s["Action"]]
    return statement["Resource"]


def test_kvstore_statement_is_scoped_to_the_listed_instances(template: dict[str, Any]) -> None:
    resource = _kvstore_resource(template)
    params = {**PSEUDO, "RedisInstanceIds": "r-aaa,r-bbb", "RedisRegion": ""}
    assert _evaluate(resource, params, template) == [
        "acs:kvstore:cn-hangzhou:1234567890:instance/r-aaa",
        "acs:kvstore:cn-hangzhou:1234567890:instance/r-bbb",
    ]
    params = {**PSEUDO, "RedisInstanceIds": "r-aaa", "RedisRegion": "*"}
    assert _evaluate(resource, params, template) == ["acs:kvstore:*:1234567890:instance/r-aaa"]
    params = {**PSEUDO, "RedisInstanceIds": "*", "RedisRegion": ""}
    assert _evaluate(resource, params, template) == [
        "acs:kvstore:cn-hangzhou:1234567890:instance/*"
    ]


def test_log_statement_is_scoped_to_the_function_logstore(template: dict[str, Any]) -> None:
    (statement,) = [s for s in _statements(template) if "log:PostLogStoreLogs" in s["Action"]]
    text, names = statement["Resource"]["Fn::Sub"]
    assert text.endswith("project/${Project}/logstore/${Logstore}")
    assert names["Logstore"] == _one(template, "ALIYUN::FC3::Function")["LogConfig"]["Logstore"]


def test_outputs_webhook_url_function_name_role_arn(template: dict[str, Any]) -> None:
    outputs = {k: v["Value"] for k, v in template["Outputs"].items()}
    http = [k for k, r in _resources_of(template, "ALIYUN::FC3::Trigger").items()]
    http = [k for k in http if template["Resources"][k]["Properties"]["TriggerType"] == "http"]
    assert outputs["WebhookUrl"] == {"Fn::GetAtt": [http[0], "UrlInternet"]}
    assert list(outputs["FunctionName"]["Fn::GetAtt"])[1] == "FunctionName"
    assert list(outputs["RoleArn"]["Fn::GetAtt"])[1] == "Arn"


def test_template_uses_no_yaml_short_form_tags() -> None:
    assert not re.search(r"!(Ref|GetAtt|Sub|Join|If|Split|Replace)\b", TEMPLATE.read_text())
