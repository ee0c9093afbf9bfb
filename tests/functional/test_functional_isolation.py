"""One busy instance or one failing region must not starve the others.

A failure is recorded for its target (or for every target of its region) while every
other target is read and written; then, if retrying can help, the invocation fails
(``TransientCloudError``, so the platform retries it) carrying every target's result,
which its summary log line shows. Every write that landed is audited, also when a later
write of the same plan failed.
"""

from __future__ import annotations

import copy
import functools
import json
from typing import Any

import pytest
from whitelist_testkit import (
    ORDERS_TARGET,
    R_ORDERS,
    R_SESSIONS,
    REGION,
    WEB1_IP,
    WEB2,
    WEB2_IP,
    base_config,
    base_seed,
    entries_of,
    eventbridge_state_change,
    fc_context,
    timer_event,
)

from localcloud.builders import make_group, make_instance, make_redis_instance
from whitelist_core.aliyun import factory
from whitelist_core.aliyun.transport.rpc import RpcClient
from whitelist_core.errors import IncompleteRun, TransientCloudError

SHANGHAI = "cn-shanghai"
R_SHANGHAI = "r-bp1shanghai0001"
SH_IP = "10.2.0.5"
STALE = "10.0.1.99"


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries keep their attempts and deadline but do not sleep."""
    monkeypatch.setattr(factory, "RpcClient", functools.partial(RpcClient, sleep=lambda s: None))


@pytest.fixture
def seed() -> dict[str, Any]:
    """The base seed plus a second region with one host and one Redis instance."""
    data = base_seed()
    data["ecs"][SHANGHAI] = [
        make_instance("i-uf6web0000000001", SH_IP, tags={"app": "orders"}, region_id=SHANGHAI)
    ]
    data["kvstore"][SHANGHAI] = [make_redis_instance(R_SHANGHAI)]
    return data


SHANGHAI_TARGET = {
    "name": "orders-sh",
    "instance_id": R_SHANGHAI,
    "region": SHANGHAI,
    "group": "ecs_orders",
    "selector": {"tags": {"app": "orders"}},
}


def _by_target(summary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["target"]: t for t in summary["targets"]}


def _summary_line(capfd: pytest.CaptureFixture[str]) -> dict[str, Any]:
    lines = [json.loads(line) for line in capfd.readouterr().out.splitlines() if line]
    (summary,) = [line for line in lines if line["event"] == "invocation_summary"]
    return summary


def test_a_busy_instance_does_not_starve_the_targets_after_it(
    configured: Any, invoke: Any, no_backoff: None, capfd: pytest.CaptureFixture[str]
) -> None:
    # orders-cache comes first and its instance refuses writes; sessions-cache is later.
    configured.set_instance_status(R_ORDERS, "Changing")
    capfd.readouterr()

    with pytest.raises(TransientCloudError) as raised:
        invoke(timer_event(), fc_context("req-busy"))

    state = configured.state()
    assert entries_of(state, R_SESSIONS, "ecs_web") == {WEB1_IP, WEB2_IP}
    assert entries_of(state, R_ORDERS, "ecs_orders") == {WEB1_IP}
    assert isinstance(raised.value, IncompleteRun)
    assert raised.value.code == "IncorrectDBInstanceState"
    targets = _by_target(raised.value.summary)
    assert targets["orders-cache"]["status"] == "error"
    assert targets["orders-cache"]["error"]["retryable"] is True
    assert targets["sessions-cache"]["status"] == "applied"
    assert targets["billing-cache"]["status"] == "noop"
    line = _summary_line(capfd)
    assert line["status"] == "error"
    logged = {t["target"]: t["status"] for t in line["results"]}
    assert logged == {"orders-cache": "error", "billing-cache": "noop", "sessions-cache": "applied"}


def test_a_busy_instance_does_not_stop_a_new_host_reaching_the_other_targets(
    configured: Any, invoke: Any, no_backoff: None
) -> None:
    configured.set_instance_status(R_ORDERS, "Changing")

    with pytest.raises(TransientCloudError):
        invoke(eventbridge_state_change(WEB2, "Running"))

    assert WEB2_IP in (entries_of(configured.state(), R_SESSIONS, "ecs_web") or set())


def test_one_regions_ecs_outage_does_not_starve_the_other_region(
    cloud: Any, write_config: Any, invoke: Any, no_backoff: None
) -> None:
    write_config(base_config(targets=[copy.deepcopy(ORDERS_TARGET), SHANGHAI_TARGET]))
    cloud.add_fault(action="DescribeInstances", region=REGION, status=503)

    with pytest.raises(TransientCloudError) as raised:
        invoke(timer_event())

    assert entries_of(cloud.state(), R_SHANGHAI, "ecs_orders") == {SH_IP}
    assert entries_of(cloud.state(), R_ORDERS, "ecs_orders") == {WEB1_IP}
    targets = _by_target(raised.value.summary)  # type: ignore[attr-defined]
    assert targets["orders-cache"]["error"]["code"] == "ServiceUnavailable"
    assert targets["orders-sh"]["status"] == "applied"


def test_a_permanent_error_alone_is_still_reported_not_raised(configured: Any, invoke: Any) -> None:
    configured.add_fault(action="DescribeSecurityIps", status=404,
                         code="InvalidInstanceId.NotFound", count=1)  # fmt: skip
    result = invoke(timer_event())
    assert result["status"] == "error"
    assert _by_target(result)["sessions-cache"]["status"] == "applied"


def test_an_append_that_landed_before_a_delete_failed_is_audited(
    cloud: Any, write_config: Any, invoke: Any, no_backoff: None,
    capfd: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    redis = make_redis_instance(R_ORDERS, [make_group("ecs_orders", [WEB1_IP, STALE])])
    cloud.put_redis_instances(REGION, [redis])
    write_config(base_config(targets=[copy.deepcopy(ORDERS_TARGET)]))
    # The plan has two writes (add WEB2, remove the stale entry): the first lands, the
    # second fails for good (transient, past the retries).
    cloud.add_fault(action="ModifySecurityIps", status=503, after=1)
    capfd.readouterr()

    with pytest.raises(TransientCloudError):
        invoke(timer_event())

    after = entries_of(cloud.state(), R_ORDERS, "ecs_orders") or set()
    before = {WEB1_IP, STALE}
    assert after != before  # the first write landed
    assert after not in ({WEB1_IP, WEB2_IP}, before)  # the second did not
    lines = [json.loads(line) for line in capfd.readouterr().out.splitlines() if line]
    audits = [line for line in lines if line["event"] == "whitelist_changed"]
    assert len(audits) == 1
    assert (set(audits[0]["added"]), set(audits[0]["removed"])) == (after - before, before - after)


def test_over_the_webhook_the_503_carries_every_targets_result(
    configured: Any, invoke: Any, no_backoff: None
) -> None:
    from whitelist_testkit import http_body, http_event

    configured.set_instance_status(R_ORDERS, "Changing")

    answer = invoke(http_event("POST", "/reconcile", {}))

    assert answer["statusCode"] == 503
    body = http_body(answer)
    assert body["error"] == "cloud_unavailable"
    statuses = {t["target"]: t["status"] for t in body["result"]["targets"]}
    assert statuses["orders-cache"] == "error"
    assert statuses["sessions-cache"] == "applied"


def test_a_lifecycle_hook_left_unanswered_still_logs_every_targets_result(
    configured: Any, invoke: Any, no_backoff: None, capfd: pytest.CaptureFixture[str]
) -> None:
    from localcloud.events import ess_lifecycle_hook

    configured.set_instance_status(R_ORDERS, "Changing")
    capfd.readouterr()

    with pytest.raises(IncompleteRun) as raised:
        invoke(ess_lifecycle_hook([WEB2]))

    assert configured.state()["ess"]["lifecycle_actions"] == []
    assert WEB2_IP in (entries_of(configured.state(), R_SESSIONS, "ecs_web") or set())
    assert "ash-bp1example0000001" in str(raised.value)
    logged = {t["target"]: t["status"] for t in _summary_line(capfd)["results"]}
    assert logged == {"orders-cache": "error", "sessions-cache": "applied"}
