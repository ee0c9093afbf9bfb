"""Regional endpoints of ECS and R-KVStore, by the official SDK's rules, as base URLs.

Rules (``alibabacloud_ecs20140526`` / ``alibabacloud_r_kvstore20150101`` ``Client``
``_endpoint_map`` and ``alibabacloud_tea_openapi`` ``get_endpoint_rules``):

1. an override wins for every region: the product's own variable
   (``WHITELIST_ECS_ENDPOINT``, ``WHITELIST_KVSTORE_ENDPOINT``, ``WHITELIST_ESS_ENDPOINT``,
   ``WHITELIST_STS_ENDPOINT``),
   else ``WHITELIST_ENDPOINT`` for every API at once; a full base URL such as
   ``http://127.0.0.1:8080``;
2. else the SDK's endpoint map (``cn-hangzhou`` → ``ecs-cn-hangzhou.aliyuncs.com`` /
   ``r-kvstore.aliyuncs.com``, and a set of internal/finance regions); the map is
   checked before the network, so it wins over ``vpc`` too (the SDK's quirk);
3. else ``<product>[-vpc].<region>.aliyuncs.com``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal
from urllib.parse import urlsplit

from whitelist_core.errors import ConfigError, Problem
from whitelist_core.products.spec import Endpoint as EndpointRule

Product = Literal["ecs", "kvstore", "ess", "sts"]

OVERRIDE_VARIABLES: dict[Product, str] = {
    "ecs": "WHITELIST_ECS_ENDPOINT",
    "kvstore": "WHITELIST_KVSTORE_ENDPOINT",
    "ess": "WHITELIST_ESS_ENDPOINT",
    "sts": "WHITELIST_STS_ENDPOINT",
}
SHARED_OVERRIDE = "WHITELIST_ENDPOINT"
"""One base URL for every API at once; a product's own variable wins over it."""
_HOST_PREFIX: dict[Product, str] = {
    "ecs": "ecs",
    "kvstore": "r-kvstore",
    "ess": "ess",
    "sts": "sts",
}
_REGION = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

_ECS_HANGZHOU = "ecs-cn-hangzhou.aliyuncs.com"
_ECS_CENTRAL = "ecs.aliyuncs.com"
_ECS_NEBULA = "ecs.cn-qingdao-nebula.aliyuncs.com"
_ECS_MAP: dict[str, str] = {
    **dict.fromkeys(
        [
            "cn-hangzhou",
            "cn-shanghai-finance-1",
            "cn-shenzhen-finance-1",
            "cn-beijing-nu16-b01",
            "cn-fujian",
            "cn-haidian-cm12-c01",
            "cn-hangzhou-bj-b01",
            "cn-hangzhou-internal-prod-1",
            "cn-hangzhou-internal-test-1",
            "cn-hangzhou-internal-test-2",
            "cn-hangzhou-internal-test-3",
            "cn-hangzhou-test-306",
            "cn-shanghai-et15-b01",
            "cn-shanghai-et2-b01",
            "cn-shanghai-internal-test-1",
            "cn-shenzhen-st4-d01",
            "cn-shenzhen-su18-b01",
            "cn-zhangbei-na61-b01",
        ],
        _ECS_HANGZHOU,
    ),
    **dict.fromkeys(
        [
            "cn-north-2-gov-1",
            "ap-northeast-2-pop",
            "cn-beijing-finance-pop",
            "cn-beijing-gov-1",
            "cn-hangzhou-finance",
            "cn-hongkong-finance-pop",
            "cn-shanghai-inner",
            "cn-shenzhen-inner",
            "cn-wuhan",
            "cn-yushanfang",
            "cn-zhangbei",
            "rus-west-1-pop",
        ],
        _ECS_CENTRAL,
    ),
    **dict.fromkeys(("cn-edge-1", "cn-huhehaote-nebula-1", "cn-zhengzhou-nebula-1"), _ECS_NEBULA),
    "cn-zhangjiakou-na62-a01": "ecs.cn-zhangjiakou.aliyuncs.com",
    "eu-west-1-oxs": "ecs.cn-shenzhen-cloudstone.aliyuncs.com",
}
_KVSTORE_MAP: dict[str, str] = dict.fromkeys(
    [
        "cn-hangzhou",
        "cn-hangzhou-finance",
        "ap-northeast-2-pop",
        "cn-beijing-finance-pop",
        "cn-beijing-gov-1",
        "cn-beijing-nu16-b01",
        "cn-edge-1",
        "cn-fujian",
        "cn-haidian-cm12-c01",
        "cn-hangzhou-bj-b01",
        "cn-hangzhou-internal-prod-1",
        "cn-hangzhou-internal-test-1",
        "cn-hangzhou-internal-test-2",
        "cn-hangzhou-internal-test-3",
        "cn-hangzhou-test-306",
        "cn-hongkong-finance-pop",
        "cn-qingdao-nebula",
        "cn-shanghai-et15-b01",
        "cn-shanghai-et2-b01",
        "cn-shanghai-inner",
        "cn-shanghai-internal-test-1",
        "cn-shenzhen-inner",
        "cn-shenzhen-st4-d01",
        "cn-shenzhen-su18-b01",
        "cn-wuhan",
        "cn-yushanfang",
        "cn-zhangbei",
        "cn-zhangbei-na61-b01",
        "cn-zhangjiakou-na62-a01",
        "cn-zhengzhou-nebula-1",
        "eu-west-1-oxs",
        "rus-west-1-pop",
    ],
    "r-kvstore.aliyuncs.com",
)
# alibabacloud_ess20220222 Client._endpoint_map: these regions use the central host.
_ESS_MAP: dict[str, str] = dict.fromkeys(
    [
        *("cn-qingdao", "cn-beijing", "cn-hangzhou", "cn-shanghai", "cn-shenzhen"),
        *("cn-hongkong", "ap-southeast-1", "us-east-1", "us-west-1", "cn-nanjing"),
        *("cn-shanghai-finance-1", "cn-shenzhen-finance-1", "cn-north-2-gov-1"),
        *("cn-beijing-finance-1", "cn-beijing-finance-pop", "cn-beijing-gov-1"),
        *("cn-beijing-nu16-b01", "cn-edge-1", "cn-fujian", "cn-haidian-cm12-c01"),
        *("cn-hangzhou-bj-b01", "cn-hangzhou-finance", "cn-hangzhou-internal-prod-1"),
        *("cn-hangzhou-internal-test-1", "cn-hangzhou-internal-test-2"),
        *("cn-hangzhou-internal-test-3", "cn-hangzhou-test-306", "cn-hongkong-finance-pop"),
        *("cn-huhehaote-nebula-1", "cn-qingdao-nebula", "cn-shanghai-et15-b01"),
        *("cn-shanghai-et2-b01", "cn-shanghai-inner", "cn-shanghai-internal-test-1"),
        *("cn-shenzhen-inner", "cn-shenzhen-st4-d01", "cn-shenzhen-su18-b01", "cn-wuhan"),
        *("cn-yushanfang", "cn-zhangbei", "cn-zhangbei-na61-b01", "cn-zhangjiakou-na62-a01"),
        *("cn-zhengzhou-nebula-1", "eu-west-1-oxs", "rus-west-1-pop"),
    ],
    "ess.aliyuncs.com",
)
_MAPS: dict[Product, dict[str, str]] = {
    "ecs": _ECS_MAP,
    "kvstore": _KVSTORE_MAP,
    "ess": _ESS_MAP,
    "sts": {},  # sts[-vpc].<region>.aliyuncs.com everywhere (reference 11.4)
}


def sdk_host(product: Product, region: str, *, vpc: bool = False) -> str:
    """The host the official SDK would call for ``product`` in ``region``."""
    if not _REGION.match(region):
        raise ConfigError([Problem("region", f"{region!r} is not a region id (like cn-hangzhou)")])
    mapped = _MAPS[product].get(region)
    if mapped:
        return mapped
    network = "-vpc" if vpc else ""
    return f"{_HOST_PREFIX[product]}{network}.{region}.aliyuncs.com"


def parse_base_url(url: str, source: str) -> str:
    """Validate an override base URL (``http(s)://host[:port]``) and return it normalised."""
    parts = urlsplit(url.strip())
    shown = _shown(url)  # never echo the credentials a URL may carry
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError([Problem(source, f"{shown} must be a base URL like https://host[:port]")])
    if parts.path not in ("", "/") or parts.query or parts.fragment or "@" in parts.netloc:
        raise ConfigError([Problem(source, f"{shown} must carry only scheme, host and port")])
    return f"{parts.scheme}://{parts.netloc.lower()}"


def _shown(url: str) -> str:
    """``url`` as a message may show it: any ``user:pass@`` and query values masked."""
    text = re.sub(r"^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@", r"\1***@", url.strip())
    text = re.sub(r"([?&][^=&#]*)=[^&#]*", r"\1=***", text)
    return repr(text)


def host_of(base_url: str) -> str:
    """What the ``Host`` header (and so the signature) carries: ``host`` or ``host:port``."""
    return urlsplit(base_url).netloc


class Endpoints:
    """Resolves the base URL of a product in a region, honouring overrides and VPC choice."""

    def __init__(
        self,
        overrides: Mapping[Product, str] | None = None,
        *,
        vpc: bool = False,
        environ: Mapping[str, str] | None = None,
    ):
        self._overrides = dict(overrides or {})
        self._vpc = vpc
        self._environ = dict(environ or {})

    @classmethod
    def from_environ(cls, environ: Mapping[str, str], *, vpc: bool = False) -> Endpoints:
        """Endpoints with the overrides found in ``WHITELIST_*_ENDPOINT`` (validated)."""
        overrides: dict[Product, str] = {}
        shared = environ.get(SHARED_OVERRIDE, "").strip()
        for product, variable in OVERRIDE_VARIABLES.items():
            value = environ.get(variable, "").strip()
            if value:
                overrides[product] = parse_base_url(value, variable)
            elif shared:
                overrides[product] = parse_base_url(shared, SHARED_OVERRIDE)
        return cls(overrides, vpc=vpc, environ=environ)

    def variable_for(self, base_url: str, product: str) -> str:
        """The ``WHITELIST_*ENDPOINT`` variable that set ``base_url`` for ``product`` (its
        own variable first, then ``WHITELIST_ENDPOINT``), or '' for a regional host."""
        own = [v for v in self._environ if re.fullmatch(r"WHITELIST_[A-Z]+_ENDPOINT", v)]
        mine = [v for v in own if v == f"WHITELIST_{product.upper()}_ENDPOINT"]
        for variable in (*mine, *sorted(own), SHARED_OVERRIDE):
            value = self._environ.get(variable, "").strip()
            if value and value.rstrip("/").lower() == base_url.lower():
                return variable
        return ""

    def base_url(self, product: Product, region: str) -> str:
        """``https://host`` for the product in the region, or the override."""
        override = self._overrides.get(product)
        if override:
            return override
        return "https://" + sdk_host(product, region, vpc=self._vpc)

    def for_rule(self, rule: EndpointRule, region: str) -> str:
        """The base URL of a whitelist product described by its spec's endpoint rule.

        Its own variable wins, then ``WHITELIST_ENDPOINT`` (one URL for every API), then
        the SDK's map and rule. R-KVStore keeps its own table above.
        """
        if rule.variable == OVERRIDE_VARIABLES["kvstore"]:
            return self.base_url("kvstore", region)
        for variable in (rule.variable, SHARED_OVERRIDE):
            value = self._environ.get(variable, "").strip()
            if value:
                return parse_base_url(value, variable)
        if not _REGION.match(region):
            raise ConfigError(
                [Problem("region", f"{region!r} is not a region id (like cn-hangzhou)")]
            )
        host = rule.regional.get(region)
        network = "-vpc" if self._vpc else ""
        return "https://" + (host or f"{rule.prefix}{network}.{region}.aliyuncs.com")
