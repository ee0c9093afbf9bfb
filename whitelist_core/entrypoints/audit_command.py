"""``audit``: who can reach the databases. Every group of the configured targets'
instances (with ``--all-instances``, of every Redis, RDS, PolarDB and MongoDB instance the
products' list APIs find in the regions), judged by the audit rules, as a table or JSON.

Read-only, with the user's own credentials. Exit 0 when no finding is at or above the
severity, 2 when some are, 1 on error (a listing or a read that failed: what could be
read is still reported).
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from whitelist_core.config import REGION_ID, Config, load_config
from whitelist_core.core.findings import SEVERITIES, Finding, Severity
from whitelist_core.service.audit_run import AuditRun, audit_databases, configured, discover
from whitelist_core.service.auditing import tell_findings

EXIT_OK, EXIT_ERROR, EXIT_FINDINGS = 0, 1, 2
HELP = "find whitelist entries that open the databases too far (read-only)"


def add_options(sub: argparse.ArgumentParser) -> None:
    """The ``audit`` subcommand's own options."""
    sub.add_argument(
        "--all-instances", action="store_true",
        help="also every Redis, RDS, PolarDB and MongoDB instance in the regions",
    )  # fmt: skip
    sub.add_argument("--regions", help="comma-separated regions (default: the configured ones)")
    sub.add_argument("--json", action="store_true", help="print JSON instead of a table")
    sub.add_argument(
        "--min-severity", choices=SEVERITIES, metavar="S",
        help=f"report findings of S or graver, one of {', '.join(SEVERITIES)} "
        "(default: audit.min_severity, else medium)",
    )  # fmt: skip


def run_audit(args: argparse.Namespace, config_file: Path, environ: Mapping[str, str]) -> int:
    """Carry out ``audit`` as parsed; print the result; return the exit code."""
    config = load_config(config_file)
    floor: Severity = args.min_severity or config.audit.min_severity
    audit = config.audit.model_copy(update={"enabled": True, "min_severity": floor})
    config = config.model_copy(update={"audit": audit})
    regions = _regions(args, config)
    done = _audit(config, regions, args.all_instances, environ)
    tell_findings(done.report)  # the lines on stderr; the table (or JSON) on stdout
    print(json.dumps(as_json(done, floor), indent=2) if args.json else render(done, floor))
    if done.failures:
        return EXIT_ERROR
    return EXIT_FINDINGS if done.report.findings else EXIT_OK


def _regions(args: argparse.Namespace, config: Config) -> list[str]:
    if args.regions is None:
        return list(dict.fromkeys([config.region, *(config.region_of(t) for t in config.targets)]))
    regions = [r.strip() for r in args.regions.split(",")]
    bad = [r for r in regions if not re.fullmatch(REGION_ID, r)]
    if not regions or bad:
        shown = ", ".join(repr(r) for r in bad) or "none"
        args.subparser.error(f"--regions needs region ids separated by commas (not {shown})")
    return list(dict.fromkeys(regions))


def _audit(
    config: Config, regions: Sequence[str], everything: bool, environ: Mapping[str, str]
) -> AuditRun:
    from whitelist_core.entrypoints.wiring import cloud_catalog, cloud_clients
    from whitelist_core.products import PRODUCTS

    deadline = time.monotonic() + float(environ.get("WHITELIST_TIMEOUT_SECONDS", "") or 300)
    inventory, stores = cloud_clients(None, environ)(deadline)
    databases = configured(config, regions)
    failures: list[str] = []
    if everything:
        found, failures = discover(cloud_catalog(environ)(deadline), list(PRODUCTS), regions)
        databases += found
    done = audit_databases(config, inventory, stores, databases)
    return AuditRun(done.databases, done.report, (*failures, *done.failures))


def as_json(done: AuditRun, floor: Severity) -> dict[str, object]:
    """The audit as a JSON document: every finding with its fields, and the counts."""
    return {
        "min_severity": floor,
        "databases": [{"product": p, "region": r, "instance_id": i} for p, r, i in done.databases],
        "findings": [f.fields() for f in done.report.findings],
        "counts": done.report.counts(),
        "excluded": dict(done.report.excluded),
        "failures": list(done.failures),
    }


def render(done: AuditRun, floor: Severity) -> str:
    """The audit as a table a person reads, with what to do under each finding."""
    rows: list[tuple[str, ...]] = [
        ("SEVERITY", "KIND", "PRODUCT", "INSTANCE", "GROUP", "ENTRY", "REASON")
    ]
    rows += [_row(f) for f in done.report.findings]
    widths = [max(len(r[c]) for r in rows) for c in range(6)]
    lines = []
    for index, row in enumerate(rows):
        cells = [v.ljust(w) + "  " for v, w in zip(row, widths, strict=False)]
        lines.append("".join(cells) + row[6])
        if index:
            lines.append(
                " " * (sum(widths) + 12) + "fix: " + done.report.findings[index - 1].action
            )
    if not done.report.findings:
        lines = [f"no finding at or above {floor}"]
    return "\n".join([*lines, "", *_footer(done, floor)])


def _row(finding: Finding) -> tuple[str, ...]:
    return (finding.severity, finding.kind, finding.product, finding.instance_id,
            finding.group, finding.entry, finding.reason)  # fmt: skip


def _footer(done: AuditRun, floor: Severity) -> list[str]:
    products = Counter(p for p, _, _ in done.databases)
    regions = sorted({r for _, r, _ in done.databases})
    audited = ", ".join(f"{p} {n}" for p, n in products.items()) or "none"
    counts = ", ".join(f"{s} {n}" for s, n in done.report.counts().items())
    left_out = ", ".join(f"{why} {n}" for why, n in done.report.excluded)
    lines = [
        f"audited {len(done.databases)} instance(s) in {', '.join(regions) or 'no region'}: {audited}",
        f"findings at or above {floor}: {counts}",
        f"left out on purpose: {left_out}",
    ]
    return lines + [f"error: {failure}" for failure in done.failures]
