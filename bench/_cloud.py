"""Driving ``handler.handler`` against ``python -m localcloud`` on 127.0.0.1."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
from _common import REGION, VPC
from _scenario import host_id, host_ip, redis_id, target_dicts

from localcloud import events as cloud_events
from localcloud.builders import make_instance, make_redis_instance, make_seed
from localcloud.events import encode
from localcloud.testing import run_server

ACCESS_KEY_ID = "localcloud-id"
ACCESS_KEY_SECRET = "localcloud-secret"  # noqa: S105 - localcloud's published fake credential


def wire_host(
    index: int, services: Sequence[int], *, ip: str | None = None, **kw: Any
) -> dict[str, Any]:
    """Host ``index`` in the DescribeInstances shape, tagged ``svc<k>=on`` for each k."""
    return make_instance(
        host_id(index),
        ip or host_ip(index),
        vpc_id=VPC,
        tags={f"svc{k}": "on" for k in services},
        name=f"host-{index}",
        region_id=REGION,
        **kw,
    )


def seed(hosts: int, targets: int, redis: int) -> dict[str, Any]:
    """``hosts`` hosts (host i in target ``i % targets``) and ``redis`` Redis instances."""
    ecs = [wire_host(i, (i % targets,)) for i in range(hosts)]
    kvstore = [make_redis_instance(redis_id(r)) for r in range(redis)]
    return make_seed(ecs, kvstore, region=REGION)


class Cloud:
    """The admin endpoints of a running localcloud."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = requests.Session()
        self.http.trust_env = False

    def calls(self) -> dict[str, int]:
        answer = self.http.get(f"{self.url}/_localcloud/calls", timeout=30)
        answer.raise_for_status()
        return dict(answer.json()["counts"])

    def total(self) -> int:
        return sum(self.calls().values())

    def reset_calls(self) -> None:
        self.http.post(f"{self.url}/_localcloud/reset-calls", timeout=30).raise_for_status()

    def reset(self, state: Mapping[str, Any] | None = None) -> None:
        body = json.dumps(state).encode() if state is not None else b""
        self.http.post(f"{self.url}/_localcloud/reset", data=body, timeout=60).raise_for_status()

    def ecs(self, put: Sequence[Mapping[str, Any]] = (), delete: Sequence[str] = ()) -> None:
        body = {"region": REGION, "put": list(put), "delete": list(delete)}
        self.http.post(f"{self.url}/_localcloud/ecs", json=body, timeout=30).raise_for_status()

    def state(self) -> dict[str, Any]:
        answer = self.http.get(f"{self.url}/_localcloud/state", timeout=60)
        answer.raise_for_status()
        return dict(answer.json())


@contextmanager
def localcloud(state: Mapping[str, Any]) -> Iterator[Cloud]:
    """``python -m localcloud`` bound to 127.0.0.1 with ``state``; stopped on exit."""
    with run_server(state, host="127.0.0.1") as url:
        yield Cloud(url)


def write_config(directory: Path, name: str, targets: int, redis: int, **kw: Any) -> Path:
    path = directory / f"{name}.json"
    data = {"version": 1, "region": REGION, "targets": target_dicts(targets, redis, **kw)}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def point_handler_at(url: str, config: Path) -> None:
    """The environment ``handler.handler`` reads: endpoints, credentials, configuration."""
    os.environ.update(
        WHITELIST_ECS_ENDPOINT=url,
        WHITELIST_KVSTORE_ENDPOINT=url,
        ALIBABA_CLOUD_ACCESS_KEY_ID=ACCESS_KEY_ID,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET=ACCESS_KEY_SECRET,
        WHITELIST_CONFIG=str(config),
        WHITELIST_TIMEOUT_SECONDS="600",
        LOG_LEVEL="ERROR",
    )


def timer_event() -> bytes:
    return encode(cloud_events.timer_event("bench", time.strftime("%Y-%m-%dT%H:%M:%SZ")))


def running_event(instance_id: str) -> bytes:
    return encode(cloud_events.ecs_state_change(instance_id, "Running", REGION))
