"""The configuration: loading it from a file, and every check of it, with its messages.

The models are in ``schema`` (re-exported here). Every problem is reported at once,
each with its field path and the rule it breaks, said the way an operator would say it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from whitelist_core.accounts import reference_problems, valid_accounts
from whitelist_core.core.entries import group_name_problem, sorted_entries
from whitelist_core.core.policy import entry_violations
from whitelist_core.errors import ConfigError, Problem
from whitelist_core.problems import field_problems, name_targets, not_a_mapping
from whitelist_core.schema import (
    ECS_STATUSES,
    REDIS_INSTANCE_ID,
    REGION_ID,
    TARGET_NAME,
    Accepted,
    Audit,
    Config,
    EcsStatus,
    NetworkType,
    NonEmptyIds,
    Policy,
    Selector,
    Target,
    Webhook,
)

__all__ = [
    "ECS_STATUSES",
    "REDIS_INSTANCE_ID",
    "REGION_ID",
    "TARGET_NAME",
    "Accepted",
    "Audit",
    "Config",
    "EcsStatus",
    "NetworkType",
    "NonEmptyIds",
    "Policy",
    "Selector",
    "Target",
    "Webhook",
    "config_path",
    "load_config",
    "validate_config",
]


def validate_config(data: Any, source: str = "") -> Config:
    """Build a ``Config`` from plain data, or raise ``ConfigError`` listing every problem."""
    if not isinstance(data, dict):
        raise ConfigError([not_a_mapping(data)], source)
    try:
        config: Config | None = Config.model_validate(data)
    except ValidationError as exc:
        config, problems = None, field_problems(exc, Config)
    else:
        problems = []
    targets, policy = _parts(data, config)
    problems += _semantic_problems(targets, policy)
    problems += _account_problems(data, config, targets)
    if problems or config is None:
        raise ConfigError(name_targets(problems, data), source)
    return config


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
    seen_groups: dict[tuple[str, str, str], int] = {}
    names = {i: target.name for i, target in targets}
    for i, target in targets:
        first = seen_names.setdefault(target.name, i)
        if first != i:
            problems.append(Problem(f"targets[{i}].name", f"duplicates targets[{first}].name"))
        problems.extend(_spill_over_problems(i, target))
        for name in target.groups:
            owner = seen_groups.setdefault((target.account or "", target.instance_id, name), i)
            if owner != i:
                field = "group" if name == target.group else "max_groups"
                holder = f"targets[{owner}] ({names[owner]})"
                rule = f"{holder} already owns group {name!r} on {target.instance_id}"
                problems.append(Problem(f"targets[{i}].{field}", rule))
        problems.extend(_static_entry_problems(i, target, policy))
    return problems


def _account_problems(
    data: Any, config: Config | None, targets: list[tuple[int, Target]]
) -> list[Problem]:
    """Every account a target or selector names must be configured under ``accounts:``."""
    accounts = config.accounts if config is not None else valid_accounts(data)
    references = [
        (f"targets[{i}]{path}.account", name)
        for i, t in targets
        for path, name in (("", t.account), (".selector", t.selector.account))
    ]
    return reference_problems(accounts, references)


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
