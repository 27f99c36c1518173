"""``python -m cerebellar``: the command line (as the ``cerebellar`` script)."""

import sys

from .cli import main

sys.exit(main())
