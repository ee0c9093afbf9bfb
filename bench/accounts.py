"""Figure 9: a timer run across several accounts, calls per account, beside the same
targets and hosts in one account (counted by localcloud, over loopback).

Scenario: 600 hosts and 3 Redis targets (200 hosts each, one Redis each). Single account:
everything in the function's own account. Several accounts: the function's account keeps
target 0 and its hosts; accounts B and C each hold one Redis instance and its 200 hosts,
reached through their member roles (STS AssumeRole). Runs: the first reconcile (groups
created), then the same reconcile converged (the roles' sessions are kept: no AssumeRole).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import requests
from _cloud import ACCESS_KEY_ID, ACCESS_KEY_SECRET, timer_event, wire_host
from _common import REGION, Figure, log
from _scenario import redis_id, target_dicts

from localcloud import DEFAULT_ACCOUNT_ID
from localcloud.builders import make_redis_instance, make_role, make_seed
from localcloud.testing import run_server

HOSTS, TARGETS = 600, 3
MEMBERS = {"app_b": "2222222222222222", "app_c": "3333333333333333"}
ROLE = "whitelist-sync-member"


def split_seed() -> dict[str, Any]:
    """Target k's hosts and Redis in account k (0: the function's own)."""
    uids = [DEFAULT_ACCOUNT_ID, *MEMBERS.values()]
    hosts = {uid: [wire_host(i, (k,)) for i in range(HOSTS) if (k := i % TARGETS) == n]
             for n, uid in enumerate(uids)}  # fmt: skip
    state = make_seed(hosts[uids[0]], [make_redis_instance(redis_id(0))], region=REGION)
    state["credentials"] = [{"AccessKeyId": ACCESS_KEY_ID, "AccessKeySecret": ACCESS_KEY_SECRET}]
    state["accounts"] = {
        uid: {
            "ecs": {REGION: hosts[uid]},
            "kvstore": {REGION: [make_redis_instance(redis_id(n))]},
            "roles": [make_role(uid, ROLE, [f"acs:ram::{DEFAULT_ACCOUNT_ID}:root"])],
        }
        for n, uid in enumerate(uids[1:], start=1)
    }
    return state


def one_account_seed() -> dict[str, Any]:
    hosts = [wire_host(i, (i % TARGETS,)) for i in range(HOSTS)]
    state = make_seed(
        hosts, [make_redis_instance(redis_id(n)) for n in range(TARGETS)], region=REGION
    )
    state["credentials"] = [{"AccessKeyId": ACCESS_KEY_ID, "AccessKeySecret": ACCESS_KEY_SECRET}]
    return state


def split_config() -> dict[str, Any]:
    targets = target_dicts(TARGETS, TARGETS)
    for target, name in zip(targets[1:], MEMBERS, strict=True):
        target["account"] = name
    accounts = {n: {"role_arn": f"acs:ram::{uid}:role/{ROLE}"} for n, uid in MEMBERS.items()}
    return {"version": 1, "region": REGION, "accounts": accounts, "targets": targets}


def calls_by_account(url: str, accounts: Mapping[str, str | None]) -> dict[str, dict[str, int]]:
    """Each account's call counts (None: a seed of one account, every call), then reset."""
    found = {}
    for label, uid in accounts.items():
        params = {"account": uid} if uid else {}
        answer = requests.get(f"{url}/_localcloud/calls", params=params, timeout=60)
        answer.raise_for_status()
        found[label] = dict(answer.json()["counts"])
    requests.post(f"{url}/_localcloud/reset-calls", timeout=30).raise_for_status()
    return found


def two_runs(
    state: dict[str, Any], config: dict[str, Any], accounts: Mapping[str, str | None]
) -> list[dict[str, dict[str, int]]]:
    import handler
    from whitelist_core.aliyun.roles import SESSIONS

    SESSIONS.clear()
    with (
        tempfile.TemporaryDirectory(prefix="bench-") as tmp,
        run_server(state, host="127.0.0.1") as url,
    ):
        path = Path(tmp) / "accounts.json"
        path.write_text(json.dumps(config), encoding="utf-8")
        os.environ.update(
            WHITELIST_ENDPOINT=url, WHITELIST_ECS_ENDPOINT=url, WHITELIST_KVSTORE_ENDPOINT=url,
            ALIBABA_CLOUD_ACCESS_KEY_ID=ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET=ACCESS_KEY_SECRET,
            FC_ACCOUNT_ID=DEFAULT_ACCOUNT_ID, WHITELIST_CONFIG=str(path),
            WHITELIST_TIMEOUT_SECONDS="600", LOG_LEVEL="ERROR",
        )  # fmt: skip
        runs = []
        for expected in ("applied", "noop"):
            result = handler.handler(timer_event(), None)
            assert result["status"] == expected, result
            runs.append(calls_by_account(url, accounts))
    return runs


def total(counts: Mapping[str, int]) -> int:
    return sum(counts.values())


def run() -> list[Figure]:
    alone = {"version": 1, "region": REGION, "targets": target_dicts(TARGETS, TARGETS)}
    single = two_runs(one_account_seed(), alone, {"own": None})
    split = two_runs(split_seed(), split_config(), {"own": DEFAULT_ACCOUNT_ID, **MEMBERS})
    log(f"accounts: single {single}, split {split}")
    figures = []
    for name, index in (("first", 0), ("converged", 1)):
        one, several = single[index]["own"], split[index]
        assumed = several["own"].get("AssumeRole", 0)
        ours = sum(total(c) for c in several.values())
        figures.append(
            Figure(
                f"timer run ({name}), 3 targets: 1 per account (own, B, C) vs all in one",
                ours,
                "calls",
                total(one),
                note=f"own {total(several['own']) - assumed} + AssumeRole {assumed}, "
                f"B {total(several['app_b'])}, C {total(several['app_c'])}",
            )
        )
    return figures
