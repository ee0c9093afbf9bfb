"""Properties of plan -> check -> enforce over arbitrary current and desired sets.

Entries come from a small pool so that current and desired overlap often; a few CIDRs,
a public address and the placeholder are mixed in. ``apply`` is an independent model of
what the cloud does with a plan: Append the additions, Delete the removals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from whitelist_core.config import ECS_STATUSES, Policy
from whitelist_core.core.entries import PLACEHOLDER
from whitelist_core.core.planner import Owner, TargetPlan, enforce, plan_additions, plan_target
from whitelist_core.core.policy import check, entry_violations
from whitelist_core.core.selection import STATIC, Source, desired_entries
from whitelist_core.ports import Group, Instance

SETTINGS = settings(max_examples=200, deadline=None)

HOSTS = [f"10.0.0.{i}" for i in range(1, 13)]
CIDRS = ["10.1.0.0/24", "10.2.0.0/16", "192.168.0.0/24", "172.16.0.0/12"]
ODD = ["8.8.8.8", "0.0.0.0/0", "10.0.0.0/7"]  # public, world, too wide under the defaults
POOL = HOSTS + CIDRS + ODD
INSTANCE_IDS = [f"i-{n:02d}" for n in range(1, 7)]

OWNER = Owner("orders-cache", "cn-hangzhou", "r-demoorders01", "ecs_orders", "")
PERMISSIVE = Policy(
    allow_public=True, allow_world=True, min_prefix=0, max_removals=1000, max_removal_percent=100
)

entries = st.sampled_from(POOL)
sources = st.one_of(st.just(STATIC), st.builds(Source, st.sampled_from(INSTANCE_IDS)))
current_sets = st.frozensets(st.one_of(entries, st.just(PLACEHOLDER)), max_size=12)
desired_maps = st.dictionaries(entries, sources, max_size=12)
rules_strategy = st.builds(
    Policy,
    allow_public=st.booleans(),
    min_prefix=st.integers(0, 32),
    allow_world=st.booleans(),
    max_removals=st.one_of(st.integers(0, 12), st.just(1000)),
    max_removal_percent=st.one_of(st.sampled_from([0, 50, 100]), st.integers(0, 100)),
    capacity_warn_percent=st.integers(1, 100),
)


def owned_group(current: frozenset[str] | set[str]) -> Group | None:
    """The owned group as the API shows it: absent when it holds nothing."""
    return Group(OWNER.group, "", tuple(sorted(current))) if current else None


def reconcile(
    current: frozenset[str] | set[str], desired: Mapping[str, Source], rules: Policy
) -> TargetPlan:
    plan = plan_target(OWNER, owned_group(current), desired)
    return enforce(plan, check(plan, rules))


def apply(current: frozenset[str] | set[str], plan: TargetPlan) -> set[str]:
    """Append then Delete, as the real API would: strict about what is there."""
    added = {c.entry for c in plan.add}
    removed = {c.entry for c in plan.remove}
    assert not added & set(current), "Append of an entry already in the group"
    assert removed <= set(current), "Delete of an entry not in the group"
    assert not added & removed
    return (set(current) | added) - removed


def owned_count(entries: frozenset[str] | set[str]) -> int:
    return len([e for e in entries if e != PLACEHOLDER])


@SETTINGS
@given(current=current_sets, desired=desired_maps)
def test_applying_a_plan_converges_and_planning_again_is_empty(
    current: frozenset[str], desired: dict[str, Source]
) -> None:
    plan = reconcile(current, desired, PERMISSIVE)
    after = apply(current, plan)
    assert after == (set(desired) or {PLACEHOLDER})
    assert after == set(plan.after)
    again = reconcile(after, desired, PERMISSIVE)
    assert not again.changed
    assert again.blocked == ()


@SETTINGS
@given(current=current_sets, desired=desired_maps)
def test_the_placeholder_is_there_exactly_when_nothing_is_desired(
    current: frozenset[str], desired: dict[str, Source]
) -> None:
    after = apply(current, reconcile(current, desired, PERMISSIVE))
    assert (PLACEHOLDER in after) is (not desired)


@SETTINGS
@given(current=current_sets, rules=rules_strategy)
def test_an_empty_desired_set_always_leaves_the_placeholder(
    current: frozenset[str], rules: Policy
) -> None:
    after = apply(current, reconcile(current, {}, rules))
    # When the removal limits hold the stale entries back, they keep the group non-empty.
    assert PLACEHOLDER in after or after == set(current) != set()


@dataclass
class RedisModel:
    """A Redis instance with several groups; only ``ecs_orders`` is ours."""

    groups: dict[str, Group] = field(default_factory=dict)

    def apply(self, plan: TargetPlan) -> None:
        old = self.groups.get(plan.group)
        current = set(old.entries) if old else set()
        new = apply(current, plan)
        self.groups[plan.group] = Group(plan.group, plan.attribute, tuple(sorted(new)))


foreign_groups = st.fixed_dictionaries(
    {
        "default": st.frozensets(entries, min_size=1, max_size=4),
        "ali_dms_group": st.frozensets(entries, min_size=1, max_size=4),
        "rds_replica_group": st.frozensets(entries, min_size=1, max_size=4),
        "ecs_billing": st.frozensets(entries, min_size=1, max_size=4),
    }
)


@SETTINGS
@given(others=foreign_groups, current=current_sets, desired=desired_maps, rules=rules_strategy)
def test_a_plan_touches_only_the_owned_group(
    others: dict[str, frozenset[str]],
    current: frozenset[str],
    desired: dict[str, Source],
    rules: Policy,
) -> None:
    model = RedisModel(
        {
            name: Group(name, "hidden" if name == "rds_replica_group" else "", tuple(sorted(es)))
            for name, es in others.items()
        }
    )
    if current:
        model.groups[OWNER.group] = Group(OWNER.group, "", tuple(sorted(current)))
    before = dict(model.groups)
    plan = reconcile(current, desired, rules)
    assert (plan.instance_id, plan.group, plan.attribute) == (
        OWNER.instance_id,
        OWNER.group,
        OWNER.attribute,
    )
    model.apply(plan)
    for name, group in before.items():
        if name != OWNER.group:
            assert model.groups[name] == group
    assert {c.entry for c in plan.remove} <= set(current)


@SETTINGS
@given(current=current_sets, desired=desired_maps, rules=rules_strategy)
def test_removals_never_exceed_the_limits(
    current: frozenset[str], desired: dict[str, Source], rules: Policy
) -> None:
    plan = reconcile(current, desired, rules)
    removed = owned_count({c.entry for c in plan.remove})
    assert removed <= rules.max_removals
    # The share is of the group once the additions are in (the adoption rule); with no
    # additions (an empty or shrunken listing) that is the group as it is.
    after_additions = owned_count(current) + owned_count({c.entry for c in plan.add})
    assert removed * 100 <= rules.max_removal_percent * max(after_additions, 1)
    if not owned_count({c.entry for c in plan.add}):
        assert removed * 100 <= rules.max_removal_percent * max(owned_count(current), 1)


@SETTINGS
@given(
    current=current_sets,
    desired=desired_maps,
    count_slack=st.sampled_from([-1, 0, 1]),
    share_slack=st.sampled_from([-1, 0, 1]),
)
def test_removal_limits_are_inclusive(
    current: frozenset[str], desired: dict[str, Source], count_slack: int, share_slack: int
) -> None:
    planned = plan_target(OWNER, owned_group(current), desired)
    count = owned_count({c.entry for c in planned.remove})
    # the share is of the group once the additions are in (the adoption rule)
    owned = owned_count(current) + owned_count({c.entry for c in planned.add})
    if count == 0:
        return
    exact_share = -(-count * 100 // owned)  # the smallest percent that allows this many
    rules = Policy(
        allow_public=True,
        allow_world=True,
        min_prefix=0,
        max_removals=max(count + count_slack, 0),
        max_removal_percent=min(max(exact_share + share_slack, 0), 100),
    )
    plan = enforce(planned, check(planned, rules))
    allowed = count <= rules.max_removals and count * 100 <= rules.max_removal_percent * owned
    assert allowed is (count_slack >= 0 and share_slack >= 0)
    if allowed:
        assert {c.entry for c in plan.remove} == {c.entry for c in planned.remove}
    else:
        assert owned_count({c.entry for c in plan.remove}) == 0
        assert plan.blocked


@SETTINGS
@given(current=current_sets, desired=desired_maps, rules=rules_strategy)
def test_nothing_blocked_is_ever_added(
    current: frozenset[str], desired: dict[str, Source], rules: Policy
) -> None:
    plan = reconcile(current, desired, rules)
    for change in plan.add:
        assert entry_violations(change.entry, rules) == []
    assert {c.entry for c in plan.add} <= set(desired) | {PLACEHOLDER}


@SETTINGS
@given(current=current_sets, desired=desired_maps, rules=rules_strategy)
def test_the_group_is_never_left_empty(
    current: frozenset[str], desired: dict[str, Source], rules: Policy
) -> None:
    plan = reconcile(current, desired, rules)
    after = apply(current, plan)
    if current or plan.changed:
        assert after
    if not plan.changed:
        assert after == set(current)


@SETTINGS
@given(
    current=current_sets,
    desired=st.dictionaries(st.sampled_from(ODD), sources, min_size=1),
)
def test_when_every_addition_is_blocked_the_placeholder_holds_the_group(
    current: frozenset[str], desired: dict[str, Source]
) -> None:
    # Default entry rules refuse every ODD entry; removals are unlimited. An absent group
    # stays absent (nothing is written); an existing one keeps the placeholder at least.
    rules = Policy(max_removals=1000, max_removal_percent=100)
    after = apply(current, reconcile(current, desired, rules))
    expected = set(current) & set(desired) or ({PLACEHOLDER} if current else set())
    assert after == expected


@dataclass(frozen=True)
class Spec:
    """A target for ``desired_entries``: tag app=orders, some statuses, static entries."""

    static_entries: tuple[str, ...]
    statuses: tuple[str, ...] = ECS_STATUSES
    secondary_ips: bool = False
    name: str = "orders-cache"
    selector: _Selector = field(default_factory=lambda: _Selector())


@dataclass(frozen=True)
class _Selector:
    vpc_id: str | None = None
    vswitch_ids: tuple[str, ...] | None = None
    security_group_ids: tuple[str, ...] | None = None
    tags: Mapping[str, str] | None = field(default_factory=lambda: {"app": "orders"})
    name: str | None = None
    resource_group_id: str | None = None


instances = st.lists(
    st.builds(
        Instance,
        instance_id=st.sampled_from(INSTANCE_IDS),
        region=st.just("cn-hangzhou"),
        status=st.sampled_from(ECS_STATUSES),
        tags=st.sampled_from([{"app": "orders"}, {"app": "billing"}, {}]),
        private_ips=st.lists(st.sampled_from(HOSTS), max_size=2, unique=True).map(tuple),
        secondary_ips=st.lists(st.sampled_from(HOSTS), max_size=2, unique=True).map(tuple),
    ),
    max_size=6,
    unique_by=lambda i: i.instance_id,
)
statics = st.lists(st.sampled_from(HOSTS + CIDRS), max_size=4, unique=True).map(tuple)
status_sets = st.lists(st.sampled_from(ECS_STATUSES), min_size=1, unique=True).map(tuple)


@SETTINGS
@given(
    current=current_sets,
    fleet=instances,
    static=statics,
    statuses=status_sets,
    secondary=st.booleans(),
    rules=rules_strategy,
)
def test_static_entries_are_never_removed(
    current: frozenset[str],
    fleet: list[Instance],
    static: tuple[str, ...],
    statuses: tuple[str, ...],
    secondary: bool,
    rules: Policy,
) -> None:
    spec = Spec(static_entries=static, statuses=statuses, secondary_ips=secondary)
    desired = desired_entries(spec, fleet)
    assert all(desired[e] == STATIC for e in static)
    for plan in (
        reconcile(current, desired, rules),
        plan_target(OWNER, owned_group(current), desired),
    ):
        assert not {c.entry for c in plan.remove} & set(static)


@SETTINGS
@given(current=current_sets, desired=desired_maps)
def test_add_only_never_removes_and_keeps_everything(
    current: frozenset[str], desired: dict[str, Source]
) -> None:
    plan = plan_additions(OWNER, owned_group(current), desired)
    assert {c.entry for c in plan.remove} <= {PLACEHOLDER}  # it goes once a host comes
    assert set(apply(current, plan)) == (set(current) | set(desired)) - {
        c.entry for c in plan.remove
    }


@SETTINGS
@given(
    data=st.data(),
    current=current_sets,
    fleet=instances,
    static=statics,
    rules=rules_strategy,
)
def test_plans_do_not_depend_on_input_order(
    data: st.DataObject,
    current: frozenset[str],
    fleet: list[Instance],
    static: tuple[str, ...],
    rules: Policy,
) -> None:
    spec = Spec(static_entries=static)
    desired = desired_entries(spec, fleet)
    plan = reconcile(current, desired, rules)

    shuffled_fleet = data.draw(st.permutations(fleet))
    shuffled_static = tuple(data.draw(st.permutations(static)))
    shuffled_current = tuple(data.draw(st.permutations(sorted(current))))
    desired_again = desired_entries(Spec(static_entries=shuffled_static), shuffled_fleet)
    keys = data.draw(st.permutations(list(desired_again)))
    desired_again = {k: desired_again[k] for k in keys}
    group = Group(OWNER.group, "", shuffled_current) if shuffled_current else None
    raw = plan_target(OWNER, group, desired_again)
    again = enforce(raw, check(raw, rules))

    assert again == plan
    assert again.to_dict() == plan.to_dict()
