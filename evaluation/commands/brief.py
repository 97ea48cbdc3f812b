"""`evaluation brief`: the brief for one year, through the same runner as `batch`."""

from __future__ import annotations

import argparse
import sys

from ._common import add_lang, add_out, add_study
from .batch import add_run_options, interruptible, run_options

HELP = "the leadership brief for one year (default: the study's last year), PDF and HTML"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_study(p)
    p.add_argument("--year", type=int, default=None, help="year of the brief (default: the last)")
    add_lang(p)
    add_out(p)
    add_run_options(p)


def run(args: argparse.Namespace) -> int:
    from ..batch.batch import run_batch
    from ..config import read_study_config

    interruptible()
    cfg = read_study_config(args.study)
    year = args.year if args.year is not None else cfg.years.last
    langs = [args.lang] if args.lang else None
    result = run_batch(args.study, years=[year], langs=langs, **run_options(args))
    if not result.ok:
        print(result.summary(), file=sys.stderr)
        return 1
    year_dir = result.folder / str(year)
    for lang in langs or [cfg.language]:
        for ext in ("pdf", "html"):
            print(year_dir / f"brief.{lang}.{ext}")
    status = "cached (unchanged)" if not result.executed else "written"
    print(f"{status}; manifest: {result.folder / 'manifest.json'}", file=sys.stderr)
    return 0
