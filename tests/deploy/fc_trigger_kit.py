"""Checks trigger configurations against Function Compute's own API models (2023-03-30, the
official ``alibabacloud-fc20230330`` package): every key, at every depth, must be one FC
reads. ROS passes ``TriggerConfig`` through as a free map and Serverless Devs hands
``triggerConfig`` to the same API, so nothing else catches a misspelt key: FC ignores it.

A configuration is read into its model (``from_map``) and written back (``to_map``); a key
that does not come back is one the model does not have. Intrinsic functions (``Ref``,
``Fn::*``) and Serverless Devs variables stand for deploy-time values: they pass as opaque
strings.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml
from alibabacloud_fc20230330 import models
from ros_spec_convert import is_intrinsic
from ros_spec_kit import branches

TRIGGER_MODELS: dict[str, type[Any]] = {
    "timer": models.TimerTriggerConfig,
    "http": models.HTTPTriggerConfig,
    "eventbridge": models.EventBridgeTriggerConfig,
    "mns_topic": models.MNSTopicTriggerConfig,
    "oss": models.OSSTriggerConfig,
    "log": models.SLSTriggerConfig,
    "cdn_events": models.CDNTriggerConfig,
}
"""Trigger type -> the model of its configuration. A type missing here fails the check."""


def unknown_keys(trigger_type: str, config: Any, path: str = "TriggerConfig") -> list[str]:
    """Where ``config`` has a key the FC model of ``trigger_type`` does not know, or a
    shape it cannot read, as ``path: rule``."""
    model = TRIGGER_MODELS.get(trigger_type)
    if model is None:
        return [f"{path}: no FC model is mapped for trigger type {trigger_type!r}"]
    given = _opaque(config)
    try:
        kept = model().from_map(copy.deepcopy(given)).to_map()
    except (AttributeError, TypeError) as exc:
        return [f"{path}: not readable as {model.__name__} ({exc})"]
    return [f"{where}: not a key of FC's {model.__name__}" for where in _lost(given, kept, path)]


def _opaque(node: Any) -> Any:
    if is_intrinsic(node):
        return "<deploy-time value>"
    if isinstance(node, list):
        return [_opaque(item) for item in node]
    if isinstance(node, dict):
        return {key: _opaque(value) for key, value in node.items()}
    return node


def _lost(given: Any, kept: Any, path: str) -> Iterator[str]:
    if isinstance(given, dict) and isinstance(kept, dict):
        for key, value in given.items():
            if key not in kept:
                yield f"{path}.{key}"
            else:
                yield from _lost(value, kept[key], f"{path}.{key}")
    elif isinstance(given, list) and isinstance(kept, list):
        for index, (one, two) in enumerate(zip(given, kept, strict=False)):
            yield from _lost(one, two, f"{path}[{index}]")


def template_triggers(path: Path) -> Iterator[tuple[str, str, Any]]:
    """(where, trigger type, configuration) of every ``ALIYUN::FC3::Trigger`` of a ROS
    template, in every branch of the conditions it uses."""
    template = yaml.safe_load(path.read_text(encoding="utf-8"))
    for name, resource in (template.get("Resources") or {}).items():
        if resource.get("Type") != "ALIYUN::FC3::Trigger":
            continue
        for label, properties in branches(resource):
            where = f"{path.name}: {name}" + (f" [{label}]" if label else "")
            yield where, str(properties.get("TriggerType")), properties.get("TriggerConfig")


def serverless_triggers(path: Path) -> Iterator[tuple[str, str, Any]]:
    """(where, trigger type, configuration) of every trigger of an ``fc3`` resource of a
    Serverless Devs project file."""
    project = yaml.safe_load(path.read_text(encoding="utf-8"))
    resources: Mapping[str, Any] = project.get("resources") or {}
    for name, resource in resources.items():
        if resource.get("component") != "fc3":
            continue
        for trigger in (resource.get("props") or {}).get("triggers") or []:
            where = f"{path.name}: {name}.triggers[{trigger.get('triggerName')}]"
            yield where, str(trigger.get("triggerType")), trigger.get("triggerConfig")
