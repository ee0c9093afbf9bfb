"""STS AssumeRole through the official ``alibabacloud-sts20150401`` client.

The server's clock is frozen (signature timestamps stay fresh for the few seconds the
module runs), so an ``Expiration`` is an exact value; expiry is reached only by
``POST /_localcloud/clock``, as a test of the function would reach it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from alibabacloud_r_kvstore20150101 import models as kv_models
from alibabacloud_sts20150401 import models as sts_models
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkcore.auth.credentials import StsTokenCredential
from aliyunsdkcore.client import AcsClient
from aliyunsdkcore.request import CommonRequest
from localcloud_support import (
    CENTRAL,
    EXTERNAL_ROLE,
    FN_KEY,
    FN_SECRET,
    MEMBER,
    MEMBER_REDIS,
    MEMBER_ROLE,
    OUT_KEY,
    OUT_SECRET,
    SHARED,
    SHARED_ROLE,
    Running,
    accounts_seed,
    ecs,
    failure,
    kvstore,
    listed_hosts,
    serving,
    session_client,
    sts,
)

from localcloud.backend import Backend
from localcloud.clock import iso8601

NOW = float(int(time.time()))


@pytest.fixture(scope="module")
def _server() -> Iterator[Running]:
    with serving(Backend(accounts_seed(), clock=lambda: NOW)) as running:
        yield running


@pytest.fixture
def cloud(_server: Running) -> Running:
    _server.backend.reset()
    return _server


def assume(
    cloud: Running,
    arn: str = MEMBER_ROLE,
    key: str = FN_KEY,
    secret: str = FN_SECRET,
    token: str | None = None,
    **fields: Any,
) -> Any:
    fields.setdefault("role_session_name", "whitelist-sync")
    request = sts_models.AssumeRoleRequest(role_arn=arn, **fields)
    client = sts(cloud.endpoint, key=key, secret=secret, token=token)
    return client.assume_role(request).body


def test_assume_role_answers_the_sdk_models_shape(cloud: Running) -> None:
    body = assume(cloud, duration_seconds=1800)
    credentials = body.credentials
    assert credentials.access_key_id.startswith("STS.")
    assert credentials.access_key_secret
    assert credentials.security_token.startswith("CAIS")
    assert credentials.expiration == iso8601(NOW + 1800)
    assert body.assumed_role_user.arn == f"{MEMBER_ROLE}/whitelist-sync"
    role_id, session = body.assumed_role_user.assumed_role_id.split(":")
    assert (len(role_id), session) == (19, "whitelist-sync")
    assert body.request_id
    assert assume(cloud).credentials.expiration == iso8601(NOW + 3600)  # the default


def test_temporary_credentials_act_in_the_roles_account(cloud: Running) -> None:
    session = assume(cloud)
    assert listed_hosts(session_client(cloud.endpoint, session)) == ["i-bp1member000001"]
    assert listed_hosts(ecs(cloud.endpoint, key=FN_KEY, secret=FN_SECRET)) == ["i-bp1central00001"]
    redis = session_client(cloud.endpoint, session, kvstore)
    redis.modify_security_ips(
        kv_models.ModifySecurityIpsRequest(
            instance_id=MEMBER_REDIS,
            security_ips="10.0.1.5",
            security_ip_group_name="ecs_member",
            modify_mode="Append",
        )
    )
    member = cloud.admin("GET", f"state?account={MEMBER}").json()
    groups = member["kvstore"]["cn-hangzhou"][0]["SecurityIpGroups"]
    assert {g["SecurityIpGroupName"]: g["SecurityIpList"] for g in groups}["ecs_member"] == (
        "10.0.1.5"
    )
    central = cloud.admin("GET", "state").json()["kvstore"]["cn-hangzhou"][0]
    assert [g["SecurityIpGroupName"] for g in central["SecurityIpGroups"]] == ["default"]
    # The member's own API does not know the central account's instance.
    missing = kv_models.DescribeSecurityIpsRequest(instance_id="r-bp1central00001")
    error = failure(lambda: redis.describe_security_ips(missing))
    assert error.code == "InvalidInstanceId.NotFound"
    calls = cloud.admin("GET", "calls").json()["calls"]
    assert [(c["action"], c["account"]) for c in calls] == [
        ("AssumeRole", CENTRAL),
        ("DescribeInstances", MEMBER),
        ("DescribeInstances", CENTRAL),
        ("ModifySecurityIps", MEMBER),
        ("DescribeSecurityIps", MEMBER),
    ]


def test_expired_on_localclouds_clock(cloud: Running) -> None:
    session = assume(cloud, duration_seconds=900)
    client = session_client(cloud.endpoint, session)
    answer = cloud.admin("POST", "clock", {"advance_seconds": 899}).json()
    assert answer == {"now": iso8601(NOW + 899), "advanced_seconds": 899}
    assert listed_hosts(client) == ["i-bp1member000001"]  # one second left
    cloud.admin("POST", "clock", {"advance_seconds": 1})
    error = failure(lambda: listed_hosts(client))
    assert (error.code, error.status_code) == ("InvalidSecurityToken.Expired", 400)
    fresh = assume(cloud, duration_seconds=900)  # a new one is issued on the moved clock
    assert fresh.credentials.expiration == iso8601(NOW + 900 + 900)
    assert listed_hosts(session_client(cloud.endpoint, fresh)) == ["i-bp1member000001"]
    cloud.backend.reset()  # a reset forgets sessions and the clock's advance
    assert cloud.admin("GET", "clock").json()["advanced_seconds"] == 0
    assert failure(lambda: listed_hosts(client)).code == "InvalidAccessKeyId.NotFound"


def test_the_security_token_is_verified(cloud: Running) -> None:
    first, second = assume(cloud), assume(cloud)
    key, secret = first.credentials.access_key_id, first.credentials.access_key_secret
    cases = [
        (None, "MissingSecurityToken"),
        ("CAIS-never-issued", "InvalidSecurityToken.Malformed"),
        (second.credentials.security_token, "InvalidSecurityToken.MismatchWithAccessKey"),
    ]
    for token, code in cases:
        client = ecs(cloud.endpoint, key=key, secret=secret, token=token)
        assert failure(lambda c=client: listed_hosts(c)).code == code  # type: ignore[misc]


@pytest.mark.parametrize(
    ("arn", "key", "secret", "fields", "code", "status"),
    [
        # The member role trusts only the function's role, not other principals of its account.
        (MEMBER_ROLE, "localcloud-id", "localcloud-secret", {}, "NoPermission", 403),
        (MEMBER_ROLE, OUT_KEY, OUT_SECRET, {}, "NoPermission", 403),
        # A trust policy that requires an ExternalId.
        (EXTERNAL_ROLE, FN_KEY, FN_SECRET, {}, "NoPermission", 403),
        (EXTERNAL_ROLE, FN_KEY, FN_SECRET, {"external_id": "ext-9999"}, "NoPermission", 403),
        (f"acs:ram::{MEMBER}:role/nobody", FN_KEY, FN_SECRET, {}, "EntityNotExist.Role", 404),
        ("acs:ram::9999999999999999:role/x1", FN_KEY, FN_SECRET, {}, "EntityNotExist.Role", 404),
        (f"acs:ram::{MEMBER}:user/alice", FN_KEY, FN_SECRET, {}, "InvalidParameter.RoleArn", 400),
        (
            MEMBER_ROLE,
            FN_KEY,
            FN_SECRET,
            {"role_session_name": "a b"},
            "InvalidParameter.RoleSessionName",
            400,
        ),
        (
            MEMBER_ROLE,
            FN_KEY,
            FN_SECRET,
            {"duration_seconds": 899},
            "InvalidParameter.DurationSeconds",
            400,
        ),
        (
            MEMBER_ROLE,
            FN_KEY,
            FN_SECRET,
            {"duration_seconds": 3601},
            "InvalidParameter.DurationSeconds",
            400,
        ),
        (
            MEMBER_ROLE,
            FN_KEY,
            FN_SECRET,
            {"policy": "{not json"},
            "InvalidParameter.PolicyGrammar",
            400,
        ),
    ],
)
def test_refusals(
    cloud: Running, arn: str, key: str, secret: str, fields: dict[str, Any], code: str, status: int
) -> None:
    error = failure(lambda: assume(cloud, arn, key, secret, **fields))
    assert (error.code, error.status_code) == (code, status)
    assert error.data["Recommend"].endswith(f"q={code}&product=Sts&requestId={error.request_id}")


def test_external_id_and_longer_sessions(cloud: Running) -> None:
    user = ("localcloud-id", "localcloud-secret")
    body = assume(cloud, EXTERNAL_ROLE, *user, external_id="ext-0123", duration_seconds=7200)
    assert body.credentials.expiration == iso8601(NOW + 7200)  # the role's MaxSessionDuration
    error = failure(
        lambda: assume(cloud, EXTERNAL_ROLE, *user, external_id="ext-0123", duration_seconds=7201)
    )
    assert (error.code, error.message.split(",")[1].strip()[:39]) == (
        "InvalidParameter.DurationSeconds",
        "The Min/Max value of DurationSeconds is",
    )


def test_role_chaining_is_capped_at_one_hour(cloud: Running) -> None:
    # The function's own credentials are a role's session (FC hands it its role's STS
    # credentials), so assuming a member role from them is role chaining.
    chained = assume(cloud, EXTERNAL_ROLE, external_id="ext-0123", duration_seconds=3600)
    assert chained.credentials.expiration == iso8601(NOW + 3600)
    error = failure(
        lambda: assume(cloud, EXTERNAL_ROLE, external_id="ext-0123", duration_seconds=3601)
    )
    assert error.code == "InvalidParameter.DurationSeconds"


def test_a_role_session_of_the_member_account_assumes_the_shared_role(cloud: Running) -> None:
    member = assume(cloud)
    credentials = member.credentials
    shared = assume(
        cloud,
        SHARED_ROLE,
        credentials.access_key_id,
        credentials.access_key_secret,
        credentials.security_token,
    )
    identity = session_client(cloud.endpoint, shared, sts).get_caller_identity().body
    assert (identity.account_id, identity.identity_type) == (SHARED, "AssumedRoleUser")
    assert identity.arn == f"acs:ram::{SHARED}:assumed-role/shared-db/whitelist-sync"
    assert identity.principal_id == f"{identity.role_id}:whitelist-sync"


def test_get_caller_identity_of_a_user_and_of_the_functions_role(cloud: Running) -> None:
    user = sts(cloud.endpoint, key=OUT_KEY, secret=OUT_SECRET).get_caller_identity().body
    assert (user.account_id, user.identity_type) == ("5555555555555555", "RAMUser")
    assert user.arn == f"acs:ram::5555555555555555:user/{OUT_KEY}"
    assert user.user_id == user.principal_id
    role = sts(cloud.endpoint, key=FN_KEY, secret=FN_SECRET).get_caller_identity().body
    assert (role.account_id, role.arn) == (CENTRAL, f"acs:ram::{CENTRAL}:role/whitelist-fn")


def test_a_caller_denied_assume_role_gets_no_permission() -> None:
    seed = accounts_seed()
    seed["credentials"][0]["Denied"] = ["AssumeRole"]
    with serving(Backend(seed)) as cloud:
        error = failure(lambda: assume(cloud))
        assert (error.code, error.status_code) == ("NoPermission", 403)
        assert "authorized by RAM" in error.message
        state = requests.get(f"{cloud.url}/_localcloud/state", timeout=10).json()
        assert state["credentials"][1]["Denied"] == ["AssumeRole"]


def test_the_legacy_sdk_signs_with_temporary_credentials(cloud: Running) -> None:
    credentials = assume(cloud).credentials
    host, port = cloud.endpoint.split(":")
    token = StsTokenCredential(
        credentials.access_key_id, credentials.access_key_secret, credentials.security_token
    )
    client = AcsClient(region_id="cn-hangzhou", credential=token, port=int(port), auto_retry=False)
    request = CommonRequest(domain=host, version="2014-05-26", action_name="DescribeInstances")
    request.set_protocol_type("http")
    request.add_query_param("RegionId", "cn-hangzhou")
    body = json.loads(client.do_action_with_exception(request))
    assert [i["InstanceId"] for i in body["Instances"]["Instance"]] == ["i-bp1member000001"]
    cloud.admin("POST", "clock", {"advance_seconds": 3600})
    with pytest.raises(ServerException) as expired:
        client.do_action_with_exception(request)
    assert expired.value.get_error_code() == "InvalidSecurityToken.Expired"
