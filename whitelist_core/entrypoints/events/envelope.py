"""The EventBridge envelope (CloudEvents 1.0 with Alibaba's extensions), shared by every
``acs.*`` source; each source's ``data`` is parsed by its own module."""

from __future__ import annotations

from pydantic import Field

from whitelist_core.entrypoints.wire import OptionalRegion, WireModel


class CloudEvent(WireModel):
    """An EventBridge CloudEvents 1.0 envelope with Alibaba's extensions."""

    id: str = Field(min_length=1, max_length=256)
    source: str = Field(min_length=1, max_length=256)
    type: str = Field(min_length=1, max_length=256)
    subject: str | None = None
    aliyunregionid: OptionalRegion = None
    data: dict[str, object] | None = None
