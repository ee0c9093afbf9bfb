"""The supported actions, keyed by (action, version), with their product names."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from localcloud.context import CallContext
from localcloud.ecs import interfaces
from localcloud.ecs import responses as ecs
from localcloud.errors import InvalidApiNotFound, MissingParameter
from localcloud.ess import responses as ess
from localcloud.kvstore import responses as kvstore
from localcloud.mongodb import responses as mongodb
from localcloud.polardb import responses as polardb
from localcloud.rds import responses as rds
from localcloud.state import AccountState, CloudState
from localcloud.sts import responses as sts
from localcloud.whitelist.models import WhitelistModel
from localcloud.wire import HttpRequest, Params

Runner = Callable[[CloudState, Params, CallContext], dict[str, Any]]
WhitelistRunner = Callable[[WhitelistModel, Params, CallContext], dict[str, Any]]
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


def _describe_instances(state: CloudState, params: Params, ctx: CallContext) -> dict[str, Any]:
    return ecs.describe_instances(_mine(state, ctx).ecs, params, ctx)


def _describe_network_interfaces(
    state: CloudState, params: Params, ctx: CallContext
) -> dict[str, Any]:
    return interfaces.describe_network_interfaces(_mine(state, ctx).ecs, params, ctx)


def _describe_security_ips(state: CloudState, params: Params, ctx: CallContext) -> dict[str, Any]:
    return kvstore.describe_security_ips(_mine(state, ctx).kvstore, params, ctx)


def _modify_security_ips(state: CloudState, params: Params, ctx: CallContext) -> dict[str, Any]:
    return kvstore.modify_security_ips(_mine(state, ctx).kvstore, params, ctx)


def _complete_lifecycle_action(
    state: CloudState, params: Params, ctx: CallContext
) -> dict[str, Any]:
    return ess.complete_lifecycle_action(_mine(state, ctx).ess, params, ctx)


def _on(key: str, run: WhitelistRunner) -> Runner:
    """A runner for the whitelist product stored under seed key ``key``."""
    return lambda state, params, ctx: run(_mine(state, ctx).whitelists[key], params, ctx)


ACTIONS: dict[tuple[str, str], ActionSpec] = {
    ("DescribeInstances", ecs.VERSION): ActionSpec(ecs.PRODUCT, _describe_instances),
    ("DescribeNetworkInterfaces", ecs.VERSION): ActionSpec(
        ecs.PRODUCT, _describe_network_interfaces
    ),
    ("DescribeSecurityIps", kvstore.VERSION): ActionSpec(kvstore.PRODUCT, _describe_security_ips),
    ("ModifySecurityIps", kvstore.VERSION): ActionSpec(kvstore.PRODUCT, _modify_security_ips),
    # The neighbouring database products: same job, their own names (Dds shares Redis's).
    ("DescribeDBInstanceIPArrayList", rds.VERSION): ActionSpec(
        rds.PRODUCT, _on("rds", rds.describe_db_instance_ip_array_list)
    ),
    ("ModifySecurityIps", rds.VERSION): ActionSpec(
        rds.PRODUCT, _on("rds", rds.modify_security_ips)
    ),
    ("DescribeDBClusterAccessWhitelist", polardb.VERSION): ActionSpec(
        polardb.PRODUCT, _on("polardb", polardb.describe_db_cluster_access_whitelist)
    ),
    ("ModifyDBClusterAccessWhitelist", polardb.VERSION): ActionSpec(
        polardb.PRODUCT, _on("polardb", polardb.modify_db_cluster_access_whitelist)
    ),
    ("DescribeSecurityIps", mongodb.VERSION): ActionSpec(
        mongodb.PRODUCT, _on("mongodb", mongodb.describe_security_ips)
    ),
    ("ModifySecurityIps", mongodb.VERSION): ActionSpec(
        mongodb.PRODUCT, _on("mongodb", mongodb.modify_security_ips)
    ),
    ("CompleteLifecycleAction", ess.VERSION): ActionSpec(ess.PRODUCT, _complete_lifecycle_action),
    # The products' list APIs (an account-wide audit finds every database with them).
    ("DescribeInstances", kvstore.VERSION): ActionSpec(
        kvstore.PRODUCT,
        lambda state, params, ctx: kvstore.describe_instances(
            _mine(state, ctx).kvstore, params, ctx
        ),
    ),
    ("DescribeDBInstances", rds.VERSION): ActionSpec(
        rds.PRODUCT, _on("rds", rds.describe_db_instances)
    ),
    ("DescribeDBClusters", polardb.VERSION): ActionSpec(
        polardb.PRODUCT, _on("polardb", polardb.describe_db_clusters)
    ),
    ("DescribeDBInstances", mongodb.VERSION): ActionSpec(
        mongodb.PRODUCT, _on("mongodb", mongodb.describe_db_instances)
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
