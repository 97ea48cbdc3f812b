"""Indicators the city reports, computed the way the regulations define them.

- :func:`ikm`: Indeks Kepuasan Masyarakat from respondent-level SKM answers
  (PermenPANRB 14/2017), with per-element results, a bootstrap interval and the
  Krejcie–Morgan sample check (:func:`required_sample`).
- :func:`training_intensity`: JP per ASN, 20-JP compliance (PP 11/2017 Pasal 203(4)),
  constant-price spending and the competency / learning-path mix per unit-year;
  :func:`programme_exposure` for staged programmes.
- :func:`ip_asn`: Indeks Profesionalitas ASN (PermenPANRB 38/2018);
  :func:`ipm_category` and :func:`check_ipm_series` for BPS's IPM.

This module is the stage's public face: import every indicator from here. IKM lives in
the private module ``evaluation/_skm.py`` and training intensity in
``evaluation/_training.py``; both are re-exported below. IP ASN and IPM are defined here.

Every function is pure: DataFrames with the canonical column names of
:mod:`evaluation.columns` in, DataFrames out. Nothing here reads or writes files.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .._options import check_option
from ..errors import DataValidationError, Problem
from ._skm import (
    IKM_ANSWER_COLUMNS,
    IKM_CATEGORIES,
    IKM_ELEMENTS,
    IKM_WEIGHTS,
    KM_CHI2,
    KM_D,
    KM_P,
    IkmResult,
    ikm,
    ikm_category,
    required_sample,
)
from ._skm import _ikm as _ikm  # used by evaluation.panel and the ``ikm`` command
from ._training import credited_jp, deflator, programme_exposure, training_intensity

__all__ = [
    "IKM_ANSWER_COLUMNS",
    "IKM_CATEGORIES",
    "IKM_ELEMENTS",
    "IKM_WEIGHTS",
    "IPM_CATEGORIES",
    "IP_ASN_CATEGORIES",
    "IP_ASN_WEIGHTS",
    "KM_CHI2",
    "KM_D",
    "KM_P",
    "IkmResult",
    "check_ipm_series",
    "credited_jp",
    "deflator",
    "ikm",
    "ikm_category",
    "ip_asn",
    "ip_asn_category",
    "ipm_category",
    "programme_exposure",
    "required_sample",
    "training_intensity",
]

# ---- IP ASN (PermenPANRB 38/2018) and IPM (BPS) ------------------------------------------------

#: Dimension weights of the Indeks Profesionalitas ASN (PermenPANRB 38/2018).
IP_ASN_WEIGHTS: dict[str, float] = {
    "kualifikasi": 0.25, "kompetensi": 0.40, "kinerja": 0.30, "disiplin": 0.05,
}
#: IP ASN categories: (exclusive lower bound, label). The regulation's bands are 91-100,
#: 81-90, 71-80, 61-70 and "60 ke bawah"; a score between two bands (e.g. 90.5) belongs
#: to the higher band, because the only bound the regulation states exactly is
#: "60 and below" = Sangat Rendah, so each band is read as (lower-1, upper]:
#: (90, 100] Sangat Tinggi, (80, 90] Tinggi, (70, 80] Sedang, (60, 70] Rendah, <= 60.
IP_ASN_CATEGORIES: tuple[tuple[float, str], ...] = (
    (90.0, "Sangat Tinggi"), (80.0, "Tinggi"), (70.0, "Sedang"), (60.0, "Rendah"),
    (-math.inf, "Sangat Rendah"),
)


def ip_asn_category(values) -> pd.Series:
    """IP ASN category of scores 0–100 (see :data:`IP_ASN_CATEGORIES` for in-between values).

    Examples
    --------
    >>> ip_asn_category([100, 91, 90.5, 90, 81, 71, 61, 60.5, 60, 0]).tolist()  # doctest: +NORMALIZE_WHITESPACE
    ['Sangat Tinggi', 'Sangat Tinggi', 'Sangat Tinggi', 'Tinggi', 'Tinggi', 'Sedang',
     'Rendah', 'Rendah', 'Sangat Rendah', 'Sangat Rendah']
    """
    v = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    out = np.full(v.shape, None, dtype=object)
    done = np.isnan(v)
    for bound, name in IP_ASN_CATEGORIES:
        hit = ~done & (v > bound)
        out[hit] = name
        done |= hit
    index = values.index if isinstance(values, pd.Series) else None
    return pd.Series(out, index=index, dtype="str")


def ip_asn(scores: pd.DataFrame) -> pd.DataFrame:
    """Indeks Profesionalitas ASN from its four dimension scores (PermenPANRB 38/2018).

    IP ASN = 0.25 × kualifikasi + 0.40 × kompetensi + 0.30 × kinerja + 0.05 × disiplin,
    each dimension scored 0–100; category per :func:`ip_asn_category`.

    Returns
    -------
    DataFrame
        ``scores`` with ``ip_asn`` and ``ip_asn_category`` added.

    Examples
    --------
    >>> s = pd.DataFrame({"unit_id": ["D01"], "year": [2024], "kualifikasi": [80],
    ...                   "kompetensi": [90], "kinerja": [100], "disiplin": [100]})
    >>> res = ip_asn(s)  # 0.25*80 + 0.40*90 + 0.30*100 + 0.05*100 = 91
    >>> float(res.loc[0, "ip_asn"]), res.loc[0, "ip_asn_category"]
    (91.0, 'Sangat Tinggi')
    """
    file = scores.attrs.get("file", "ip_asn")
    problems = []
    total = np.zeros(len(scores))
    for dim, weight in IP_ASN_WEIGHTS.items():
        if dim not in scores.columns:
            problems.append(Problem(file=file, column=dim, message="column missing",
                                    rule="required_column",
                                    hint="add the dimension score (0-100)"))
            continue
        x = pd.to_numeric(scores[dim], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        for i in np.flatnonzero((x < 0) | (x > 100))[:50]:
            problems.append(Problem(file=file, row=int(i) + 2, column=dim,
                                    value=float(x[i]), rule="range_0_100",
                                    message="dimension score outside 0-100",
                                    hint="give the dimension score on its 0-100 scale"))
        total = total + weight * x
    if problems:
        raise DataValidationError(f"{file}: IP ASN dimension scores are not usable", problems)
    out = scores.copy()
    out["ip_asn"] = total
    out["ip_asn_category"] = ip_asn_category(total).to_numpy()
    return out


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
