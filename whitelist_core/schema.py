"""The configuration's schema: its pydantic models, frozen, and the rules of each field.

Unknown keys are errors (a typo must not silently widen or disable a selector). The
checks across fields and targets, and loading a file, are in ``config``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from whitelist_core.accounts import OWN, Account, AccountName
from whitelist_core.core.audit import AuditRules
from whitelist_core.core.entries import group_name_problem, parse_entry
from whitelist_core.core.findings import Severity
from whitelist_core.core.placement import MAX_GROUPS, owned_groups

if TYPE_CHECKING:
    from whitelist_core.products.spec import ProductSpec

EcsStatus = Literal["Pending", "Starting", "Running", "Stopping", "Stopped"]
ECS_STATUSES: tuple[EcsStatus, ...] = ("Pending", "Starting", "Running", "Stopping", "Stopped")

REGION_ID = r"^[a-z]{2,4}(-[a-z0-9]+){1,4}$"
REDIS_INSTANCE_ID = r"^[a-z]{1,3}-[a-z0-9]{6,40}$"
TARGET_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"


def _group_name(name: str) -> str:
    problem = group_name_problem(name)
    if problem:
        raise ValueError(problem)
    return name


def _entry(text: str) -> str:
    return parse_entry(text)


def _no_duplicates(values: tuple[str, ...]) -> tuple[str, ...]:
    if len(set(values)) != len(values):
        raise ValueError("must not repeat a value")
    return values


def _said(reason: str) -> str:
    if not reason:
        raise ValueError("say why the risk is accepted, and who accepted it")
    return reason


NonEmptyIds = Annotated[tuple[str, ...], Field(min_length=1), AfterValidator(_no_duplicates)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Selector(_Strict):
    """Which ECS instances belong to a target: every given field must match."""

    vpc_id: str | None = Field(default=None, min_length=1)
    vswitch_ids: NonEmptyIds | None = None
    security_group_ids: NonEmptyIds | None = None
    tags: dict[Annotated[str, Field(min_length=1)], str] | None = Field(default=None, min_length=1)
    name: str | None = Field(default=None, min_length=1)
    resource_group_id: str | None = Field(default=None, min_length=1)
    account: AccountName | None = None
    """Where the hosts are listed (a name under ``accounts:``); default: the target's."""

    @model_validator(mode="after")
    def _at_least_one(self) -> Selector:
        fields = [f for f in type(self).model_fields if f != "account"]
        if all(getattr(self, f) is None for f in fields):
            raise ValueError("a selector needs at least one field (it would match every instance)")
        return self


NetworkType = Literal["auto", "vpc", "classic", "mix"]


class Target(_Strict):
    """One database instance (Redis by default) plus the one group this function owns on it."""

    name: Annotated[str, Field(pattern=TARGET_NAME)]
    product: str = "redis"
    """A key of the product table (``products/table.py``); checked when loaded."""
    instance_id: Annotated[str, Field(pattern=REDIS_INSTANCE_ID)]
    region: Annotated[str, Field(pattern=REGION_ID)] | None = None
    account: AccountName | None = None
    """Where the database lives (a name under ``accounts:``); default: the function's own."""
    group: Annotated[str, AfterValidator(_group_name)]
    hidden: bool = False
    max_groups: int = Field(default=1, ge=1, le=MAX_GROUPS)
    drain_groups: int = Field(default=0, ge=0, le=MAX_GROUPS - 1)
    selector: Selector
    statuses: Annotated[tuple[EcsStatus, ...], Field(min_length=1)] = ECS_STATUSES
    secondary_ips: bool = False
    static_entries: tuple[Annotated[str, AfterValidator(_entry)], ...] = ()
    network_type: NetworkType | None = None
    """RDS only: the ``WhitelistNetworkType`` of the group (default ``auto``)."""

    @field_validator("product")
    @classmethod
    def _known_product(cls, value: str) -> str:
        from whitelist_core.products import (
            PRODUCTS,  # deferred: importing the handler loads no product
        )

        if value not in PRODUCTS:
            raise ValueError(f"must be one of {', '.join(PRODUCTS)}")
        return value

    @field_validator("instance_id")
    @classmethod
    def _product_id(cls, value: str, info: ValidationInfo) -> str:
        from whitelist_core.products.ids import id_problem  # deferred, as above

        spec = _spec(info)
        if spec and (problem := id_problem(value, spec.name)):
            raise ValueError(problem)
        return value

    @field_validator("group")
    @classmethod
    def _product_group(cls, value: str, info: ValidationInfo) -> str:
        spec = _spec(info)
        if spec is None:
            return value
        if value in spec.reserved_groups:
            raise ValueError(f"{value!r} is a system group of {spec.title}: never owned")
        if not re.fullmatch(spec.group_name, value):
            raise ValueError(spec.group_rule or f"{value!r} is not a valid {spec.title} group")
        return value

    @field_validator("max_groups")
    @classmethod
    def _groups_add_room(cls, value: int, info: ValidationInfo) -> int:
        spec = _spec(info)
        if value > 1 and spec and spec.capacity.per_instance:
            raise ValueError(
                f"{spec.title} holds {spec.capacity.entries} entries per instance across all "
                "groups: more groups add no room, so max_groups must be 1"
            )
        return value

    @field_validator("network_type")
    @classmethod
    def _network_for_rds(
        cls, value: NetworkType | None, info: ValidationInfo
    ) -> NetworkType | None:
        spec = _spec(info)
        if value is not None and spec and not spec.network_param:
            raise ValueError("only RDS targets have a network_type")
        return value

    @property
    def attribute(self) -> str:
        """The ``SecurityIpGroupAttribute`` this target writes."""
        return "hidden" if self.hidden else ""

    @property
    def groups(self) -> tuple[str, ...]:
        """Every group the target owns: ``group``, ``group_2`` ... ``group_<max_groups>``."""
        return owned_groups(self.group, self.max_groups)

    @property
    def store_options(self) -> dict[str, str]:
        """The product-specific settings its store needs (empty for most products)."""
        return {"network_type": self.network_type} if self.network_type else {}


def _spec(info: ValidationInfo) -> ProductSpec | None:
    """The spec of the target's product; None when the product itself is invalid
    (that is already reported, and its id rules are unknown)."""
    from whitelist_core.products import spec_of  # deferred, as above

    product = info.data.get("product")
    return spec_of(product) if product else None


class Policy(_Strict):
    """The safety rules every plan must pass."""

    allow_public: bool = False
    min_prefix: int = Field(default=8, ge=0, le=32)
    allow_world: bool = False
    max_removals: int = Field(default=50, ge=0, le=1000)
    max_removal_percent: int = Field(default=50, ge=0, le=100)
    capacity_warn_percent: int = Field(default=80, ge=1, le=100)


class Webhook(_Strict):
    """Settings of the signed HTTP webhook."""

    tolerance_seconds: int = Field(default=300, ge=1, le=3600)


class Accepted(_Strict):
    """An accepted risk: this entry of this group of this instance is not a finding."""

    instance_id: Annotated[str, Field(pattern=REDIS_INSTANCE_ID)]
    group: Annotated[str, Field(min_length=1, max_length=120)]
    entry: Annotated[str, AfterValidator(_entry)]
    reason: Annotated[str, AfterValidator(_said)]


class Audit(_Strict):
    """The audit of every group the function reads (``docs/audit.md``)."""

    enabled: bool = True
    min_severity: Severity = "medium"
    broad_prefix: int = Field(default=16, ge=0, le=32)
    accept: tuple[Accepted, ...] = ()

    @property
    def rules(self) -> AuditRules:
        """The settings the pure audit rules take."""
        accepted = frozenset((a.instance_id, a.group, a.entry) for a in self.accept)
        return AuditRules(self.broad_prefix, accepted)


class Config(_Strict):
    """The whole configuration file."""

    version: Literal[1]
    region: Annotated[str, Field(pattern=REGION_ID)]
    dry_run: bool = False
    targets: Annotated[tuple[Target, ...], Field(min_length=1)]
    policy: Policy = Policy()
    webhook: Webhook = Webhook()
    audit: Audit = Audit()
    accounts: dict[AccountName, Account] = Field(default_factory=dict)

    def region_of(self, target: Target) -> str:
        """The region a target lives in (its own, else the default)."""
        return target.region or self.region

    def account_of(self, target: Target) -> str:
        """The account the target's database lives in (``OWN``: the function's)."""
        return target.account or OWN

    def hosts_account_of(self, target: Target) -> str:
        """The account the target's hosts are listed in (its selector's, else its own)."""
        return target.selector.account or self.account_of(target)

    def target_named(self, name: str) -> Target | None:
        """The target with this name, if any."""
        return next((t for t in self.targets if t.name == name), None)
