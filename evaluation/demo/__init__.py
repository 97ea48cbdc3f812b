"""The synthetic demo study: Kota Semarang, 2015-2024, with known true effects.

:mod:`~evaluation.demo.generator` simulates the city from a seed (pure);
:mod:`~evaluation.demo.truth` states the truth behind it; :mod:`~evaluation.demo.writer`
writes the study folder.
"""

from __future__ import annotations

from ._spec import (
    AGENCIES,
    DEFAULT_SEED,
    KECAMATAN_POPULATION_2022,
    NEW_UNIT,
    NEW_UNIT_YEAR,
    NONKLASIKAL_CREDIT,
    PROGRAMME_COHORTS,
    PROGRAMME_NAME,
    TRUE_EFFECTS,
)
from .generator import DemoData, simulate
from .truth import truth
from .writer import generate

__all__ = [
    "AGENCIES",
    "DEFAULT_SEED",
    "NEW_UNIT",
    "NEW_UNIT_YEAR",
    "PROGRAMME_COHORTS",
    "PROGRAMME_NAME",
    "DemoData",
    "KECAMATAN_POPULATION_2022",
    "NONKLASIKAL_CREDIT",
    "TRUE_EFFECTS",
    "generate",
    "simulate",
    "truth",
]
