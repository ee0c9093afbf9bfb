"""Instance ids: whether an id is one of its product's, and when it is not, what it looks
like instead (another product's, or an ECS instance's), said so the operator can fix it.

Pure: it reads the specs of the product table, loaded on first use.
"""

from __future__ import annotations

import re

from whitelist_core.products.table import DEFAULT_PRODUCT, PRODUCTS, spec_of

ECS_INSTANCE_ID = r"i-[a-z0-9]{8,40}"
"""The form of an ECS instance id: never a database instance."""


def mistaken_for(instance_id: str, product: str) -> str | None:
    """What ``instance_id`` is, when it is not an id of ``product``: ``"ecs"`` for an ECS
    instance, or the other product whose id form it has; None when nothing says so.

    Redis's own form is wide enough to hold every other product's ids (``rm-``, ``pc-``,
    ``dds-``), so a Redis target is checked against the others; its usual ``r-`` ids load
    no other spec (cold start).
    """
    if re.fullmatch(ECS_INSTANCE_ID, instance_id):
        return "ecs"
    if product == DEFAULT_PRODUCT and instance_id.startswith("r-"):
        return None
    for other in PRODUCTS:
        if other not in (product, DEFAULT_PRODUCT) and re.fullmatch(
            spec_of(other).instance_id, instance_id
        ):
            return other
    return None


def id_problem(instance_id: str, product: str) -> str:
    """What is wrong with ``instance_id`` as an id of ``product`` ('' when nothing)."""
    spec = spec_of(product)
    other = mistaken_for(instance_id, product)
    if other == "ecs":
        return (
            f"{instance_id!r} is an ECS instance id: instance_id names the {spec.title} "
            f"instance ({spec.instance_id_form}) whose whitelist this target keeps; the ECS "
            "hosts are chosen by the selector"
        )
    if other is not None:
        looks = spec_of(other)
        said = (
            f"{instance_id!r} looks like an {looks.title} instance id ({looks.instance_id_form}), "
        )
        if product == DEFAULT_PRODUCT:
            return (
                said
                + f"but product: is missing, so the target is {spec.title}: add product: {other}"
            )
        return (
            said + f"not one of {spec.title} ({spec.instance_id_form}): check product: and the id"
        )
    if not re.fullmatch(spec.instance_id, instance_id):
        return f"{instance_id!r} is not an instance id of {spec.title} ({spec.instance_id_form})"
    return ""
