"""Writes are commutative: every write is an Append or a Delete of just the changing
entries, and a Cover only ever places the ``127.0.0.1`` placeholder, also when the run
creates the owned group or fills a group that holds only the placeholder.

Every ``ModifySecurityIps`` the function sends is recorded from the request itself (a
hook after each cloud call), and the group's end state is read from localcloud.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests
from reliability_kit import (
    BASE_URL,
    DESIRED,
    GROUP,
    H1,
    H1_IP,
    H2,
    H2_IP,
    H3,
    H3_IP,
    PLACEHOLDER,
    REGION,
    action_of,
    config,
    encode,
    entries,
    host,
    mounted,
    request_params,
    scenario_seed,
    target,
    timer,
)

import handler
from localcloud.mock import LocalCloud

HOSTS = [host(H1, H1_IP), host(H2, H2_IP), host(H3, H3_IP)]
CASES = {  # the owned group before the run (None: it does not exist)
    "group-absent": None,
    "placeholder-only": [PLACEHOLDER],
    "one-stale-entry": ["10.0.1.99"],
}


class Writes:
    """Records the mode and entries of every ``ModifySecurityIps``."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def __call__(self, cloud: LocalCloud, prepared: requests.PreparedRequest) -> None:
        if action_of(prepared) == "ModifySecurityIps":
            params = request_params(prepared)
            self.sent.append((params.get("ModifyMode", "Cover"), params["SecurityIps"]))


@pytest.mark.parametrize("case", sorted(CASES))
def test_only_appends_and_deletes_write_real_entries(
    case: str, rel_env: Callable[..., Any], rel_no_backoff: None
) -> None:
    owned = CASES[case]
    seed = scenario_seed(owned=owned or (), hosts=HOSTS)
    if owned is None:  # no owned group at all: the run creates it
        for instance in seed["kvstore"][REGION]:
            groups = instance["SecurityIpGroups"]
            instance["SecurityIpGroups"] = [g for g in groups if g["SecurityIpGroupName"] != GROUP]
    writes = Writes()
    with mounted(seed, hook=writes) as cloud:
        rel_env(BASE_URL, config([target()], policy={"max_removal_percent": 100}))

        handler.handler(encode(timer()), None)

        assert writes.sent, "the run wrote nothing"
        for mode, ips in writes.sent:
            assert mode in ("Append", "Delete") or (mode, ips) == ("Cover", PLACEHOLDER), (
                writes.sent
            )
        assert entries(cloud.state()) == DESIRED
