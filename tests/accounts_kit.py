"""A world of several accounts on localcloud, shared by the tests of issue 26.

- CENTRAL (localcloud's default account) runs the function: its credentials are the
  function role's session (``whitelist-fn``), as FC hands them over. It has WEB1 (10.0.1.11).
- APP_B holds Redis ``R_B`` and hosts B1 (10.0.1.11, the same IP as WEB1: overlapping
  VPC ranges) and B2 (10.0.1.12); its role trusts exactly the function's role.
- APP_C holds host C1 (10.0.3.31); its role trusts the central account.
- DATA holds RDS ``RDS_DATA`` reached from APP_B and APP_C hosts; its role trusts the
  central account and asks for an ExternalId.
- DENIED holds Redis ``R_DENIED``; its role trusts another account only.
- OUTSIDE is not in the configuration at all.
"""

from __future__ import annotations

import copy
from typing import Any

from localcloud.builders import (
    make_db_group,
    make_db_instance,
    make_group,
    make_instance,
    make_redis_instance,
    make_role,
)

REGION = "cn-hangzhou"
CENTRAL, APP_B, APP_C, DATA, DENIED, OUTSIDE = (
    "1234567890123456",
    "2222222222222222",
    "3333333333333333",
    "4444444444444444",
    "6666666666666666",
    "5555555555555555",
)
FN_KEY, FN_SECRET = "fn-role-id", "fn-role-secret-0123456789"
FN_ROLE = f"acs:ram::{CENTRAL}:role/whitelist-fn"
ROLE = "whitelist-sync-member"
EXTERNAL_ID = "ext-data-0123"


def role_arn(account: str) -> str:
    return f"acs:ram::{account}:role/{ROLE}"


WEB1, B1, B2, C1 = (
    "i-bp1web0000000001",
    "i-bp1appb00000001",
    "i-bp1appb00000002",
    "i-bp1appc00000001",
)
WEB1_IP, B1_IP, B2_IP, C1_IP = "10.0.1.11", "10.0.1.11", "10.0.1.12", "10.0.3.31"
R_CENTRAL, R_B, R_DENIED = "r-bp1central00001", "r-bp1appb00000001", "r-bp1denied000001"
RDS_DATA = "rm-bp1data0000001"


def host(instance_id: str, ip: str, app: str) -> dict[str, Any]:
    return make_instance(instance_id, ip, tags={"app": app}, name=f"{app}-{instance_id[-1]}")


def seed() -> dict[str, Any]:
    """The world of the module docstring (a fresh copy every call)."""
    accounts = {
        APP_B: {
            "ecs": {REGION: [host(B1, B1_IP, "shop"), host(B2, B2_IP, "shop")]},
            "kvstore": {REGION: [make_redis_instance(R_B, [make_group("default", ["127.0.0.1"])])]},
            "roles": [make_role(APP_B, ROLE, [FN_ROLE])],
        },
        APP_C: {
            "ecs": {REGION: [host(C1, C1_IP, "shop")]},
            "roles": [make_role(APP_C, ROLE, [f"acs:ram::{CENTRAL}:root"])],
        },
        DATA: {
            "rds": {REGION: [make_db_instance("rds", RDS_DATA, [make_db_group("rds", "default")])]},
            "roles": [make_role(DATA, ROLE, [f"acs:ram::{CENTRAL}:root"], external_id=EXTERNAL_ID)],
        },
        DENIED: {
            "kvstore": {REGION: [make_redis_instance(R_DENIED)]},
            "roles": [make_role(DENIED, ROLE, [f"acs:ram::{OUTSIDE}:root"])],
        },
        OUTSIDE: {"ecs": {REGION: [host("i-bp1outside000001", "10.0.9.9", "shop")]}},
    }
    return copy.deepcopy(
        {
            "credentials": [
                {"AccessKeyId": FN_KEY, "AccessKeySecret": FN_SECRET, "Role": "whitelist-fn"}
            ],
            "ecs": {REGION: [host(WEB1, WEB1_IP, "shop")]},
            "kvstore": {REGION: [make_redis_instance(R_CENTRAL)]},
            "accounts": accounts,
        }
    )


ACCOUNTS: dict[str, Any] = {
    "app_b": {"role_arn": role_arn(APP_B)},
    "app_c": {"role_arn": role_arn(APP_C)},
    "data": {"role_arn": role_arn(DATA), "external_id": EXTERNAL_ID},
    "denied": {"role_arn": role_arn(DENIED)},
}
SHOP = {"tags": {"app": "shop"}}


def config(*targets: dict[str, Any]) -> dict[str, Any]:
    """A configuration naming the four member accounts, with these targets."""
    return {"version": 1, "region": REGION, "accounts": ACCOUNTS, "targets": list(targets)}


def target(name: str, instance_id: str, account: str | None, **fields: Any) -> dict[str, Any]:
    found = {"name": name, "instance_id": instance_id, "group": "ecs_shop", "selector": dict(SHOP)}
    if account is not None:
        found["account"] = account
    return found | fields


CENTRAL_CACHE = target("central-cache", R_CENTRAL, None)
B_CACHE = target("b-cache", R_B, "app_b")
DATA_DB = target("data-db", RDS_DATA, "data", product="rds", group="shop_b")
DATA_DB_C = target(
    "data-db-c", RDS_DATA, "data", product="rds", group="shop_c",
    selector=SHOP | {"account": "app_c"},
)  # fmt: skip
DENIED_CACHE = target("denied-cache", R_DENIED, "denied")
DATA_DB["selector"] = SHOP | {"account": "app_b"}
