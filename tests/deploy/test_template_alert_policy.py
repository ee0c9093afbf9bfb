"""The alerts' two notification routes (docs/operations.md, "Where notifications go").

``AlertActionPolicyId`` empty (default): each ``ALIYUN::SLS::Alert`` is a version 1.0 rule
that notifies its own ``NotificationList`` (Message Center, and the DingTalk robot and
email addresses of the stack parameters). Given: each is a version 2.0 rule whose
``PolicyConfiguration`` hands it, through SLS's built-in dynamic alert policy, to that
action policy, which notifies a webhook integration: the only place SLS keeps a DingTalk or
Lark robot's signing key. The last tests hold the evidence that the key cannot be a stack
parameter: the ROS CDK's ``ALIYUN::SLS::Alert`` notification entry has no field for it, and
ros-cdk-sls has no resource type that makes a webhook integration or an action policy.

Run: ``.venv/bin/python -m pytest -q tests/deploy/test_template_alert_policy.py``
(``make spec`` covers the ROS specification check of every branch too).
"""

from __future__ import annotations

import copy
import inspect
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from ros_spec_kit import check_template, load_cdk, resolve_branch, resolve_maps
from template_kit import load_template

ROOT = Path(__file__).resolve().parents[2]
CONDITION = "HasAlertActionPolicy"
PARAMETER = "AlertActionPolicyId"
ROUTE_2 = {"SeverityConfigurations", "Threshold", "GroupConfiguration", "PolicyConfiguration", "Annotations"}  # fmt: skip
ROUTE_1 = {"NotificationList", "Condition", "NotifyThreshold", "Throttling"}


def _alerts(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = template["Resources"].items()
    return {name: r for name, r in found if r["Type"] == "ALIYUN::SLS::Alert"}


def _truth(template: dict[str, Any], policy_id: str) -> dict[str, bool]:
    """The conditions the alerts branch on, for a stack given ``policy_id`` (and both
    other channels, so the 1.0 route shows every notification entry)."""
    # The condition is exactly "the parameter is not empty": evaluated here by hand.
    assert template["Conditions"][CONDITION] == {
        "Fn::Not": {"Fn::Equals": ["", {"Ref": PARAMETER}]}
    }
    return {CONDITION: policy_id != "", "HasAlertDingTalk": True, "HasAlertEmails": True}


def _configurations(template: dict[str, Any], policy_id: str) -> dict[str, dict[str, Any]]:
    truth, mappings = _truth(template, policy_id), template["Mappings"]
    return {
        name: resolve_branch(resolve_maps(alert["Properties"], mappings), truth)["Detail"][
            "Configuration"
        ]
        for name, alert in _alerts(template).items()
    }


def _route_1(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return _configurations(template, "")


def test_the_parameter_is_optional_and_empty_by_default() -> None:
    template = load_template()
    parameter = template["Parameters"][PARAMETER]
    assert (parameter["Type"], parameter["Default"]) == ("String", "")
    assert "NoEcho" not in parameter  # an id, not a credential: the key stays in SLS
    assert len(_alerts(template)) == 6


def test_with_the_policy_id_every_alert_notifies_through_that_action_policy() -> None:
    template = load_template()
    given = _configurations(template, "whitelist-robot")
    before = _route_1(template)
    assert len(given) == 6
    for name, configuration in given.items():
        old = before[name]
        assert configuration["Version"] == "2.0", name
        assert configuration["PolicyConfiguration"] == {
            "AlertPolicyId": "sls.builtin.dynamic",
            "ActionPolicyId": {"Ref": PARAMETER},
            "RepeatInterval": old["Throttling"],  # a storm is still one message
        }, name
        assert not ROUTE_1 & set(configuration), name  # no second, unsigned route
        (severity,) = configuration["SeverityConfigurations"]
        assert severity["EvalCondition"] == {"Condition": old["Condition"]}, name
        assert severity["Severity"] in (6, 8), name
        assert configuration["Threshold"] == old["NotifyThreshold"], name
        assert configuration["GroupConfiguration"] == {"Type": "no_group", "Fields": []}, name
        assert configuration["SendResolved"] is True, name
        assert configuration["NoDataFire"] == old["NoDataFire"], name
        if configuration["NoDataFire"]:
            assert configuration["NoDataSeverity"] == severity["Severity"], name
        (query,) = configuration["QueryList"]
        assert query["Query"] == old["QueryList"][0]["Query"], name
        assert query["Store"] == query["LogStore"] == old["QueryList"][0]["LogStore"], name
        assert query["StoreType"] == "log", name
        assert query["Project"] == {"Fn::GetAtt": ["LogProject", "Name"]}, name
        assert query["Region"] == {"Ref": "ALIYUN::Region"}, name


def test_with_the_policy_id_each_message_is_the_same_as_on_the_direct_route() -> None:
    template = load_template()
    before = _route_1(template)
    for name, configuration in _configurations(template, "whitelist-robot").items():
        annotations = {a["Key"]: a["Value"] for a in configuration["Annotations"]}
        center, *_ = before[name]["NotificationList"]
        assert center["Type"] == "MessageCenter", name
        assert annotations["desc"] == center["Content"], name
        assert isinstance(center["Content"], str), name  # looked up: the text itself
        assert "${" in center["Content"], name
        display = _alerts(template)[name]["Properties"]["Detail"]["DisplayName"]
        assert annotations["title"] == display, name
        assert annotations["title"].startswith("whitelist"), name  # the robot's keyword


def test_without_it_no_alert_carries_a_policy_and_the_direct_route_is_unchanged() -> None:
    template = load_template()
    for name, configuration in _route_1(template).items():
        assert configuration["Version"] == "1.0", name
        assert not ROUTE_2 & set(configuration), name
        assert "NoDataSeverity" not in configuration, name
        (query,) = configuration["QueryList"]
        assert not {"Store", "StoreType", "Project", "Region"} & set(query), name
        kinds = [item["Type"] for item in configuration["NotificationList"]]
        assert kinds == ["MessageCenter", "DingTalk", "Email"], name
        dingtalk = configuration["NotificationList"][1]
        assert dingtalk["ServiceUri"] == {"Ref": "AlertDingTalkWebhook"}, name
        assert configuration["Throttling"] in ("30m", "6h"), name


def test_every_branch_of_every_alert_passes_the_ros_specification() -> None:
    report = check_template(ROOT / "template.yml")
    assert report.problems == []
    for name in _alerts(load_template()):
        labels = [label for resource, _, label in report.checked if resource == name]
        assert any(f"{CONDITION}=true" in label for label in labels), name
        assert any(f"{CONDITION}=false" in label for label in labels), name


def _check_copy(tmp_path: Path, template: dict[str, Any]) -> str:
    path = tmp_path / "template.yml"
    path.write_text(yaml.safe_dump(template, sort_keys=False), encoding="utf-8")
    return "\n".join(str(p) for p in check_template(path).problems)


def _configuration(template: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = template["Resources"][name]["Properties"]["Detail"]["Configuration"]
    return found


def test_the_policy_branch_is_really_checked(tmp_path: Path) -> None:
    template = load_template()
    policy = _configuration(template, "FailureAlert")["PolicyConfiguration"]["Fn::If"][1]
    policy["ActionPolicyID"] = policy.pop("ActionPolicyId")
    found = _check_copy(tmp_path, template)
    assert f"FailureAlert (ALIYUN::SLS::Alert) [{CONDITION}=true" in found
    assert "PolicyConfiguration.ActionPolicyID: spelled ActionPolicyId" in found
    assert f"{CONDITION}=false" not in found


# -- why the signing key is not a stack parameter: the evidence ----------------------------


def test_a_signing_key_in_a_dingtalk_notification_entry_is_refused(tmp_path: Path) -> None:
    # The spec check does not ignore unknown keys: it names them, with the known ones.
    template = copy.deepcopy(load_template())
    entries = _configuration(template, "HeldBackAlert")["NotificationList"]["Fn::If"][2]
    dingtalk = entries[1]["Fn::If"][1]
    assert dingtalk["Type"] == "DingTalk"
    for key in ("Secret", "SignSecret", "SigningKey"):
        dingtalk[key] = {"Ref": "AlertDingTalkWebhook"}
    found = _check_copy(tmp_path, template)
    known = "known: Content, EmailList, Headers, Method, MobileList, ServiceUri, Type"
    for key in ("Secret", "SignSecret", "SigningKey"):
        assert f"NotificationList[1].{key}: unknown property ({known})" in found


def _fields(struct: type[Any]) -> set[str]:
    return set(inspect.signature(struct.__init__).parameters) - {"self"}


def test_the_cdk_alert_has_no_field_for_a_signing_key() -> None:
    load_cdk()
    import ros_cdk_sls

    notification = ros_cdk_sls.RosAlert.NotificationListProperty
    policy = ros_cdk_sls.RosAlert.PolicyConfigurationProperty
    assert _fields(notification) == {
        "type", "content", "email_list", "headers", "method", "mobile_list", "service_uri",
    }  # fmt: skip
    assert _fields(policy) == {"action_policy_id", "alert_policy_id", "repeat_interval", "use_default"}  # fmt: skip


def test_ros_cdk_sls_has_no_resource_for_webhook_integrations_or_action_policies() -> None:
    load_cdk()
    import ros_cdk_sls

    kinds = {
        cls.ROS_RESOURCE_TYPE_NAME
        for name, cls in vars(ros_cdk_sls).items()
        if name.startswith("Ros") and hasattr(cls, "ROS_RESOURCE_TYPE_NAME")
    }
    assert "ALIYUN::SLS::Alert" in kinds
    assert len(kinds) >= 19
    words = ("webhook", "integration", "action", "policy", "resource", "record", "notif")
    assert [k for k in kinds if any(w in k.lower() for w in words)] == []


@pytest.mark.parametrize("name", ["AlertDingTalkWebhook", "AlertEmails"])
def test_the_direct_channels_say_they_yield_to_the_action_policy(name: str) -> None:
    description = load_template()["Parameters"][name]["Description"]
    assert "Unused when AlertActionPolicyId is given" in description


def test_each_message_names_only_columns_its_alert_query_selects() -> None:
    template = load_template()
    messages = template["Mappings"]["AlertMessages"]
    assert set(messages) == set(_alerts(template))  # one message per alert, in one place
    for name, alert in _alerts(template).items():
        (query,) = alert["Properties"]["Detail"]["Configuration"]["QueryList"]
        columns = set(re.findall(r"\bas (\w+)", query["Query"]))
        named = set(re.findall(r"\$\{(\w+)\}", messages[name]["Message"]))
        assert named, name
        assert named <= columns, (name, named - columns)
