"""Arguments shared by several subcommands, and turning them into the run's settings."""

from __future__ import annotations

import argparse
import os
import signal
from typing import Any, Literal

from .._options import Language, allowed
from ..config import read_study_config
from ..errors import EvaluationError
from ..i18n import Formatter
from ..settings import DEFAULT_OUTPUT_ROOT, OUTPUT_ROOT_ENV, RunSettings, check_options, resolve_run

DEFAULT_STUDY = "data/demo"
#: The language of the command's words when it is not given by ``--lang``: ``id`` or ``en``.
LANG_ENV = "EVALUATION_LANG"


def help_lang() -> Language:
    """The language of ``--help``: ``EVALUATION_LANG`` when it is ``id`` or ``en``, else English."""
    chosen = os.environ.get(LANG_ENV, "")
    return chosen if chosen in allowed(Language) else "en"  # type: ignore[return-value]


def say_help(key: str, **values: Any) -> str:
    """A ``--help`` text from the catalogue (``cli.help.<key>``); ``%`` kept literal."""
    return Formatter(help_lang()).msg(f"cli.help.{key}", **values).replace("%", "%%")


def add_study(p: argparse.ArgumentParser) -> None:
    p.add_argument("--study", default=DEFAULT_STUDY, metavar="DIR",
                   help=say_help("options.study", default=DEFAULT_STUDY))


def add_lang(p: argparse.ArgumentParser, *, multiple: bool = False) -> None:
    if multiple:
        p.add_argument("--lang", default=None, metavar="id,en", help=say_help("options.langs"))
    else:
        p.add_argument("--lang", choices=["id", "en"], default=None,
                       help=say_help("options.lang"))


def add_out(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", default=None, metavar="DIR",
                   help=say_help("options.out", env=OUTPUT_ROOT_ENV, default=DEFAULT_OUTPUT_ROOT))


def add_run_options(p: argparse.ArgumentParser) -> None:
    """Options shared by ``batch`` and ``brief`` (both go through the same runner)."""
    p.add_argument("--jobs", type=int, default=None, metavar="N", help=say_help("options.jobs"))
    p.add_argument("--retries", type=int, default=0, metavar="N",
                   help=say_help("options.retries"))
    p.add_argument("--timeout", type=float, default=None, metavar="S",
                   help=say_help("options.timeout"))
    p.add_argument("--force", action="store_true", help=say_help("options.force"))
    p.add_argument("--resume", action="store_true", help=say_help("options.resume"))
    p.add_argument("--scheduler", default=None, metavar="ADDRESS|local",
                   help=say_help("options.scheduler"))
    p.add_argument("--notebooks", default=None, metavar="DIR",
                   help=say_help("options.notebooks"))
    p.add_argument("--seed", type=int, default=None, help=say_help("options.seed"))
    p.add_argument("--cold-start", action="store_true", help=say_help("options.cold_start"))
    p.add_argument("--no-progress", action="store_true", help=say_help("options.no_progress"))


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
                       default_years=default_years, message_lang=lang)


def console_lang(args: argparse.Namespace) -> Language:
    """The language the command speaks: the first ``--lang``, else ``EVALUATION_LANG``, else
    the study's, else ``id``."""
    given = str(getattr(args, "lang", None) or "").split(",")[0].strip()
    if given in allowed(Language):
        return given  # type: ignore[return-value]
    chosen = os.environ.get(LANG_ENV, "")
    if chosen in allowed(Language):
        return chosen  # type: ignore[return-value]
    try:
        return read_study_config(getattr(args, "study", None) or DEFAULT_STUDY).language
    except (EvaluationError, OSError):
        return "id"


def interruptible() -> None:
    """Turn SIGTERM into KeyboardInterrupt so running notebooks are stopped and recorded."""
    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)
