"""``python -m whitelist_core``: the command line, which lives in ``entrypoints.cli``."""

import sys

from whitelist_core.entrypoints.cli import main

if __name__ == "__main__":
    sys.exit(main())
