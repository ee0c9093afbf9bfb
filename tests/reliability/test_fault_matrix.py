"""Fault matrix: every cloud call x every failure kind, during a reconcile that must both
add (H3) and remove (the stale address).

Each case ends in one of two ways: the invocation converges (the group equals the
desired entries), or it fails cleanly with ``TransientCloudError`` (so the platform
retries) and a second invocation, with the faults gone, converges. Throughout, checked
after *every* cloud call: no address of a live selected host is ever missing from the
group, the foreign groups are byte-for-byte unchanged, no group is empty, and every
write is an ``Append``/``Delete`` of the owned group only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from reliability_kit import (
    BASE_URL,
    DESIRED,
    GROUP,
    H1_IP,
    H2_IP,
    H3_IP,
    REDIS,
    STALE_IP,
    STATIC,
    action_of,
    admin,
    config,
    empty_groups,
    encode,
    entries,
    foreign_snapshot,
    mounted,
    request_params,
    scenario_seed,
    timer,
)

import handler
from localcloud.mock import LocalCloud
from localcloud.testing import run_server
from whitelist_core.errors import TransientCloudError

ACTIONS = ("DescribeInstances", "DescribeSecurityIps", "ModifySecurityIps")
KVSTORE = ("DescribeSecurityIps", "ModifySecurityIps")

KINDS: dict[str, dict[str, Any]] = {
    "throttled": {"status": 400, "code": "Throttling.User"},
    "lock_timeout": {"status": 400, "code": "LockTimeout"},
    "unavailable": {"status": 503, "code": "ServiceUnavailable"},
    "connection_reset": {"reset": True},
    "read_timeout": {"timeout": True},
    "malformed_json": {"malformed": True},
    "not_normal": {"status": 403, "code": "IncorrectDBInstanceState"},
}
# The change happens but its answer is lost: the retry meets "already there/absent".
ANSWER_LOST: dict[str, dict[str, Any]] = {
    "reset_after_apply": {"reset": True, "apply": True},
    "timeout_after_apply": {"timeout": True, "apply": True},
    "malformed_after_apply": {"malformed": True, "apply": True},
}
# A fault that ends before the retries do (the brief's "throttled twice"), and one that
# outlasts every retry of the invocation.
DURATIONS = {"twice": 2, "persistent": None}

CASES = [
    pytest.param(action, kind, spec, duration, id=f"{action}-{kind}-{duration}")
    for action in ACTIONS
    for kind, spec in KINDS.items()
    if kind != "not_normal" or action in KVSTORE
    for duration in DURATIONS
] + [
    pytest.param(
        "ModifySecurityIps", kind, spec, duration, id=f"ModifySecurityIps-{kind}-{duration}"
    )
    for kind, spec in ANSWER_LOST.items()
    for duration in DURATIONS
]


class Watch:
    """Invariants checked after every request localcloud answers; violations recorded."""

    def __init__(self, seed: dict[str, Any]) -> None:
        self.foreign = foreign_snapshot(seed)
        self.violations: list[str] = []
        self.writes: list[dict[str, str]] = []

    def __call__(self, cloud: LocalCloud, prepared: requests.PreparedRequest) -> None:
        if action_of(prepared) == "ModifySecurityIps":
            self.writes.append(request_params(prepared))
        self.check(cloud.state(), f"after {action_of(prepared)}")

    def check(self, state: dict[str, Any], when: str) -> None:
        held = entries(state)
        if missing := {H1_IP, H2_IP} - held:
            self.violations.append(f"{when}: live selected host IP(s) removed: {missing}")
        if foreign_snapshot(state) != self.foreign:
            self.violations.append(f"{when}: a foreign group changed")
        if empty := empty_groups(state):
            self.violations.append(f"{when}: empty group(s) {empty}")

    def assert_clean(self) -> None:
        assert self.violations == []
        for params in self.writes:
            assert params["InstanceId"] == REDIS
            assert params["SecurityIpGroupName"] == GROUP
            assert params["ModifyMode"] in ("Append", "Delete")


Outcome = str


def run_once(invoke: Callable[[], dict[str, Any]]) -> Outcome:
    """``converged`` or ``transient``; anything else fails the test."""
    try:
        result = invoke()
    except TransientCloudError:
        return "transient"
    assert result["status"] == "applied", result
    return "converged"


@pytest.mark.parametrize(("action", "kind", "spec", "duration"), CASES)
def test_fault_then_convergence(
    action: str,
    kind: str,
    spec: dict[str, Any],
    duration: str,
    rel_env: Callable[..., Any],
    rel_no_backoff: None,
) -> None:
    seed = scenario_seed()
    watch = Watch(seed)
    with mounted(seed, hook=watch) as cloud:
        rel_env(BASE_URL, config())
        cloud.add_fault({"action": action, "count": DURATIONS[duration], **spec})
        first = run_once(lambda: handler.handler(encode(timer()), None))
        state = cloud.state()
        if kind in ANSWER_LOST:
            assert_confirmed_by_a_re_read(cloud.calls()["calls"])
        if duration == "twice":
            # Two failures fit in the retries: the invocation itself converges.
            assert first == "converged"
        elif kind in KINDS:
            # A fault that outlasts the retries fails the invocation for a platform retry.
            assert first == "transient"
        if first == "converged":
            assert entries(state) == DESIRED
        else:
            cloud.clear_faults()
            assert run_once(lambda: handler.handler(encode(timer()), None)) == "converged"
            assert entries(cloud.state()) == DESIRED  # the add was not lost
        # A further run has nothing left to do.
        again = handler.handler(encode(timer()), None)
        assert again["status"] == "noop"
        assert entries(cloud.state()) == DESIRED
    watch.assert_clean()


CLAIMS_DONE = {"InvalidInstanceIp.Duplicate", "InvalidSecurityIPs.NotFound"}


def assert_confirmed_by_a_re_read(calls: list[dict[str, Any]]) -> None:
    """The write's answer was lost, so its retry met "already there" or "already absent";
    each such answer must be followed, in the same invocation, by a read of the group."""
    claims = [n for n, c in enumerate(calls) if c["code"] in CLAIMS_DONE]
    assert claims, calls  # the retry really met the claim: the case tests what it names
    for n in claims:
        later = [c["action"] for c in calls[n + 1 :] if c["code"] is None]
        assert "DescribeSecurityIps" in later, (n, calls)


# (the owned group at the start, the false answer to its first write)
FALSE_CLAIMS: dict[str, tuple[list[str], dict[str, Any]]] = {
    # Only H3 to add: the Append is answered "already there".
    "append": ([H1_IP, H2_IP, STATIC], {"status": 400, "code": "InvalidInstanceIp.Duplicate"}),
    # Only the stale address to remove: the Delete is answered "already absent".
    "delete": ([H1_IP, H2_IP, H3_IP, STALE_IP, STATIC], {"status": 404, "code": "InvalidSecurityIPs.NotFound"}),
}  # fmt: skip


@pytest.mark.parametrize("mode", sorted(FALSE_CLAIMS))
def test_a_false_already_done_answer_is_not_believed(
    mode: str, rel_env: Callable[..., Any], rel_no_backoff: None
) -> None:
    """The write is refused with "already there" (Append) or "already absent" (Delete),
    but nothing was done. A run that believed it would report a change the group does
    not show; whatever the run says it added or removed must be so in the group."""
    owned, answer = FALSE_CLAIMS[mode]
    seed = scenario_seed(owned=owned)
    watch = Watch(seed)
    with mounted(seed, hook=watch) as cloud:
        rel_env(BASE_URL, config())
        cloud.add_fault({"action": "ModifySecurityIps", "count": 1, **answer})
        try:
            result = handler.handler(encode(timer()), None)
        except TransientCloudError:
            result = {"targets": []}
        held = entries(cloud.state())
        for outcome in result["targets"]:
            assert set(outcome["added"]) <= held, (outcome, held)
            assert not set(outcome["removed"]) & held, (outcome, held)
        cloud.clear_faults()
        # The first run may already have converged: the re-read showed the claim false and
        # the write was sent again. Either way the next run leaves exactly the desired set.
        assert handler.handler(encode(timer()), None)["status"] in ("applied", "noop")
        assert entries(cloud.state()) == DESIRED
    watch.assert_clean()


@pytest.mark.parametrize("event_kind", ["timer", "running_event"])
def test_instance_not_normal_fails_cleanly_then_converges(
    event_kind: str, rel_env: Callable[..., Any], rel_no_backoff: None
) -> None:
    """The Redis instance itself is not ``Normal`` (being changed): writes are refused
    with IncorrectDBInstanceState until it is; the invocation fails for a platform retry,
    and the retry after the change completes converges."""
    seed = scenario_seed()
    watch = Watch(seed)
    event = timer() if event_kind == "timer" else _running(H3_IP)
    with mounted(seed, hook=watch) as cloud:
        rel_env(BASE_URL, config())
        cloud.set_instance_status(REDIS, "Changing")
        with pytest.raises(TransientCloudError) as raised:
            handler.handler(encode(event), None)
        assert raised.value.code == "IncorrectDBInstanceState"
        assert entries(cloud.state()) == entries(seed)
        cloud.set_instance_status(REDIS, "Normal")
        assert handler.handler(encode(event), None)["status"] == "applied"
        assert H3_IP in entries(cloud.state())
    watch.assert_clean()


def _running(ip: str) -> dict[str, Any]:
    from reliability_kit import H3, state_change

    assert ip == H3_IP
    return state_change(H3, "Running")


# -- the same over HTTP, against `python -m localcloud` -------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with run_server(scenario_seed()) as url:
        yield url


HTTP_CASES = [
    pytest.param("ModifySecurityIps", {"status": 400, "code": "Throttling.User", "count": 2}, id="throttled"),
    pytest.param("ModifySecurityIps", {"status": 400, "code": "LockTimeout"}, id="lock-timeout-persistent"),
    pytest.param("DescribeSecurityIps", {"reset": True}, id="reset-persistent"),
    pytest.param("DescribeInstances", {"status": 503, "count": 3}, id="unavailable"),
    pytest.param("ModifySecurityIps", {"malformed": True, "apply": True, "count": 1}, id="answer-lost"),
    pytest.param("DescribeInstances", {"timeout": True, "count": 1}, id="read-timeout"),
]  # fmt: skip


@pytest.mark.e2e
@pytest.mark.parametrize(("action", "fault"), HTTP_CASES)
def test_fault_over_http(
    action: str,
    fault: dict[str, Any],
    server: str,
    rel_env: Callable[..., Any],
    rel_no_backoff: None,
) -> None:
    seed = scenario_seed()
    admin(server, "reset", seed)
    extra = {}
    if fault.get("timeout"):
        # The server holds the answer for 30 s: a short budget makes the client's read
        # timeout (bounded by the deadline) fire after about a second.
        extra["WHITELIST_TIMEOUT_SECONDS"] = "6.5"
    rel_env(server, config(), **extra)
    admin(server, "faults", {"action": action, **fault})
    first = run_once(lambda: handler.handler(encode(timer()), None))
    state = admin(server, "state", method="GET")
    assert {H1_IP, H2_IP} <= entries(state)
    assert foreign_snapshot(state) == foreign_snapshot(seed)
    if first == "transient":
        admin(server, "faults", {"clear": True})
        assert run_once(lambda: handler.handler(encode(timer()), None)) == "converged"
        state = admin(server, "state", method="GET")
    assert entries(state) == DESIRED
    assert foreign_snapshot(state) == foreign_snapshot(seed)
    assert empty_groups(state) == []
