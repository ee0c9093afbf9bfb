"""The SLS queries the project ships, and a small evaluator of their search part.

Queries are read from where they are written, never copied into a test: every alert's
``QueryList``, every dashboard chart and every saved search of template.yml, and every
fenced block of docs/operations.md. ``fields`` names the log fields a query uses
(``message.<field>``, as FC stores each JSON line in ``message``). ``matches`` evaluates
the search part of a query (before ``|``) on one log line, for the subset the project
uses: ``message.key: value`` (a ``*`` suffix is a prefix match; text is split on the SLS
default delimiters), ``message.key > n`` (and ``>=``, ``<``, ``<=``), ``and``, ``or``,
``not``, parentheses, and quoted full-text phrases. The SQL after ``|`` is not run here:
it is SLS's, and docs/operations.md says which parts are verified.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
FIELD = re.compile(r"message\.([A-Za-z_][A-Za-z0-9_]*)")
DELIMITERS = re.compile(r"[,'\";=()\[\]{}?@&<>/:\s]+")
TOKEN = re.compile(
    r'\s*(\(|\)|"[^"]*"|message\.\w+\s*(?:>=|<=|>|<|:)\s*(?:"[^"]*"|[^\s()]+)|[^\s()]+)'
)


def template() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "template.yml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def resources(kind: str) -> dict[str, dict[str, Any]]:
    """The template's resources of one ROS type, by logical name."""
    found = template()["Resources"].items()
    return {name: r for name, r in found if r.get("Type") == kind}


def alert_queries() -> dict[str, str]:
    """Each ``ALIYUN::SLS::Alert``'s query (one query per alert), by resource name."""
    found = {}
    for name, alert in resources("ALIYUN::SLS::Alert").items():
        (query,) = alert["Properties"]["Detail"]["Configuration"]["QueryList"]
        found[name] = str(query["Query"])
    return found


def chart_queries() -> dict[str, str]:
    """Each dashboard chart's query, by ``dashboard/chart title``."""
    found = {}
    for name, board in resources("ALIYUN::SLS::Dashboard").items():
        for chart in board["Properties"]["Charts"]:
            found[f"{name}/{chart['title']}"] = str(chart["search"]["query"])
    return found


def saved_searches() -> dict[str, str]:
    """Each saved search's query, by resource name."""
    found = resources("ALIYUN::SLS::Savedsearch").items()
    return {name: str(r["Properties"]["Detail"]["SearchQuery"]) for name, r in found}


def doc_queries() -> dict[str, str]:
    """Every line of a fenced block in docs/operations.md that names a ``message.`` field."""
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    found = {}
    for number, block in enumerate(re.findall(r"```[a-z]*\n(.*?)```", text, re.S)):
        for line in block.splitlines():
            if FIELD.search(line) and not line.lstrip().startswith("#"):
                found[f"docs block {number}: {line.strip()}"] = line
    return found


def every_query() -> dict[str, str]:
    """Every query the project ships, by where it is."""
    return alert_queries() | chart_queries() | saved_searches() | doc_queries()


def fields(query: str) -> set[str]:
    """The log fields a query names (``message.<field>``), search and SQL parts alike."""
    return set(FIELD.findall(query))


def matches(query: str, line: Mapping[str, Any]) -> bool:
    """Whether the search part of ``query`` (before ``|``) selects this log line."""
    search = query.split("|", 1)[0].strip()
    if search in {"", "*"}:
        return True
    tokens = list(_tokens(search))
    value, rest = _or(tokens, line)
    assert not rest, f"cannot read {rest!r} in {query!r}"
    return value


def _tokens(search: str) -> Iterator[str]:
    position = 0
    while position < len(search):
        found = TOKEN.match(search, position)
        assert found, f"cannot read {search[position:]!r}"
        position = found.end()
        yield found.group(1)


def _or(tokens: list[str], line: Mapping[str, Any]) -> tuple[bool, list[str]]:
    value, tokens = _and(tokens, line)
    while tokens and tokens[0].lower() == "or":
        other, tokens = _and(tokens[1:], line)
        value = value or other
    return value, tokens


def _and(tokens: list[str], line: Mapping[str, Any]) -> tuple[bool, list[str]]:
    value, tokens = _not(tokens, line)
    while tokens and tokens[0].lower() not in {"or", ")"}:
        if tokens[0].lower() == "and":
            tokens = tokens[1:]
        other, tokens = _not(tokens, line)
        value = value and other
    return value, tokens


def _not(tokens: list[str], line: Mapping[str, Any]) -> tuple[bool, list[str]]:
    if tokens[0].lower() == "not":
        value, rest = _not(tokens[1:], line)
        return not value, rest
    if tokens[0] == "(":
        value, rest = _or(tokens[1:], line)
        assert rest[:1] == [")"], "unbalanced parentheses"
        return value, rest[1:]
    return _term(tokens[0], line), tokens[1:]


def _term(token: str, line: Mapping[str, Any]) -> bool:
    found = re.fullmatch(r"message\.(\w+)\s*(>=|<=|>|<|:)\s*(.+)", token)
    if found is None:  # full text: a phrase or a word anywhere in the line
        words = token.strip('"').lower()
        return words in " ".join(str(v) for v in line.values()).lower()
    key, operator, wanted = found.groups()
    if key not in line:
        return False
    value = line[key]
    if operator != ":":
        number = float(value)
        limit = float(wanted)
        return {">": number > limit, ">=": number >= limit}.get(
            operator, number < limit if operator == "<" else number <= limit
        )
    return _text_match(str(value).lower(), wanted.strip('"').lower())


def _text_match(value: str, wanted: str) -> bool:
    if wanted.endswith("*"):
        return any(t.startswith(wanted[:-1]) for t in DELIMITERS.split(value))
    return value == wanted or wanted in DELIMITERS.split(value)
