"""Shared fixtures: the function run through ``handler.handler`` against localcloud.

The seed (``base_seed``) is one region, three Redis instances and four ECS hosts:

- ``r-bp1orders000001`` holds ``default``, ``ali_dms_group``, a hidden service group and
  ``ecs_orders`` = WEB1's IP. WEB2 runs (tagged ``app=orders``) but is not whitelisted
  yet: the "new host" of the event tests.
- ``r-bp1billing00001`` holds the same foreign groups and a hidden ``ecs_billing`` that
  the function owns (``System: false``) holding BILL1's IP.
- ``r-bp1sessions0001`` holds only ``default``; the ``sessions-cache`` target selects
  ``orders-web-*`` by name, so WEB1 and WEB2 match it too (its group does not exist yet).
- BATCH is tagged ``app=orders`` but lives in another VPC: no target selects it.

Every assertion reads the fake's state (``cloud.state()`` / ``/_localcloud/state``) and
its call log; nothing of our own code is mocked.

Test modules import the helpers below as ``from whitelist_testkit import ...``: pytest
re-binds the module name ``conftest`` to whichever conftest it loaded last (there are
several under tests/), so importing ``conftest`` by name would be order-dependent. This
file is always loaded before any module under tests/, so the alias is always there.
"""

from __future__ import annotations

import copy
import itertools
import json
import sys
import time
import types
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

import handler
from localcloud import events as cloud_events
from localcloud.builders import make_group, make_instance, make_redis_instance, make_seed
from localcloud.mock import LocalCloud
from whitelist_core import logs
from whitelist_core.entrypoints.webhook import sign

REGION = "cn-hangzhou"
ACCESS_KEY_ID = "localcloud-id"
ACCESS_KEY_SECRET = "localcloud-secret"
WEBHOOK_SECRET = "whsec-functional-0123456789abcdef"

WEB1, WEB1_IP = "i-bp1web0000000001", "10.0.1.11"
WEB2, WEB2_IP = "i-bp1web0000000002", "10.0.1.12"
BILL1, BILL1_IP = "i-bp1bill000000001", "10.0.2.21"
BATCH, BATCH_IP = "i-bp1batch00000001", "10.1.0.31"

R_ORDERS = "r-bp1orders000001"
R_BILLING = "r-bp1billing00001"
R_SESSIONS = "r-bp1sessions0001"

FOREIGN_GROUPS = ("default", "ali_dms_group", "rds_replica_group")

ORDERS_TARGET: dict[str, Any] = {
    "name": "orders-cache",
    "instance_id": R_ORDERS,
    "group": "ecs_orders",
    "selector": {"vpc_id": "vpc-demo01", "tags": {"app": "orders"}},
}
BILLING_TARGET: dict[str, Any] = {
    "name": "billing-cache",
    "instance_id": R_BILLING,
    "group": "ecs_billing",
    "hidden": True,
    "selector": {"tags": {"app": "billing"}},
    "static_entries": ["10.8.0.0/24"],
}
SESSIONS_TARGET: dict[str, Any] = {
    "name": "sessions-cache",
    "instance_id": R_SESSIONS,
    "group": "ecs_web",
    "selector": {"name": "orders-web-*"},
}


def foreign_groups() -> list[dict[str, Any]]:
    """Groups the function must never write: default, DMS and a hidden service group."""
    return [
        make_group("default", ["127.0.0.1"]),
        make_group("ali_dms_group", ["100.104.205.0/24"]),
        make_group("rds_replica_group", ["100.100.202.0/24", "10.10.10.10"], hidden=True),
    ]


def base_instances() -> list[dict[str, Any]]:
    return [
        make_instance(WEB1, WEB1_IP, tags={"app": "orders"}, name="orders-web-1"),
        make_instance(WEB2, WEB2_IP, tags={"app": "orders"}, name="orders-web-2"),
        make_instance(
            BILL1,
            BILL1_IP,
            tags={"app": "billing"},
            name="billing-api-1",
            vswitch_id="vsw-demo02",
        ),
        make_instance(
            BATCH,
            BATCH_IP,
            tags={"app": "orders"},
            name="batch-1",
            vpc_id="vpc-other01",
            vswitch_id="vsw-other01",
        ),
    ]


def base_seed() -> dict[str, Any]:
    """The seed described in the module docstring (a fresh copy every call)."""
    redis = [
        make_redis_instance(R_ORDERS, [*foreign_groups(), make_group("ecs_orders", [WEB1_IP])]),
        make_redis_instance(
            R_BILLING,
            [
                *foreign_groups(),
                make_group("ecs_billing", ["10.8.0.0/24", BILL1_IP], hidden=True, system=False),
            ],
        ),
        make_redis_instance(R_SESSIONS),
    ]
    seed = make_seed(base_instances(), redis, region=REGION)
    return copy.deepcopy(seed)


def base_config(**overrides: Any) -> dict[str, Any]:
    """The configuration of the three targets above; keyword arguments replace top keys."""
    config: dict[str, Any] = {
        "version": 1,
        "region": REGION,
        "targets": [
            copy.deepcopy(ORDERS_TARGET),
            copy.deepcopy(BILLING_TARGET),
            copy.deepcopy(SESSIONS_TARGET),
        ],
    }
    return config | overrides


# -- reading the fake's state ---------------------------------------------------------


def redis_instance(state: Mapping[str, Any], instance_id: str) -> dict[str, Any]:
    """One Redis instance of a state dump, from any region."""
    for instances in state["kvstore"].values():
        for instance in instances:
            if instance["InstanceId"] == instance_id:
                return dict(instance)
    raise KeyError(instance_id)


def group_of(state: Mapping[str, Any], instance_id: str, group: str) -> dict[str, Any] | None:
    """The raw group dict (name, attribute, list) of a state dump, or None."""
    for item in redis_instance(state, instance_id)["SecurityIpGroups"]:
        if item["SecurityIpGroupName"] == group:
            return dict(item)
    return None


def entries_of(state: Mapping[str, Any], instance_id: str, group: str) -> set[str] | None:
    """The entries of a group in a state dump as a set (None when the group is absent)."""
    found = group_of(state, instance_id, group)
    if found is None:
        return None
    text = found["SecurityIpList"]
    return {part.strip() for part in text.split(",") if part.strip()}


def writes(calls: Mapping[str, Any]) -> int:
    """How many ModifySecurityIps requests a call log holds."""
    return int(calls["counts"].get("ModifySecurityIps", 0))


def total_calls(calls: Mapping[str, Any]) -> int:
    return sum(calls["counts"].values())


# -- building events (localcloud.events has the shapes) -------------------------------


def eventbridge_state_change(
    instance_id: str, state: str, region: str = REGION, event_id: str | None = None
) -> dict[str, Any]:
    """An acs.ecs ``ecs:Instance:StateChange`` CloudEvent (tests/events shape)."""
    return cloud_events.ecs_state_change(instance_id, state, region, event_id)


cloudmonitor_state_change = cloud_events.cloudmonitor_state_change
ess_scale_out = cloud_events.ess_scale_out
timer_event = cloud_events.timer_event


def http_event(
    method: str,
    path: str,
    body: bytes | str | Mapping[str, Any] | None = None,
    *,
    secret: str | None = WEBHOOK_SECRET,
    timestamp: int | None = None,
    headers: Mapping[str, str] | None = None,
    base64_body: bool = False,
) -> dict[str, Any]:
    """An FC 3.0 HTTP trigger event (tests/events/fc3-http.json shape), signed with
    ``secret`` at ``timestamp`` (now by default) unless ``secret`` is None."""
    if body is None:
        raw = b""
    elif isinstance(body, bytes):
        raw = body
    elif isinstance(body, str):
        raw = body.encode("utf-8")
    else:
        raw = json.dumps(body).encode("utf-8")
    all_headers = {"Content-Type": "application/json", "Accept": "*/*"}
    if secret is not None:
        all_headers |= sign(raw, secret, int(time.time()) if timestamp is None else timestamp)
    all_headers |= dict(headers or {})
    return cloud_events.http_event(method, path, raw, all_headers, base64_body=base64_body)


def http_body(response: Mapping[str, Any]) -> Any:
    """The decoded JSON body of an HTTP trigger response."""
    return json.loads(response["body"])


def fc_context(request_id: str = "req-1", timeout: int = 30) -> types.SimpleNamespace:
    """An FC context as the python3.12 runtime gives it: no credentials."""
    return types.SimpleNamespace(
        request_id=request_id,
        credentials=None,
        function=types.SimpleNamespace(timeout=timeout),
    )


# -- fixtures -------------------------------------------------------------------------


@pytest.fixture
def clean_logging() -> Iterator[None]:
    """Leave logging, registered secrets and bound fields as other tests expect them."""
    yield
    logs.reset_logging()
    logs.clear_secrets()
    logs.clear_invocation()


@pytest.fixture
def function_env(monkeypatch: pytest.MonkeyPatch, clean_logging: None) -> pytest.MonkeyPatch:
    """Environment of the function without endpoints: credentials, webhook secret."""
    for name in (
        "WHITELIST_DRY_RUN",
        "WHITELIST_TIMEOUT_SECONDS",
        "ALIBABA_CLOUD_SECURITY_TOKEN",
        "LOG_LEVEL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", ACCESS_KEY_ID)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", ACCESS_KEY_SECRET)
    monkeypatch.setenv("WHITELIST_WEBHOOK_SECRET", WEBHOOK_SECRET)
    return monkeypatch


def point_env_at(monkeypatch: pytest.MonkeyPatch, base_url: str) -> None:
    monkeypatch.setenv("WHITELIST_ECS_ENDPOINT", base_url)
    monkeypatch.setenv("WHITELIST_KVSTORE_ENDPOINT", base_url)


@pytest.fixture
def seed() -> dict[str, Any]:
    """The seed ``cloud`` starts from; override this fixture in a module to change it."""
    return base_seed()


@pytest.fixture
def cloud(seed: dict[str, Any], function_env: pytest.MonkeyPatch) -> Iterator[LocalCloud]:
    """localcloud mounted in-process on ``responses``, with the function's env pointed at it:
    every product (RDS, PolarDB, MongoDB, ESS, STS) through ``WHITELIST_ENDPOINT``, ECS and
    R-KVStore through their own variables too."""
    with LocalCloud.mocked(seed, base_url="http://localcloud.test") as fake:
        point_env_at(function_env, fake.base_url)
        function_env.setenv("WHITELIST_ENDPOINT", fake.base_url)
        yield fake


WriteConfig = Callable[..., Path]


@pytest.fixture
def write_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_logging: None
) -> WriteConfig:
    """Write a configuration (a dict, default ``base_config()``) to a fresh file and point
    ``WHITELIST_CONFIG`` at it. Each call uses a new path: ``load_cached`` keys on path."""
    counter = itertools.count(1)

    def write(config: Mapping[str, Any] | None = None, **overrides: Any) -> Path:
        data = dict(config) if config is not None else base_config()
        data |= overrides
        path = tmp_path / f"whitelist-{next(counter)}.yml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        monkeypatch.setenv("WHITELIST_CONFIG", str(path))
        return path

    return write


@pytest.fixture
def configured(cloud: Any, write_config: WriteConfig) -> Any:
    """``cloud`` with the default configuration written and an empty call log."""
    write_config()
    cloud.reset_calls()
    return cloud


Invoke = Callable[..., dict[str, Any]]


@pytest.fixture
def invoke() -> Invoke:
    """Run ``handler.handler`` on an event (dict/list encoded to bytes, as FC passes it)."""

    def run(event: Any, context: Any = None, *, raw: bool = False) -> dict[str, Any]:
        payload = event if raw else json.dumps(event).encode("utf-8")
        return handler.handler(payload, context)

    return run


sys.modules.setdefault("whitelist_testkit", sys.modules[__name__])
