"""The whitelist side: one ``WhitelistStore`` per database product, one module each.

``kvstore``: Redis/Tair (R-KVStore API). RDS, PolarDB and MongoDB stores go here too,
beside it, on the shared ``transport``; what differs between products (actions, parameter
names, where the list sits in the answer, capacity rules) stays inside the product's
module or a spec it shares with the others.
"""
