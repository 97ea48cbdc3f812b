"""BPS's Indeks Pembangunan Manusia (IPM): categories and the one-series check.

Private implementation behind :mod:`evaluation.indicators`, which re-exports the public
names (import them from there). Pure: DataFrames in, values out.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .._options import check_option
from ..errors import DataValidationError, Problem

#: BPS IPM categories: (inclusive lower bound, label).
IPM_CATEGORIES: tuple[tuple[float, str, str], ...] = (
    (80.0, "sangat tinggi", "very high"), (70.0, "tinggi", "high"),
    (60.0, "sedang", "medium"), (-math.inf, "rendah", "low"),
)


def ipm_category(values, *, lang: str = "id") -> pd.Series:
    """BPS IPM category: rendah < 60 ≤ sedang < 70 ≤ tinggi < 80 ≤ sangat tinggi.

    Examples
    --------
    >>> ipm_category([59.99, 60, 69.99, 70, 79.99, 80]).tolist()
    ['rendah', 'sedang', 'sedang', 'tinggi', 'tinggi', 'sangat tinggi']
    """
    check_option("lang", lang, ("id", "en"))
    v = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    pick = 1 if lang == "id" else 2
    out = np.full(v.shape, None, dtype=object)
    done = np.isnan(v)
    for row in IPM_CATEGORIES:
        hit = ~done & (v >= row[0])
        out[hit] = row[pick]
        done |= hit
    index = values.index if isinstance(values, pd.Series) else None
    return pd.Series(out, index=index, dtype="str")


def check_ipm_series(ipm: pd.DataFrame) -> str:
    """Return the one IPM series a table carries; mixing series is an error.

    BPS has published IPM under more than one method (e.g. the pre-2010 method and the
    2010 "metode baru"); values from different series are not comparable. The series is
    read from a ``series`` column or ``ipm.attrs["series"]``.

    Raises
    ------
    DataValidationError
        When the series is not recorded, or the table mixes series.

    Examples
    --------
    >>> t = pd.DataFrame({"ipm": [83.1, 83.6], "series": ["metode_baru"] * 2})
    >>> check_ipm_series(t)
    'metode_baru'
    """
    file = ipm.attrs.get("file", "ipm")
    if "series" in ipm.columns:
        found = sorted({str(v) for v in ipm["series"].dropna().unique()})
        if ipm["series"].isna().any():
            i = int(np.flatnonzero(ipm["series"].isna().to_numpy())[0])
            raise DataValidationError(f"{file}: IPM rows without a series", [Problem(
                file=file, row=i + 2, column="series", rule="ipm_series",
                message="the IPM series is not recorded on this row",
                hint="state the BPS series of every value (e.g. metode_baru)")])
    elif "series" in ipm.attrs:
        s = ipm.attrs["series"]
        found = sorted({str(v) for v in (s if isinstance(s, (list, tuple, set)) else [s])})
    else:
        raise DataValidationError(f"{file}: the IPM table does not say which BPS series it is", [
            Problem(file=file, column="series", rule="ipm_series",
                    message="no 'series' column and no series recorded",
                    hint="add a 'series' column (e.g. metode_baru), or read the table with "
                         "the BPS reader, which records it")])
    if len(found) != 1:
        raise DataValidationError(
            f"{file}: the IPM table mixes {len(found)} BPS series {found}; values from different "
            "methods are not comparable", [Problem(
                file=file, column="series", value=", ".join(found), rule="ipm_one_series",
                message="more than one IPM series",
                hint="keep one series (BPS publishes back-cast values under the new method)")])
    return found[0]
