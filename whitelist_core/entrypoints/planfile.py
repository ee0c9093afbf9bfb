"""Saved plans (pure): a reviewed plan as a versioned JSON document, and the checks that
tell whether it may still be applied exactly.

The document carries the digest of the configuration it was made with and, per target,
the whole plan, including what each owned group held when it was read (``held``). A plan
may be applied only while every group it touches still holds exactly that and the
configuration is the same; otherwise it is stale and a new plan must be made.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields
from typing import Any

from whitelist_core.core.planner import Change, TargetPlan
from whitelist_core.core.values import frozen
from whitelist_core.errors import WhitelistError
from whitelist_core.ports import Group

FORMAT = "redis-whitelist-sync plan"
VERSION = 2
"""2: the document carries ``seal``, binding its targets to the configuration's digest."""


class PlanFileError(WhitelistError):
    """A saved plan cannot be read, or may no longer be applied; nothing was written."""


@frozen
class SavedPlan:
    """A plan as saved: the configuration's digest and each target's plan."""

    config_digest: str
    plans: tuple[TargetPlan, ...]


def config_digest(config: Any) -> str:
    """``sha256:<hex>`` of the configuration as validated (comments and layout aside)."""
    canonical = json.dumps(config.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def seal(targets: Any, digest: str) -> str:
    """``sha256:<hex>`` of the plans' JSON body and the configuration's digest together.

    It carries no secret: it tells an edit made after the plan was saved (by hand, or by
    a tool that does not know to seal again), not a forgery. What keeps a forged plan
    from doing harm is ``plancheck``: every step is checked as a live run would be."""
    body = json.dumps([digest, targets], sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(body.encode("utf-8")).hexdigest()


def encode(plans: Iterable[TargetPlan], digest: str, made_by: str) -> str:
    """The JSON document of a saved plan."""
    targets = [_plan_dict(p) for p in plans]
    document = {
        "format": FORMAT,
        "version": VERSION,
        "made_by": made_by,
        "config_digest": digest,
        "targets": targets,
        "seal": seal(targets, digest),
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def decode(text: str, source: str) -> SavedPlan:
    """The saved plan in ``text``, or ``PlanFileError`` saying why it cannot be read."""
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise PlanFileError(f"{source} is not a saved plan (make one with plan --out)")
    if document.get("version") != VERSION:
        version = document.get("version")
        raise PlanFileError(
            f"{source} is a plan file of version {version}; this version reads {VERSION}"
        )
    if document.get("seal") != seal(document.get("targets"), str(document.get("config_digest"))):
        raise PlanFileError(
            f"{source} was edited after it was saved (its seal does not match its body), "
            "nothing was written: make a new plan"
        )
    try:
        plans = tuple(_plan_of(t) for t in document["targets"])
        return SavedPlan(str(document["config_digest"]), plans)
    except (KeyError, TypeError, ValueError) as exc:
        raise PlanFileError(f"{source} is a damaged plan file ({exc!r})") from None


def drift(plan: TargetPlan, groups_now: Sequence[Group]) -> list[str]:
    """Why ``plan`` may no longer be applied to the groups as they are now (empty: it may).

    Every owned group must hold exactly what it held when the plan was made (the same
    entries and attribute, or still be absent)."""
    then = {g.name: g for g in plan.held}
    now = {g.name: g for g in groups_now}
    problems = []
    for name in plan.owned or (plan.group,):
        before, after = then.get(name), now.get(name)
        if _content(before) != _content(after):
            problems.append(
                f"{plan.target}: group {name!r} on {plan.instance_id} no longer holds what the "
                f"plan was made from ({_describe(before)} then, {_describe(after)} now)"
            )
    return problems


def _content(group: Group | None) -> tuple[str, frozenset[str]] | None:
    return None if group is None else (group.attribute, frozenset(group.entries))


def _describe(group: Group | None) -> str:
    return "absent" if group is None else f"{len(group.entries)} entries"


# -- (de)serialising a TargetPlan field by field ----------------------------------------------


def _plan_dict(plan: TargetPlan) -> dict[str, Any]:
    return {f.name: _out(getattr(plan, f.name)) for f in fields(plan)}


def _out(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_out(v) for v in value]
    if isinstance(value, Change | Group):
        out = {f.name: _out(getattr(value, f.name)) for f in fields(value)}
        return {k: v for k, v in out.items() if v or k != "unparsed"}
    return value


def _plan_of(data: Mapping[str, Any]) -> TargetPlan:
    known = {f.name: str(f.type) for f in fields(TargetPlan)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ValueError(f"unknown plan fields {unknown}")
    return TargetPlan(**{name: _in(known[name], value) for name, value in data.items()})


def _in(kind: str, value: Any) -> Any:
    if kind.startswith("tuple[Change"):
        return tuple(Change(**item) for item in value)
    if kind.startswith("tuple[Group"):
        return tuple(
            Group(
                item["name"],
                item["attribute"],
                tuple(item["entries"]),
                tuple(item.get("unparsed", ())),
            )
            for item in value
        )
    if kind.startswith("tuple["):
        return tuple(value)
    return value
