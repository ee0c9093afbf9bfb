"""``plan --out`` and ``apply PLANFILE``: save a reviewed plan, and apply exactly it.

Applying checks everything before writing anything: the file is as it was saved (its
seal), the configuration is the one the plan was made with, every step is one a live run
could have made (``plancheck``: the owned instance and groups, the policy), every group the plan touches still holds what the plan was made from,
and no address the plan removes is held again by an eligible instance (addresses are
reused). Any of these failing refuses the whole plan (``PlanFileError``, exit 1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from whitelist_core import __version__
from whitelist_core.config import Config, Target
from whitelist_core.core.entries import PLACEHOLDER
from whitelist_core.core.planner import TargetPlan
from whitelist_core.core.selection import instance_entries, is_eligible
from whitelist_core.entrypoints.app import Invocation
from whitelist_core.entrypoints.plancheck import refusals
from whitelist_core.entrypoints.planfile import PlanFileError, config_digest, decode, drift, encode
from whitelist_core.entrypoints.wiring import cloud_clients
from whitelist_core.outcome import RunResult, TargetResult
from whitelist_core.service.execution import audit
from whitelist_core.service.reconcile import Reconciler
from whitelist_core.summary import Summary


def write_plan(path: Path, summary: Summary, config: Config) -> None:
    """Save the plans of a dry-run summary, with the configuration's digest."""
    plans = [r.plan for r in summary.run.results] if summary.run else []
    path.write_text(encode(plans, config_digest(config), __version__), encoding="utf-8")


def apply_saved(path: Path, environ: Mapping[str, str], base_dir: Path) -> Summary:
    """Apply the plan saved at ``path`` exactly, or refuse before any write."""
    saved = decode(path.read_text(encoding="utf-8"), str(path))
    invocation = Invocation(environ, cloud_clients(None, environ, interactive=True), base_dir)
    config = invocation.config()
    if saved.config_digest != config_digest(config):
        raise PlanFileError(
            f"the configuration differs from the one {path} was made with: make a new plan"
        )
    inventory, store = invocation.ports()
    reconciler = Reconciler(
        config, inventory, store, audit=audit, accounts=invocation.account_ports
    )
    every = [(_target(config, p), p) for p in saved.plans]
    problems = [why for t, p in every for why in refusals(p, t, config)]
    if problems:
        lines = "\n".join(f"  - {p}" for p in problems)
        raise PlanFileError(f"{path} is refused, nothing was written:\n{lines}")
    touched = [(t, p) for t, p in every if p.changed]
    problems = [why for t, p in touched for why in drift(p, reconciler.read_groups(t))]
    problems += _held_again(reconciler, touched)
    if problems:
        lines = "\n".join(f"  - {p}" for p in problems)
        raise PlanFileError(f"{path} is stale, nothing was written:\n{lines}\nmake a new plan")
    dry_run = invocation.dry_run(config, None)
    results = [
        TargetResult(p, "planned") if dry_run else reconciler.execute(t, p) for t, p in touched
    ]
    results += [TargetResult(p, "noop") for p in saved.plans if not p.changed]
    return Summary.of_run(RunResult(tuple(results), dry_run), "cli")


def _target(config: Config, plan: TargetPlan) -> Target:
    target = config.target_named(plan.target)
    if target is None:  # the digest matched, so this is a hand-edited file
        raise PlanFileError(f"the plan names a target the configuration lacks: {plan.target}")
    return target


def _held_again(reconciler: Reconciler, touched: Sequence[tuple[Target, TargetPlan]]) -> list[str]:
    """Addresses the plan removes that an eligible instance holds now."""
    problems = []
    for target, plan in touched:
        ips = sorted({c.entry for c in plan.remove if "/" not in c.entry} - {PLACEHOLDER})
        if not ips:
            continue
        inventory = reconciler.reads.inventory(reconciler.config.hosts_account_of(target))
        for holder in inventory.find_by_private_ips(plan.region, ips):
            if not is_eligible(target, holder):
                continue
            for ip in sorted(set(instance_entries(holder, target.secondary_ips)) & set(ips)):
                problems.append(
                    f"{plan.target}: {ip} is held by {holder.instance_id} again; the plan "
                    "would remove it"
                )
    return problems
