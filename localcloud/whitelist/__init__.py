"""One whitelist model for the database products beside R-KVStore (RDS, PolarDB, MongoDB).

Each product is data (``rules.Rules``: its field names, limits and error classes) plus a
small wire adapter in its own package (``localcloud/rds``, ``localcloud/polardb``,
``localcloud/mongodb``) that maps the product's parameter names onto ``models.Change``.
"""

from localcloud.whitelist.models import Change, DbInstance, WhitelistGroup, WhitelistModel
from localcloud.whitelist.rules import Codes, Rules, Shape

__all__ = ["Change", "Codes", "DbInstance", "Rules", "Shape", "WhitelistGroup", "WhitelistModel"]
