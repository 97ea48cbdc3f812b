"""`evaluation params NOTEBOOK`: print a notebook's declared parameters."""

from __future__ import annotations

import argparse

from ._common import add_lang, console_lang

HELP = "print the parameters a notebook accepts (name, type, default, allowed values)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("notebook", metavar="NOTEBOOK",
                   help="notebook name or path, e.g. 03_brief or notebooks/03_brief.ipynb")
    add_lang(p)


def run(args: argparse.Namespace) -> int:
    from ..params import describe

    print(describe(args.notebook, lang=console_lang(args)))
    return 0
