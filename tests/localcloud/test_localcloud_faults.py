"""Injected faults through the server: errors, delays, broken answers, expiry, overlap."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import requests
from alibabacloud_ecs20140526 import models as ecs_models
from alibabacloud_r_kvstore20150101 import models as kv_models
from alibabacloud_tea_openapi.exceptions import AlibabaCloudException, ThrottlingException
from aliyunsdkcore.auth.composer import rpc_signature_composer
from localcloud_support import ID, SECRET, Running, ecs, kvstore

R = "r-bp1orders0000001"


def fault(lc: Running, **body: Any) -> None:
    response = lc.admin("POST", "faults", body)
    assert response.status_code == 200, response.text


def append(lc: Running, ip: str) -> Any:
    request = kv_models.ModifySecurityIpsRequest(
        instance_id=R, security_ips=ip, security_ip_group_name="ecs_orders", modify_mode="Append"
    )
    return kvstore(lc.endpoint).modify_security_ips(request)


def orders(lc: Running) -> str:
    state = lc.admin("GET", "state").json()["kvstore"]["cn-hangzhou"]
    instance = next(i for i in state if i["InstanceId"] == R)
    return str(
        next(
            g["SecurityIpList"]
            for g in instance["SecurityIpGroups"]
            if g["SecurityIpGroupName"] == "ecs_orders"
        )
    )


def signed_get(lc: Running, action: str = "DescribeSecurityIps", **params: str) -> str:
    query = {"Action": action, "Version": "2015-01-01", "InstanceId": R, **params}
    path, _ = rpc_signature_composer.get_signed_url(query, ID, SECRET, "JSON", "GET", {})
    return f"{lc.url}{path}"


def test_status_fault_short_circuits_and_expires(lc: Running) -> None:
    fault(lc, action="ModifySecurityIps", status=400, code="Throttling.User", count=2)
    for _ in range(2):
        with pytest.raises(AlibabaCloudException) as caught:
            append(lc, "10.0.3.1")
        assert (caught.value.code, caught.value.status_code) == ("Throttling.User", 400)
        assert orders(lc) == "10.0.1.1,10.0.9.99"
    append(lc, "10.0.3.1")
    assert orders(lc) == "10.0.1.1,10.0.9.99,10.0.3.1"
    calls = lc.admin("GET", "calls").json()
    assert [c["code"] for c in calls["calls"]] == ["Throttling.User", "Throttling.User", None]
    assert calls["counts"] == {"ModifySecurityIps": 3}


def test_fault_only_hits_its_action_and_retry_after_header(lc: Running) -> None:
    fault(lc, action="DescribeSecurityIps", status=503, retry_after=2, message="busy")
    append(lc, "10.0.3.1")
    with pytest.raises(ThrottlingException) as caught:
        kvstore(lc.endpoint).describe_security_ips(
            kv_models.DescribeSecurityIpsRequest(instance_id=R)
        )
    assert (caught.value.code, caught.value.retry_after) == ("ServiceUnavailable", 2)
    assert lc.admin("GET", "faults").json()["faults"][0]["action"] == "DescribeSecurityIps"
    assert lc.admin("DELETE", "faults").status_code == 200
    assert lc.admin("GET", "faults").json() == {"faults": []}


class Pauses(threading.Event):
    """Stands in for the backend's ``stopping`` event, whose ``wait`` is how an injected
    delay sleeps: records each wait (seconds, and the orders list at that moment) and
    returns at once, or, when ``hold`` is set, only once ``release`` is set."""

    def __init__(self, lc: Running, *, hold: bool = False) -> None:
        super().__init__()
        self.lc, self.hold = lc, hold
        self.waits: list[tuple[float | None, str]] = []
        self.entered, self.release = threading.Event(), threading.Event()

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append((timeout, orders(self.lc)))
        self.entered.set()
        if self.hold:
            assert self.release.wait(10), "the test never released the paused call"
        return False


def test_delay_fault_delays_then_runs(lc: Running, monkeypatch: pytest.MonkeyPatch) -> None:
    pauses = Pauses(lc)
    monkeypatch.setattr(lc.backend, "stopping", pauses)
    fault(lc, action="*", delay_ms=400, count=1)
    append(lc, "10.0.3.1")
    # One wait of 0.4 s, before the change was made; then the change.
    assert pauses.waits == [(0.4, "10.0.1.1,10.0.9.99")]
    assert orders(lc).endswith(",10.0.3.1")
    append(lc, "10.0.3.2")
    assert len(pauses.waits) == 1  # the fault was used up: no further delay
    assert orders(lc).endswith(",10.0.3.1,10.0.3.2")


def test_malformed_answer(lc: Running) -> None:
    fault(lc, action="DescribeSecurityIps", malformed=True, count=1)
    answer = requests.get(signed_get(lc), timeout=10)
    assert answer.status_code == 200
    with pytest.raises(ValueError, match=r"(?i)expecting|unterminated|decode"):
        answer.json()
    assert requests.get(signed_get(lc), timeout=10).json()["SecurityIpGroups"]
    codes = [c["code"] for c in lc.admin("GET", "calls").json()["calls"]]
    assert codes == ["localcloud.Malformed", None]


def test_reset_drops_the_connection_and_changes_nothing(lc: Running) -> None:
    fault(lc, action="ModifySecurityIps", reset=True, count=1)
    url = signed_get(
        lc,
        "ModifySecurityIps",
        SecurityIps="10.0.3.3",
        SecurityIpGroupName="ecs_orders",
        ModifyMode="Append",
    )
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(url, timeout=10)
    assert orders(lc) == "10.0.1.1,10.0.9.99"


def test_reset_after_apply_loses_only_the_answer(lc: Running) -> None:
    fault(lc, action="ModifySecurityIps", reset=True, apply=True, count=1)
    url = signed_get(
        lc,
        "ModifySecurityIps",
        SecurityIps="10.0.3.3",
        SecurityIpGroupName="ecs_orders",
        ModifyMode="Append",
    )
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(url, timeout=10)
    assert orders(lc).endswith(",10.0.3.3")
    with pytest.raises(AlibabaCloudException) as caught:
        append(lc, "10.0.3.3")
    assert caught.value.code == "InvalidInstanceIp.Duplicate"


def test_timeout_holds_the_connection(lc: Running) -> None:
    fault(lc, action="DescribeSecurityIps", timeout=True, delay_ms=2000, count=1)
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(signed_get(lc), timeout=0.3)
    assert lc.admin("GET", "calls").json()["calls"][0]["code"] == "localcloud.Timeout"


@pytest.mark.parametrize(
    "body",
    [
        {"action": "X"},
        {"status": 200},
        {"status": 400, "reset": True},
        {"delay_ms": -1},
        {"delay_ms": 5, "count": 0},
        {"delay_ms": 5, "colour": "red"},
        ["not", "objects"],
    ],
)
def test_bad_fault_bodies_are_refused(lc: Running, body: Any) -> None:
    response = lc.admin("POST", "faults", body)
    assert response.status_code == 400
    assert "error" in response.json()
    assert lc.admin("GET", "faults").json() == {"faults": []}


def test_clear_with_body_and_list_of_faults(lc: Running) -> None:
    fault_list = [{"action": "A", "delay_ms": 1}, {"action": "B", "status": 500}]
    assert lc.admin("POST", "faults", fault_list).status_code == 200
    assert len(lc.admin("GET", "faults").json()["faults"]) == 2
    fault(lc, clear=True)
    assert lc.admin("GET", "faults").json() == {"faults": []}


def test_overlapping_modifications_answer_lock_timeout(
    lc: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    pauses = Pauses(lc, hold=True)
    monkeypatch.setattr(lc.backend, "stopping", pauses)
    fault(lc, action="ModifySecurityIps", delay_ms=600, count=1)
    results: dict[str, Any] = {}

    def slow() -> None:
        results["slow"] = append(lc, "10.0.4.1")

    thread = threading.Thread(target=slow)
    thread.start()
    try:
        assert pauses.entered.wait(10)  # the slow write is paused inside the instance lock
        with pytest.raises(AlibabaCloudException) as caught:
            append(lc, "10.0.4.2")
    finally:
        pauses.release.set()
        thread.join(10)
    assert (caught.value.code, caught.value.status_code) == ("LockTimeout", 400)
    assert results["slow"].body.request_id
    assert orders(lc) == "10.0.1.1,10.0.9.99,10.0.4.1"
    append(lc, "10.0.4.2")
    assert orders(lc).endswith(",10.0.4.1,10.0.4.2")


def test_a_fault_names_the_product_its_action_belongs_to(lc: Running) -> None:
    # DescribeInstances is ECS's host listing and R-KVStore's inventory listing.
    fault(lc, action="DescribeInstances", product="Ecs", status=503)
    listing = kvstore(lc.endpoint).describe_instances(
        kv_models.DescribeInstancesRequest(region_id="cn-hangzhou")
    )
    assert listing.body.total_count == 2
    request = ecs_models.DescribeInstancesRequest(region_id="cn-hangzhou")
    with pytest.raises(AlibabaCloudException) as refused:
        ecs(lc.endpoint).describe_instances(request)
    assert refused.value.code == "ServiceUnavailable"
