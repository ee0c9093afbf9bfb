"""s.yaml and s-batched.yaml (Serverless Devs, fc3 component) deploy the same function and
triggers as template.yml: handler, runtime, memory, timeout, instance concurrency,
environment variable names, trigger names, types and configurations (the EventBridge filter
pattern identical), and refer by name to what the ROS stack creates with
DeployFunction=false (role, logstore, queue).

Template values are compared at their parameter defaults, the project files' ``${vars.x}``
at their ``vars``. The fc3 component's own rules used below (required props, trigger types,
ranges) are those of its published schema (devsapp/fc3, ``src/schema.json``), which the
component checks only in its debug log: they are restated here so a mistake fails a test.

Run: ``make spec``, or ``.venv/bin/python -m pytest -q tests/deploy/test_serverless_devs.py``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from serverless_kit import fc3_props, find_project_files, load_project

ROOT = Path(__file__).resolve().parents[2]
FC3_REQUIRED = {"region", "functionName", "runtime", "code", "handler"}
FC3_TRIGGER_TYPES = {"timer", "http", "eventbridge", "mns_topic", "log", "oss", "cdn_events", "tablestore"}  # fmt: skip
VARIANTS = {"s.yaml": "DirectTrigger", "s-batched.yaml": "QueuedTrigger"}
"""Project file -> the template condition of its event trigger."""


def _defaults(template: dict[str, Any], project: dict[str, Any]) -> dict[str, Any]:
    """What the template's references stand for when deployed beside ``project``."""
    params = {k: p.get("Default") for k, p in template["Parameters"].items()}
    return {
        **params,
        "ALIYUN::Region": project["vars"]["region"],
        "EventQueue.QueueName": f"{params['FunctionName']}-events",
    }


def _template_value(node: Any, values: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_template_value(item, values) for item in node]
    if not isinstance(node, dict):
        return node
    if set(node) == {"Ref"}:
        return values[node["Ref"]]
    if set(node) == {"Fn::GetAtt"}:  # only the queue's name matters here
        return values.get(".".join(node["Fn::GetAtt"]), node)
    return {key: _template_value(value, values) for key, value in node.items()}


def _project_value(node: Any, project: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_project_value(item, project) for item in node]
    if isinstance(node, dict):
        return {key: _project_value(value, project) for key, value in node.items()}
    if isinstance(node, str) and (found := re.fullmatch(r"\$\{vars\.(\w+)\}", node)):
        return project["vars"][found.group(1)]
    return node


def _function(template: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = template["Resources"]["Function"]["Properties"]
    return properties


def _template_triggers(template: dict[str, Any], event_condition: str) -> dict[str, Any]:
    return {
        r["Properties"]["TriggerName"]: r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "ALIYUN::FC3::Trigger"
        and r.get("Condition") in ("WithFunction", event_condition)
    }


@pytest.fixture(params=sorted(VARIANTS))
def variant(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


def test_both_project_files_are_shipped() -> None:
    assert [p.name for p in find_project_files(ROOT)] == sorted(VARIANTS)


def test_project_file_is_an_fc3_project(variant: str) -> None:
    project = load_project(ROOT / variant)
    assert project["edition"] == "3.0.0"
    props = fc3_props(project)
    assert set(props) >= FC3_REQUIRED
    assert {t["triggerType"] for t in props["triggers"]} <= FC3_TRIGGER_TYPES


def test_the_function_is_the_templates(template: dict[str, Any], variant: str) -> None:
    project = load_project(ROOT / variant)
    props = _project_value(fc3_props(project), project)
    values = _defaults(template, project)
    function = _template_value(_function(template), values)
    assert props["functionName"] == function["FunctionName"]
    assert props["handler"] == function["Handler"]
    assert props["runtime"] == function["Runtime"]
    assert props["memorySize"] == function["MemorySize"]
    assert props["memorySize"] % 64 == 0
    assert props["timeout"] == function["Timeout"]
    assert props["instanceConcurrency"] == function["InstanceConcurrency"]
    assert props["internetAccess"] == function["InternetAccess"]
    assert props["description"] == function["Description"]


def test_the_environment_is_the_templates(template: dict[str, Any], variant: str) -> None:
    project = load_project(ROOT / variant)
    env = fc3_props(project)["environmentVariables"]
    expected = _function(template)["EnvironmentVariables"]
    assert set(env) == set(expected)
    values = _defaults(template, project)
    for name in ("WHITELIST_CONFIG", "LOG_LEVEL"):
        assert env[name] == _template_value(expected[name], values)
    # Secrets and switches come from the deploying shell, never from the file.
    assert env["WHITELIST_WEBHOOK_SECRET"] == "${env(WHITELIST_WEBHOOK_SECRET)}"


def test_it_refers_to_what_the_stack_creates(template: dict[str, Any], variant: str) -> None:
    project = load_project(ROOT / variant)
    props = _project_value(fc3_props(project), project)
    name = template["Parameters"]["FunctionName"]["Default"]
    role = template["Resources"]["FunctionRole"]["Properties"]["RoleName"]
    assert role == {"Fn::Sub": "${FunctionName}-role"}
    assert props["role"] == f"{name}-role"
    store = template["Resources"]["LogStore"]["Properties"]["LogstoreName"]
    assert props["logConfig"] == {"project": "${env(WHITELIST_LOG_PROJECT)}", "logstore": store}
    queue = template["Resources"]["EventQueue"]["Properties"]["QueueName"]
    assert queue == {"Fn::Sub": "${FunctionName}-events"}
    assert template["Outputs"]["RoleName"]["Value"] == {"Fn::GetAtt": ["FunctionRole", "RoleName"]}


def test_the_triggers_are_the_templates(template: dict[str, Any], variant: str) -> None:
    project = load_project(ROOT / variant)
    values = _defaults(template, project)
    expected = _template_triggers(template, VARIANTS[variant])
    props = _project_value(fc3_props(project), project)
    found = {t["triggerName"]: t for t in props["triggers"]}
    assert sorted(found) == sorted(expected)
    for name, trigger in found.items():
        assert trigger["triggerType"] == expected[name]["TriggerType"], name
        assert trigger["description"] == expected[name]["Description"], name
        config = _template_value(expected[name]["TriggerConfig"], values)
        assert trigger["triggerConfig"] == config, name


def test_the_event_filter_pattern_is_identical(template: dict[str, Any]) -> None:
    project = fc3_props(load_project(ROOT / "s.yaml"))
    (event,) = [t for t in project["triggers"] if t["triggerType"] == "eventbridge"]
    pattern = event["triggerConfig"]["eventRuleFilterPattern"]
    direct = template["Resources"]["EventTrigger"]["Properties"]["TriggerConfig"]
    assert pattern == direct["eventRuleFilterPattern"]
    rule = template["Resources"]["EventRule"]["Properties"]["FilterPattern"]
    assert json.loads(pattern) == rule


def test_the_drift_check_sees_a_changed_value(template: dict[str, Any], tmp_path: Path) -> None:
    project = load_project(ROOT / "s.yaml")
    fc3_props(project)["triggers"][0]["triggerConfig"]["cronExpression"] = "0 */5 * * * *"
    values = _defaults(template, project)
    expected = _template_value(_template_triggers(template, "DirectTrigger"), values)
    changed = {t["triggerName"]: t["triggerConfig"] for t in fc3_props(project)["triggers"]}
    assert changed["reconcile-timer"] != expected["reconcile-timer"]["TriggerConfig"]
