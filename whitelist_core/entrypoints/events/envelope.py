"""The EventBridge envelope (CloudEvents 1.0 with Alibaba's extensions), shared by every
``acs.*`` source; each source's ``data`` is parsed by its own module."""

from __future__ import annotations

from pydantic import Field, field_validator

from whitelist_core.entrypoints.wire import OptionalRegion, WireModel


class CloudEvent(WireModel):
    """An EventBridge CloudEvents 1.0 envelope with Alibaba's extensions."""

    id: str = Field(min_length=1, max_length=256)
    source: str = Field(min_length=1, max_length=256)
    type: str = Field(min_length=1, max_length=256)
    subject: str | None = None
    aliyunregionid: OptionalRegion = None
    aliyunaccountid: str | None = None
    aliyunoriginalaccountid: str | None = None
    """Set when another account's rule forwarded the event: the account it happened in."""
    data: dict[str, object] | None = None

    @field_validator("aliyunaccountid", "aliyunoriginalaccountid")
    @classmethod
    def _uid(cls, value: str | None) -> str | None:
        if value and not (value.isascii() and value.isdigit() and len(value) <= 32):
            raise ValueError("must be an account uid (digits)")
        return value or None

    @property
    def account_id(self) -> str:
        """The account the event happened in (``""`` when it names none)."""
        return self.aliyunoriginalaccountid or self.aliyunaccountid or ""
