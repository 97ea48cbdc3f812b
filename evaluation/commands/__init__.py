"""One module per CLI subcommand: ``HELP``, ``add_arguments(parser)``, ``run(args) -> int``.

Keep these modules light at import time (import heavy libraries inside ``run``), so
``evaluation --help`` stays fast.
"""

from ._common import console_lang, say_help

__all__ = ["console_lang", "say_help"]
