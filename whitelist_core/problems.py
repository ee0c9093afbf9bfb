"""Configuration problems in the operator's words, not the validation library's.

``field_problems`` turns a pydantic ``ValidationError`` into ``Problem``s: an unknown key
gets the key that was probably meant ("did you mean 'tags'?"), an id or region that
breaks its pattern gets a sentence instead of the regular expression, and a value of a
fixed set that differs only by case says so. ``name_targets`` labels every problem under
``targets[i]`` with that target's name, so ``targets[0] (orders-cache).group`` says which.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from whitelist_core.errors import Problem
from whitelist_core.schema import TARGET_NAME

Loc = tuple[int | str, ...]


def field_problems(exc: ValidationError, root: type[BaseModel]) -> list[Problem]:
    """Every problem of ``exc`` (raised validating ``root``), with its field path."""
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
    # A misspelt required key is also "missing": the "did you mean" says it all.
    meant = {
        (*e["loc"][:-1], _meant(str(e["loc"][-1]), _keys_at(root, e["loc"][:-1])))
        for e in kept
        if e["type"] == "extra_forbidden"
    }
    return [
        Problem(path_of(e["loc"]), _rule(e, root))
        for e in kept
        if not (e["type"] == "missing" and tuple(e["loc"]) in meant)
    ]


def path_of(loc: Loc) -> str:
    """``("targets", 0, "group")`` as ``targets[0].group``."""
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")


def name_targets(problems: Sequence[Problem], data: Any) -> list[Problem]:
    """Each problem under ``targets[i]`` labelled with target i's name, when it has one."""
    raw = data.get("targets") if isinstance(data, Mapping) else None
    names = [t.get("name") if isinstance(t, Mapping) else None for t in _listed(raw)]
    named = []
    for problem in problems:
        found = re.match(r"targets\[(\d+)\]", problem.path)
        index = int(found.group(1)) if found else -1
        name = names[index] if 0 <= index < len(names) else None
        if isinstance(name, str) and re.fullmatch(TARGET_NAME, name) and not problem.target:
            problem = Problem(problem.path, problem.rule, target=name)
        named.append(problem)
    return named


def _listed(raw: Any) -> list[Any]:
    return raw if isinstance(raw, list) else []


def _rule(error: Mapping[str, Any], root: type[BaseModel]) -> str:
    """The rule an error breaks, said the way an operator would say it."""
    kind, loc, given = error["type"], tuple(error["loc"]), error.get("input")
    if kind == "extra_forbidden":
        return _unknown_key(str(loc[-1]), _keys_at(root, loc[:-1]))
    if kind == "missing":
        return "required"
    if kind == "too_short" and loc == ("targets",):
        return "at least one target is needed"
    if kind == "literal_error" and isinstance(given, str):
        return _literal_rule(given, str(error.get("ctx", {}).get("expected", "")))
    if kind == "string_pattern_mismatch" and isinstance(given, str):
        return _pattern_rule(str(loc[-1]), given, str(error.get("ctx", {}).get("pattern", "")))
    return str(error["msg"]).removeprefix("Value error, ")


def _unknown_key(key: str, known: Sequence[str]) -> str:
    rule = "unknown key (unknown keys are not ignored)"
    meant = _meant(key, known)
    if meant:
        return f"{rule}: did you mean {meant!r}?"
    return f"{rule}; the keys here are {', '.join(known)}" if known else rule


def _meant(key: str, known: Sequence[str]) -> str | None:
    """The known key ``key`` probably meant: the same but for case, '_' and '-', or close."""
    folded = {k.replace("_", "").lower(): k for k in known}
    same = folded.get(key.replace("_", "").replace("-", "").lower())
    if same:
        return same
    import difflib  # deferred: only a configuration with a problem needs it

    close = difflib.get_close_matches(key, known, n=1, cutoff=0.75)
    return close[0] if close else None


def _keys_at(model: type[BaseModel] | None, loc: Loc) -> list[str]:
    """The keys the model at ``loc`` (under ``model``) accepts."""
    for part in loc:
        if model is None:
            return []
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        model = _model_in(field.annotation) if field else None
    return list(model.model_fields) if model else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model an annotation holds (itself, optional, or in a tuple)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is None and not isinstance(annotation, types.UnionType):
        return None
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found:
            return found
    return None


def _literal_rule(given: str, expected: str) -> str:
    """One of a fixed set of spellings: say which one was meant when only the case differs."""
    choices = re.findall(r"'([^']*)'", expected)
    meant = next((c for c in choices if c.lower() == given.lower()), None)
    if meant is not None:
        return (
            f"{given!r} is not a valid value: did you mean {meant!r}? (values are case-sensitive)"
        )
    return f"{given!r} is not one of {expected}"


_PATTERN_WORDS = {
    "region": "a region id is lowercase letters, digits and '-', like cn-hangzhou",
    "instance_id": "an instance id is a lowercase prefix, '-', then 6-40 lowercase letters "
    "and digits, like r-bp1abcdef123456 (Redis / Tair), rm-... (RDS), pc-... (PolarDB) or "
    "dds-... (MongoDB)",
    "name": "a target name is 1-64 letters, digits, '.', '_' or '-', starting with a letter "
    "or digit",
}


def _pattern_rule(field: str, given: str, pattern: str) -> str:
    """A value that breaks its field's pattern, in a sentence (never the pattern)."""
    rule = f"{given!r} is not valid: {_PATTERN_WORDS.get(field, 'it has the wrong form')}"
    lowered = given.lower()
    if lowered != given and pattern and re.fullmatch(pattern, lowered):
        return f"{given!r} must be lowercase: did you mean {lowered!r}?"
    return rule


def not_a_mapping(data: Any) -> Problem:
    """The problem of a document that is not a mapping of keys (or is empty)."""
    if data is None:
        return Problem("", "the file is empty: it needs at least version, region and targets")
    kind = "a list" if isinstance(data, list) else f"a {type(data).__name__}"
    return Problem(
        "", f"the document is {kind}; it must be a mapping of keys (version, region, targets, ...)"
    )
