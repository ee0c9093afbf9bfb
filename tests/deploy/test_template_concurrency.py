"""template.yml's concurrency: an instance serves ``InstanceConcurrency`` requests at once
(a parameter, default what figure 7 measured), the gathering window of their shared run
is ``WHITELIST_COALESCE_MS`` (default the function's own), and the optional cap
``ALIYUN::FC3::ConcurrencyConfig`` exists only when ``ReservedConcurrency`` is above 0 and
the stack deploys the function
(0 reserved would stop the function altogether)."""

from __future__ import annotations

from typing import Any

from whitelist_core.aliyun.transport.rpc import POOL_SIZE
from whitelist_core.entrypoints.coalesced import DEFAULT_COALESCE_MS

FC_MAX_INSTANCE_CONCURRENCY = 200


def function(template: dict[str, Any]) -> dict[str, Any]:
    return dict(template["Resources"]["Function"]["Properties"])


def test_instance_concurrency_is_a_parameter_within_fc_limits(template: dict[str, Any]) -> None:
    param = template["Parameters"]["InstanceConcurrency"]
    assert function(template)["InstanceConcurrency"] == {"Ref": "InstanceConcurrency"}
    assert (param["Type"], param["MinValue"], param["MaxValue"]) == (
        "Number",
        1,
        FC_MAX_INSTANCE_CONCURRENCY,
    )
    assert 1 < param["Default"] <= POOL_SIZE  # every request of an instance keeps a connection


def test_the_window_defaults_to_the_functions_own(template: dict[str, Any]) -> None:
    param = template["Parameters"]["CoalesceMs"]
    env = function(template)["EnvironmentVariables"]
    assert env["WHITELIST_COALESCE_MS"] == {"Ref": "CoalesceMs"}
    assert param["Default"] == str(DEFAULT_COALESCE_MS)


def test_the_cap_exists_only_when_asked_for(template: dict[str, Any]) -> None:
    param = template["Parameters"]["ReservedConcurrency"]
    assert (param["Default"], param["MinValue"]) == (0, 0)
    condition = template["Conditions"]["CapConcurrency"]
    assert condition == {
        "Fn::And": [
            {"Fn::Not": {"Fn::Equals": [0, {"Ref": "ReservedConcurrency"}]}},
            {"Condition": "WithFunction"},  # no function deployed: nothing to cap
        ]
    }
    cap = template["Resources"]["ConcurrencyCap"]
    assert cap["Type"] == "ALIYUN::FC3::ConcurrencyConfig"
    assert cap["Condition"] == "CapConcurrency"
    assert cap["Properties"] == {
        "FunctionName": {"Fn::GetAtt": ["Function", "FunctionName"]},
        "ReservedConcurrency": {"Ref": "ReservedConcurrency"},
    }
