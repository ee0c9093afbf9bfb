"""The supported actions, keyed by (action, version), with their product names."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from localcloud.context import CallContext
from localcloud.ecs import interfaces
from localcloud.ecs import responses as ecs
from localcloud.ecs.models import EcsModel
from localcloud.errors import InvalidApiNotFound, MissingParameter
from localcloud.ess import responses as ess
from localcloud.ess.models import EssModel
from localcloud.inventory import Listed, Listing, list_instances
from localcloud.kvstore import responses as kvstore
from localcloud.kvstore.models import KvstoreModel
from localcloud.mongodb import responses as mongodb
from localcloud.polardb import responses as polardb
from localcloud.rds import responses as rds
from localcloud.state import AccountState, CloudState
from localcloud.sts import responses as sts
from localcloud.whitelist.models import WhitelistModel
from localcloud.wire import HttpRequest, Params

Runner = Callable[[CloudState, Params, CallContext], dict[str, Any]]
M = TypeVar("M")
PRODUCTS = {ecs.VERSION: ecs.PRODUCT, kvstore.VERSION: kvstore.PRODUCT}
PRODUCTS |= {rds.VERSION: rds.PRODUCT, polardb.VERSION: polardb.PRODUCT}
PRODUCTS |= {mongodb.VERSION: mongodb.PRODUCT, ess.VERSION: ess.PRODUCT}
PRODUCTS |= {sts.VERSION: sts.PRODUCT}


@dataclass(frozen=True)
class ActionSpec:
    """One API operation: which product answers it and the function that runs it."""

    product: str
    run: Runner


def _mine(state: CloudState, ctx: CallContext) -> AccountState:
    """The account the caller acts in (a role session: the role's account)."""
    return state.account(ctx.caller.account if ctx.caller else None)


def _in(
    model: Callable[[AccountState], M], run: Callable[[M, Params, CallContext], dict[str, Any]]
) -> Runner:
    """A runner that calls ``run`` on ``model`` of the caller's account."""
    return lambda state, params, ctx: run(model(_mine(state, ctx)), params, ctx)


def _listed(model: Callable[[AccountState], Listed], spec: Listing) -> Runner:
    """A product's list API: ``spec``'s page of ``model``'s instances in the caller's account."""

    def run(found: Listed, params: Params, ctx: CallContext) -> dict[str, Any]:
        ctx.pause()
        return list_instances(spec, found.listing(), params)

    return _in(model, run)


def _ecs(account: AccountState) -> EcsModel:
    return account.ecs


def _kvstore(account: AccountState) -> KvstoreModel:
    return account.kvstore


def _ess(account: AccountState) -> EssModel:
    return account.ess


def _whitelist(key: str) -> Callable[[AccountState], WhitelistModel]:
    """The whitelist product stored under seed key ``key``."""
    return lambda account: account.whitelists[key]


_RDS, _POLARDB, _MONGODB = _whitelist("rds"), _whitelist("polardb"), _whitelist("mongodb")

ACTIONS: dict[tuple[str, str], ActionSpec] = {
    ("DescribeInstances", ecs.VERSION): ActionSpec(ecs.PRODUCT, _in(_ecs, ecs.describe_instances)),
    ("DescribeNetworkInterfaces", ecs.VERSION): ActionSpec(
        ecs.PRODUCT, _in(_ecs, interfaces.describe_network_interfaces)
    ),
    ("DescribeSecurityIps", kvstore.VERSION): ActionSpec(
        kvstore.PRODUCT, _in(_kvstore, kvstore.describe_security_ips)
    ),
    ("ModifySecurityIps", kvstore.VERSION): ActionSpec(
        kvstore.PRODUCT, _in(_kvstore, kvstore.modify_security_ips)
    ),
    # The neighbouring database products: same job, their own names (Dds shares Redis's).
    ("DescribeDBInstanceIPArrayList", rds.VERSION): ActionSpec(
        rds.PRODUCT, _in(_RDS, rds.describe_db_instance_ip_array_list)
    ),
    ("ModifySecurityIps", rds.VERSION): ActionSpec(rds.PRODUCT, _in(_RDS, rds.modify_security_ips)),
    ("DescribeDBClusterAccessWhitelist", polardb.VERSION): ActionSpec(
        polardb.PRODUCT, _in(_POLARDB, polardb.describe_db_cluster_access_whitelist)
    ),
    ("ModifyDBClusterAccessWhitelist", polardb.VERSION): ActionSpec(
        polardb.PRODUCT, _in(_POLARDB, polardb.modify_db_cluster_access_whitelist)
    ),
    ("DescribeSecurityIps", mongodb.VERSION): ActionSpec(
        mongodb.PRODUCT, _in(_MONGODB, mongodb.describe_security_ips)
    ),
    ("ModifySecurityIps", mongodb.VERSION): ActionSpec(
        mongodb.PRODUCT, _in(_MONGODB, mongodb.modify_security_ips)
    ),
    ("CompleteLifecycleAction", ess.VERSION): ActionSpec(
        ess.PRODUCT, _in(_ess, ess.complete_lifecycle_action)
    ),
    # The products' list APIs (an account-wide audit finds every database with them): one
    # mechanism, each product's names and paging in its LISTING.
    ("DescribeInstances", kvstore.VERSION): ActionSpec(
        kvstore.PRODUCT, _listed(_kvstore, kvstore.LISTING)
    ),
    ("DescribeDBInstances", rds.VERSION): ActionSpec(rds.PRODUCT, _listed(_RDS, rds.LISTING)),
    ("DescribeDBClusters", polardb.VERSION): ActionSpec(
        polardb.PRODUCT, _listed(_POLARDB, polardb.LISTING)
    ),
    ("DescribeDBInstances", mongodb.VERSION): ActionSpec(
        mongodb.PRODUCT, _listed(_MONGODB, mongodb.LISTING)
    ),
    ("AssumeRole", sts.VERSION): ActionSpec(sts.PRODUCT, sts.assume_role),
    ("GetCallerIdentity", sts.VERSION): ActionSpec(sts.PRODUCT, sts.get_caller_identity),
}


def catalogue() -> dict[tuple[str, str], list[str]]:
    """Every API served: (product, version) -> its actions, sorted (for ``--help``)."""
    served: dict[tuple[str, str], list[str]] = {}
    for (action, version), spec in sorted(ACTIONS.items(), key=lambda item: item[0][1]):
        served.setdefault((spec.product, version), []).append(action)
    return {key: sorted(actions) for key, actions in served.items()}


def resolve(request: HttpRequest, params: Params) -> tuple[str, str]:
    """(action, version) from the legacy parameters, else the V3 headers."""
    action = params.get("Action") or request.headers.get("x-acs-action", "")
    version = params.get("Version") or request.headers.get("x-acs-version", "")
    return action, version


def lookup(action: str, version: str) -> ActionSpec:
    """The operation for (action, version); unknown ones answer ``InvalidApi.NotFound``."""
    if not action:
        raise MissingParameter("Action")
    if not version:
        raise MissingParameter("Version")
    spec = ACTIONS.get((action, version))
    if spec is None:
        raise InvalidApiNotFound()
    return spec
