"""The rules of PermenPANRB 14/2017 for the IKM: the nine elements, their weights, the A-D
categories of service quality, and the Krejcie-Morgan sample size a unit needs.

Private; import the public names from :mod:`evaluation.indicators`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from .._options import check_option
from ..errors import DataValidationError
from ..i18n import ikm_label

# ---- IKM: PermenPANRB 14/2017 -----------------------------------------------------------------

#: The nine SKM elements (unsur) in the order of the Lampiran of PermenPANRB 14/2017:
#: code -> (name in the regulation, English name).
IKM_ELEMENTS: dict[str, tuple[str, str]] = {
    "U1": ("Persyaratan", "Requirements"),
    "U2": ("Sistem, Mekanisme, dan Prosedur", "Systems, mechanisms and procedures"),
    "U3": ("Waktu Penyelesaian", "Completion time"),
    "U4": ("Biaya/Tarif", "Cost/tariff"),
    "U5": ("Produk Spesifikasi Jenis Pelayanan", "Service product specification"),
    "U6": ("Kompetensi Pelaksana", "Staff competence"),
    "U7": ("Perilaku Pelaksana", "Staff conduct"),
    "U8": ("Penanganan Pengaduan, Saran dan Masukan", "Handling of complaints and suggestions"),
    "U9": ("Sarana dan Prasarana", "Facilities and infrastructure"),
}
#: Canonical answer columns (u1..u9) of the ``skm`` table, keyed by element code.
IKM_ANSWER_COLUMNS: dict[str, str] = {code: code.lower() for code in IKM_ELEMENTS}

#: Weight per element: ``exact`` = 1/9; ``regulation`` = the 0,11 printed in the
#: regulation (its weighted sum tops out at 99, not 100: use it only to reproduce
#: official reports that used it).
IKM_WEIGHTS: dict[str, float] = {"exact": 1.0 / 9.0, "regulation": 0.11}

#: Lower bound of each mutu pelayanan category on the converted IKM (25-100).
IKM_CUTOFFS: tuple[tuple[float, str], ...] = (
    (88.31, "A"), (76.61, "B"), (65.00, "C"), (-math.inf, "D"),
)
#: (lower bound, code, label, English label); the labels come from the message catalogue,
#: the one place they are defined (``evaluation/messages/<lang>/core.yaml``).
IKM_CATEGORIES: tuple[tuple[float, str, str, str], ...] = tuple(
    (bound, code, ikm_label(code, "id"), ikm_label(code, "en")) for bound, code in IKM_CUTOFFS
)
# Guards the category cut-offs against binary rounding only (a mean that is exactly
# 88.31 on paper must not land in B because the float came out as 88.30999999999999).
_CUTOFF_EPS = 1e-9

#: Krejcie & Morgan (1970): chi-square (1 df, 95%), population proportion, margin of error.
KM_CHI2, KM_P, KM_D = 3.841, 0.5, 0.05


def required_sample(population) -> Any:
    """Krejcie–Morgan required sample size for a population of ``population``.

    ``s = χ²·N·P(1−P) / (d²(N−1) + χ²·P(1−P))`` with χ² = 3.841, P = 0.5, d = 0.05
    (the formula PermenPANRB 14/2017 points to for SKM samples), rounded to the nearest
    whole respondent as in Krejcie and Morgan's published table (2,000 → 322.35 → 322).
    An unknown population (``None``/NaN) or ``inf`` gives the ceiling 384, which is
    enough for any population size.

    Parameters
    ----------
    population : int, float, array-like or Series
        Population the unit serves (N >= 1).

    Returns
    -------
    int or numpy.ndarray of int (same shape as the input)

    Examples
    --------
    >>> [required_sample(n) for n in (100, 300, 2000, 10**9)]
    [80, 169, 322, 384]
    """
    scalar = np.ndim(population) == 0
    n = pd.to_numeric(pd.Series(np.atleast_1d(population), dtype=object),
                      errors="coerce").to_numpy(dtype=float)
    if np.any(n[~np.isnan(n)] < 1):
        bad = n[~np.isnan(n) & (n < 1)][0]
        raise DataValidationError(
            f"population served must be at least 1; got {bad!r}. Fix population_served in the "
            "units table, or leave it empty when unknown (the ceiling of 384 is then used)."
        )
    pq = KM_P * (1 - KM_P)
    with np.errstate(invalid="ignore"):
        raw = KM_CHI2 * n * pq / (KM_D**2 * (n - 1) + KM_CHI2 * pq)
    ceiling = KM_CHI2 * pq / KM_D**2  # the limit as N grows: 384.16
    s = np.where(np.isnan(n) | np.isinf(n), ceiling, raw)
    out = np.floor(s + 0.5).astype(np.int64)
    return int(out[0]) if scalar else out


def ikm_category(values, *, label: bool = False, lang: str = "id") -> pd.Series:
    """Mutu pelayanan A–D for IKM values (25–100), judged on the unrounded value.

    A Sangat Baik ≥ 88.31; B Baik ≥ 76.61; C Kurang Baik ≥ 65.00; D Tidak Baik below
    (PermenPANRB 14/2017, Lampiran, nilai interval konversi). Missing stays missing.

    Examples
    --------
    >>> ikm_category([64.99, 65.0, 76.60, 76.61, 88.30, 88.31]).tolist()
    ['D', 'C', 'C', 'B', 'B', 'A']
    >>> ikm_category([90.0, 70.0], label=True, lang="en").tolist()
    ['Very good', 'Poor']
    """
    check_option("lang", lang, ("id", "en"))
    v = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    pick = 1 if not label else (2 if lang == "id" else 3)
    out = np.full(v.shape, None, dtype=object)
    done = np.isnan(v)
    for row in IKM_CATEGORIES:
        hit = ~done & (v >= row[0] - _CUTOFF_EPS)
        out[hit] = row[pick]
        done |= hit
    index = values.index if isinstance(values, pd.Series) else None
    return pd.Series(out, index=index, dtype="str")
