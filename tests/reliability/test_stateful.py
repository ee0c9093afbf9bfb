"""A stateful property test: hosts come and go, events arrive now, late, twice or never,
faults hit the next calls, and the timer runs; the whitelist stays safe throughout.

Invariants, after every step (and the safety ones after every single cloud call):

- the owned group only holds addresses of hosts that were selected at some moment since
  the last successful full reconcile (adds for a host deleted since are legitimately
  there until the next one), whatever the last successful reconcile kept, or the
  ``127.0.0.1`` placeholder;
- an address of a live selected host, once whitelisted, is never removed;
- after a full reconcile that returned normally, the group is exactly the desired
  entries (the placeholder when none), unless removals were over the policy limits, in
  which case nothing was removed and the result says so in ``blocked``;
- after a Running event that returned normally, that host's address is whitelisted when
  the host is (still) selected;
- no run removes more than the policy allows; foreign and hidden groups are
  byte-for-byte unchanged; no group is ever empty;
- a permanent refusal is reported, never raised: an invocation that met one returns
  its code in the result, and one that met none returns no error at all; an invocation
  raises ``TransientCloudError`` only after a transient fault, never for a refusal.

The ECS state also changes *during* a timer run: a host is released before the run and,
right after the run's listing is answered, a new host takes its address over. The
listing is then stale, so only the re-check before removal keeps the address.

The policy is drawn per run: ``max_removal_percent`` 60 (a group of one address can
never be emptied by a timer run) or 100, so the group can also shrink to the
placeholder alone and grow back from it (additions must come first both ways).
"""

from __future__ import annotations

import contextlib
import itertools
import os
from pathlib import Path
from typing import Any
from unittest import mock

import requests
from hypothesis import HealthCheck, assume, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from reliability_kit import (
    BASE_URL,
    GROUP,
    PLACEHOLDER,
    REDIS,
    REGION,
    action_of,
    config,
    empty_groups,
    encode,
    entries,
    fast_retries,
    foreign_snapshot,
    function_env,
    host,
    mounted,
    request_params,
    scenario_seed,
    state_change,
    target,
    timer,
    write_config,
)

import handler
from localcloud.mock import LocalCloud
from whitelist_core import logs
from whitelist_core.errors import TransientCloudError

IPS = tuple(f"10.0.1.{n}" for n in range(1, 7))  # few, so that addresses get reused
STATUSES = ("Pending", "Starting", "Running")
MAX_REMOVALS = 2
PERCENTS = (60, 100)
FAULTS = {
    "throttled": {"status": 400, "code": "Throttling.User"},
    "lock_timeout": {"status": 400, "code": "LockTimeout"},
    "unavailable": {"status": 503, "code": "ServiceUnavailable"},
    "reset": {"reset": True},
    "timeout": {"timeout": True},
    "malformed": {"malformed": True},
    "answer_lost": {"reset": True, "apply": True},
}
ACTIONS = ("DescribeInstances", "DescribeSecurityIps", "ModifySecurityIps")
PERMANENT = "Forbidden.RAM"
TRANSIENT = {"Throttling.User", "LockTimeout", "ServiceUnavailable", "localcloud.Reset",
             "localcloud.Timeout", "localcloud.Malformed"}  # fmt: skip


def machine_config(percent: int) -> dict[str, Any]:
    policy = {"max_removals": MAX_REMOVALS, "max_removal_percent": percent}
    owned = target(statuses=list(STATUSES), static_entries=[])
    return config([owned], policy=policy)


def error_codes(result: dict[str, Any]) -> list[str]:
    """The codes of the errors a result reports (the run's, and each target's)."""
    found = [result.get("error") or {}] + [t.get("error") or {} for t in result.get("targets", [])]
    return [str(e.get("code")) for e in found if e]


class WhitelistMachine(RuleBasedStateMachine):
    config_dir: Path  # set by the test before the machine runs

    def __init__(self) -> None:
        super().__init__()
        self.hosts: dict[str, dict[str, Any]] = {}
        self.pending: list[tuple[str, str]] = []  # (instance id, state) not yet delivered
        self.ids = (f"i-bp1sm{n:012d}" for n in itertools.count(1))
        first = next(self.ids)
        self.hosts[first] = {"ip": IPS[0], "selected": True, "status": "Running"}
        seed = scenario_seed(owned=[IPS[0]], hosts=[host(first, IPS[0])])
        self.foreign = foreign_snapshot(seed)
        self.allowed: set[str] = {IPS[0]}
        self.protected: set[str] = set()
        self.violations: list[str] = []
        self.percent = PERCENTS[0]
        self.takeover: tuple[str, bool] | None = None  # (ip, selected) after the listing
        self.listed: set[str] | None = None  # eligible at the listing, when it went stale
        self.stack = contextlib.ExitStack()
        self.cloud: LocalCloud = self.stack.enter_context(mounted(seed, hook=self._after_call))
        path = write_config(self.config_dir, machine_config(self.percent))
        env = function_env(BASE_URL, path, LOG_LEVEL="ERROR")
        self.stack.enter_context(mock.patch.dict(os.environ, env))
        self.stack.enter_context(fast_retries())

    @initialize(percent=st.sampled_from(PERCENTS))
    def choose_policy(self, percent: int) -> None:
        self.percent = percent
        os.environ["WHITELIST_CONFIG"] = str(write_config(self.config_dir, machine_config(percent)))

    def teardown(self) -> None:
        self.stack.close()
        logs.reset_logging()
        logs.clear_secrets()
        logs.clear_invocation()

    # -- model ---------------------------------------------------------------------------

    def eligible_ips(self) -> set[str]:
        return {h["ip"] for h in self.hosts.values() if h["selected"] and h["status"] in STATUSES}

    def group(self) -> set[str]:
        return entries(self.cloud.state())

    def _put(self, instance_id: str) -> None:
        h = self.hosts[instance_id]
        item = host(instance_id, h["ip"], selected=h["selected"], status=h["status"])
        self.cloud.put_instances(REGION, [item])
        self.allowed |= self.eligible_ips()

    def _after_call(self, cloud: LocalCloud, prepared: requests.PreparedRequest) -> None:
        listing = action_of(prepared) == "DescribeInstances"
        if self.takeover and listing and cloud.calls()["calls"][-1]["code"] is None:
            self._take_over(*self.takeover)  # right after the run's listing was answered
        state = cloud.state()
        when = f"after {action_of(prepared)}"
        if missing := self.protected - entries(state):
            self.violations.append(f"{when}: removed live selected host IP(s) {missing}")
        if foreign_snapshot(state) != self.foreign:
            self.violations.append(f"{when}: a foreign group changed")
        if empty := empty_groups(state):
            self.violations.append(f"{when}: empty group(s) {empty}")
        if action_of(prepared) == "ModifySecurityIps":
            params = request_params(prepared)
            cover_ok = params["ModifyMode"] == "Cover" and params["SecurityIps"] == PLACEHOLDER
            if params["SecurityIpGroupName"] != GROUP or params["InstanceId"] != REDIS:
                self.violations.append(f"wrote a group it does not own: {params}")
            if params["ModifyMode"] not in ("Append", "Delete") and not cover_ok:
                self.violations.append(f"non-commutative write: {params}")

    def _take_over(self, ip: str, selected: bool) -> None:
        """A new host starts with ``ip``, after the listing and before any removal."""
        self.takeover = None
        self.listed = self.eligible_ips()
        instance_id = next(self.ids)
        self.hosts[instance_id] = {"ip": ip, "selected": selected, "status": "Running"}
        self._put(instance_id)
        self.pending.append((instance_id, "Running"))
        self.protected |= self.group() & self.eligible_ips()

    def _invoke(self, event: dict[str, Any]) -> tuple[dict[str, Any] | None, set[str]]:
        before = self.group()
        self.protected = before & self.eligible_ips()
        self.listed = None
        seen = len(self.cloud.calls()["calls"])
        try:
            result: dict[str, Any] | None = handler.handler(encode(event), None)
        except TransientCloudError as exc:
            result = None
            raised: TransientCloudError | None = exc
        else:
            raised = None
        finally:
            self.protected = set()
            self.takeover = None
        codes = {c["code"] for c in self.cloud.calls()["calls"][seen:]}
        refused = PERMANENT in codes
        if raised is not None:
            # Raised (for a platform retry) only after a transient fault, never a refusal.
            assert codes & TRANSIENT, (raised.code, codes)
            assert not refused, codes
            assert not raised.code.startswith("Forbidden"), raised.code
        else:
            assert result is not None
            # A refusal met is reported with its code; no refusal, no error reported.
            assert (PERMANENT in error_codes(result)) == refused, (result, codes)
            assert (result["status"] == "error") == refused, (result, codes)
        after = self.group()
        removed = (before - after) - {PLACEHOLDER}
        # the share is of the group once this run's additions are in (the adoption rule)
        owned = (before | after) - {PLACEHOLDER}
        assert len(removed) <= MAX_REMOVALS, (before, after)
        assert len(removed) * 100 <= self.percent * len(owned), (before, after)
        return result, before

    def _check_full_reconcile(self, result: dict[str, Any] | None, before: set[str]) -> None:
        if result is None or result["status"] not in ("applied", "noop"):
            return  # failed (transient: the platform retries; permanent: reported)
        listed = self.eligible_ips() if self.listed is None else self.listed
        wanted = listed or {PLACEHOLDER}
        stale = (before - wanted) - {PLACEHOLDER}
        owned = (before | wanted) - {PLACEHOLDER}  # once the additions are in (adoption rule)
        over = len(stale) > MAX_REMOVALS or len(stale) * 100 > self.percent * len(owned)
        blocked = bool(stale) and over
        # Removals held back: what is there stays (it keeps the group non-empty) and the
        # listed eligible entries are added; the placeholder is never added beside held
        # entries. Otherwise the re-check keeps a stale address an eligible host holds now
        # (and the plan is made again around it: no placeholder beside it either).
        kept = stale & self.eligible_ips()
        expected = before | listed if blocked else (listed | kept) or {PLACEHOLDER}
        assert self.group() == expected
        assert bool(result["targets"][0]["blocked"]) == blocked, result
        # A host selected now (one that took an address over after the listing, say) may
        # be added by its own event next: it was selected since this reconcile.
        self.allowed = set(expected) | self.eligible_ips()

    # -- rules: the world changes --------------------------------------------------------

    @rule(ip=st.sampled_from(IPS), selected=st.booleans())
    def host_appears(self, ip: str, selected: bool) -> None:
        """A new host (possibly reusing the address of a deleted one) starts."""
        assume(all(h["ip"] != ip for h in self.hosts.values()))
        instance_id = next(self.ids)
        self.hosts[instance_id] = {"ip": ip, "selected": selected, "status": "Running"}
        self._put(instance_id)
        self.pending.append((instance_id, "Running"))

    @precondition(lambda self: self.hosts)
    @rule(pick=st.integers(0, 99))
    def host_stops(self, pick: int) -> None:
        instance_id = sorted(self.hosts)[pick % len(self.hosts)]
        self.hosts[instance_id]["status"] = "Stopped"
        self._put(instance_id)
        self.pending.append((instance_id, "Stopped"))

    @precondition(lambda self: self.hosts)
    @rule(pick=st.integers(0, 99))
    def host_starts(self, pick: int) -> None:
        instance_id = sorted(self.hosts)[pick % len(self.hosts)]
        self.hosts[instance_id]["status"] = "Running"
        self._put(instance_id)
        self.pending.append((instance_id, "Running"))

    @precondition(lambda self: self.hosts)
    @rule(pick=st.integers(0, 99))
    def host_deleted(self, pick: int) -> None:
        instance_id = sorted(self.hosts)[pick % len(self.hosts)]
        del self.hosts[instance_id]
        self.cloud.delete_instances(REGION, [instance_id])
        self.pending.append((instance_id, "Deleted"))

    @rule(action=st.sampled_from(ACTIONS), kind=st.sampled_from(sorted(FAULTS)),
          count=st.sampled_from([1, 2, 20]))  # fmt: skip
    def fault_for_next_calls(self, action: str, kind: str, count: int) -> None:
        """20 outlasts the 8 attempts of one call: some invocations fail."""
        self.cloud.add_fault({"action": action, "count": count, **FAULTS[kind]})

    @rule(action=st.sampled_from(ACTIONS), count=st.sampled_from([1, 2, 20]))
    def refusal_for_next_calls(self, action: str, count: int) -> None:
        """RAM refuses the next calls: permanent, so reported, never retried or raised."""
        self.cloud.add_fault({"action": action, "count": count, "status": 403, "code": PERMANENT})

    # -- rules: events and the timer -----------------------------------------------------

    @precondition(lambda self: self.pending)
    @rule(pick=st.integers(0, 99), keep=st.booleans())
    def event_delivered(self, pick: int, keep: bool) -> None:
        """Deliver a pending event, possibly late (others went first); ``keep`` delivers
        it again later (duplicates)."""
        index = pick % len(self.pending)
        instance_id, state = self.pending[index] if keep else self.pending.pop(index)
        result, before = self._invoke(state_change(instance_id, state))
        if state != "Running":
            self._check_full_reconcile(result, before)
            return
        if result is None or result["status"] == "error":
            return
        host_now = self.hosts.get(instance_id)
        added = {host_now["ip"]} if host_now and host_now["ip"] in self.eligible_ips() else set()
        expected = before | added  # add-only: nothing else changes, but for the placeholder,
        if added - before:  # deleted once a real entry is in (guarantee 5)
            expected.discard(PLACEHOLDER)
        assert self.group() == expected

    @precondition(lambda self: self.pending)
    @rule(pick=st.integers(0, 99))
    def event_lost(self, pick: int) -> None:
        self.pending.pop(pick % len(self.pending))

    @rule()
    def timer_runs(self) -> None:
        result, before = self._invoke(timer())
        self._check_full_reconcile(result, before)

    @precondition(lambda self: self.hosts)
    @rule(pick=st.integers(0, 99), selected=st.booleans())
    def address_taken_over_during_a_timer_run(self, pick: int, selected: bool) -> None:
        """A host is released; the timer lists ECS; then, before the removal, a new host
        starts with the released address. The stale listing says "remove it"."""
        instance_id = sorted(self.hosts)[pick % len(self.hosts)]
        ip = self.hosts.pop(instance_id)["ip"]
        self.cloud.delete_instances(REGION, [instance_id])
        self.pending.append((instance_id, "Deleted"))
        self.takeover = (ip, selected)
        result, before = self._invoke(timer())
        self._check_full_reconcile(result, before)

    @rule()
    def faults_end(self) -> None:
        self.cloud.clear_faults()

    # -- invariants ----------------------------------------------------------------------

    @invariant()
    def only_allowed_entries(self) -> None:
        assert self.group() - {PLACEHOLDER} <= self.allowed

    @invariant()
    def nothing_unsafe_happened(self) -> None:
        assert self.violations == []
        state = self.cloud.state()
        assert foreign_snapshot(state) == self.foreign
        assert empty_groups(state) == []


def test_whitelist_state_machine(tmp_path: Path) -> None:
    WhitelistMachine.config_dir = tmp_path
    run_state_machine_as_test(
        WhitelistMachine,
        settings=settings(
            max_examples=50,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
