"""`evaluation batch`: every year's estimation and briefs, in parallel, resumable."""

from __future__ import annotations

import argparse
import signal
import sys

from ._common import add_lang, add_out, add_study

HELP = ("run the notebooks for every year (estimation, then a brief per language), "
        "in parallel, resumable, with a manifest and an index page")


def add_run_options(p: argparse.ArgumentParser) -> None:
    """Options shared by ``batch`` and ``brief`` (both go through the same runner)."""
    p.add_argument("--jobs", type=int, default=None, metavar="N",
                   help="runs at a time, one process each (default: the number of cores)")
    p.add_argument("--retries", type=int, default=0, metavar="N",
                   help="extra attempts for a run whose kernel died (default: 0)")
    p.add_argument("--timeout", type=float, default=None, metavar="S",
                   help="seconds per run before it is stopped (default: none)")
    p.add_argument("--force", action="store_true", help="run everything again, even if unchanged")
    p.add_argument("--resume", action="store_true",
                   help="finish only the runs that failed or never ran")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS|local",
                   help="send the runs to a Dask cluster ('local' starts a LocalCluster)")
    p.add_argument("--notebooks", default=None, metavar="DIR",
                   help="folder with 02_estimate.ipynb and 03_brief.ipynb (default: notebooks/)")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the study's)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars on stderr")


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_study(p)
    p.add_argument("--years", default=None, metavar="A-B",
                   help="years to run, e.g. 2016-2024 or 2020,2022 (default: every study year)")
    add_lang(p, multiple=True)
    add_out(p)
    add_run_options(p)


def interruptible() -> None:
    """Turn SIGTERM into KeyboardInterrupt so running notebooks are stopped and recorded."""
    def handler(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def run_options(args: argparse.Namespace) -> dict:
    from ..batch.batch import NotebookSet

    return {
        "jobs": args.jobs, "retries": args.retries, "timeout": args.timeout,
        "force": args.force, "resume": args.resume, "scheduler": args.scheduler,
        "out": args.out, "seed": args.seed, "progress": not args.no_progress,
        "notebooks": NotebookSet.from_folder(args.notebooks) if args.notebooks else None,
    }


def run(args: argparse.Namespace) -> int:
    from ..batch.batch import run_batch

    interruptible()
    langs = [x.strip() for x in args.lang.split(",") if x.strip()] if args.lang else None
    result = run_batch(args.study, years=args.years, langs=langs, **run_options(args))
    stream = sys.stdout if result.ok else sys.stderr
    print(result.summary(), file=stream)
    return result.exit_code
