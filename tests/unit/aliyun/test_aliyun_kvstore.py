"""KvstoreWhitelistStore: reads, chunked de-duplicated writes, confirm-by-reread answers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import requests
import responses
from aliyun_fakes import FakeTime, RpcFactory, error_body, query_of, reply
from structlog.testing import capture_logs

from whitelist_core.aliyun.stores.kvstore import KvstoreWhitelistStore, claims_done
from whitelist_core.aliyun.stores.whitelist import CONFIRM_ROUNDS
from whitelist_core.aliyun.transport.endpoints import Endpoints
from whitelist_core.errors import PermanentCloudError, TransientCloudError
from whitelist_core.ports import Group

SAMPLE = (Path(__file__).parent / "kvstore-describe-security-ips-response.json").read_text()
ANY_KVSTORE = re.compile(r"https://r-kvstore[-.a-z0-9]*\.aliyuncs\.com/.*")
R = "r-bp1example"


class FakeKvstore:
    """A strict stand-in: Append of a present entry and Delete of an absent (or the last)
    entry are refused, as reference §9.3/§9.4 suggest; ``scripted`` answers override."""

    def __init__(self, groups: dict[str, list[str]]) -> None:
        self.groups = groups
        self.attributes: dict[str, str] = {}
        self.scripted: list[tuple[int, dict[str, str]]] = []
        self.calls: list[dict[str, str]] = []

    def __call__(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        params = query_of(request)
        params["_action"] = request.headers["x-acs-action"]
        self.calls.append(params)
        if params["_action"] == "DescribeSecurityIps":
            items = [{"SecurityIpGroupName": n, "SecurityIpGroupAttribute": self.attributes.get(n, ""),
                      "SecurityIpList": ",".join(e)} for n, e in self.groups.items()]  # fmt: skip
            return reply(200, {"RequestId": "R-D", "SecurityIpGroups": {"SecurityIpGroup": items}})
        if self.scripted:
            return reply(*self.scripted.pop(0))
        return self._modify(params)

    def _modify(self, params: dict[str, str]) -> tuple[int, dict[str, str], str]:
        name, mode = params["SecurityIpGroupName"], params["ModifyMode"]
        entries = params["SecurityIps"].split(",")
        held = self.groups.get(name, [])
        if mode == "Append" and set(entries) & set(held):
            return reply(400, error_body("InvalidInstanceIp.Duplicate", "R-DUP"))
        if mode == "Delete" and (not set(entries) <= set(held) or set(entries) >= set(held)):
            return reply(404, error_body("InvalidSecurityIPs.NotFound", "R-NF"))
        if mode == "Delete":
            self.groups[name] = [e for e in held if e not in entries]
        else:
            self.groups[name] = [*held, *entries] if mode == "Append" else entries
        self.attributes[name] = params["SecurityIpGroupAttribute"]
        return reply(200, {"RequestId": "R-M"})

    def modifies(self) -> list[dict[str, str]]:
        return [c for c in self.calls if c["_action"] == "ModifySecurityIps"]


@pytest.fixture
def store(make_rpc: RpcFactory) -> KvstoreWhitelistStore:
    return KvstoreWhitelistStore(make_rpc(), Endpoints())


@pytest.fixture
def fake(mocked: responses.RequestsMock) -> FakeKvstore:
    cloud = FakeKvstore({"default": ["127.0.0.1"], "ecs_sync": ["10.0.0.1", "10.0.0.2"]})
    mocked.add_callback(responses.POST, ANY_KVSTORE, callback=cloud)
    return cloud


def _ips(n: int, start: int = 0) -> list[str]:
    return [f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}" for i in range(start, start + n)]


def test_read_groups_from_sample(
    mocked: responses.RequestsMock, store: KvstoreWhitelistStore
) -> None:
    mocked.add(responses.POST, "https://r-kvstore.aliyuncs.com/", body=SAMPLE)
    assert store.read_groups("cn-hangzhou", R) == [
        Group("default", "", ("127.0.0.1",)),
        Group("rds_replica_group", "hidden", ("100.100.202.0/24", "10.10.10.10")),
        Group("ali_dms_group", "", ("100.104.205.0/24",)),
        Group("ecs_sync", "hidden", ("172.16.1.10", "172.16.1.11")),
    ]
    assert query_of(mocked.calls[0].request) == {"InstanceId": R}


def test_unparseable_entry_is_kept_apart_counted_and_logged(
    mocked: responses.RequestsMock, store: KvstoreWhitelistStore
) -> None:
    body = json.loads(SAMPLE)
    body["SecurityIpGroups"]["SecurityIpGroup"][2]["SecurityIpList"] = (
        "100.104.205.0/24,10.10.10.%,fe80::1,10.0.0.5/24"
    )
    body["SecurityIpGroups"]["SecurityIpGroup"].append({"SecurityIpGroupName": None})
    mocked.add(responses.POST, "https://r-kvstore.aliyuncs.com/", json=body)
    with capture_logs() as logs:
        groups = store.read_groups("cn-hangzhou", R)
    unparsed = ("10.10.10.%", "fe80::1", "10.0.0.5/24")
    assert groups[2] == Group("ali_dms_group", "", ("100.104.205.0/24",), unparsed)
    assert groups[2].size == 4  # the cloud counts them against its caps
    assert len(groups) == 4
    skipped = [line for line in logs if line["event"] == "whitelist_entry_skipped"]
    assert [line["entry"] for line in skipped] == ["10.10.10.%", "fe80::1", "10.0.0.5/24"]
    assert {line["group"] for line in skipped} == {"ali_dms_group"}


def test_region_is_chosen_through_the_endpoint(fake: FakeKvstore, mocked: responses.RequestsMock,
                                                store: KvstoreWhitelistStore) -> None:  # fmt: skip
    store.read_groups("cn-shanghai", R)
    assert mocked.calls[0].request.url.startswith("https://r-kvstore.cn-shanghai.aliyuncs.com/?")
    assert "RegionId" not in fake.calls[0]


def test_append_sends_group_attribute_mode_and_deduplicates(
    fake: FakeKvstore, store: KvstoreWhitelistStore
) -> None:
    store.append(
        "cn-hangzhou", R, "ecs_sync", ["10.0.0.3", "10.0.0.3/32", "10.0.0.4", "10.0.0.3"], "hidden"
    )
    (call,) = fake.modifies()
    assert call == {"_action": "ModifySecurityIps", "InstanceId": R, "SecurityIps": "10.0.0.3,10.0.0.4",
                    "SecurityIpGroupName": "ecs_sync", "SecurityIpGroupAttribute": "hidden",
                    "ModifyMode": "Append"}  # fmt: skip
    assert fake.groups["ecs_sync"] == ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"]


def test_empty_attribute_is_still_sent(fake: FakeKvstore, store: KvstoreWhitelistStore) -> None:
    store.delete("cn-hangzhou", R, "ecs_sync", ["10.0.0.1"], "")
    assert fake.modifies()[0]["SecurityIpGroupAttribute"] == ""
    assert fake.modifies()[0]["ModifyMode"] == "Delete"
    assert fake.groups["ecs_sync"] == ["10.0.0.2"]


def test_cover_replaces_the_group(fake: FakeKvstore, store: KvstoreWhitelistStore) -> None:
    store.cover("cn-hangzhou", R, "ecs_sync", ["127.0.0.1"], "hidden")
    assert fake.modifies()[0]["ModifyMode"] == "Cover"
    assert fake.groups["ecs_sync"] == ["127.0.0.1"]


@pytest.mark.parametrize("method", ["append", "delete", "cover"])
def test_empty_entries_are_a_programming_error(
    method: str, fake: FakeKvstore, store: KvstoreWhitelistStore
) -> None:
    with pytest.raises(ValueError, match="empty"):
        getattr(store, method)("cn-hangzhou", R, "ecs_sync", [], "")
    assert fake.calls == []


def test_cover_over_1000_is_refused(fake: FakeKvstore, store: KvstoreWhitelistStore) -> None:
    with pytest.raises(ValueError, match="1000"):
        store.cover("cn-hangzhou", R, "ecs_sync", _ips(1001), "")
    assert fake.calls == []


def test_append_and_delete_are_chunked_by_1000(
    fake: FakeKvstore, store: KvstoreWhitelistStore
) -> None:
    fake.groups["big"] = ["127.0.0.1"]
    store.append("cn-hangzhou", R, "big", _ips(2500, 10), "hidden")
    store.delete("cn-hangzhou", R, "big", _ips(1500, 10), "hidden")
    sizes = [(c["ModifyMode"], len(c["SecurityIps"].split(","))) for c in fake.modifies()]
    assert sizes == [
        ("Append", 1000),
        ("Append", 1000),
        ("Append", 500),
        ("Delete", 1000),
        ("Delete", 500),
    ]
    assert all(c["SecurityIpGroupAttribute"] == "hidden" for c in fake.modifies())
    assert fake.groups["big"] == ["127.0.0.1", *_ips(1000, 1510)]


def test_duplicate_answer_confirmed_by_reread(
    fake: FakeKvstore, store: KvstoreWhitelistStore
) -> None:
    store.append("cn-hangzhou", R, "ecs_sync", ["10.0.0.1", "10.0.0.2"], "")
    assert [c["_action"] for c in fake.calls] == ["ModifySecurityIps", "DescribeSecurityIps"]
    assert fake.groups["ecs_sync"] == ["10.0.0.1", "10.0.0.2"]


def test_duplicate_answer_contradicted_by_reread_is_sent_again(
    fake: FakeKvstore, store: KvstoreWhitelistStore
) -> None:
    fake.scripted.append((400, error_body("InvalidSecurityIPList.Duplicate", "R-LIE")))
    store.append("cn-hangzhou", R, "ecs_sync", ["10.0.0.8"], "")
    assert [c["_action"] for c in fake.calls] == [
        "ModifySecurityIps", "DescribeSecurityIps", "ModifySecurityIps",
    ]  # fmt: skip
    assert "10.0.0.8" in fake.groups["ecs_sync"]


def test_a_duplicate_claim_the_group_never_confirms_is_a_transient_error(
    fake: FakeKvstore, store: KvstoreWhitelistStore, fake_time: FakeTime
) -> None:
    lie = (400, error_body("InvalidInstanceIp.Duplicate", "R-LIE"))
    fake.scripted.extend([lie] * CONFIRM_ROUNDS)
    with pytest.raises(TransientCloudError) as caught:
        store.append("cn-hangzhou", R, "ecs_sync", ["10.0.0.8"], "")
    assert caught.value.code == "WriteUnconfirmed"
    assert "InvalidInstanceIp.Duplicate" in caught.value.message
    assert "still missing from 'ecs_sync': 10.0.0.8" in caught.value.message
    reads = [c for c in fake.calls if c["_action"] == "DescribeSecurityIps"]
    assert (len(fake.modifies()), len(reads)) == (CONFIRM_ROUNDS, CONFIRM_ROUNDS)
    assert len(fake_time.sleeps) == CONFIRM_ROUNDS - 1  # paused before each look again
    assert "10.0.0.8" not in fake.groups["ecs_sync"]


def test_a_duplicate_claim_for_a_missing_group_says_the_group_is_missing(
    fake: FakeKvstore, store: KvstoreWhitelistStore
) -> None:
    fake.scripted.extend([(400, error_body("InvalidInstanceIp.Duplicate", "R-LIE"))] * 9)
    with pytest.raises(TransientCloudError) as caught:
        store.append("cn-hangzhou", R, "ecs_new", ["10.0.0.8"], "")
    assert caught.value.code == "WriteUnconfirmed"
    assert "group 'ecs_new' does not exist" in caught.value.message


def test_confirmation_never_runs_past_the_deadline(
    fake: FakeKvstore, make_rpc: RpcFactory, fake_time: FakeTime
) -> None:
    fake.scripted.extend([(400, error_body("InvalidInstanceIp.Duplicate", "R-LIE"))] * 9)
    store = KvstoreWhitelistStore(make_rpc(budget=0.65), Endpoints())  # 0.15 s after the margin
    with pytest.raises(TransientCloudError) as caught:
        store.append("cn-hangzhou", R, "ecs_sync", ["10.0.0.8"], "")
    assert caught.value.code == "WriteUnconfirmed"
    assert fake_time.sleeps == []  # the first pause (0.2 s) would not end before it


def test_partial_duplicate_appends_only_the_missing_entries(
    fake: FakeKvstore, store: KvstoreWhitelistStore
) -> None:
    store.append("cn-hangzhou", R, "ecs_sync", ["10.0.0.2", "10.0.0.3"], "")
    assert [c["SecurityIps"] for c in fake.modifies()] == ["10.0.0.2,10.0.0.3", "10.0.0.3"]
    assert fake.groups["ecs_sync"] == ["10.0.0.1", "10.0.0.2", "10.0.0.3"]


def test_absent_answer_confirmed_by_reread(fake: FakeKvstore, store: KvstoreWhitelistStore) -> None:
    store.delete("cn-hangzhou", R, "ecs_sync", ["10.0.0.9"], "")
    assert [c["_action"] for c in fake.calls] == ["ModifySecurityIps", "DescribeSecurityIps"]


def test_absent_answer_for_a_missing_group_is_confirmed(
    fake: FakeKvstore, store: KvstoreWhitelistStore
) -> None:
    store.delete("cn-hangzhou", R, "gone_group", ["10.0.0.1"], "")
    assert fake.groups["ecs_sync"] == ["10.0.0.1", "10.0.0.2"]


def test_absent_answer_contradicted_by_reread_raises_original(
    fake: FakeKvstore, store: KvstoreWhitelistStore
) -> None:
    # deleting every entry is refused with the same code; the re-read shows them still there
    with pytest.raises(PermanentCloudError) as caught:
        store.delete("cn-hangzhou", R, "ecs_sync", ["10.0.0.1", "10.0.0.2"], "")
    assert (caught.value.code, caught.value.request_id) == ("InvalidSecurityIPs.NotFound", "R-NF")
    assert fake.groups["ecs_sync"] == ["10.0.0.1", "10.0.0.2"]


def test_partial_absent_deletes_only_the_present_entries(
    fake: FakeKvstore, store: KvstoreWhitelistStore
) -> None:
    fake.groups["ecs_sync"].append("10.0.0.3")
    store.delete("cn-hangzhou", R, "ecs_sync", ["10.0.0.1", "10.0.0.9"], "")
    assert [c["SecurityIps"] for c in fake.modifies()] == ["10.0.0.1,10.0.0.9", "10.0.0.1"]
    assert fake.groups["ecs_sync"] == ["10.0.0.2", "10.0.0.3"]


def test_other_errors_are_not_reread(fake: FakeKvstore, store: KvstoreWhitelistStore) -> None:
    fake.scripted.append((400, error_body("InvalidGroupName.Format")))
    with pytest.raises(PermanentCloudError, match=r"InvalidGroupName\.Format"):
        store.append("cn-hangzhou", R, "ecs_sync", ["10.0.0.8"], "")
    assert [c["_action"] for c in fake.calls] == ["ModifySecurityIps"]


def test_instance_not_found_on_delete_is_not_taken_as_absent(
    fake: FakeKvstore, store: KvstoreWhitelistStore
) -> None:
    fake.scripted.append((404, error_body("InvalidInstanceId.NotFound")))
    with pytest.raises(PermanentCloudError, match=r"InvalidInstanceId\.NotFound"):
        store.delete("cn-hangzhou", R, "ecs_sync", ["10.0.0.1"], "")
    assert len(fake.calls) == 1


@pytest.mark.parametrize(
    ("mode", "code", "claims"),
    [
        ("Append", "InvalidSecurityIPList.Duplicate", True),
        ("Append", "InvalidInstanceIp.Duplicate", True),
        ("Append", "InvalidSecurityIPs.NotFound", False),
        ("Delete", "InvalidSecurityIPs.NotFound", True),
        ("Delete", "InvalidSecurityIps.NotFound", True),
        ("Delete", "InvalidInstanceId.NotFound", False),
        ("Delete", "InvalidInstanceIp.Duplicate", False),
        ("Cover", "InvalidInstanceIp.Duplicate", False),
    ],
)
def test_claims_done(mode: str, code: str, claims: bool) -> None:
    assert claims_done(mode, code) is claims  # type: ignore[arg-type]
