"""Every trigger configuration the project ships (ROS templates, in every condition branch,
and the Serverless Devs project files) uses only keys of FC's 2023-03-30 API models.

Run: ``make spec``, or ``.venv/bin/python -m pytest -q tests/deploy/test_trigger_configs.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fc_trigger_kit import serverless_triggers, template_triggers, unknown_keys
from ros_spec_kit import find_templates
from serverless_kit import find_project_files

ROOT = Path(__file__).resolve().parents[2]
TRIGGERS = [
    *(t for path in find_templates(ROOT) for t in template_triggers(path)),
    *(t for path in find_project_files(ROOT) for t in serverless_triggers(path)),
]


def test_every_shipped_trigger_is_found() -> None:
    found = {(where.split(":")[0], kind) for where, kind, _ in TRIGGERS}
    sources = ["template.yml", *(p.name for p in find_project_files(ROOT))]
    for source in sources:
        assert {(source, "timer"), (source, "http"), (source, "eventbridge")} <= found


@pytest.mark.parametrize(("where", "kind", "config"), TRIGGERS, ids=[t[0] for t in TRIGGERS])
def test_trigger_configuration_uses_only_fc_keys(where: str, kind: str, config: Any) -> None:
    assert isinstance(config, dict), f"{where}: no trigger configuration"
    assert unknown_keys(kind, config) == [], where


EVENT_SOURCE = {
    "triggerEnable": True,
    "eventSourceConfig": {
        "eventSourceType": "MNS",
        "eventSourceParameters": {
            "sourceMNSParameters": {"RegionId": {"Ref": "ALIYUN::Region"}, "QueueName": "q"}
        },
    },
    "runOptions": {"mode": "event-streaming", "batchWindow": {"CountBasedWindow": 10}},
}


def test_a_known_configuration_passes() -> None:
    assert unknown_keys("eventbridge", EVENT_SOURCE) == []


@pytest.mark.parametrize(
    ("kind", "config", "where"),
    [
        ("timer", {"cronExpression": "@every 1m", "enabled": True}, "TriggerConfig.enabled"),
        (
            "http",
            {"authType": "anonymous", "disableUrlInternet": True},
            "TriggerConfig.disableUrlInternet",
        ),
        (
            "eventbridge",
            {**EVENT_SOURCE, "runOptions": {"batchWindow": {"CountBasedWindow": 1, "Size": 2}}},
            "TriggerConfig.runOptions.batchWindow.Size",
        ),
        (
            "eventbridge",
            {
                "eventSourceConfig": {
                    "eventSourceParameters": {"sourceMNSParameters": {"queueName": "q"}}
                }
            },
            "TriggerConfig.eventSourceConfig.eventSourceParameters.sourceMNSParameters.queueName",
        ),
    ],
)
def test_an_unknown_key_at_any_depth_fails_naming_it(
    kind: str, config: dict[str, Any], where: str
) -> None:
    assert unknown_keys(kind, config) == [f"{where}: not a key of FC's " + _model(kind)]


def _model(kind: str) -> str:
    return {
        "timer": "TimerTriggerConfig",
        "http": "HTTPTriggerConfig",
        "eventbridge": "EventBridgeTriggerConfig",
    }[kind]


def test_an_unmapped_trigger_type_fails_loudly() -> None:
    assert unknown_keys("tablestore", {}) == [
        "TriggerConfig: no FC model is mapped for trigger type 'tablestore'"
    ]


def test_a_shape_the_model_cannot_read_fails() -> None:
    (problem,) = unknown_keys("eventbridge", {"runOptions": "event-streaming"})
    assert problem.startswith("TriggerConfig: not readable as EventBridgeTriggerConfig")
