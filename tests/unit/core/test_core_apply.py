"""apply_plan (through Reconciler.execute) when the second write fails: the result and
the audit line name exactly what was applied (the additions), never the removals that
were refused."""

from __future__ import annotations

from collections.abc import Sequence

from whitelist_core.config import validate_config
from whitelist_core.core.planner import TargetPlan
from whitelist_core.errors import PermanentCloudError
from whitelist_core.ports import Group, Instance, InstanceQuery
from whitelist_core.service.reconcile import Reconciler

REGION = "cn-hangzhou"


class OneRegion:
    """An in-memory inventory: the port's contract over a fixed list."""

    def __init__(self, instances: list[Instance]) -> None:
        self.instances = instances

    def list_instances(self, region: str, query: InstanceQuery | None = None) -> list[Instance]:
        return list(self.instances)

    def get_instances(self, region: str, instance_ids: Sequence[str]) -> list[Instance]:
        return [i for i in self.instances if i.instance_id in instance_ids]

    def find_by_private_ips(self, region: str, ips: Sequence[str], **_: object) -> list[Instance]:
        return [i for i in self.instances if set(i.private_ips) & set(ips)]


class RefusingDeletes:
    """A whitelist store whose Append works and whose Delete is refused."""

    def __init__(self, entries: tuple[str, ...]) -> None:
        self.entries = list(entries)

    def read_groups(self, region: str, instance_id: str) -> list[Group]:
        return [Group("ecs_orders", "", tuple(self.entries))]

    def append(
        self, region: str, instance_id: str, group: str, entries: Sequence[str], attribute: str
    ) -> None:
        self.entries.extend(entries)

    def delete(
        self, region: str, instance_id: str, group: str, entries: Sequence[str], attribute: str
    ) -> None:
        raise PermanentCloudError(
            "ModifySecurityIps", "Forbidden.RAM", "refused", request_id="RID-9"
        )

    def cover(
        self, region: str, instance_id: str, group: str, entries: Sequence[str], attribute: str
    ) -> None:
        raise AssertionError("cover is never used by reconcile")


def test_a_refused_delete_after_a_successful_append_reports_only_the_append() -> None:
    config = validate_config(
        {
            "version": 1,
            "region": REGION,
            "targets": [
                {
                    "name": "orders",
                    "instance_id": "r-bp1orders000001",
                    "group": "ecs_orders",
                    "selector": {"vpc_id": "vpc-1"},
                }
            ],
            "policy": {"max_removal_percent": 100},
        }
    )
    new = Instance(
        "i-bp1new000000001", REGION, name="web-9", vpc_id="vpc-1", private_ips=("10.0.0.9",)
    )
    store = RefusingDeletes(("10.0.0.1",))
    audited: list[TargetPlan] = []
    reconciler = Reconciler(config, OneRegion([new]), store, audit=audited.append)

    (result,) = reconciler.reconcile(config.targets, dry_run=False).results

    assert result.status == "error"
    assert result.error is not None
    assert result.error.request_id == "RID-9"
    assert [c.entry for c in result.plan.add] == ["10.0.0.9"]
    assert result.plan.remove == ()
    assert store.entries == ["10.0.0.1", "10.0.0.9"]
    assert [([c.entry for c in p.add], p.remove) for p in audited] == [(["10.0.0.9"], ())]
