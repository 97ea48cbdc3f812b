"""Arguments shared by several subcommands."""

from __future__ import annotations

import argparse

DEFAULT_STUDY = "data/demo"
DEFAULT_OUT = "reports"


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
    p.add_argument("--out", default=DEFAULT_OUT, metavar="DIR",
                   help=f"output folder (default: {DEFAULT_OUT})")
