"""The R-KVStore rules, directly on the entry parser and the model."""

from __future__ import annotations

import threading

import pytest

from localcloud.builders import make_group, make_redis_instance
from localcloud.errors import CloudError
from localcloud.kvstore.entries import check_group_name, parse_entry, parse_list, wire_order
from localcloud.kvstore.models import KvstoreModel, Modification, instance_from_seed
from localcloud.kvstore.responses import parse_modification
from localcloud.wire import Params

R = "r-bp1rules00000001"


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("10.0.0.5", "10.0.0.5"),
        ("10.0.0.5/32", "10.0.0.5"),
        ("10.23.12.24/24", "10.23.12.24/24"),
        ("192.168.0.0/16", "192.168.0.0/16"),
        ("0.0.0.0/0", "0.0.0.0/0"),
        ("1.2.3.4/1", "1.2.3.4/1"),
        ("255.255.255.255", "255.255.255.255"),
    ],
)
def test_valid_entries_are_normalised(text: str, normalised: str) -> None:
    assert parse_entry(text) == normalised


@pytest.mark.parametrize(
    "text",
    [
        "",
        "10.0.0",
        "10.0.0.256",
        "10.0.0.01",
        "10.0.0.5/0",
        "10.0.0.5/33",
        "10.0.0.5/",
        "10.0.0.5/032",
        " 10.0.0.5",
        "fe80::1",
        "10.0.0.0/8x",
        "host.example",
        "1.1.1.0/0",
    ],
)
def test_malformed_entries_are_refused(text: str) -> None:
    with pytest.raises(CloudError) as caught:
        parse_entry(text)
    assert (caught.value.code, caught.value.status) == ("InvalidSecurityIPList.Format", 400)


def test_list_rules() -> None:
    assert parse_list("10.0.0.1,10.0.0.2/24") == ["10.0.0.1", "10.0.0.2/24"]
    for text, code in [
        ("10.0.0.1,10.0.0.1", "InvalidSecurityIPList.Duplicate"),
        ("10.0.0.1,10.0.0.1/32", "InvalidSecurityIPList.Duplicate"),
        ("10.0.0.1,", "InvalidSecurityIPList.Format"),
        ("10.0.0.1;10.0.0.2", "InvalidSecurityIPList.Format"),
    ]:
        with pytest.raises(CloudError) as caught:
            parse_list(text)
        assert caught.value.code == code, text


@pytest.mark.parametrize("name", ["default", "ab", "ecs_orders", "a1", "x" * 32, "a_b_9"])
def test_valid_group_names(name: str) -> None:
    assert check_group_name(name) == name


@pytest.mark.parametrize(
    "name", ["a", "x" * 33, "1abc", "_abc", "abc_", "Abc", "ab-c", "ab c", "ecs_Orders"]
)
def test_invalid_group_names(name: str) -> None:
    with pytest.raises(CloudError) as caught:
        check_group_name(name)
    assert (caught.value.code, caught.value.status) == ("InvalidGroupName.Format", 400)


def model(*groups: dict[str, object], status: str = "Normal") -> KvstoreModel:
    kv = KvstoreModel()
    kv.put("cn-hangzhou", [instance_from_seed(make_redis_instance(R, list(groups), status=status))])
    return kv


def change(mode: str, ips: str, group: str = "ecs_sync", attribute: str = "") -> Modification:
    params = {
        "InstanceId": R,
        "SecurityIps": ips,
        "ModifyMode": mode,
        "SecurityIpGroupName": group,
        "SecurityIpGroupAttribute": attribute,
    }
    return parse_modification(Params(params))


def listed(*entries: str) -> str:
    """A SecurityIpList as DescribeSecurityIps answers it (re-sorted, not in write order)."""
    return ",".join(wire_order(entries))


def groups(kv: KvstoreModel) -> dict[str, str]:
    return {g["SecurityIpGroupName"]: g["SecurityIpList"] for g in kv.describe(R)}


def refused(kv: KvstoreModel, modification: Modification) -> tuple[str, int]:
    before = groups(kv)
    with pytest.raises(CloudError) as caught:
        kv.modify(modification, lambda: None)
    assert groups(kv) == before, "a refused modification must change nothing"
    return caught.value.code, caught.value.status


def test_append_creates_group_with_attribute_and_normalises() -> None:
    kv = model(make_group("default"))
    kv.modify(change("Append", "10.0.0.1/32,10.0.0.2", attribute="hidden"), lambda: None)
    described = kv.describe(R)[-1]
    assert described == {
        "SecurityIpGroupName": "ecs_sync",
        "SecurityIpGroupAttribute": "hidden",
        "SecurityIpList": listed("10.0.0.1", "10.0.0.2"),
    }
    kv.modify(change("Append", "10.0.0.3"), lambda: None)
    assert groups(kv)["ecs_sync"] == listed("10.0.0.1", "10.0.0.2", "10.0.0.3")


def test_cover_replaces_and_creates() -> None:
    kv = model(make_group("default"), make_group("ecs_sync", ["10.0.0.1", "10.0.0.2"]))
    kv.modify(change("Cover", "10.0.0.9"), lambda: None)
    kv.modify(change("Cover", "10.0.0.7", group="fresh_one"), lambda: None)
    assert groups(kv) == {"default": "127.0.0.1", "ecs_sync": "10.0.0.9", "fresh_one": "10.0.0.7"}


def test_default_group_when_name_omitted() -> None:
    kv = model(make_group("default"))
    kv.modify(
        parse_modification(Params({"InstanceId": R, "SecurityIps": "10.1.1.1"})), lambda: None
    )
    assert groups(kv) == {"default": "10.1.1.1"}


def test_append_of_present_entry_is_refused() -> None:
    kv = model(make_group("ecs_sync", ["10.0.0.1"]))
    assert refused(kv, change("Append", "10.0.0.2,10.0.0.1/32")) == (
        "InvalidInstanceIp.Duplicate",
        400,
    )


def test_delete_removes_only_listed_entries() -> None:
    kv = model(make_group("ecs_sync", ["10.0.0.1", "10.0.0.2", "10.0.0.3"]))
    kv.modify(change("Delete", "10.0.0.1,10.0.0.3/32"), lambda: None)
    assert groups(kv) == {"ecs_sync": "10.0.0.2"}


@pytest.mark.parametrize(
    ("ips", "group"),
    [
        ("10.0.0.9", "ecs_sync"),
        ("10.0.0.1,10.0.0.9", "ecs_sync"),
        ("10.0.0.1,10.0.0.2", "ecs_sync"),
        ("10.0.0.1", "no_such_group"),
    ],
)
def test_delete_absent_or_last_entries_is_refused(ips: str, group: str) -> None:
    kv = model(make_group("ecs_sync", ["10.0.0.1", "10.0.0.2"]))
    assert refused(kv, change("Delete", ips, group=group)) == ("InvalidSecurityIPs.NotFound", 404)


def test_quota_of_1000_entries_per_group() -> None:
    kv = model(make_group("ecs_sync", [f"10.1.{i // 250}.{i % 250}" for i in range(999)]))
    kv.modify(change("Append", "10.9.9.9"), lambda: None)
    assert len(groups(kv)["ecs_sync"].split(",")) == 1000
    assert refused(kv, change("Append", "10.9.9.8")) == ("InvalidSecurityIPList.QuotaExceeded", 400)
    too_many = ",".join(f"10.2.{i // 250}.{i % 250}" for i in range(1001))
    assert refused(kv, change("Cover", too_many)) == ("InvalidSecurityIPList.QuotaExceeded", 400)


@pytest.mark.parametrize("name", ["ali_dms_group", "hdm_security_ips", "rds_replica_group"])
def test_system_groups_are_read_only(name: str) -> None:
    kv = model(make_group("rds_replica_group", ["100.100.202.0/24"], hidden=True))
    for mode in ("Append", "Cover", "Delete"):
        assert refused(kv, change(mode, "100.100.202.0/24", group=name)) == (
            "OperationDenied.SystemGroup",
            403,
        )


def test_seeded_hidden_group_marked_not_system_is_writable() -> None:
    kv = model(make_group("ecs_hidden", ["10.0.0.1"], hidden=True, system=False))
    kv.modify(change("Append", "10.0.0.2", group="ecs_hidden"), lambda: None)
    assert groups(kv)["ecs_hidden"] == listed("10.0.0.1", "10.0.0.2")


def test_hidden_group_created_through_the_api_stays_writable() -> None:
    kv = model()
    kv.modify(change("Cover", "10.0.0.1", attribute="hidden"), lambda: None)
    kv.modify(change("Append", "10.0.0.2", attribute="hidden"), lambda: None)
    assert kv.describe(R) == [
        {
            "SecurityIpGroupName": "ecs_sync",
            "SecurityIpGroupAttribute": "hidden",
            "SecurityIpList": listed("10.0.0.1", "10.0.0.2"),
        }
    ]


@pytest.mark.parametrize("mode", ["Append", "Delete", "Cover"])
def test_every_write_sets_the_attribute_it_sends(mode: str) -> None:
    """The attribute is a parameter of each write, not sticky: an empty one un-hides."""
    kv = model()
    kv.modify(change("Cover", "10.0.0.1,10.0.0.2", attribute="hidden"), lambda: None)
    ips = {"Append": "10.0.0.3", "Delete": "10.0.0.2", "Cover": "10.0.0.4"}[mode]
    kv.modify(change(mode, ips), lambda: None)
    assert kv.describe(R)[0]["SecurityIpGroupAttribute"] == ""
    kv.modify(change("Append", "10.0.0.9", attribute="hidden"), lambda: None)
    assert kv.describe(R)[0]["SecurityIpGroupAttribute"] == "hidden"


def test_unknown_instance_and_state() -> None:
    kv = model(make_group("default"), status="Changing")
    assert refused(kv, change("Append", "10.0.0.1")) == ("IncorrectDBInstanceState", 403)
    with pytest.raises(CloudError) as caught:
        kv.describe("r-nope")
    assert (caught.value.code, caught.value.status) == ("InvalidInstanceId.NotFound", 404)


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"SecurityIps": "10.0.0.1"}, "MissingInstanceId"),
        ({"InstanceId": R}, "MissingSecurityIps"),
        ({"InstanceId": R, "SecurityIps": ""}, "MissingSecurityIps"),
        (
            {"InstanceId": R, "SecurityIps": "10.0.0.1", "ModifyMode": "AppendDup"},
            "InvalidModifyMode",
        ),
        (
            {"InstanceId": R, "SecurityIps": "10.0.0.1", "SecurityIpGroupAttribute": "secret"},
            "InvalidSecurityIpGroupAttribute",
        ),
        (
            {"InstanceId": R, "SecurityIps": "10.0.0.1", "SecurityIpGroupName": "Bad"},
            "InvalidGroupName.Format",
        ),
        ({"InstanceId": R, "SecurityIps": "10.0.0.300"}, "InvalidSecurityIPList.Format"),
    ],
)
def test_parameter_checks(params: dict[str, str], code: str) -> None:
    with pytest.raises(CloudError) as caught:
        parse_modification(Params(params))
    assert caught.value.code == code


def test_overlapping_modifications_answer_lock_timeout() -> None:
    kv = model(make_group("ecs_sync", ["10.0.0.1"]))
    inside, release = threading.Event(), threading.Event()

    def hold() -> None:
        inside.set()
        release.wait(5)

    first = threading.Thread(target=kv.modify, args=(change("Append", "10.0.0.2"), hold))
    first.start()
    assert inside.wait(5)
    assert refused(kv, change("Append", "10.0.0.3")) == ("LockTimeout", 400)
    release.set()
    first.join(5)
    kv.modify(change("Append", "10.0.0.3"), lambda: None)
    assert groups(kv)["ecs_sync"] == listed("10.0.0.1", "10.0.0.2", "10.0.0.3")


def test_lookup_across_regions_and_dump_shape() -> None:
    kv = KvstoreModel()
    kv.put("cn-shanghai", [instance_from_seed(make_redis_instance("r-uf6x"))])
    kv.modify(
        parse_modification(Params({"InstanceId": "r-uf6x", "SecurityIps": "10.0.0.1"})),
        lambda: None,
    )
    assert kv.dump() == {
        "cn-shanghai": [make_redis_instance("r-uf6x", [make_group("default", ["10.0.0.1"])])]
    }
