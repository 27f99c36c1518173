"""``python -m cerebellar``: the command line (as the ``cerebellar`` script)."""

from .cli import main

main()
