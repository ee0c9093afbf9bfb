"""Template property values -> the typed values of a ROS CDK L1 class (its generated
property structs), guided by the type hints of the generated Python bindings. What does not
fit is collected as (path, rule), with the template's spelling of the path.

Template names are matched exactly as the class renders them, which the generated
JavaScript says (``'Id': ros.stringToRosTemplate(properties.identity)``): most are the
camelCase field with a capital, but not all (EventBridge's target ``Id`` is the field
``identity``), so :func:`rendered_names` reads them from the package's jsii bundle.
"""

from __future__ import annotations

import functools
import importlib.resources
import inspect
import io
import re
import tarfile
import typing
from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import Any

_RENDER = re.compile(r"^function (ros\w+ToRosTemplate)\(properties.*?^}$", re.M | re.S)
_FIELD = re.compile(r"'(\w+)':[^\n]*\(properties\.(\w+)\),?$", re.M)


@functools.cache
def _rendering_functions(module: str) -> dict[str, dict[str, str]]:
    """Per ``ros...ToRosTemplate`` function of a ``ros_cdk_*`` module: field -> rendered name."""
    bundles = importlib.resources.files(module).joinpath("_jsii")
    found: dict[str, dict[str, str]] = {}
    for bundle in bundles.iterdir():
        if not bundle.name.endswith(".tgz"):
            continue
        with tarfile.open(fileobj=io.BytesIO(bundle.read_bytes())) as archive:
            for member in archive.getmembers():
                if member.name.endswith(".generated.js"):
                    text = archive.extractfile(member).read().decode()  # type: ignore[union-attr]
                    for function in _RENDER.finditer(text):
                        fields = {f: name for name, f in _FIELD.findall(function.group(0))}
                        found[function.group(1)] = fields
    return found


def rendered_names(struct: type[Any]) -> dict[str, str]:
    """Python field -> the property name the class renders into the template."""
    package, _, path = struct.__jsii_type__.partition(".")
    name = path.replace(".", "")
    function = f"{name[:1].lower()}{name[1:]}ToRosTemplate"
    module = struct.__module__.split(".")[0]
    fields = _rendering_functions(module).get(function)
    if fields is None:
        raise LookupError(f"{package}: no {function} in the generated JavaScript of {module}")
    camel = struct.__jsii_name_mapping__
    return {python: fields.get(js, js[:1].upper() + js[1:]) for python, js in camel.items()}


def is_intrinsic(node: Any) -> bool:
    """``{"Ref": ...}`` or ``{"Fn::...": ...}``: a value ROS works out at deploy time."""
    if not isinstance(node, dict) or len(node) != 1:
        return False
    (key,) = node
    return key == "Ref" or str(key).startswith("Fn::")


class Converter:
    """Turns template values into the L1 class's typed values, collecting problems."""

    def __init__(self, core: ModuleType) -> None:
        self.core = core
        self.problems: list[tuple[str, str]] = []

    def fail(self, path: str, rule: str) -> None:
        self.problems.append((path, rule))

    def value(self, node: Any, hint: Any, path: str) -> Any:
        options = _options(hint)
        if is_intrinsic(node):
            return self.token(node, options, path)
        for option in options:
            if option is Any:
                return node
            struct = _struct_class(option)
            if struct is not None and isinstance(node, dict):
                return self.struct(node, struct, path)
            origin = typing.get_origin(option)
            if origin in (list, Sequence, typing.Sequence) and isinstance(node, list):
                (item,) = typing.get_args(option) or (Any,)
                return [self.value(v, item, f"{path}[{i}]") for i, v in enumerate(node)]
            if origin in (dict, Mapping, typing.Mapping) and isinstance(node, dict):
                _, item = typing.get_args(option) or (str, Any)
                return {k: self.value(v, item, f"{path}.{k}") for k, v in node.items()}
            if _scalar_fits(option, node):
                return node
        self.fail(
            path,
            f"wrong type: {_describe(options)} expected, got {type(node).__name__} {node!r:.60}",
        )
        return None

    def token(self, node: Any, options: list[Any], path: str) -> Any:
        core = self.core
        if Any in options:
            return node
        if core.IResolvable in options:
            return core.Token.as_any(node)
        if str in options:
            return core.Token.as_string(node)
        if any(typing.get_origin(o) in (list, Sequence, typing.Sequence) for o in options):
            return core.Token.as_list(node)
        if float in options or int in options:
            return core.Token.as_number(node)
        self.fail(path, f"an intrinsic function cannot stand for {_describe(options)}")
        return None

    def struct(self, node: Mapping[str, Any], cls: type[Any], path: str) -> Any:
        names = rendered_names(cls)
        by_name = {rendered: python for python, rendered in names.items()}
        by_lower = {rendered.lower(): rendered for rendered in names.values()}
        hints = typing.get_type_hints(cls.__init__)
        kwargs = {}
        prefix = f"{path}." if path else ""
        for key, item in node.items():
            python = by_name.get(str(key))
            if python is None:
                spelled = by_lower.get(str(key).lower())
                known = ", ".join(sorted(names.values()))
                rule = (
                    f"spelled {spelled} in the specification"
                    if spelled
                    else f"unknown property (known: {known})"
                )
                self.fail(f"{prefix}{key}", rule)
                continue
            kwargs[python] = self.value(item, hints[python], f"{prefix}{key}")
        for name, parameter in inspect.signature(cls.__init__).parameters.items():
            required = (
                parameter.kind is parameter.KEYWORD_ONLY and parameter.default is parameter.empty
            )
            if required and name not in kwargs:
                self.fail(f"{prefix}{names[name]}", "required property missing")
        if self.problems:
            return None
        return cls(**kwargs)


def _options(hint: Any) -> list[Any]:
    if typing.get_origin(hint) is typing.Union:
        found = []
        for arg in typing.get_args(hint):
            found += _options(arg)
        return [o for o in found if o is not type(None)]
    return [hint]


def _struct_class(option: Any) -> type[Any] | None:
    return option if inspect.isclass(option) and hasattr(option, "__jsii_name_mapping__") else None


def _scalar_fits(option: Any, node: Any) -> bool:
    if option is bool:
        return isinstance(node, bool)
    if option in (int, float):
        return isinstance(node, (int, float)) and not isinstance(node, bool)
    return option is str and isinstance(node, str)


def _describe(options: Sequence[Any]) -> str:
    names = []
    for option in options:
        origin = typing.get_origin(option)
        if origin in (list, Sequence, typing.Sequence):
            names.append("a list")
        elif origin in (dict, Mapping, typing.Mapping) or _struct_class(option):
            names.append("a map")
        elif option in (int, float):
            names.append("a number")
        elif inspect.isclass(option) and option.__name__ != "IResolvable":
            names.append(
                {"str": "a string", "bool": "a boolean"}.get(option.__name__, option.__name__)
            )
    return " or ".join(dict.fromkeys(names)) or "an intrinsic function"
