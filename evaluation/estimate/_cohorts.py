"""Private: reading a staged-adoption panel (cohort per unit, outcome in wide form).

Shared by :mod:`evaluation.event_study` and :mod:`evaluation.staggered`. A unit joins a
programme in a *cohort* year and stays in it; units that never join have no cohort
(``NaN``; ``0`` or ``inf`` are read the same way, as in R's ``did`` package).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataQualityWarning, EstimationError
from ._twfe import (
    integer_time,
    require_columns,
    require_frame,
    require_numeric,
    require_unique_unit_time,
)

PLOT_COLUMNS = ["event_time", "estimate", "conf_low", "conf_high", "estimator"]


@dataclass(frozen=True)
class Design:
    """A balanced staged-adoption panel in wide form."""

    y: np.ndarray  # n units x T periods
    cohort: np.ndarray  # per unit; inf for never treated
    periods: np.ndarray  # sorted periods
    units: np.ndarray  # unit labels, aligned with rows of y
    n_units_with_gaps: int
    n_dropped_always_treated: int
    n_late_as_never: int


def cohorts_per_unit(df: pd.DataFrame, unit: str, cohort: str, what: str) -> pd.Series:
    """One cohort per unit (inf = never treated); error when it varies within a unit."""
    raw = df[cohort]
    if not pd.api.types.is_numeric_dtype(raw):
        conv = pd.to_numeric(raw, errors="coerce")
        bad = raw[conv.isna() & raw.notna()]
        if len(bad):
            raise EstimationError(
                f"{what}: the cohort column '{cohort}' must hold the year a unit joined the "
                f"programme (a number) or be empty for units that never joined. "
                f"Got {bad.iloc[0]!r}."
            )
        raw = conv
    g = raw.astype("float64").copy()
    g[(g == 0) | np.isinf(g) | g.isna()] = np.inf
    per_unit = pd.DataFrame({"u": df[unit].to_numpy(), "g": g.to_numpy()}).groupby(
        "u", sort=True
    )["g"]
    n_distinct = per_unit.nunique(dropna=False)
    if (n_distinct > 1).any():
        bad_unit = n_distinct[n_distinct > 1].index[0]
        raise EstimationError(
            f"{what}: the cohort must be the same in every year of a unit (the year it joined "
            f"the programme). Unit {bad_unit!r} has {int(n_distinct[bad_unit])} different "
            f"values in '{cohort}'. Fix: give each unit its first programme year in every row."
        )
    return per_unit.first()


def prepare_design(df: Any, outcome: str, unit: str, time: str, cohort: str,
                   anticipation: int, what: str) -> Design:
    df = require_frame(df, what)
    require_columns(df, [outcome, unit, time, cohort], what)
    require_unique_unit_time(df, unit, time, what)
    t = integer_time(df, time, what)
    yv = require_numeric(df, outcome, what)
    g_unit = cohorts_per_unit(df, unit, cohort, what)
    long = pd.DataFrame({"u": df[unit].to_numpy(), "t": t, "y": yv})
    long = long[np.isfinite(long["y"].to_numpy())]
    if long.empty:
        raise EstimationError(f"{what}: the outcome '{outcome}' is missing in every row.")
    # years in which no unit has the outcome (e.g. the first year of a lagged measure)
    # carry nothing and are left out
    periods = np.sort(np.unique(long["t"].to_numpy()))
    wide = long.pivot(index="u", columns="t", values="y").reindex(columns=periods)
    n_gaps = int(wide.isna().any(axis=1).sum())
    if n_gaps:
        warnings.warn(
            f"{what}: {n_gaps} unit(s) miss '{outcome}' in some year; each 2x2 comparison "
            f"uses the units observed in both of its years (fine when the gaps are unrelated "
            f"to how the outcome moves). With a balanced panel this equals R's did.",
            DataQualityWarning,
            stacklevel=3,
        )
    g = g_unit.reindex(wide.index).to_numpy(dtype="float64", copy=True)
    # Joining after the last observed year is, within the window, never joining.
    late = np.isfinite(g) & (g > periods[-1])
    n_late = int(late.sum())
    g[late] = np.inf
    # Units treated (or anticipating) from the first period carry no untreated year.
    always = np.isfinite(g) & (g - anticipation <= periods[0])
    n_always = int(always.sum())
    if n_always:
        warnings.warn(
            f"{what}: {n_always} unit(s) joined the programme in or before the first year "
            f"({periods[0]}{' minus anticipation' if anticipation else ''}) and have no "
            f"untreated year to compare; they are left out.",
            DataQualityWarning,
            stacklevel=3,
        )
    keep = ~always
    y = wide.to_numpy(dtype="float64")[keep]
    g = g[keep]
    units = wide.index.to_numpy()[keep]
    if len(periods) < 2:
        raise EstimationError(
            f"{what}: expecting at least two years in '{time}'. Got {len(periods)}."
        )
    if not np.isfinite(g).any():
        raise EstimationError(
            f"{what}: no treated units: every unit has an empty cohort in '{cohort}' (or "
            f"joined after the last year). Fix: fill '{cohort}' with the year each "
            f"participating unit joined the programme."
        )
    return Design(y, g, periods, units, n_gaps, n_always, n_late)
