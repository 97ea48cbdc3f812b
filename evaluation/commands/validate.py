"""`evaluation validate`: check a study folder and print every problem found."""

from __future__ import annotations

import argparse
import json

from .._options import Language
from ..config import read_study_config
from ..errors import EvaluationError
from ._common import add_lang, add_study

HELP = "check a study folder (study.yaml and every input table); exit 1 on problems"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_study(p)
    add_lang(p)
    p.add_argument(
        "--json",
        action="store_true",
        help="print the report as JSON (problems with file, row, column, value, "
        "rule, message, hint)",
    )


def run(args: argparse.Namespace) -> int:
    # imported here, not at the top: the CLI imports every command to build its help, and
    # pandas + pandera would add about a second to every `evaluation --help`
    from ..validate import validate_study

    report = validate_study(args.study)
    if args.json:
        data = report.to_dict(lang=args.lang)
        print(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    else:
        lang: Language = args.lang or _study_language(args.study)
        print(report.render(lang=lang))
    return 0 if report.ok else 1


def _study_language(study: str) -> Language:
    try:
        return read_study_config(study).language
    except EvaluationError:
        return "id"
