"""The synthetic demo study: Kota Semarang, 2015-2024, with known true effects."""

from __future__ import annotations

from .generator import (
    AGENCIES,
    DEFAULT_SEED,
    KECAMATAN_POPULATION_2022,
    NONKLASIKAL_CREDIT,
    TRUE_EFFECTS,
    DemoData,
    generate,
    simulate,
    truth,
)

__all__ = [
    "AGENCIES",
    "DEFAULT_SEED",
    "DemoData",
    "KECAMATAN_POPULATION_2022",
    "NONKLASIKAL_CREDIT",
    "TRUE_EFFECTS",
    "generate",
    "simulate",
    "truth",
]
