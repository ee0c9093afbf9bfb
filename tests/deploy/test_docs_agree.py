"""The documents agree with each other and with the code: a figure that several documents
repeat has one source, here named, and every mention is checked against it (issue 28
item 7). A new mention in a new wording is caught when it uses the phrasings below."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from whitelist_core.aliyun.transport.retry import Backoff
from whitelist_core.entrypoints.app import Invocation
from whitelist_core.products import PRODUCTS, spec_of
from whitelist_core.products.spec import ENTRIES_LIMIT

ROOT = Path(__file__).resolve().parents[2]
DOCS = sorted([ROOT / "README.md", ROOT / "CONTRIBUTING.md", *(ROOT / "docs").glob("*.md")])
TITLES = {"Redis": "redis", "RDS": "rds", "PolarDB": "polardb", "MongoDB": "mongodb"}


def mentions(pattern: str) -> Iterator[tuple[str, str, re.Match[str]]]:
    """Every match of ``pattern`` in the documents, with where it is."""
    for path in DOCS:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for found in re.finditer(pattern, line):
                yield f"{path.relative_to(ROOT)}:{number}", line, found


def test_the_fc_runtime_is_the_templates_everywhere() -> None:
    template = (ROOT / "template.yml").read_text(encoding="utf-8")
    (runtime,) = set(re.findall(r"Runtime: (python3\.\d+)", template))
    wrong = [
        where
        for where, line, found in mentions(r"python ?3\.\d+")
        if found.group(0).replace(" ", "") != runtime
        and not re.search(r"\bno `?$", line[: found.start()])  # "had no python3.12"
    ]
    assert wrong == [], f"the FC runtime is {runtime} (template.yml)"


def test_group_limits_are_each_products_own() -> None:
    wrong = []
    for where, _, found in mentions(
        r"\b(RDS|PolarDB)\b(?: (?:documents|says))?[^|\n]{0,40}?\b(\d+)\b( groups)?"
    ):
        limit = spec_of(TITLES[found.group(1)]).capacity.groups
        if (found.group(3) or "documents" in found.group(0) or "says" in found.group(0)) and int(
            found.group(2)
        ) != limit:
            wrong.append(f"{where}: {found.group(0)!r} (the spec says {limit})")
    assert wrong == []


def _table_rows() -> Iterator[tuple[str, list[str], list[str]]]:
    """``(where, header cells, row cells)`` of every table row that counts groups."""
    for path in DOCS:
        header: list[str] = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.startswith("|"):
                header = []
            elif not header:
                header = [c.strip() for c in line.strip("|").split("|")]
            elif re.search(r"\d+ groups", line):
                yield (
                    f"{path.relative_to(ROOT)}:{number}",
                    header,
                    [c.strip() for c in line.strip("|").split("|")],
                )


def test_group_limits_in_tables_by_product_column() -> None:
    wrong = []
    for where, header, cells in _table_rows():
        for title, cell in zip(header, cells, strict=False):
            product = next((p for t, p in TITLES.items() if t in title), None)
            found = re.search(r"(\d+) groups", cell)
            if product is None or found is None or "guess" in cell:
                continue
            limit = spec_of(product).capacity.groups
            if int(found.group(1)) != limit:
                wrong.append(f"{where} ({title}): {found.group(0)} (the spec says {limit})")
    assert wrong == []
    assert any(True for _ in _table_rows()), "products.md's table of group limits is gone"


@pytest.mark.parametrize(
    ("pattern", "source", "value"),
    [
        (r"up to (\d+)(?: attempts|\))", "Backoff().max_attempts", Backoff().max_attempts),
        (r"(?<![\d,])(\d+)[- ]entr(?:y|ies)(?: cap| limit| per)", "ENTRIES_LIMIT", ENTRIES_LIMIT),
        (
            r"WHITELIST_TIMEOUT_SECONDS`?(?:, default | \| `)(\d+)",
            "Invocation.budget()",
            int(Invocation({}, lambda d: (None, None), ROOT).budget()),  # type: ignore[arg-type,return-value]
        ),
    ],
    ids=["retries", "entries", "timeout"],
)
def test_repeated_figures_have_one_source(pattern: str, source: str, value: int) -> None:
    found = list(mentions(pattern))
    wrong = [f"{where}: {m.group(0)!r}" for where, _, m in found if int(m.group(1)) != value]
    assert found, f"no mention of {source} left: is the pattern out of date?"
    assert wrong == [], f"{source} is {value}"


def test_cloud_call_lines_are_documented_for_every_product() -> None:
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    section = text.split("### `cloud_call`", 1)[1].split("\n### ", 1)[0]
    rows = {r.split("|")[1].strip(): r for r in section.splitlines() if r.startswith("| `")}
    product_row, action_row = rows["`product`, `region`"], rows["`action`"]
    services = ["ecs", "ess", *(spec_of(p).ram.service for p in PRODUCTS)]
    assert [s for s in services if f"`{s}`" not in product_row] == []
    actions = {"DescribeInstances", "CompleteLifecycleAction"}
    actions |= {spec_of(p).read.action for p in PRODUCTS} | {
        spec_of(p).write.action for p in PRODUCTS
    }
    assert sorted(a for a in actions if f"`{a}`" not in action_row) == []


def test_every_dry_run_recommendation_is_the_same_switch() -> None:
    said = [
        (str(path.relative_to(ROOT)), paragraph)
        for path in DOCS
        for paragraph in re.split(r"\n\s*\n", path.read_text(encoding="utf-8"))
        if re.search(r"(?i)(?:start|deploy) with[^.]*dry|first deployment|recommended", paragraph)
        and re.search(r"(?i)dry", paragraph)
    ]
    assert said, "the recommended dry-run switch is documented"
    wrong = [
        where for where, line in said if "DryRun" not in line and "WHITELIST_DRY_RUN" not in line
    ]
    assert wrong == []
