"""STS AssumeRole through our own signed client, and the member account's adapters that
sign with the session: against localcloud's several accounts (in process)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from accounts_kit import (
    APP_B,
    B1,
    CENTRAL,
    DATA,
    DENIED,
    EXTERNAL_ID,
    FN_KEY,
    FN_SECRET,
    R_B,
    REGION,
    role_arn,
    seed,
)

from localcloud.mock import LocalCloud
from whitelist_core.aliyun.factory import make_member
from whitelist_core.aliyun.roles import RENEW_MARGIN, RoleSessions
from whitelist_core.aliyun.sts import RoleSession
from whitelist_core.aliyun.transport.credentials import Credentials
from whitelist_core.errors import PermanentCloudError

FN = Credentials(FN_KEY, FN_SECRET, "")


@pytest.fixture
def cloud() -> Iterator[LocalCloud]:
    with LocalCloud.mocked(seed(), base_url="http://localcloud.test") as fake:
        yield fake


def member(cloud: LocalCloud, account: str, sessions: RoleSessions, external_id: str | None = None):  # type: ignore[no-untyped-def]
    environ = {"WHITELIST_ENDPOINT": cloud.base_url}
    return make_member(
        FN, (role_arn(account), external_id), region=REGION,
        deadline=time.monotonic() + 30, environ=environ, sessions=sessions,
    )  # fmt: skip


def assume_calls(cloud: LocalCloud) -> int:
    return int(cloud.calls()["counts"].get("AssumeRole", 0))


def test_a_member_accounts_adapters_read_that_account(cloud: LocalCloud) -> None:
    inventory, stores, _ = member(cloud, APP_B, RoleSessions())
    assert [i.instance_id for i in inventory.get_instances(REGION, [B1])] == [B1]
    assert [g.name for g in stores.read_groups(REGION, R_B)] == ["default"]
    calls = [(c["action"], c["account"]) for c in cloud.calls()["calls"]]
    assert calls == [
        ("AssumeRole", CENTRAL),  # with the function's own credentials
        ("DescribeInstances", APP_B),
        ("DescribeSecurityIps", APP_B),
    ]


def test_the_session_is_assumed_once_and_kept_between_invocations(cloud: LocalCloud) -> None:
    sessions = RoleSessions()
    for _ in range(3):  # three invocations of a warm instance
        inventory, _, _ = member(cloud, APP_B, sessions)
        inventory.get_instances(REGION, [B1])
    assert assume_calls(cloud) == 1


def test_an_external_id_is_passed_when_the_account_has_one(cloud: LocalCloud) -> None:
    _, stores, _ = member(cloud, DATA, RoleSessions(), EXTERNAL_ID)
    assert stores.for_target("rds", {}).read_groups(REGION, "rm-bp1data0000001")
    _, stores, _ = member(cloud, DATA, RoleSessions())
    with pytest.raises(PermanentCloudError) as refused:
        stores.for_target("rds", {}).read_groups(REGION, "rm-bp1data0000001")
    assert (refused.value.action, refused.value.code) == ("AssumeRole", "NoPermission")


def test_a_role_that_cannot_be_assumed_raises_the_sts_code_once_per_invocation(
    cloud: LocalCloud,
) -> None:
    inventory, stores, _ = member(cloud, DENIED, RoleSessions())
    for read in (lambda: inventory.list_instances(REGION), lambda: stores.read_groups(REGION, R_B)):
        with pytest.raises(PermanentCloudError) as refused:
            read()
        assert (refused.value.action, refused.value.code) == ("AssumeRole", "NoPermission")
    assert assume_calls(cloud) == 1
    assert [c["action"] for c in cloud.calls()["calls"]] == ["AssumeRole"]


def test_a_missing_role_is_entity_not_exist(cloud: LocalCloud) -> None:
    inventory, _, _ = member(cloud, "7777777777777777", RoleSessions())
    with pytest.raises(PermanentCloudError) as refused:
        inventory.list_instances(REGION)
    assert refused.value.code == "EntityNotExist.Role"


def test_credentials_the_cloud_calls_expired_are_replaced_not_reused(cloud: LocalCloud) -> None:
    sessions = RoleSessions()  # our clock says the session is still good: only the cloud knows
    inventory, _, _ = member(cloud, APP_B, sessions)
    inventory.get_instances(REGION, [B1])
    cloud.advance_clock(3600)
    assert [i.instance_id for i in inventory.get_instances(REGION, [B1])] == [B1]
    codes = [(c["action"], c["code"]) for c in cloud.calls()["calls"]]
    assert codes == [
        ("AssumeRole", None),
        ("DescribeInstances", None),
        ("DescribeInstances", "InvalidSecurityToken.Expired"),
        ("AssumeRole", None),
        ("DescribeInstances", None),
    ]


# -- the cache's clock, without the cloud -------------------------------------------------

T0 = datetime(2026, 12, 7, 12, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def issuer(expires_in: timedelta) -> tuple[list[Credentials], object]:
    issued: list[Credentials] = []

    def assume() -> RoleSession:
        credentials = Credentials(f"STS.{len(issued)}", "secret-value-0123", "token-value-0123")
        issued.append(credentials)
        return RoleSession(credentials, T0 + expires_in * len(issued))

    return issued, assume


@pytest.mark.parametrize(
    ("later", "fresh"),
    [
        (timedelta(hours=1) - RENEW_MARGIN - timedelta(seconds=1), False),
        (timedelta(hours=1) - RENEW_MARGIN, True),  # never used once the margin is reached
        (timedelta(hours=2), True),
    ],
)
def test_a_session_is_renewed_once_its_expiration_minus_the_margin_is_reached(
    later: timedelta, fresh: bool
) -> None:
    clock = Clock()
    sessions = RoleSessions(now=clock)
    issued, assume = issuer(timedelta(hours=1))
    first = sessions.credentials(("k", "arn", ""), assume)  # type: ignore[arg-type]
    clock.now = T0 + later
    second = sessions.credentials(("k", "arn", ""), assume)  # type: ignore[arg-type]
    assert (second != first) is fresh
    assert len(issued) == (2 if fresh else 1)


def test_threads_asking_for_one_role_at_once_assume_it_once() -> None:
    from concurrent.futures import ThreadPoolExecutor

    sessions = RoleSessions(now=Clock())
    issued, assume = issuer(timedelta(hours=1))

    def slow() -> RoleSession:
        time.sleep(0.05)
        return assume()  # type: ignore[operator,no-any-return]

    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda _: sessions.credentials(("k", "arn", ""), slow), range(8)))
    assert len(issued) == 1
    assert set(got) == {issued[0]}
