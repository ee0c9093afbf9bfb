"""The whitelist side: one store for every database product, driven by its spec.

``whitelist`` is the store the products share (read, write, confirm, chunk), driven by
a ``ProductSpec`` from ``whitelist_core/products``; ``network`` is the one piece of code
only RDS needs; ``kvstore`` binds the store to Redis (the default); ``family`` hands out
each product's store. Adding a product adds no module here: only a spec and a table row.
"""
