"""Several accounts in one seed: their own state, admin endpoints and call log per account."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import requests
from alibabacloud_sts20150401 import models as sts_models
from alibabacloud_tea_openapi.exceptions import AlibabaCloudException
from localcloud_support import (
    CENTRAL,
    FN_KEY,
    FN_SECRET,
    MEMBER,
    MEMBER_ROLE,
    OUTSIDE,
    SHARED,
    accounts_seed,
    ecs,
    listed_hosts,
    session_client,
    sts,
)

from localcloud.builders import make_instance
from localcloud.mock import LocalCloud
from localcloud.state import CloudState
from localcloud.testing import run_server

BASE, ENDPOINT = "http://localcloud.test", "localcloud.test"


def hosts(cloud: LocalCloud, account: str | None = None) -> list[str]:
    state = cloud.state(account)
    return [i["InstanceId"] for i in state["ecs"].get("cn-hangzhou", [])]


def member_client(cloud: LocalCloud, duration: int = 900) -> Any:
    request = sts_models.AssumeRoleRequest(
        role_arn=MEMBER_ROLE, role_session_name="test", duration_seconds=duration
    )
    body = sts(ENDPOINT, key=FN_KEY, secret=FN_SECRET).assume_role(request).body
    return session_client(ENDPOINT, body)


def test_a_dump_reproduces_its_seed() -> None:
    seed = accounts_seed()
    dumped = CloudState(seed).dump()
    assert CloudState(dumped).dump() == dumped
    assert set(dumped["accounts"]) == {MEMBER, SHARED, OUTSIDE}
    assert dumped["credentials"][1:] == seed["credentials"]
    member = dumped["accounts"][MEMBER]
    assert [r["RoleName"] for r in member["roles"]] == ["whitelist-member", "whitelist-external"]
    assert member["roles"][1]["Arn"] == f"acs:ram::{MEMBER}:role/whitelist-external"
    assert member["roles"][1]["MaxSessionDuration"] == 7200
    # A JSON-string trust policy is kept as given.
    assert isinstance(dumped["accounts"][SHARED]["roles"][0]["AssumeRolePolicyDocument"], str)
    assert dumped["ecs"] == seed["ecs"]  # the top-level keys stay the default account's
    assert CloudState(seed).dump(MEMBER)["ecs"] == seed["accounts"][MEMBER]["ecs"]


def test_a_seed_without_accounts_dumps_as_before() -> None:
    dumped = CloudState({"ecs": {"cn-hangzhou": [make_instance("i-1", "10.0.0.1")]}}).dump()
    assert "accounts" not in dumped
    assert dumped["credentials"] == [
        {"AccessKeyId": "localcloud-id", "AccessKeySecret": "localcloud-secret"}
    ]


def _broken(change: Any) -> dict[str, Any]:
    seed = copy.deepcopy(accounts_seed())
    change(seed)
    return seed


@pytest.mark.parametrize(
    ("seed", "message"),
    [
        (
            _broken(
                lambda s: s["credentials"].append(
                    {"AccessKeyId": "x", "AccessKeySecret": "y", "Account": "7777777777777777"}
                )
            ),
            "names account 7777777777777777",
        ),
        (
            _broken(
                lambda s: s["accounts"][MEMBER]["roles"][0].update(
                    Arn=f"acs:ram::{SHARED}:role/whitelist-member"
                )
            ),
            "wrong Arn",
        ),
        (
            _broken(
                lambda s: s["accounts"][MEMBER]["roles"][0].update(
                    AssumeRolePolicyDocument={"Version": "1"}
                )
            ),
            "needs a Statement list",
        ),
        (_broken(lambda s: s["accounts"].update({CENTRAL: {"ecs": {}}})), "given twice"),
        (_broken(lambda s: s["accounts"][MEMBER].update(typo={})), "unknown keys in account"),
        (_broken(lambda s: s["accounts"].update({"prod": {}})), "string of digits"),
        (_broken(lambda s: s["credentials"][0].update(Acount=MEMBER)), "unknown credential keys"),
    ],
)
def test_bad_seeds_are_refused(seed: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CloudState(seed)


def test_admin_seeding_state_and_faults_per_account() -> None:
    with LocalCloud.mocked(accounts_seed(), base_url=BASE) as cloud:
        cloud.put_instances("cn-hangzhou", [make_instance("i-bp1member000002", "10.0.1.6")], MEMBER)
        assert hosts(cloud, MEMBER) == ["i-bp1member000001", "i-bp1member000002"]
        assert hosts(cloud) == ["i-bp1central00001"]
        cloud.delete_instances("cn-hangzhou", ["i-bp1member000001"], account=MEMBER)
        assert hosts(cloud, MEMBER) == ["i-bp1member000002"]
        client = member_client(cloud)
        cloud.add_fault(action="DescribeInstances", status=503, account=MEMBER, count=1)
        central = ecs(ENDPOINT)
        assert listed_hosts(central) == ["i-bp1central00001"]  # the fault waits for the member
        with pytest.raises(AlibabaCloudException) as refused:
            listed_hosts(client)
        assert refused.value.code == "ServiceUnavailable"
        assert listed_hosts(client) == ["i-bp1member000002"]
        member_calls = cloud.calls(MEMBER)
        assert member_calls["counts"] == {"DescribeInstances": 2}
        assert [c["code"] for c in member_calls["calls"]] == ["ServiceUnavailable", None]
        assert cloud.calls()["counts"] == {"AssumeRole": 1, "DescribeInstances": 3}


def test_admin_endpoints_over_http() -> None:
    with run_server(accounts_seed()) as url:

        def admin(method: str, path: str, body: Any = None) -> requests.Response:
            return requests.request(method, f"{url}/_localcloud/{path}", json=body, timeout=10)

        put = {"region": "cn-hangzhou", "put": [make_instance("i-bp1shared000001", "10.0.1.5")]}
        assert admin("POST", "ecs", put | {"account": SHARED}).status_code == 200
        shared = admin("GET", f"state?account={SHARED}").json()
        assert [i["InstanceId"] for i in shared["ecs"]["cn-hangzhou"]] == ["i-bp1shared000001"]
        assert shared["roles"][0]["RoleName"] == "shared-db"
        status = {"status": {"rm-bp1shared00001": "Creating"}, "account": SHARED}
        assert admin("POST", "rds", status).status_code == 200
        state = admin("GET", "state").json()
        assert state["accounts"][SHARED]["rds"]["cn-hangzhou"][0]["DBInstanceStatus"] == "Creating"
        unknown = admin("GET", "state?account=7777777777777777")
        assert (unknown.status_code, unknown.json()) == (
            404,
            {"error": "no account 7777777777777777 in this cloud"},
        )
        assert admin("POST", "ecs", put | {"account": "7777777777777777"}).status_code == 404
        assert admin("POST", "clock", {"advance_seconds": -1}).status_code == 400
        assert admin("POST", "clock", {"advance_seconds": 60}).json()["advanced_seconds"] == 60
        fault = {"action": "DescribeInstances", "status": 500, "account": MEMBER}
        assert admin("POST", "faults", fault).status_code == 200
        assert admin("GET", "faults").json()["faults"][0]["account"] == MEMBER


def test_the_mock_expires_sessions_on_its_clock() -> None:
    with LocalCloud.mocked(accounts_seed(), base_url=BASE) as cloud:
        client = member_client(cloud, duration=900)
        assert listed_hosts(client) == ["i-bp1member000001"]
        cloud.advance_clock(900)
        with pytest.raises(AlibabaCloudException) as expired:
            listed_hosts(client)
        assert expired.value.code == "InvalidSecurityToken.Expired"
        assert listed_hosts(member_client(cloud)) == ["i-bp1member000001"]
        calls = cloud.calls()["calls"]
        # A call the gateway refused acted in no account.
        assert [(c["account"], c["code"]) for c in calls] == [
            (CENTRAL, None),
            (MEMBER, None),
            (None, "InvalidSecurityToken.Expired"),
            (CENTRAL, None),
            (MEMBER, None),
        ]
