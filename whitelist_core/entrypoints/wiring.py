"""What an invocation is wired to outside tests: the real cloud adapters, built on first
use with credentials from the FC context or the environment, and the configuration file,
loaded once per cold start. Tests hand ``app.Invocation`` other factories instead.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whitelist_core.accounts import Account
from whitelist_core.config import Config, load_config
from whitelist_core.logs import register_secret
from whitelist_core.ports import (
    DatabaseCatalog,
    InstanceInventory,
    LifecycleHooks,
    WhitelistStore,
)

if TYPE_CHECKING:
    from whitelist_core.aliyun.transport.credentials import Credentials

ClientsFactory = Callable[[float], tuple[InstanceInventory, WhitelistStore]]
"""Builds the two ports for one invocation, given its deadline (``time.monotonic``)."""

HooksFactory = Callable[[float], LifecycleHooks]
"""Builds the ESS lifecycle port for one invocation, given its deadline."""


def cloud_clients(
    context: Any, environ: Mapping[str, str], *, interactive: bool = False
) -> ClientsFactory:
    """The real adapters, built on first use (credentials from the FC context or env).
    ``interactive`` (the command line): an endpoint that cannot be reached fails at once."""

    def build(deadline: float) -> tuple[InstanceInventory, WhitelistStore]:
        from whitelist_core.aliyun.factory import make_clients

        credentials = _signing_credentials(context, environ)
        return make_clients(
            credentials, deadline=deadline, environ=environ, interactive=interactive
        )

    return build


def cloud_catalog(environ: Mapping[str, str]) -> Callable[[float], DatabaseCatalog]:
    """The database products' list APIs (``audit --all-instances``), with the credentials
    of the environment (a person's, never the function's)."""

    def build(deadline: float) -> DatabaseCatalog:
        from whitelist_core.aliyun.factory import make_catalog

        credentials = _signing_credentials(None, environ)
        return make_catalog(credentials, deadline=deadline, environ=environ)

    return build


def cloud_hooks(context: Any, environ: Mapping[str, str]) -> HooksFactory:
    """The real ESS client, built on first use (same credentials as the other adapters)."""

    def build(deadline: float) -> LifecycleHooks:
        from whitelist_core.aliyun.factory import make_hooks

        credentials = _signing_credentials(context, environ)
        return make_hooks(credentials, deadline=deadline, environ=environ)

    return build


AccountsFactory = Callable[
    [float, Account, str], tuple[InstanceInventory, WhitelistStore, LifecycleHooks]
]
"""Builds another account's inventory, stores and ESS port for one invocation, given its
deadline, the account and the region whose STS endpoint assumes its role."""


def cloud_accounts(context: Any, environ: Mapping[str, str]) -> AccountsFactory:
    """The real adapters of a member account: they sign with its role's session, assumed
    with the function's credentials when first needed (nothing is called before)."""

    def build(
        deadline: float, account: Account, region: str
    ) -> tuple[InstanceInventory, WhitelistStore, LifecycleHooks]:
        from whitelist_core.aliyun.factory import make_member

        credentials = _signing_credentials(context, environ)
        role = (account.role_arn, account.external_id)
        return make_member(credentials, role, region=region, deadline=deadline, environ=environ)

    return build


def _signing_credentials(context: Any, environ: Mapping[str, str]) -> Credentials:
    """The credentials the adapters sign with (FC context, else ``environ``), their secret
    and token registered first so that no log line can show them."""
    from whitelist_core.aliyun.transport.credentials import load_credentials

    credentials = load_credentials(context, environ)
    register_secret(credentials.access_key_secret)
    register_secret(credentials.security_token)
    return credentials


def load_adapters() -> None:
    """Import the real cloud adapters, and the HTTP stack under them, now rather than in
    the first invocation that needs them: FC's entry (``handler.py``) calls this while it
    starts, where what is imported is made with the garbage collector off and then frozen
    (``startup.py``). An FC instance exists to call the cloud, so this loads nothing in
    vain; the command line keeps loading them on first use."""
    import whitelist_core.aliyun  # noqa: F401


def credential_identity(context: Any, environ: Mapping[str, str]) -> str | None:
    """The AccessKey id this invocation signs with (which runs it may share), or None
    when it has no credentials."""
    from whitelist_core.aliyun.transport.credentials import load_credentials
    from whitelist_core.errors import CredentialsError

    try:
        return load_credentials(context, environ).access_key_id
    except CredentialsError:
        return None


_CONFIG_CACHE: dict[Path, tuple[float, Config]] = {}
_CONFIG_LOCK = threading.Lock()


def load_cached(path: Path) -> Config:
    """Load the configuration once per cold start (again only if the file changed).

    Concurrent invocations of one instance wait for the one that loads it; a ``Config``
    is frozen, so they share it."""
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        mtime = -1.0
    with _CONFIG_LOCK:
        cached = _CONFIG_CACHE.get(path)
        if cached and cached[0] == mtime:
            return cached[1]
        config = load_config(path)
        _CONFIG_CACHE[path] = (mtime, config)
        return config
