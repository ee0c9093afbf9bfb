"""The database products' list APIs (R-KVStore ``DescribeInstances``, RDS
``DescribeDBInstances``, PolarDB ``DescribeDBClusters``, MongoDB ``DescribeDBInstances``),
driven by each product's ``Catalog`` spec; implements ``ports.DatabaseCatalog``.

Only ``audit --all-instances`` uses it, with the user's own credentials: the deployed
function is never granted these actions. A listing is believed only when its pages add
up to the answer's total (an audit that missed instances would say "nothing found").
"""

from __future__ import annotations

from collections.abc import Iterator

from whitelist_core.aliyun.transport.answers import as_dict, as_list, as_str, dig
from whitelist_core.aliyun.transport.endpoints import Endpoints
from whitelist_core.aliyun.transport.rpc import Call, RpcClient
from whitelist_core.errors import TransientCloudError
from whitelist_core.products import spec_of
from whitelist_core.products.spec import Catalog, ProductSpec

PAGE_SIZE = 50
"""A page size every product accepts (R-KVStore's most; RDS 1-100; PolarDB and MongoDB
30, 50 or 100)."""
MAX_PAGES = 1000


class DatabaseLister:
    """Lists every instance of a product in a region through its list API."""

    def __init__(self, rpc: RpcClient, endpoints: Endpoints) -> None:
        self._rpc, self._endpoints = rpc, endpoints

    def list_databases(self, product: str, region: str) -> list[str]:
        """Every instance id of ``product`` in ``region``, each once, in listing order."""
        spec = spec_of(product)
        catalog = spec.catalog
        if catalog is None:
            return []
        found: dict[str, None] = {}
        for kind in catalog.kinds or ((),):
            extra = dict([kind]) if kind else {}
            found.update(dict.fromkeys(self._listing(spec, catalog, region, extra)))
        return list(found)

    def _listing(
        self, spec: ProductSpec, catalog: Catalog, region: str, extra: dict[str, str]
    ) -> Iterator[str]:
        seen: set[str] = set()
        for number in range(1, MAX_PAGES + 1):
            params = {"RegionId": region, "PageNumber": str(number), "PageSize": str(PAGE_SIZE)}
            call = Call(
                self._endpoints.for_rule(spec.endpoint, region), spec.ram.service, region,
                catalog.action, spec.version, params | extra,
            )  # fmt: skip
            body = self._rpc.call(call)
            page = [
                as_str(as_dict(i).get(catalog.id_field)) for i in as_list(dig(body, *catalog.items))
            ]
            total = body.get(catalog.total)
            expected = total if isinstance(total, int) and not isinstance(total, bool) else None
            fresh = [i for i in page if i and i not in seen]
            seen.update(fresh)
            yield from fresh
            if len(seen) >= expected if expected is not None else len(page) < PAGE_SIZE:
                return  # every instance counted (or, with no count, a short last page)
            if not fresh:
                break
        raise TransientCloudError(
            catalog.action, "IncompleteListing",
            f"the pages listed {len(seen)} {spec.title} instances of {region}, "
            f"but the answer counts {body.get(catalog.total)}",
        )  # fmt: skip
