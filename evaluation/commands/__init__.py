"""One module per CLI subcommand: ``HELP``, ``add_arguments(parser)``, ``run(args) -> int``.

Keep these modules light at import time (import heavy libraries inside ``run``), so
``evaluation --help`` stays fast.
"""
