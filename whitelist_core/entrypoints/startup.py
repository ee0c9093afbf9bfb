"""What a Function Compute instance makes once, at start-up, and keeps for its life.

``handler.py`` imports the function inside ``LongLived()``: the libraries, our modules,
the configuration's models, the cloud adapters. Python's cyclic garbage collector would
otherwise run about eighty times during that import, each time walking objects that can
never become garbage (modules, classes, compiled patterns, validators), and on every full
collection after it for as long as the instance lives. Measured (``make bench``, figure
11): about 20 ms of the cold start to the first applied event, 0.41 -> 0.38 of the SDK
clients' time.

This is the pattern the ``gc`` module documents for ``gc.freeze()``: turn the collector
off early, freeze what start-up made, turn it back on. The price is that reference cycles
that became garbage during start-up are kept rather than freed: about 700 objects, 0.3 MB
of the 16 MB the import allocates (``gc.collect()`` after an import with the collector
off, under ``tracemalloc``), once per instance.
"""

from __future__ import annotations

import gc

# No other import: this module is loaded before the collector is turned off, and the
# standard library's contextlib would pull in a dozen modules (and a few collections)
# ahead of it.


class LongLived:
    """A block run with the cyclic collector off; on leaving it (also by an exception),
    everything that exists is frozen, so no later collection walks it, and the collector
    is restored to the state it was in."""

    _collecting = True

    def __enter__(self) -> None:
        self._collecting = gc.isenabled()
        gc.disable()

    def __exit__(self, *_: object) -> None:
        gc.freeze()
        if self._collecting:
            gc.enable()
