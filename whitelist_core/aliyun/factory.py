"""Wiring for the handler: one transport, one endpoint resolver, both adapters; and the
same for a member account, whose transport signs with its assumed role's session."""

from __future__ import annotations

import os
from collections.abc import Mapping

import requests

from whitelist_core.aliyun.catalog import DatabaseLister
from whitelist_core.aliyun.ecs.inventory import EcsInventory
from whitelist_core.aliyun.ess import EssLifecycleHooks
from whitelist_core.aliyun.roles import SESSIONS, AssumedRole, RoleSessions
from whitelist_core.aliyun.stores.family import StoreFamily
from whitelist_core.aliyun.sts import RoleSession, assume_role
from whitelist_core.aliyun.transport.credentials import Credentials
from whitelist_core.aliyun.transport.endpoints import Endpoints
from whitelist_core.aliyun.transport.rpc import RpcClient


def make_clients(
    credentials: Credentials,
    *,
    deadline: float,
    environ: Mapping[str, str] | None = None,
    session: requests.Session | None = None,
    vpc: bool = False,
    interactive: bool = False,
) -> tuple[EcsInventory, StoreFamily]:
    """The ECS inventory and the whitelist stores (every product's) for one invocation.

    ``deadline`` is an absolute ``time.monotonic()`` value bounding every retry.
    ``environ`` (default ``os.environ``) supplies ``WHITELIST_ECS_ENDPOINT`` /
    ``WHITELIST_KVSTORE_ENDPOINT`` (and each product's own variable); ``vpc`` picks the SDK's ``*-vpc`` endpoints.
    ``interactive`` (the command line): an endpoint that cannot be reached fails at once.
    ``session`` defaults to the process-wide shared session. Wrap the inventory in
    ``CachedInventory`` to share listings between targets within the run.
    """
    endpoints = Endpoints.from_environ(os.environ if environ is None else environ, vpc=vpc)
    rpc = RpcClient(
        credentials,
        deadline=deadline,
        session=session,
        retry_unreachable=not interactive,
        origin=endpoints.variable_for,
    )
    return EcsInventory(rpc, endpoints), StoreFamily(rpc, endpoints)


def make_hooks(
    credentials: Credentials,
    *,
    deadline: float,
    environ: Mapping[str, str] | None = None,
    session: requests.Session | None = None,
) -> EssLifecycleHooks:
    """The ESS lifecycle-hook client for one invocation (``WHITELIST_ESS_ENDPOINT``, else
    ``WHITELIST_ENDPOINT``, else the regional endpoint)."""
    endpoints = Endpoints.from_environ(os.environ if environ is None else environ)
    rpc = RpcClient(credentials, deadline=deadline, session=session, origin=endpoints.variable_for)
    return EssLifecycleHooks(rpc, endpoints)


def make_member(
    credentials: Credentials,
    role: tuple[str, str | None],
    *,
    region: str,
    deadline: float,
    environ: Mapping[str, str] | None = None,
    session: requests.Session | None = None,
    sessions: RoleSessions = SESSIONS,
) -> tuple[EcsInventory, StoreFamily, EssLifecycleHooks]:
    """The inventory, stores and ESS client of a member account for one invocation.

    ``role`` is ``(role ARN, ExternalId or None)``. They sign with the role's session,
    assumed with ``credentials`` (the function's own) through STS in ``region``
    (``WHITELIST_STS_ENDPOINT``, else ``WHITELIST_ENDPOINT``) when first needed and kept
    in ``sessions`` for the warm instance; until then nothing is called.
    """
    endpoints = Endpoints.from_environ(os.environ if environ is None else environ)
    own = RpcClient(credentials, deadline=deadline, session=session, origin=endpoints.variable_for)
    role_arn, external_id = role

    def assume() -> RoleSession:
        return assume_role(own, endpoints, region, role_arn, external_id)

    key = (credentials.access_key_id, role_arn, external_id or "")
    member = AssumedRole(sessions, key, assume)
    rpc = RpcClient(member, deadline=deadline, session=session, origin=endpoints.variable_for)
    return (
        EcsInventory(rpc, endpoints),
        StoreFamily(rpc, endpoints),
        EssLifecycleHooks(rpc, endpoints),
    )


def make_catalog(
    credentials: Credentials,
    *,
    deadline: float,
    environ: Mapping[str, str] | None = None,
    session: requests.Session | None = None,
) -> DatabaseLister:
    """The database products' list APIs (``audit --all-instances``), on the same
    endpoints as their whitelist APIs."""
    endpoints = Endpoints.from_environ(os.environ if environ is None else environ)
    return DatabaseLister(RpcClient(credentials, deadline=deadline, session=session), endpoints)
