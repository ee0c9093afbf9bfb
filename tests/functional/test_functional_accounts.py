"""Several accounts from one deployment, through ``handler.handler`` on localcloud.

The world is ``accounts_kit``'s: the function runs in CENTRAL with its role's session and
reaches APP_B, APP_C, DATA and DENIED through their member roles (STS AssumeRole). Every
assertion reads localcloud's state and call log per account.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from accounts_kit import (
    APP_B,
    APP_C,
    B1,
    B1_IP,
    B2_IP,
    B_CACHE,
    C1_IP,
    CENTRAL,
    CENTRAL_CACHE,
    DATA,
    DATA_DB,
    DATA_DB_C,
    DENIED,
    DENIED_CACHE,
    FN_KEY,
    FN_SECRET,
    OUTSIDE,
    R_B,
    R_CENTRAL,
    RDS_DATA,
    REGION,
    WEB1,
    WEB1_IP,
    config,
    seed,
)
from whitelist_testkit import Invoke, WriteConfig, entries_of, timer_event

from localcloud import events as cloud_events
from localcloud.builders import make_group, make_redis_instance
from localcloud.mock import LocalCloud
from whitelist_core.aliyun.roles import SESSIONS


@pytest.fixture
def cloud(function_env: pytest.MonkeyPatch) -> Iterator[LocalCloud]:
    """localcloud with several accounts; the function's env points every API (STS too) at
    it, with the function role's credentials, in the CENTRAL account."""
    SESSIONS.clear()  # a warm instance of another test's localcloud: its sessions are gone
    with LocalCloud.mocked(seed(), base_url="http://localcloud.test") as fake:
        function_env.setenv("WHITELIST_ENDPOINT", fake.base_url)
        function_env.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", FN_KEY)
        function_env.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", FN_SECRET)
        function_env.setenv("FC_ACCOUNT_ID", CENTRAL)
        yield fake
    SESSIONS.clear()


def rds_entries(cloud: LocalCloud, account: str, group: str) -> set[str] | None:
    (instance,) = cloud.state(account)["rds"][REGION]
    assert instance["DBInstanceId"] == RDS_DATA
    for item in instance["DBInstanceIPArray"]:
        if item["DBInstanceIPArrayName"] == group:
            return {e for e in item["SecurityIPList"].split(",") if e}
    return None


def actions(cloud: LocalCloud, account: str) -> dict[str, int]:
    return dict(cloud.calls(account)["counts"])


def from_account(event: dict[str, Any], account: str, forwarded_by: str = "") -> dict[str, Any]:
    """The event as it happened in ``account`` (forwarded to the central bus by a rule)."""
    if forwarded_by:
        return event | {"aliyunaccountid": forwarded_by, "aliyunoriginalaccountid": account}
    return event | {"aliyunaccountid": account}


def running(instance_id: str, account: str, **forwarded: str) -> dict[str, Any]:
    return from_account(
        cloud_events.ecs_state_change(instance_id, "Running", REGION), account, **forwarded
    )


def test_a_central_deployment_keeps_a_redis_group_in_account_b_in_sync_with_hosts_in_b(
    cloud: LocalCloud, write_config: WriteConfig, invoke: Invoke
) -> None:
    write_config(config(B_CACHE))
    assert invoke(timer_event())["status"] == "applied"
    assert entries_of(cloud.state(APP_B), R_B, "ecs_shop") == {B1_IP, B2_IP}
    assert entries_of(cloud.state(), R_CENTRAL, "ecs_shop") is None
    assert actions(cloud, CENTRAL) == {"AssumeRole": 1}  # nothing else in the central account
    assert set(actions(cloud, APP_B)) == {
        "DescribeInstances",
        "DescribeSecurityIps",
        "ModifySecurityIps",
    }
    cloud.reset_calls()
    assert invoke(timer_event())["status"] == "noop"  # converged; the session is kept
    assert "AssumeRole" not in actions(cloud, CENTRAL)


def test_an_rds_group_in_a_shared_account_holds_hosts_of_two_application_accounts(
    cloud: LocalCloud, write_config: WriteConfig, invoke: Invoke
) -> None:
    write_config(config(DATA_DB, DATA_DB_C))
    assert invoke(timer_event())["status"] == "applied"
    assert rds_entries(cloud, DATA, "shop_b") == {B1_IP, B2_IP}
    assert rds_entries(cloud, DATA, "shop_c") == {C1_IP}
    assert actions(cloud, APP_B) == {"DescribeInstances": 1}  # listed once, in its account
    assert actions(cloud, APP_C) == {"DescribeInstances": 1}
    assert actions(cloud, CENTRAL) == {"AssumeRole": 3}  # DATA (with its ExternalId), B, C


def test_a_host_of_one_account_never_keeps_an_entry_of_a_target_whose_hosts_are_in_another(
    cloud: LocalCloud, write_config: WriteConfig, invoke: Invoke
) -> None:
    # B1 and the central WEB1 share 10.0.1.11 (overlapping VPC ranges). B1 is released:
    # its entry goes from account B's group although WEB1 still holds that IP centrally.
    cloud.put_redis_instances(
        REGION,
        [make_redis_instance(R_B, [make_group("ecs_shop", [B1_IP, B2_IP])])],
        account=APP_B,
    )
    cloud.delete_instances(REGION, [B1], account=APP_B)
    write_config(config(CENTRAL_CACHE, B_CACHE))
    invoke(timer_event())
    assert entries_of(cloud.state(APP_B), R_B, "ecs_shop") == {B2_IP}
    assert entries_of(cloud.state(), R_CENTRAL, "ecs_shop") == {WEB1_IP}


def test_a_running_event_adds_its_host_only_to_targets_whose_hosts_are_in_its_account(
    cloud: LocalCloud, write_config: WriteConfig, invoke: Invoke
) -> None:
    write_config(config(CENTRAL_CACHE, B_CACHE))
    invoke(running(WEB1, CENTRAL))  # 10.0.1.11 in the central account
    assert entries_of(cloud.state(), R_CENTRAL, "ecs_shop") == {WEB1_IP}
    assert entries_of(cloud.state(APP_B), R_B, "ecs_shop") is None
    assert "AssumeRole" not in actions(cloud, CENTRAL)  # account B is not even asked
    result = invoke(running(B1, APP_B, forwarded_by=CENTRAL))  # forwarded to the central bus
    assert [t["target"] for t in result["targets"]] == ["b-cache"]
    assert entries_of(cloud.state(APP_B), R_B, "ecs_shop") == {B1_IP}
    assert entries_of(cloud.state(), R_CENTRAL, "ecs_shop") == {WEB1_IP}


def test_a_batch_mixing_accounts_is_one_run_per_account_and_region(
    cloud: LocalCloud, write_config: WriteConfig, invoke: Invoke
) -> None:
    write_config(config(CENTRAL_CACHE, B_CACHE))
    result = invoke(
        [running(B1, APP_B), running(WEB1, CENTRAL), running("i-bp1appb00000002", APP_B)]
    )
    assert [r["status"] for r in result["results"]] == ["applied", "applied", "applied"]
    assert entries_of(cloud.state(APP_B), R_B, "ecs_shop") == {B1_IP, B2_IP}
    assert entries_of(cloud.state(), R_CENTRAL, "ecs_shop") == {WEB1_IP}
    assert actions(cloud, APP_B)["DescribeInstances"] == 1  # both B hosts in one lookup
    assert actions(cloud, APP_B)["ModifySecurityIps"] == 1
    assert actions(cloud, CENTRAL)["DescribeInstances"] == 1


def test_a_denied_role_fails_only_its_accounts_targets_while_the_others_converge(
    cloud: LocalCloud, write_config: WriteConfig, invoke: Invoke
) -> None:
    write_config(config(CENTRAL_CACHE, DENIED_CACHE, B_CACHE))
    result = invoke(timer_event())
    by_name = {t["target"]: t for t in result["targets"]}
    assert by_name["denied-cache"]["status"] == "error"
    error = by_name["denied-cache"]["error"]
    assert (error["action"], error["code"]) == ("AssumeRole", "NoPermission")
    assert by_name["central-cache"]["status"] == by_name["b-cache"]["status"] == "applied"
    assert entries_of(cloud.state(), R_CENTRAL, "ecs_shop") == {WEB1_IP}
    assert entries_of(cloud.state(APP_B), R_B, "ecs_shop") == {B1_IP, B2_IP}
    assert actions(cloud, DENIED) == {}  # nothing reached the denied account
    assert actions(cloud, CENTRAL)["AssumeRole"] == 2  # once for DENIED (refused), once for B


def test_an_expired_temporary_credential_is_replaced_not_reused(
    cloud: LocalCloud, write_config: WriteConfig, invoke: Invoke
) -> None:
    write_config(config(B_CACHE))
    invoke(timer_event())
    cloud.advance_clock(3600)  # the session of the warm instance has expired in the cloud
    cloud.put_instances(REGION, [], account=APP_B)
    cloud.reset_calls()
    assert invoke(timer_event())["status"] == "noop"
    calls = cloud.calls()["calls"]
    expired = [c for c in calls if c["code"] == "InvalidSecurityToken.Expired"]
    assert len(expired) == 1  # found out once, then never used again
    assert [c["action"] for c in calls if c["action"] == "AssumeRole"] == ["AssumeRole"]
    assert all(c["status"] == 200 for c in calls[calls.index(expired[0]) + 1 :])


def test_events_from_an_account_the_configuration_does_not_name_change_nothing(
    cloud: LocalCloud, write_config: WriteConfig, invoke: Invoke
) -> None:
    write_config(config(CENTRAL_CACHE, B_CACHE))
    before = {account: cloud.state(account) for account in (None, APP_B, OUTSIDE)}
    result = invoke(running("i-bp1outside000001", OUTSIDE))
    assert result["status"] == "ignored"
    assert (
        f"event from account {OUTSIDE}, which the configuration does not name" in result["message"]
    )
    forwarded = from_account(
        cloud_events.ecs_state_change("i-bp1outside000001", "Stopped", REGION),
        OUTSIDE,
        forwarded_by=APP_B,
    )
    assert invoke(forwarded)["status"] == "ignored"
    assert cloud.calls()["calls"] == []
    assert {account: cloud.state(account) for account in before} == before


def test_a_lifecycle_hook_is_answered_in_the_hooks_account(
    cloud: LocalCloud, write_config: WriteConfig, invoke: Invoke
) -> None:
    write_config(config(CENTRAL_CACHE, B_CACHE))
    hook = from_account(cloud_events.ess_lifecycle_hook([B1]), APP_B)
    result = invoke(hook)
    assert result["lifecycle"]["result"] == "CONTINUE"
    assert entries_of(cloud.state(APP_B), R_B, "ecs_shop") == {B1_IP}
    (answer,) = cloud.state(APP_B)["ess"]["lifecycle_actions"]
    assert answer["LifecycleActionResult"] == "CONTINUE"
    assert cloud.state()["ess"]["lifecycle_actions"] == []
