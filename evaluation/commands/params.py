"""`evaluation params NOTEBOOK`: print a notebook's declared parameters."""

from __future__ import annotations

import argparse

from ._common import add_lang, console_lang, say_help

HELP = say_help("commands.params")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("notebook", metavar="NOTEBOOK", help=say_help("options.notebook"))
    add_lang(p)


def run(args: argparse.Namespace) -> int:
    from ..params import describe

    print(describe(args.notebook, lang=console_lang(args)))
    return 0
