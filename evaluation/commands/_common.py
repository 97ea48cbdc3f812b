"""Arguments shared by several subcommands, and turning them into the run's settings."""

from __future__ import annotations

import argparse
import signal
from typing import Any, Literal

from .._options import Language, allowed
from ..config import read_study_config
from ..errors import EvaluationError
from ..settings import DEFAULT_OUTPUT_ROOT, OUTPUT_ROOT_ENV, RunSettings, check_options, resolve_run

DEFAULT_STUDY = "data/demo"


def add_study(p: argparse.ArgumentParser) -> None:
    p.add_argument("--study", default=DEFAULT_STUDY, metavar="DIR",
                   help=f"study folder with study.yaml (default: {DEFAULT_STUDY})")


def add_lang(p: argparse.ArgumentParser, *, multiple: bool = False) -> None:
    if multiple:
        p.add_argument("--lang", default=None, metavar="id,en",
                       help="language(s) of the brief, comma-separated (default: the study's)")
    else:
        p.add_argument("--lang", choices=["id", "en"], default=None,
                       help="language of the output (default: the study's)")


def add_out(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", default=None, metavar="DIR",
                   help=f"output folder (default: ${OUTPUT_ROOT_ENV} when set, else "
                        f"{DEFAULT_OUTPUT_ROOT})")


def add_run_options(p: argparse.ArgumentParser) -> None:
    """Options shared by ``batch`` and ``brief`` (both go through the same runner)."""
    p.add_argument("--jobs", type=int, default=None, metavar="N",
                   help="runs at a time (at least 1; default: the number of cores)")
    p.add_argument("--retries", type=int, default=0, metavar="N",
                   help="extra attempts for a run whose kernel died (default: 0)")
    p.add_argument("--timeout", type=float, default=None, metavar="S",
                   help="seconds per run before it is stopped (more than 0; default: no limit)")
    p.add_argument("--force", action="store_true", help="run everything again, even if unchanged")
    p.add_argument("--resume", action="store_true",
                   help="finish only the runs that failed or never ran")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS|local",
                   help="send the runs to a Dask cluster ('local' starts a LocalCluster)")
    p.add_argument("--notebooks", default=None, metavar="DIR",
                   help="folder with 02_estimate.ipynb and 03_brief.ipynb (default: notebooks/)")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the study's)")
    p.add_argument("--cold-start", action="store_true",
                   help="start every run in a fresh interpreter instead of forking it from a "
                        "warm process (slower; the same results)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars on stderr")


def settings_from(args: argparse.Namespace, *, years: Any,
                  year_name: str = "years",
                  default_years: Literal["every", "last"] = "every") -> RunSettings:
    """The run's settings from the command line, checked once (values named as options)."""
    lang = console_lang(args)
    options = check_options(
        jobs=args.jobs, retries=args.retries, timeout=args.timeout, force=args.force,
        resume=args.resume, scheduler=args.scheduler, progress=not args.no_progress,
        notebooks=args.notebooks, warm_start=not args.cold_start, lang=lang, spelling="cli")
    return resolve_run(args.study, years=years, langs=args.lang, seed=args.seed, out=args.out,
                       options=options, spelling="cli", year_name=year_name,
                       default_years=default_years)


def console_lang(args: argparse.Namespace) -> Language:
    """The language the command speaks: the first ``--lang``, else the study's, else ``id``."""
    given = str(getattr(args, "lang", None) or "").split(",")[0].strip()
    if given in allowed(Language):
        return given  # type: ignore[return-value]
    try:
        return read_study_config(getattr(args, "study", None) or DEFAULT_STUDY).language
    except (EvaluationError, OSError):
        return "id"


def interruptible() -> None:
    """Turn SIGTERM into KeyboardInterrupt so running notebooks are stopped and recorded."""
    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)
