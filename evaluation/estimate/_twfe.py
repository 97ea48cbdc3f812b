"""Private helpers shared by the staged-roll-out and diagnostics estimators.

* input checks that raise :class:`~evaluation.errors.EstimationError` naming what was
  expected, what was received and the fix;
* a small, exact two-way demeaning in NumPy (alternating projections) for the loops that
  refit a model hundreds of times (the chain's cluster bootstrap, the binned scatter),
  where pyfixest's per-call overhead would dominate;
* lagged columns matched on the year, and a number formatter for summaries.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..columns import lag_column
from ..errors import EstimationError

# ---- input checks ------------------------------------------------------------------------


def require_frame(df: Any, what: str) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise EstimationError(
            f"{what}: expecting a pandas DataFrame (one row per unit and year). "
            f"Got {type(df).__name__}."
        )
    if len(df) == 0:
        raise EstimationError(f"{what}: the data frame is empty. Pass the unit-year panel.")
    return df


def require_columns(df: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """Raise if any of ``columns`` is not in ``df``, listing what is there."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        have = ", ".join(map(str, list(df.columns)[:30]))
        raise EstimationError(
            f"{what}: column(s) {missing} not found in the data. "
            f"Columns present: {have}. Fix: check the spelling or rename the column."
        )


def require_numeric(df: pd.DataFrame, column: str, what: str) -> np.ndarray:
    """The column as float64, or an error naming the first value that is not a number."""
    s = df[column]
    if pd.api.types.is_bool_dtype(s):
        return s.astype("float64").to_numpy()
    if not pd.api.types.is_numeric_dtype(s):
        conv = pd.to_numeric(s, errors="coerce")
        bad = s[conv.isna() & s.notna()]
        if len(bad):
            raise EstimationError(
                f"{what}: column '{column}' must be numeric; value {bad.iloc[0]!r} "
                f"(row index {bad.index[0]!r}) is not a number. Fix: clean the column "
                f"or convert it with pandas.to_numeric."
            )
        s = conv
    return s.astype("float64").to_numpy()


def require_unique_unit_time(df: pd.DataFrame, unit: str, time: str, what: str) -> None:
    dup = df.duplicated([unit, time], keep=False)
    if dup.any():
        row = df.loc[dup, [unit, time]].iloc[0]
        raise EstimationError(
            f"{what}: expecting one row per unit and year; unit {row[unit]!r} has "
            f"{int(((df[unit] == row[unit]) & (df[time] == row[time])).sum())} rows in "
            f"{row[time]!r}. Fix: aggregate to one row per unit-year first."
        )


def integer_time(df: pd.DataFrame, time: str, what: str) -> np.ndarray:
    t = require_numeric(df, time, what)
    if np.isnan(t).any():
        raise EstimationError(
            f"{what}: the time column '{time}' has {int(np.isnan(t).sum())} missing "
            f"values. Fix: drop those rows or fill the year."
        )
    if not np.allclose(t, np.round(t)):
        raise EstimationError(
            f"{what}: expecting whole-number periods (years) in '{time}'. "
            f"Got {t[~np.isclose(t, np.round(t))][0]!r}."
        )
    return np.round(t).astype(np.int64)


def check_conf_level(conf_level: float, what: str) -> float:
    if not isinstance(conf_level, (int, float)) or not 0.5 <= float(conf_level) < 1:
        raise EstimationError(
            f"{what}: conf_level must be a number in [0.5, 1), e.g. 0.95. Got {conf_level!r}."
        )
    return float(conf_level)


def check_positive_int(value: Any, name: str, what: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise EstimationError(
            f"{what}: {name} must be a whole number >= {minimum}. Got {value!r}."
        )
    return int(value)


def check_seed(seed: Any, what: str) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise EstimationError(
            f"{what}: seed must be a non-negative whole number (e.g. 2026). Got {seed!r}."
        )
    return int(seed)


def codes(values: Any) -> np.ndarray:
    """Integer codes 0..k-1 of any labels (clusters and fixed effects use integers)."""
    return pd.factorize(pd.Series(values), sort=True)[0].astype(np.int64)


# ---- lags ----------------------------------------------------------------------------------


def shifted(df: pd.DataFrame, column: str, unit: str, time: str, lag: int) -> pd.Series:
    """``column`` of the same unit ``lag`` periods earlier (a lead when ``lag`` < 0).

    Matched on the year itself, not on row order, so gaps in a unit's years give a missing
    value rather than the wrong year.
    """
    if lag == 0:
        return df[column].astype("float64")
    src = pd.DataFrame(
        {"_u": df[unit].to_numpy(), "_t": df[time].to_numpy() + lag, "_v": df[column].to_numpy()}
    )
    key = pd.DataFrame({"_u": df[unit].to_numpy(), "_t": df[time].to_numpy()})
    out = key.merge(src, on=["_u", "_t"], how="left")["_v"]
    return pd.Series(pd.to_numeric(out, errors="coerce").to_numpy(dtype="float64"), index=df.index)


def lag_name(column: str, lag: int) -> str:
    return lag_column(column, lag)


def fe_frame(df: Any, outcome: str, exposure: str, unit: str, time: str, lag: int, what: str,
             extra: Sequence[str] = ()) -> pd.DataFrame:
    """Rows with the outcome and the (lagged) exposure present, as a new frame."""
    df = require_frame(df, what)
    require_columns(df, [outcome, exposure, unit, time, *extra], what)
    require_unique_unit_time(df, unit, time, what)
    y = require_numeric(df, outcome, what)
    require_numeric(df, exposure, what)
    if not isinstance(lag, (int, np.integer)) or isinstance(lag, bool) or lag < 0:
        raise EstimationError(f"{what}: lag must be a whole number >= 0. Got {lag!r}.")
    x = shifted(df, exposure, unit, time, int(lag)).to_numpy(dtype="float64")
    frame = pd.DataFrame({"y": y, "x": x, "u": df[unit].to_numpy(), "t": df[time].to_numpy()},
                         index=df.index)
    for col in extra:
        frame[col] = df[col].to_numpy()
    ok = np.isfinite(frame["y"].to_numpy()) & np.isfinite(frame["x"].to_numpy())
    if not np.isfinite(y).any():
        raise EstimationError(f"{what}: the outcome '{outcome}' is missing in every row.")
    frame = frame[ok]
    if len(frame) == 0:
        raise EstimationError(
            f"{what}: no row has both '{outcome}' and '{lag_name(exposure, int(lag))}'"
            f"{' (the lag needs the previous year of the same unit)' if lag else ''}."
        )
    return pd.DataFrame(frame)


# ---- the NumPy two-way fixed-effects engine -----------------------------------------------


def demean(x: np.ndarray, fe: Sequence[np.ndarray], *, tol: float = 1e-12,
           maxiter: int = 10_000) -> np.ndarray:
    """Residuals of the columns of ``x`` on the fixed effects ``fe`` (integer code arrays).

    Alternating projections (method of alternating projections, as fixest and pyfixest):
    exact in one sweep for a balanced two-way panel, iterated to ``tol`` otherwise.
    """
    x = np.array(x, dtype="float64", copy=True)
    if x.ndim == 1:
        x = x[:, None]
    if not fe:
        return x
    k = x.shape[1]
    counts = [np.bincount(f).astype("float64") for f in fe]
    # one bincount per fixed effect for every column at once: the flat index runs through
    # the rows in order within each (group, column), so each group's sum adds the same
    # numbers in the same order as a bincount per column (bit-identical, k times fewer calls)
    flat = [(f[:, None] * k + np.arange(k)[None, :]).ravel() for f in fe]
    denominators = [np.where(n > 0, n, 1)[:, None] for n in counts]
    scale = np.maximum(np.abs(x).max(axis=0), 1.0)
    for _ in range(maxiter):
        change = 0.0
        for f, idx, n, den in zip(fe, flat, counts, denominators, strict=True):
            sums = np.bincount(idx, weights=x.ravel(), minlength=len(n) * k)
            means = sums.reshape(len(n), k) / den
            x -= means[f]
            # the largest step of a column is its largest group mean in absolute value
            # (an empty group's mean is 0): the same number as over the rows, on fewer values
            change = max(change, float((np.abs(means).max(axis=0) / scale).max()))
        if len(fe) == 1 or change < tol:
            break
    return x


# ---- text ---------------------------------------------------------------------------------


def fmt(x: Any, digits: int = 4) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    return f"{x:.{digits}f}"
