"""Helpers for the reliability tests: one scenario, events, state readers and invariants.

The scenario (``scenario_seed``) is one Redis instance with three foreign groups the
function must never write (``default``, ``ali_dms_group`` and a hidden service group)
and the owned group ``ecs_orders``. ECS holds two whitelisted hosts (H1, H2), a new
host H3 that is not whitelisted yet, and a host of another app. The group also holds a
stale address (``STALE_IP``) and the static entry, so a full reconcile needs exactly
one add (H3) and one removal (``STALE_IP``).

Every check reads localcloud's state (the independent oracle), never our own objects.
Imported by the test modules as ``from reliability_kit import ...``.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests
import responses

from localcloud import events as cloud_events
from localcloud.builders import make_group, make_instance, make_redis_instance, make_seed
from localcloud.mock import LocalCloud
from whitelist_core.aliyun import factory
from whitelist_core.aliyun.transport.rpc import RpcClient
from whitelist_core.entrypoints.webhook import sign

ROOT = Path(__file__).resolve().parents[2]
REGION = "cn-hangzhou"
BASE_URL = "http://localcloud.reliability.test"
ACCESS_KEY_ID = "localcloud-id"
ACCESS_KEY_SECRET = "localcloud-secret"
WEBHOOK_SECRET = "whsec-reliability-5f0c2a9d81e34b67"

REDIS = "r-bp1orders000001"
GROUP = "ecs_orders"
PLACEHOLDER = "127.0.0.1"
STATIC = "10.8.0.0/24"
STALE_IP = "10.0.1.99"
FOREIGN = ("default", "ali_dms_group", "rds_replica_group")

H1, H1_IP = "i-bp1host000000001", "10.0.1.1"
H2, H2_IP = "i-bp1host000000002", "10.0.1.2"
H3, H3_IP = "i-bp1host000000003", "10.0.1.3"
OTHER, OTHER_IP = "i-bp1other00000001", "10.0.1.50"

DESIRED = {H1_IP, H2_IP, H3_IP, STATIC}
SELECTOR = {"vpc_id": "vpc-demo01", "tags": {"app": "orders"}}


# -- seeds and configuration ----------------------------------------------------------


def host(instance_id: str, ip: str, *, selected: bool = True, **keys: Any) -> dict[str, Any]:
    """An ECS instance; ``selected`` decides the ``app`` tag the target's selector wants."""
    return make_instance(instance_id, ip, tags={"app": "orders" if selected else "other"}, **keys)


def classic_host(instance_id: str, inner_ip: str) -> dict[str, Any]:
    """A selected classic-network instance: no VPC, its address is the inner IP."""
    item = host(instance_id, inner_ip)
    item.update(InstanceNetworkType="classic", InnerIpAddress={"IpAddress": [inner_ip]})
    item["VpcAttributes"] = {"VpcId": "", "VSwitchId": "", "NatIpAddress": "",
                             "PrivateIpAddress": {"IpAddress": []}}  # fmt: skip
    item["NetworkInterfaces"] = {"NetworkInterface": []}
    return item


def foreign_groups() -> list[dict[str, Any]]:
    """Groups the function must never write: default, DMS and a hidden service group."""
    return [
        make_group("default", ["127.0.0.1", "192.168.7.7"]),
        make_group("ali_dms_group", ["100.104.205.0/24"]),
        make_group("rds_replica_group", ["100.100.202.0/24", "10.0.1.2"], hidden=True),
    ]


def scenario_seed(
    owned: Sequence[str] = (H1_IP, H2_IP, STALE_IP, STATIC),
    hosts: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """The seed described in the module docstring (a fresh copy every call)."""
    if hosts is None:
        hosts = [
            host(H1, H1_IP),
            host(H2, H2_IP),
            host(H3, H3_IP),
            host(OTHER, OTHER_IP, selected=False),
        ]
    groups = [*foreign_groups(), make_group(GROUP, list(owned))]
    return make_seed(list(hosts), [make_redis_instance(REDIS, groups)], region=REGION)


def target(**overrides: Any) -> dict[str, Any]:
    """The one target of the scenario (``orders``)."""
    return {
        "name": "orders",
        "instance_id": REDIS,
        "group": GROUP,
        "selector": SELECTOR,
        "static_entries": [STATIC],
    } | overrides


def config(targets: Sequence[Mapping[str, Any]] | None = None, **overrides: Any) -> dict[str, Any]:
    """A configuration of ``targets`` (default: the scenario's one target)."""
    base = {"version": 1, "region": REGION, "targets": list(targets or [target()])}
    return base | overrides


_config_numbers = itertools.count(1)


def write_config(directory: Path, data: Mapping[str, Any]) -> Path:
    """Write ``data`` as JSON to a fresh path (the handler caches configs per path+mtime)."""
    path = directory / f"whitelist-{next(_config_numbers)}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def function_env(base_url: str, config_path: Path, **extra: str) -> dict[str, str]:
    """The environment the function runs with against localcloud at ``base_url``."""
    env = {
        "WHITELIST_ECS_ENDPOINT": base_url,
        "WHITELIST_KVSTORE_ENDPOINT": base_url,
        "ALIBABA_CLOUD_ACCESS_KEY_ID": ACCESS_KEY_ID,
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": ACCESS_KEY_SECRET,
        "WHITELIST_CONFIG": str(config_path),
        "WHITELIST_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "WHITELIST_TIMEOUT_SECONDS": "30",
        "LOG_LEVEL": "WARNING",
    }
    return env | extra


UNSET_ENV = ("WHITELIST_DRY_RUN", "ALIBABA_CLOUD_SECURITY_TOKEN")


def no_sleep_clients() -> Callable[..., Any]:
    """``RpcClient`` whose backoff sleeps return at once (same attempts, same deadline)."""
    return functools.partial(RpcClient, sleep=lambda seconds: None)


@contextlib.contextmanager
def fast_retries() -> Iterator[None]:
    """Patch ``factory.RpcClient`` for the duration (outside pytest's monkeypatch)."""
    original = factory.RpcClient
    factory.RpcClient = no_sleep_clients()  # type: ignore[misc]
    try:
        yield
    finally:
        factory.RpcClient = original  # type: ignore[misc]


# -- the fake, with a hook after every cloud call -------------------------------------

CallHook = Callable[[LocalCloud, requests.PreparedRequest], None]


@contextlib.contextmanager
def mounted(seed: Mapping[str, Any], hook: CallHook | None = None) -> Iterator[LocalCloud]:
    """localcloud in-process on ``responses``; ``hook`` runs after every request it answers
    (so invariants are checked between any two cloud calls, not only at the end)."""
    cloud = LocalCloud(dict(seed), BASE_URL)
    if hook is not None:
        answer = cloud._callback

        def callback(prepared: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
            try:
                return answer(prepared)
            finally:
                hook(cloud, prepared)

        cloud._callback = callback  # type: ignore[method-assign]
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        cloud.register(mock)
        yield cloud


def request_params(prepared: requests.PreparedRequest) -> dict[str, str]:
    """The query parameters of a signed RPC request."""
    return dict(parse_qsl(urlsplit(prepared.url or "").query, keep_blank_values=True))


def action_of(prepared: requests.PreparedRequest) -> str:
    """The API action a request asks for (V3 header)."""
    return str(prepared.headers.get("x-acs-action", ""))


# -- reading state --------------------------------------------------------------------


def groups_of(state: Mapping[str, Any], instance_id: str = REDIS) -> dict[str, dict[str, str]]:
    """Every group of a Redis instance in a state dump, by name (raw wire dicts)."""
    for instances in state["kvstore"].values():
        for instance in instances:
            if instance["InstanceId"] == instance_id:
                return {g["SecurityIpGroupName"]: dict(g) for g in instance["SecurityIpGroups"]}
    raise KeyError(instance_id)


def entries(state: Mapping[str, Any], group: str = GROUP, instance_id: str = REDIS) -> set[str]:
    """The entries of a group (empty set when the group does not exist)."""
    found = groups_of(state, instance_id).get(group)
    if found is None:
        return set()
    return {part.strip() for part in found["SecurityIpList"].split(",") if part.strip()}


def foreign_snapshot(state: Mapping[str, Any], instance_id: str = REDIS) -> dict[str, Any]:
    """The foreign groups exactly as stored (name, attribute, list text)."""
    groups = groups_of(state, instance_id)
    return {name: groups.get(name) for name in FOREIGN}


def empty_groups(state: Mapping[str, Any]) -> list[str]:
    """Names of groups (any instance) whose list is empty: the API forbids that."""
    return [
        f"{instance['InstanceId']}/{g['SecurityIpGroupName']}"
        for instances in state["kvstore"].values()
        for instance in instances
        for g in instance["SecurityIpGroups"]
        if not g["SecurityIpList"].strip()
    ]


def count(calls: Mapping[str, Any], action: str) -> int:
    return int(calls["counts"].get(action, 0))


# -- events ---------------------------------------------------------------------------


def state_change(instance_id: str, state: str, region: str = REGION) -> dict[str, Any]:
    """An EventBridge ``ecs:Instance:StateChange`` CloudEvent."""
    return cloud_events.ecs_state_change(instance_id, state, region)


def timer() -> dict[str, Any]:
    """An FC timer event (payload not JSON: reconcile every target)."""
    return cloud_events.timer_event("x")


encode = cloud_events.encode
http_event = cloud_events.http_event


def signed_http_event(
    method: str,
    path: str,
    body: bytes,
    *,
    secret: str = WEBHOOK_SECRET,
    timestamp: float | None = None,
) -> dict[str, Any]:
    """An HTTP event signed as the webhook contract says, at ``timestamp`` (now)."""
    headers = {"Content-Type": "application/json"}
    headers |= sign(body, secret, int(time.time() if timestamp is None else timestamp))
    return http_event(method, path, body, headers)


def admin(url: str, path: str, body: Any = None, method: str = "POST") -> Any:
    """Call an admin endpoint of a ``python -m localcloud`` server (loopback only)."""
    data = None if body is None else json.dumps(body).encode("utf-8")
    address = url + "/_localcloud/" + path
    request = urllib.request.Request(address, data=data, method=method)  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - loopback
        return json.loads(answer.read())
