"""`evaluation brief`: the brief for one year, through the same runner as `batch`."""

from __future__ import annotations

import argparse
import sys

from ..i18n import Formatter
from ._common import add_lang, add_out, add_run_options, add_study, interruptible, settings_from

HELP = "the leadership brief for one year (default: the study's last year), PDF and HTML"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_study(p)
    p.add_argument("--year", type=int, default=None, help="year of the brief (default: the last)")
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
