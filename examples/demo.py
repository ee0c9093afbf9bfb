"""`make demo`: the function's story, told against localcloud on 127.0.0.1.

Starts ``python -m localcloud`` with examples/seed.json, points the function at it, and
walks through what an operator cares about: the configuration's selectors and whom they
select, a dry-run webhook, a refused unsigned call, the timer applying, a new host's event
(twice), a lost event repaired, a removal limit holding entries back (and how that is
reported), and at the end every product's group. localcloud is stopped whatever happens.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from localcloud.builders import make_instance  # noqa: E402
from localcloud.events import ecs_state_change, encode, http_event, timer_event  # noqa: E402
from localcloud.testing import run_server  # noqa: E402
from whitelist_core.aliyun.ecs.instances import instance_from_wire  # noqa: E402
from whitelist_core.config import Config, load_config  # noqa: E402
from whitelist_core.core.selection import is_eligible  # noqa: E402
from whitelist_core.entrypoints.cli import main as cli  # noqa: E402

SECRET = "demo-webhook-secret"
ORDERS = ("orders-cache", "orders-db", "orders-cluster")
REGION = "cn-hangzhou"
CONFIG = ROOT / "examples" / "whitelist.yml"
# Where each product keeps its groups in localcloud's state: instances, id, groups, name,
# attribute and entries fields.
PRODUCTS = {
    "kvstore": ("InstanceId", "SecurityIpGroups", "SecurityIpGroupName", "SecurityIpGroupAttribute", "SecurityIpList"),
    "rds": ("DBInstanceId", "DBInstanceIPArray", "DBInstanceIPArrayName", "DBInstanceIPArrayAttribute", "SecurityIPList"),
    "polardb": ("DBClusterId", "DBClusterIPArray", "DBClusterIPArrayName", "DBClusterIPArrayAttribute", "SecurityIps"),
    "mongodb": ("DBInstanceId", "SecurityIpGroups", "SecurityIpGroupName", "SecurityIpGroupAttribute", "SecurityIpList"),
}  # fmt: skip


def main() -> int:
    with run_server(ROOT / "examples" / "seed.json") as url:
        print(
            f"localcloud serves ECS, R-KVStore, RDS, PolarDB and MongoDB on {url} (loopback only)"
        )
        _environment(url)
        return Demo(url).run()


def _environment(url: str) -> None:
    os.environ.update(
        WHITELIST_ENDPOINT=url,  # every API at once
        ALIBABA_CLOUD_ACCESS_KEY_ID="localcloud-id",
        ALIBABA_CLOUD_ACCESS_KEY_SECRET="localcloud-secret",
        WHITELIST_CONFIG=str(CONFIG),
        WHITELIST_WEBHOOK_SECRET=SECRET,
        LOG_LEVEL=os.environ.get("LOG_LEVEL", "WARNING"),  # INFO shows the JSON log lines
    )


class Demo:
    def __init__(self, url: str) -> None:
        self.url = url
        from whitelist_core.entrypoints.function import handler
        from whitelist_core.entrypoints.report import render_summary
        from whitelist_core.entrypoints.webhook import sign

        self.handler, self.render, self.sign = handler, render_summary, sign
        self.config: Config = load_config(CONFIG)

    def run(self) -> int:
        before = self.groups()
        step(f"The configuration ({CONFIG.relative_to(ROOT)}): five targets, four products")
        self.show_selectors()
        step(
            "The whitelists as they are (ecs_orders on Redis holds a stale 10.0.9.99; "
            "RDS and PolarDB have no group of ours yet; MongoDB's holds the stopped orders-web-3; "
            "someone pasted a public address into a 'console' group of r-demobilling1)"
        )
        self.show_groups(legend=True)

        step("A signed webhook asks for a dry-run plan of every target")
        answer = self.webhook("POST", "/reconcile", {"dry_run": True})
        print(f"HTTP {answer['statusCode']}")
        print(indent(self.render(json.loads(answer["body"]))))
        print(f"  whitelists unchanged by the dry run: {tick(self.groups() == before)}")

        step("An unsigned webhook is refused, and nothing is read or written")
        self.reset_calls()
        answer = self.webhook("POST", "/reconcile", {}, signed=False)
        print(f"HTTP {answer['statusCode']}: {json.loads(answer['body'])['message']}")
        print(f"  cloud calls made: {sum(self.calls().values())}")

        step("The timer runs: the plan is applied")
        applied = self.timer()
        self.show(applied)

        step("The audit: every group the run read is judged, owned or not (no extra call)")
        print(f"  the timer's result counts findings by severity: {applied['findings']}")
        print("  python -m whitelist_core audit --all-instances  says which, and what to do:")
        self.reset_calls()
        code = self.audit("--all-instances")
        writes = {a: n for a, n in self.calls().items() if not a.startswith("Describe")}
        print(f"  exit code {code} (2: a finding at or above audit.min_severity); writes: {writes}")

        step("A new ECS host orders-web-4 (10.0.1.14) starts; its Running event arrives")
        self.put_host("i-bp1demo00000000006", "orders-web-4", "10.0.1.14")
        self.reset_calls()
        self.show(self.handler(running_event("i-bp1demo00000000006"), None))
        print(f"  API calls for that event: {self.calls()}")

        step("EventBridge delivers the same event again: nothing is written")
        self.reset_calls()
        self.show(self.handler(running_event("i-bp1demo00000000006"), None))
        print(f"  API calls: {self.calls()}")

        step("Host orders-web-2 (10.0.1.12) is released; its event is lost")
        self.delete_host("i-bp1demo00000000002")
        print("  (events are hints: the scheduled reconcile repairs anything missed)")

        step("The next timer run removes its IP")
        self.show(self.timer())

        step(
            "orders-web-1 and orders-web-4 vanish from ECS at once (a bad deploy, or a listing gone wrong)"
        )
        self.delete_host("i-bp1demo00000000001")
        self.delete_host("i-bp1demo00000000006")
        policy = self.config.policy
        print(
            f"  policy: max_removals {policy.max_removals}, max_removal_percent "
            f"{policy.max_removal_percent}: removing 2 of a group's 3 entries is 67%, over the limit"
        )
        held = self.timer()
        self.show(held)
        reasons = sorted({r for t in held["targets"] for r in t.get("blocked", [])})
        print(
            "  held back, not removed: '=' rows, the 'held back' count, and in each target's blocked:"
        )
        print("\n".join(f"    {reason}" for reason in reasons))
        print("  the CLI says the same, and `plan` exits 2 while removals are held back:")
        with contextlib.redirect_stdout(io.StringIO()) as table:
            code = cli(["plan", "--config", str(CONFIG)])
        print(
            f"    $ python -m whitelist_core plan --config {CONFIG.relative_to(ROOT)}   # exit {code}"
        )
        print(f"    {table.getvalue().strip().splitlines()[-1]}")
        print(
            "  (a removal the limit held back waits for a person: put the hosts back, or lift the\n"
            "   limit for one run, docs/operations.md#lifting-a-guard-deliberately)"
        )

        step("The whitelists after the story")
        self.show_groups()
        foreign = all(
            self.groups()[(r, g)] == before[(r, g)]
            for r, g in before
            if g in {"default", "ali_dms_group", "rds_replica_group", "console"}
        )
        print(
            "\n  default, ali_dms_group, console and the hidden rds_replica_group untouched: "
            f"{tick(foreign)}"
        )
        after = self.groups()
        same = {after[(t.instance_id, t.group)][1] for t in self.config.targets if t.name in ORDERS}
        print(
            f"  Redis, RDS and PolarDB hold the same orders hosts (one selector): {tick(len(same) == 1)}"
        )
        return 0

    def show_selectors(self) -> None:
        """Each target: its product, instance and group, its selector, and whom it selects."""
        state = requests.get(f"{self.url}/_localcloud/state", timeout=5).json()
        hosts = [instance_from_wire(item, REGION) for item in state["ecs"][REGION]]
        for target in self.config.targets:
            fields = target.selector.model_dump(exclude_none=True)
            if len(target.statuses) < 5:
                fields["statuses"] = list(target.statuses)
            chosen = [h.name for h in hosts if h is not None and is_eligible(target, h)]
            print(
                f"  {target.name:<15} {target.product:<8} {target.instance_id:<18} group {target.group}"
            )
            print(f"    selector: {json.dumps(fields)}")
            print(f"    selects:  {', '.join(chosen) or '(none)'}")

    # -- the function ----------------------------------------------------------------------

    def timer(self) -> dict[str, Any]:
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ")
        return self.handler(encode(timer_event("demo", now)), None)

    def webhook(
        self, method: str, path: str, body: dict[str, Any], signed: bool = True
    ) -> dict[str, Any]:
        raw = json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if signed:
            headers |= self.sign(raw, SECRET, int(time.time()))
        event = http_event(method, path, raw, headers, request_id="demo-request")
        return self.handler(encode(event), None)

    def audit(self, *args: str) -> int:
        """``python -m whitelist_core audit`` in this process, its table indented."""
        from whitelist_core.entrypoints.cli import main as cli

        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = cli(["audit", *args])
        print(indent(out.getvalue()))
        return code

    def show(self, summary: dict[str, Any]) -> None:
        print(indent(self.render(summary)))

    # -- localcloud admin --------------------------------------------------------------

    def groups(self) -> dict[tuple[str, str], tuple[str, str]]:
        """(instance, group) -> (attribute, list), every product alike."""
        state = requests.get(f"{self.url}/_localcloud/state", timeout=5).json()
        return {
            (instance[id_field], group[name]): (group[attribute], group[entries])
            for product, (id_field, listed, name, attribute, entries) in PRODUCTS.items()
            for instance in state.get(product, {}).get(REGION, [])
            for group in instance[listed]
        }

    def show_groups(self, legend: bool = False) -> None:
        for (redis, group), (attribute, entries) in sorted(self.groups().items()):
            hidden = " (hidden)" if attribute == "hidden" else ""
            print(f"  {redis:<18} {group + hidden:<28} {entries}")
        if legend:
            print(
                "  (hidden) = SecurityIpGroupAttribute=hidden, a group the console does not show.\n"
                "  rds_replica_group is a service's own (DMS/DTS create such groups): never written.\n"
                "  ecs_billing, once it exists, is hidden because its target says hidden: true."
            )

    def calls(self) -> dict[str, int]:
        return dict(requests.get(f"{self.url}/_localcloud/calls", timeout=5).json()["counts"])

    def reset_calls(self) -> None:
        requests.post(f"{self.url}/_localcloud/reset-calls", timeout=5).raise_for_status()

    def put_host(self, instance_id: str, name: str, ip: str) -> None:
        host = make_instance(
            instance_id,
            ip,
            vpc_id="vpc-demo01",
            tags={"app": "orders"},
            name=name,
            region_id=REGION,
        )
        self._ecs({"region": REGION, "put": [host]})

    def delete_host(self, instance_id: str) -> None:
        self._ecs({"region": REGION, "delete": [instance_id]})

    def _ecs(self, body: dict[str, Any]) -> None:
        requests.post(f"{self.url}/_localcloud/ecs", json=body, timeout=5).raise_for_status()


def running_event(instance_id: str) -> bytes:
    return encode(ecs_state_change(instance_id, "Running", REGION, event_id=f"demo-{instance_id}"))


def step(title: str) -> None:
    print(f"\n=== {title}")


def indent(text: str) -> str:
    return "\n".join(f"  {line}" for line in text.splitlines())


def tick(ok: bool) -> str:
    return "yes" if ok else "NO (unexpected)"


if __name__ == "__main__":
    sys.exit(main())
