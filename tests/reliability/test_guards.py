"""Guards against a listing that lies: an empty or suddenly shrunken ECS answer (an
unauthorised role gets an empty list, not an error) must not wipe the whitelist.

Over the removal limits nothing is removed for that target, the result says why in
``blocked``, and other changes (adds, the placeholder) still go through. Limits are
inclusive: exactly the limit is removed, one more and nothing is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from reliability_kit import (
    BASE_URL,
    REDIS,
    STATIC,
    config,
    empty_groups,
    encode,
    entries,
    foreign_snapshot,
    host,
    mounted,
    scenario_seed,
    state_change,
    target,
    timer,
)

import handler
from localcloud.builders import make_group, make_redis_instance, make_seed
from localcloud.mock import LocalCloud

HOSTS = {f"i-bp1fleet0000{n:04d}": f"10.0.4.{n}" for n in range(1, 11)}


def _fleet_seed(*, static: bool = True) -> dict[str, Any]:
    owned = [*HOSTS.values(), *([STATIC] if static else [])]
    return scenario_seed(owned=owned, hosts=[host(i, ip) for i, ip in HOSTS.items()])


def _run(event: dict[str, Any]) -> dict[str, Any]:
    result = handler.handler(encode(event), None)
    assert result["status"] in ("applied", "noop"), result
    return result


def _only_target(result: dict[str, Any]) -> dict[str, Any]:
    (only,) = result["targets"]
    return dict(only)


def _vanish(cloud: LocalCloud, how_many: int) -> set[str]:
    gone = list(HOSTS)[:how_many]
    cloud.delete_instances("cn-hangzhou", gone)
    return {HOSTS[i] for i in gone}


@pytest.mark.parametrize("static", [True, False], ids=["with-static", "no-static"])
@pytest.mark.parametrize("event_kind", ["timer", "deleted-event"])
def test_empty_listing_removes_nothing(
    static: bool, event_kind: str, rel_env: Callable[..., Any], rel_no_backoff: None
) -> None:
    seed = _fleet_seed(static=static)
    data = config([target(static_entries=[STATIC] if static else [])])
    with mounted(seed) as cloud:
        rel_env(BASE_URL, data)
        _vanish(cloud, len(HOSTS))  # the role now sees no instance at all
        event = timer() if event_kind == "timer" else state_change(next(iter(HOSTS)), "Deleted")
        result = _run(event)
        outcome = _only_target(result)
        assert outcome["removed"] == []
        assert outcome["blocked"], outcome
        assert any("nothing removed" in reason for reason in outcome["blocked"])
        assert result["blocked"] is True
        assert entries(cloud.state()) >= set(HOSTS.values())
        assert foreign_snapshot(cloud.state()) == foreign_snapshot(seed)
        # Still blocked on the next run: the guard does not wear off.
        assert _only_target(_run(timer()))["removed"] == []
        assert entries(cloud.state()) >= set(HOSTS.values())


def test_region_without_instances_removes_nothing(
    rel_env: Callable[..., Any], rel_no_backoff: None
) -> None:
    """A target in a region where the listing is empty (wrong region, or no permission
    there): the entries stay."""
    ips = list(HOSTS.values())[:4]
    redis = make_redis_instance(REDIS, [make_group("default"), make_group("ecs_orders", ips)])
    seed = make_seed([host(i, HOSTS[i]) for i in list(HOSTS)[:4]], [], region="cn-hangzhou")
    seed["kvstore"] = {"cn-shanghai": [redis]}
    with mounted(seed) as cloud:
        rel_env(BASE_URL, config([target(region="cn-shanghai", static_entries=[])]))
        outcome = _only_target(_run(timer()))
        assert outcome["removed"] == []
        assert outcome["blocked"]
        assert entries(cloud.state()) >= set(ips)
        assert empty_groups(cloud.state()) == []


@pytest.mark.parametrize(
    ("vanished", "policy", "removed"),
    [
        # 11 owned entries (10 hosts + static) and one new host: the share is counted
        # against the 12 the group holds once the addition is in (the adoption rule),
        # default policy: 50 % of 12 is 6
        (5, {}, True),
        (6, {}, True),
        (7, {}, False),
        # max_removals is inclusive too
        (3, {"max_removals": 3, "max_removal_percent": 100}, True),
        (4, {"max_removals": 3, "max_removal_percent": 100}, False),
        # zero means "never remove anything"
        (1, {"max_removals": 0}, False),
    ],
)
def test_shrunken_listing_is_held_to_the_limits(
    vanished: int,
    policy: dict[str, int],
    removed: bool,
    rel_env: Callable[..., Any],
    rel_no_backoff: None,
) -> None:
    seed = _fleet_seed()
    with mounted(seed) as cloud:
        rel_env(BASE_URL, config(policy=policy))
        gone = _vanish(cloud, vanished)
        cloud.put_instances("cn-hangzhou", [host("i-bp1fleetnew00001", "10.0.4.200")])
        outcome = _only_target(_run(timer()))
        held = entries(cloud.state())
        assert "10.0.4.200" in held  # adds go through whatever happens to removals
        if removed:
            assert set(outcome["removed"]) == gone
            assert not outcome["blocked"]
            assert held == ({*HOSTS.values(), STATIC, "10.0.4.200"} - gone)
        else:
            assert outcome["removed"] == []
            assert outcome["blocked"]
            assert held >= set(HOSTS.values())
        assert foreign_snapshot(cloud.state()) == foreign_snapshot(seed)


def test_blocked_removal_is_a_422_over_the_webhook(
    rel_env: Callable[..., Any], rel_no_backoff: None
) -> None:
    from reliability_kit import signed_http_event

    with mounted(_fleet_seed()) as cloud:
        rel_env(BASE_URL, config())
        _vanish(cloud, len(HOSTS))
        answer = handler.handler(encode(signed_http_event("POST", "/reconcile", b"{}")), None)
        assert answer["statusCode"] == 422
        assert "nothing removed" in answer["body"]
        assert entries(cloud.state()) >= set(HOSTS.values())


def test_an_unauthorised_role_is_an_error_not_an_empty_fleet(
    rel_env: Callable[..., Any], rel_no_backoff: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without ecs:DescribeInstances the listing used to be empty, not an error (the older
    answer, seeded per credential): the function confirms an empty listing with DryRun,
    reports the refusal, removes nothing."""
    seed = _fleet_seed()
    seed["credentials"] = [
        {
            "AccessKeyId": "norole-id",
            "AccessKeySecret": "norole-secret-0123",
            "Denied": ["DescribeInstances"],
            "DeniedAnswer": "empty-list",
        }
    ]
    with mounted(seed) as cloud:
        # Even with removal limits lifted, nothing may be removed on an unauthorised read.
        rel_env(BASE_URL, config(policy={"max_removals": 1000, "max_removal_percent": 100}))
        monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "norole-id")
        monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "norole-secret-0123")
        before = cloud.state()
        result = handler.handler(encode(timer()), None)
        assert result["status"] == "error"
        assert result["error"]["code"] == "Forbidden.RAM"
        assert result["error"]["request_id"]
        assert cloud.state()["kvstore"] == before["kvstore"]
        assert cloud.calls()["counts"].get("ModifySecurityIps", 0) == 0
