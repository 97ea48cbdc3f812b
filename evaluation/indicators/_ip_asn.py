"""Indeks Profesionalitas ASN (PermenPANRB 38/2018) from its four dimension scores.

Private implementation behind :mod:`evaluation.indicators`, which re-exports the public
names (import them from there). Pure: DataFrames in, DataFrames out.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..errors import DataValidationError, Problem

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
