"""The configuration: pydantic models of the schema in DESIGN.md, and loading it.

Unknown keys are errors (a typo must not silently widen or disable a selector). Every
problem is reported at once, each with its field path and the rule it breaks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .entries import group_name_problem, parse_entry, sorted_entries
from .errors import ConfigError, Problem
from .placement import MAX_GROUPS, owned_groups
from .policy import entry_violations

if TYPE_CHECKING:
    from .products.spec import ProductSpec

EcsStatus = Literal["Pending", "Starting", "Running", "Stopping", "Stopped"]
ECS_STATUSES: tuple[EcsStatus, ...] = ("Pending", "Starting", "Running", "Stopping", "Stopped")

REGION_ID = r"^[a-z]{2,4}(-[a-z0-9]+){1,4}$"
REDIS_INSTANCE_ID = r"^[a-z]{1,3}-[a-z0-9]{6,40}$"
TARGET_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"


def _group_name(name: str) -> str:
    problem = group_name_problem(name)
    if problem:
        raise ValueError(problem)
    return name


def _entry(text: str) -> str:
    return parse_entry(text)


def _no_duplicates(values: tuple[str, ...]) -> tuple[str, ...]:
    if len(set(values)) != len(values):
        raise ValueError("must not repeat a value")
    return values


NonEmptyIds = Annotated[tuple[str, ...], Field(min_length=1), AfterValidator(_no_duplicates)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Selector(_Strict):
    """Which ECS instances belong to a target: every given field must match."""

    vpc_id: str | None = Field(default=None, min_length=1)
    vswitch_ids: NonEmptyIds | None = None
    security_group_ids: NonEmptyIds | None = None
    tags: dict[Annotated[str, Field(min_length=1)], str] | None = Field(default=None, min_length=1)
    name: str | None = Field(default=None, min_length=1)
    resource_group_id: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _at_least_one(self) -> Selector:
        if all(getattr(self, f) is None for f in type(self).model_fields):
            raise ValueError("a selector needs at least one field (it would match every instance)")
        return self


NetworkType = Literal["auto", "vpc", "classic", "mix"]


class Target(_Strict):
    """One database instance (Redis by default) plus the one group this function owns on it."""

    name: Annotated[str, Field(pattern=TARGET_NAME)]
    product: str = "redis"
    """A key of the product table (``products/table.py``); checked when loaded."""
    instance_id: Annotated[str, Field(pattern=REDIS_INSTANCE_ID)]
    region: Annotated[str, Field(pattern=REGION_ID)] | None = None
    group: Annotated[str, AfterValidator(_group_name)]
    hidden: bool = False
    max_groups: int = Field(default=1, ge=1, le=MAX_GROUPS)
    drain_groups: int = Field(default=0, ge=0, le=MAX_GROUPS - 1)
    selector: Selector
    statuses: Annotated[tuple[EcsStatus, ...], Field(min_length=1)] = ECS_STATUSES
    secondary_ips: bool = False
    static_entries: tuple[Annotated[str, AfterValidator(_entry)], ...] = ()
    network_type: NetworkType | None = None
    """RDS only: the ``WhitelistNetworkType`` of the group (default ``auto``)."""

    @field_validator("product")
    @classmethod
    def _known_product(cls, value: str) -> str:
        from .products import PRODUCTS  # deferred: importing the handler loads no product

        if value not in PRODUCTS:
            raise ValueError(f"must be one of {', '.join(PRODUCTS)}")
        return value

    @field_validator("instance_id")
    @classmethod
    def _product_id(cls, value: str, info: ValidationInfo) -> str:
        spec = _spec(info)
        if spec and not re.fullmatch(spec.instance_id, value):
            raise ValueError(
                f"{value!r} is not an instance id of {spec.title} ({spec.instance_id_form})"
            )
        return value

    @field_validator("group")
    @classmethod
    def _product_group(cls, value: str, info: ValidationInfo) -> str:
        spec = _spec(info)
        if spec is None:
            return value
        if value in spec.reserved_groups:
            raise ValueError(f"{value!r} is a system group of {spec.title}: never owned")
        if not re.fullmatch(spec.group_name, value):
            raise ValueError(spec.group_rule or f"{value!r} is not a valid {spec.title} group")
        return value

    @field_validator("max_groups")
    @classmethod
    def _groups_add_room(cls, value: int, info: ValidationInfo) -> int:
        spec = _spec(info)
        if value > 1 and spec and spec.capacity.per_instance:
            raise ValueError(
                f"{spec.title} holds {spec.capacity.entries} entries per instance across all "
                "groups: more groups add no room, so max_groups must be 1"
            )
        return value

    @field_validator("network_type")
    @classmethod
    def _network_for_rds(
        cls, value: NetworkType | None, info: ValidationInfo
    ) -> NetworkType | None:
        spec = _spec(info)
        if value is not None and spec and not spec.network_param:
            raise ValueError("only RDS targets have a network_type")
        return value

    @property
    def attribute(self) -> str:
        """The ``SecurityIpGroupAttribute`` this target writes."""
        return "hidden" if self.hidden else ""

    @property
    def groups(self) -> tuple[str, ...]:
        """Every group the target owns: ``group``, ``group_2`` ... ``group_<max_groups>``."""
        return owned_groups(self.group, self.max_groups)

    @property
    def store_options(self) -> dict[str, str]:
        """The product-specific settings its store needs (empty for most products)."""
        return {"network_type": self.network_type} if self.network_type else {}


def _spec(info: ValidationInfo) -> ProductSpec | None:
    """The spec of the target's product; None when the product itself is invalid
    (that is already reported, and its id rules are unknown)."""
    from .products import spec_of  # deferred, as above

    product = info.data.get("product")
    return spec_of(product) if product else None


class Policy(_Strict):
    """The safety rules every plan must pass."""

    allow_public: bool = False
    min_prefix: int = Field(default=8, ge=0, le=32)
    allow_world: bool = False
    max_removals: int = Field(default=50, ge=0, le=1000)
    max_removal_percent: int = Field(default=50, ge=0, le=100)
    capacity_warn_percent: int = Field(default=80, ge=1, le=100)


class Webhook(_Strict):
    """Settings of the signed HTTP webhook."""

    tolerance_seconds: int = Field(default=300, ge=1, le=3600)


class Config(_Strict):
    """The whole configuration file."""

    version: Literal[1]
    region: Annotated[str, Field(pattern=REGION_ID)]
    dry_run: bool = False
    targets: Annotated[tuple[Target, ...], Field(min_length=1)]
    policy: Policy = Policy()
    webhook: Webhook = Webhook()

    def region_of(self, target: Target) -> str:
        """The region a target lives in (its own, else the default)."""
        return target.region or self.region

    def target_named(self, name: str) -> Target | None:
        """The target with this name, if any."""
        return next((t for t in self.targets if t.name == name), None)


def validate_config(data: Any, source: str = "") -> Config:
    """Build a ``Config`` from plain data, or raise ``ConfigError`` listing every problem."""
    if not isinstance(data, dict):
        raise ConfigError([_not_a_mapping(data)], source)
    try:
        config: Config | None = Config.model_validate(data)
    except ValidationError as exc:
        config, problems = None, _field_problems(exc)
    else:
        problems = []
    targets, policy = _parts(data, config)
    problems += _semantic_problems(targets, policy)
    if problems or config is None:
        raise ConfigError(problems, source)
    return config


def _field_problems(exc: ValidationError) -> list[Problem]:
    errors = exc.errors()
    failing = [e["loc"] for e in errors]
    # A list whose items failed also reports "too short"; only the item errors matter then
    # (whatever their type: an item may itself fail by holding an empty list).
    kept = [
        e
        for e in errors
        if e["type"] != "too_short"
        or not any(len(loc) > len(e["loc"]) and loc[: len(e["loc"])] == e["loc"] for loc in failing)
    ]
    return [_problem(e) for e in kept]


def _problem(error: Mapping[str, Any]) -> Problem:
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error["loc"]).lstrip(".")
    return Problem(path, _rule(error, path))


def _rule(error: Mapping[str, Any], path: str) -> str:
    """The rule an error breaks, said the way an operator would say it."""
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown key (check the spelling; unknown keys are not ignored)"
    if kind == "missing":
        return "required"
    if kind == "too_short" and path == "targets":
        return "at least one target is needed"
    if kind == "literal_error" and isinstance(error.get("input"), str):
        return _literal_rule(error["input"], str(error.get("ctx", {}).get("expected", "")))
    return str(error["msg"]).removeprefix("Value error, ")


def _literal_rule(given: str, expected: str) -> str:
    """One of a fixed set of spellings: say which one was meant when only the case differs."""
    choices = re.findall(r"'([^']*)'", expected)
    meant = next((c for c in choices if c.lower() == given.lower()), None)
    if meant is not None:
        return (
            f"{given!r} is not a valid value: did you mean {meant!r}? (values are case-sensitive)"
        )
    return f"{given!r} is not one of {expected}"


def _not_a_mapping(data: Any) -> Problem:
    if data is None:
        return Problem("", "the file is empty: it needs at least version, region and targets")
    kind = "a list" if isinstance(data, list) else f"a {type(data).__name__}"
    return Problem(
        "", f"the document is {kind}; it must be a mapping of keys (version, region, targets, ...)"
    )


def _parts(data: Any, config: Config | None) -> tuple[list[tuple[int, Target]], Policy]:
    """The targets and policy to cross-check: all of them, or the valid ones of a bad file."""
    if config is not None:
        return list(enumerate(config.targets)), config.policy
    if not isinstance(data, dict):
        return [], Policy()
    raw_targets = data.get("targets")
    targets = []
    for i, raw in enumerate(raw_targets if isinstance(raw_targets, list) else []):
        try:
            targets.append((i, Target.model_validate(raw)))
        except ValidationError:
            continue  # already reported with its field path
    try:
        policy = Policy.model_validate(data.get("policy") or {})
    except ValidationError:
        policy = Policy()
    return targets, policy


def _semantic_problems(targets: list[tuple[int, Target]], policy: Policy) -> list[Problem]:
    problems: list[Problem] = []
    seen_names: dict[str, int] = {}
    seen_groups: dict[tuple[str, str], int] = {}
    for i, target in targets:
        first = seen_names.setdefault(target.name, i)
        if first != i:
            problems.append(Problem(f"targets[{i}].name", f"duplicates targets[{first}].name"))
        problems.extend(_spill_over_problems(i, target))
        for name in target.groups:
            owner = seen_groups.setdefault((target.instance_id, name), i)
            if owner != i:
                field = "group" if name == target.group else "max_groups"
                rule = f"targets[{owner}] already owns group {name!r} on {target.instance_id}"
                problems.append(Problem(f"targets[{i}].{field}", rule))
        problems.extend(_static_entry_problems(i, target, policy))
    return problems


def _spill_over_problems(index: int, target: Target) -> list[Problem]:
    """Every spill-over name must obey the group-name rule; draining needs a group left."""
    problems = []
    for name in target.groups[1:]:
        if problem := group_name_problem(name):
            rule = f"max_groups={target.max_groups} makes the target own {name!r} "
            rule += f"({len(name)} characters): {problem}"
            problems.append(Problem(f"targets[{index}].max_groups", rule))
    if target.drain_groups >= target.max_groups:
        rule = f"must be less than max_groups ({target.max_groups}): one owned group must stay"
        problems.append(Problem(f"targets[{index}].drain_groups", rule))
    return problems


def _static_entry_problems(index: int, target: Target, policy: Policy) -> list[Problem]:
    problems = []
    for entry in sorted_entries(target.static_entries):
        for violation in entry_violations(entry, policy):
            problems.append(Problem(f"targets[{index}].static_entries", violation.message))
    return problems


def load_config(path: str | Path) -> Config:
    """Read and validate a YAML or JSON configuration file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([Problem("", f"cannot read the file: {exc}")], str(path)) from None
    return validate_config(_parse_document(text, str(path)), str(path))


# Besides their own errors, the parsers raise these on hostile text: a YAML date that is
# not a date (ValueError), an integer over Python's digit limit (ValueError), nesting
# deeper than the recursion limit (RecursionError).
_PARSER_ERRORS = (ValueError, RecursionError, OverflowError)


def _parse_document(text: str, source: str) -> Any:
    if source.endswith(".json"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            where = f"line {exc.lineno}, column {exc.colno}"
            raise ConfigError(
                [Problem("", f"not valid JSON at {where}: {exc.msg}")], source
            ) from None
        except _PARSER_ERRORS as exc:
            raise ConfigError([Problem("", f"not valid JSON: {_brief(exc)}")], source) from None
    import yaml  # deferred: only configuration loading needs it

    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        raise ConfigError([Problem("", f"not valid YAML {_yaml_brief(exc)}")], source) from None
    except (yaml.YAMLError, *_PARSER_ERRORS) as exc:
        raise ConfigError([Problem("", f"not valid YAML: {_brief(exc)}")], source) from None


def _brief(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def _yaml_brief(exc: Any) -> str:
    """Where and what, from the parser's marks (lines counted from 1), without its
    ``in "<unicode string>"`` (the file's name is the error's source)."""
    mark = exc.problem_mark or exc.context_mark
    where = f"at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    what = "; ".join(str(part) for part in (exc.context, exc.problem) if part)
    return f"{where}: {what or type(exc).__name__}"


def config_path(environ: Mapping[str, str], base_dir: Path) -> Path:
    """Where the configuration lives: ``WHITELIST_CONFIG``, relative to ``base_dir``."""
    name = environ.get("WHITELIST_CONFIG", "").strip() or "whitelist.yml"
    path = Path(name)
    return path if path.is_absolute() else base_dir / path
