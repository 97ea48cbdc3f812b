"""The synthetic demo study: Kota Semarang, 2015-2024, with known true effects.

:mod:`~evaluation.demo.generator` simulates the city from a seed (pure);
:func:`truth` states the truth behind it (``_truth``); :mod:`~evaluation.demo.writer`
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
    TOPICS,
    TRUE_EFFECTS,
    TYPE_SHARE_MEAN,
)
from ._truth import PROJECTIONS, projection, truth
from .generator import DemoData, simulate
from .writer import generate

__all__ = [
    "AGENCIES",
    "DEFAULT_SEED",
    "NEW_UNIT",
    "NEW_UNIT_YEAR",
    "PROGRAMME_COHORTS",
    "PROGRAMME_NAME",
    "TOPICS",
    "TYPE_SHARE_MEAN",
    "DemoData",
    "KECAMATAN_POPULATION_2022",
    "PROJECTIONS",
    "NONKLASIKAL_CREDIT",
    "TRUE_EFFECTS",
    "generate",
    "projection",
    "simulate",
    "truth",
]
