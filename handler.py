"""Function Compute entry point, at the root of the deployment zip: ``handler.handler``.

The handler is ``whitelist_core.entrypoints.function.handler``; this file only gives FC
the name it is configured with. It is not installed by ``pip install`` (a generic
top-level ``handler`` module does not belong in site-packages); the command line's
``invoke`` runs the same function from the package.
"""

from __future__ import annotations

import os

# pydantic looks for third-party plugins through importlib.metadata when it builds the
# first model: ~13 ms of cold start for plugins this function never has.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

from whitelist_core.entrypoints.startup import LongLived

# Everything imported here lives as long as the instance: see startup.py.
with LongLived():
    from whitelist_core.entrypoints.function import handler
    from whitelist_core.entrypoints.wiring import load_adapters

    load_adapters()

__all__ = ["handler"]
