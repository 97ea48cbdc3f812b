"""`evaluation batch`: every year's estimation and briefs, in parallel, resumable."""

from __future__ import annotations

import argparse
import sys

from ._common import (
    add_lang,
    add_out,
    add_run_options,
    add_study,
    interruptible,
    say_help,
    settings_from,
)

HELP = say_help("commands.batch")


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_study(p)
    p.add_argument("--years", default=None, metavar="A-B", help=say_help("options.years"))
    add_lang(p, multiple=True)
    add_out(p)
    add_run_options(p)


def run(args: argparse.Namespace) -> int:
    from ..batch.batch import run_batch

    settings = settings_from(args, years=args.years)
    interruptible()
    result = run_batch(settings)
    stream = sys.stdout if result.ok else sys.stderr
    print(result.summary(), file=stream)
    return result.exit_code
