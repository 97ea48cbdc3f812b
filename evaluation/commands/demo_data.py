"""`evaluation demo-data`: not implemented yet."""

from __future__ import annotations

from ..errors import EvaluationError
from ._common import add_study

HELP = "(not implemented yet)"


def add_arguments(p):
    add_study(p)


def run(args) -> int:
    raise EvaluationError("'demo-data' is not implemented yet")
