"""`evaluation brief`: the brief for one year, through the same runner as `batch`."""

from __future__ import annotations

import argparse
import sys

from ..i18n import Formatter
from ._common import (
    add_lang,
    add_out,
    add_run_options,
    add_study,
    interruptible,
    say_help,
    settings_from,
)

HELP = say_help("commands.brief")


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_study(p)
    p.add_argument("--year", type=int, default=None, help=say_help("options.year"))
    add_lang(p)
    add_out(p)
    add_run_options(p)


def run(args: argparse.Namespace) -> int:
    from ..batch.batch import run_batch

    settings = settings_from(args, years=args.year, year_name="year", default_years="last")
    interruptible()
    result = run_batch(settings)
    if not result.ok:
        print(result.summary(), file=sys.stderr)
        return 1
    for lang in settings.langs:
        for ext in ("pdf", "html"):
            print(settings.year_dir / f"brief.{lang}.{ext}")
    f = Formatter(settings.lang)
    status = f.msg("cli.console.written" if result.executed else "cli.console.cached")
    print(f"{status}; " + f.msg("cli.console.manifest", path=result.folder / "manifest.json"),
          file=sys.stderr)
    return 0
