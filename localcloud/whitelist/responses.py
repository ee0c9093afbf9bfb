"""The write's parameters, read by each product's names and checked in the gateway's order."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from localcloud.errors import InvalidParameter
from localcloud.whitelist.entries import parse_list
from localcloud.whitelist.models import Change
from localcloud.whitelist.rules import MODES, Rules
from localcloud.wire import Params

_HIDDEN_ONLY = re.compile(r"(hidden)?")


@dataclass(frozen=True)
class WriteNames:
    """A product's parameter names for its whitelist write."""

    id_param: str
    group_param: str
    attribute_param: str
    list_param: str = "SecurityIps"
    modes: tuple[str, ...] = MODES
    attribute: re.Pattern[str] = _HIDDEN_ONLY
    # Extra parameters stored on the group: name -> allowed values.
    fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def parse_change(rules: Rules, names: WriteNames, params: Params) -> Change:
    """A validated ``Change``: presence, enums, formats, in that order."""
    instance_id = params.require(names.id_param)
    text = params.require(names.list_param)
    mode = params.get("ModifyMode") or "Cover"
    if mode not in names.modes:
        raise InvalidParameter("ModifyMode", f"Valid values: {', '.join(names.modes)}.")
    attribute = params.get(names.attribute_param, "")
    if not names.attribute.fullmatch(attribute):
        raise InvalidParameter(names.attribute_param)
    fields = {}
    for name, allowed in names.fields.items():
        value = params.get(name, "")
        if value and value not in allowed:
            raise InvalidParameter(name, f"Valid values: {', '.join(allowed)}.")
        if value:
            fields[name] = value
    group = params.get(names.group_param) or rules.default_group
    if not rules.group_name.fullmatch(group):
        raise rules.codes.group_name()
    return Change(instance_id, group, attribute, mode, parse_list(text, rules), fields)
