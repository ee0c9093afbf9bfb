"""Wire input shared by ``events`` and ``webhook``: the base models, id and name checks,
the webhook bodies, and JSON decoding with limits. Each trigger's payload models live
with the code that reads them, in ``events/``.

Event models (``WireModel``) ignore unknown keys and tolerate missing optional ones: the
payload shapes are only partly documented, so anything we do not use must not break
parsing. Bodies we define ourselves (``BodyModel``: webhook bodies, the timer payload)
forbid unknown keys, because a typo there would silently change what runs.
All models are strict: ``"true"`` is not a bool and ``1`` is not a string.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable
from typing import Annotated, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel
from pydantic_core import ErrorDetails

from whitelist_core.errors import BadEvent

MAX_DEPTH = 32
"""Real payloads nest about five levels deep; deeper input is refused."""

_ARN = re.compile(r"acs:[a-z0-9-]+:(?P<region>[^:]*):[^:]*:(?P<kind>[A-Za-z]+)/(?P<id>[^/]+)")
_INSTANCE_ID = re.compile(r"i-[a-z0-9]{8,40}")
# cn-hangzhou, ap-southeast-1, cn-shanghai-finance-1, cn-north-2-gov-1
_REGION_ID = re.compile(r"[a-z]{2,4}(?:-[a-z0-9]{1,20}){1,4}")
_TARGET_NAME = re.compile(r"[^\s,]{1,128}")


def show(value: object, limit: int = 48) -> str:
    """A short repr of untrusted input for error messages (never the whole of it)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_instance_id(value: str) -> str:
    """Return ``value`` if it has the form of an ECS instance id, else raise ValueError."""
    if not _INSTANCE_ID.fullmatch(value):
        raise ValueError(f"{show(value)} is not an ECS instance id (i- then 8-40 of [a-z0-9])")
    return value


def check_region_id(value: str) -> str:
    """Return ``value`` if it has the form of a region id (``cn-hangzhou``), else raise."""
    if not _REGION_ID.fullmatch(value):
        raise ValueError(f"{show(value)} is not a region id (like cn-hangzhou)")
    return value


def _check_target_name(value: str) -> str:
    if not _TARGET_NAME.fullmatch(value):
        raise ValueError(f"{show(value)} is not a target name (1-128 chars, no space or comma)")
    return value


def _blank_to_none(value: object) -> object:
    return None if value == "" else value


InstanceId = Annotated[str, AfterValidator(check_instance_id)]
RegionId = Annotated[str, AfterValidator(check_region_id)]
OptionalRegion = Annotated[RegionId | None, BeforeValidator(_blank_to_none)]
TargetName = Annotated[str, AfterValidator(_check_target_name)]
TargetList = Annotated[list[TargetName], Field(min_length=1)]


# defer_build: a model's validator is built the first time it validates, so a cold start
# pays only for the models of the trigger that woke it (a timer never builds HttpEvent).
# validate() builds it under _building: a fresh instance serves up to InstanceConcurrency
# events at once, and pydantic before 2.14 rebuilds a deferred model without a lock (a
# thread can validate with a half-built model meanwhile; pydantic pull request 13438).
_building = threading.Lock()


class WireModel(BaseModel):
    """A payload from Alibaba Cloud: camelCase keys, unknown keys ignored."""

    model_config = ConfigDict(
        extra="ignore",
        strict=True,
        frozen=True,
        alias_generator=to_camel,
        populate_by_name=True,
        defer_build=True,
    )


class BodyModel(BaseModel):
    """A body whose schema we own: snake_case keys, unknown keys refused."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


class ReconcileBody(BodyModel):
    """Body of ``POST /reconcile``; an empty body means ``{}`` (every target)."""

    targets: TargetList | None = None
    dry_run: bool | None = None


class InstancesBody(BodyModel):
    """Body of ``POST /instances``."""

    instance_ids: Annotated[list[InstanceId], Field(min_length=1, max_length=100)]
    region: OptionalRegion = None
    dry_run: bool | None = None


M = TypeVar("M", bound=BaseModel)


def validate(model: type[M], value: object, where: str = "") -> M:
    """Validate ``value`` as ``model``, or raise ``BadEvent`` naming each bad field path."""
    if not model.__pydantic_complete__:
        with _building:
            if not model.__pydantic_complete__:
                model.model_rebuild()
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        raise BadEvent(describe(exc, where)) from None


def describe(error: ValidationError, where: str = "") -> str:
    """``data.instanceIds[1]: 'i-x' is not an ECS instance id; ...`` (at most five)."""
    problems = [_problem(item, where) for item in error.errors(include_url=False)]
    more = f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
    return "; ".join(problems[:5]) + more


def _problem(item: ErrorDetails, where: str) -> str:
    path = where
    for part in item["loc"]:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    message = item["msg"].removeprefix("Value error, ")
    return f"{path or '(event)'}: {message}"


def loads(text: str, what: str) -> object:
    """Decode JSON text, refusing NaN/Infinity and nesting deeper than ``MAX_DEPTH``."""
    try:
        value: object = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise BadEvent(f"{what} is not valid JSON: {exc.msg} at char {exc.pos}") from None
    except ValueError:  # an integer with more digits than Python converts
        raise BadEvent(f"{what} holds a number too long to read") from None
    except RecursionError:
        raise BadEvent(f"{what} is nested too deeply") from None
    check_depth(value, what)
    return value


def _refuse_constant(name: str) -> object:
    raise BadEvent(f"{name} is not a JSON value")


def check_depth(value: object, what: str) -> None:
    """Raise ``BadEvent`` if containers nest deeper than ``MAX_DEPTH`` (iteratively)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children: Iterable[object]
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, (list, tuple)):
            children = node
        else:
            continue
        if depth > MAX_DEPTH:
            raise BadEvent(f"{what} is nested deeper than {MAX_DEPTH} levels")
        stack.extend((child, depth + 1) for child in children)


def instance_id_at(path: str, value: str) -> str:
    """``check_instance_id`` raising ``BadEvent`` prefixed with the field path."""
    try:
        return check_instance_id(value)
    except ValueError as exc:
        raise BadEvent(f"{path}: {exc}") from None


def arn(text: str | None, path: str) -> tuple[str | None, str | None]:
    """(instance id, region) from ``acs:ecs:<region>:<uid>:instance/<id>``; Nones if absent."""
    match = _ARN.fullmatch(text or "")
    if match is None:
        return None, None
    instance_id = match["id"] if match["kind"] == "instance" else None
    if not match["region"]:
        return instance_id, None
    try:
        return instance_id, check_region_id(match["region"])
    except ValueError as exc:
        raise BadEvent(f"{path}: {exc}") from None
