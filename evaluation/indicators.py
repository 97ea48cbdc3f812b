"""Indicators the city reports, computed the way the regulations define them.

- :func:`ikm`: Indeks Kepuasan Masyarakat from respondent-level SKM answers
  (PermenPANRB 14/2017), with per-element results, a bootstrap interval and the
  Krejcie–Morgan sample check (:func:`required_sample`).
- :func:`training_intensity`: JP per ASN, 20-JP compliance (PP 11/2017 Pasal 203(4)),
  constant-price spending and the competency / learning-path mix per unit-year;
  :func:`programme_exposure` for staged programmes.
- :func:`ip_asn`: Indeks Profesionalitas ASN (PermenPANRB 38/2018);
  :func:`ipm_category` and :func:`check_ipm_series` for BPS's IPM.

Every function is pure: DataFrames with the canonical column names of
:mod:`evaluation.columns` in, DataFrames out. Nothing here reads or writes files.
"""

from __future__ import annotations

import html
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._options import IkmWeighting, check_option
from .errors import DataQualityWarning, DataValidationError, ParameterError, Problem

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

#: Mutu pelayanan by the converted IKM (25-100): (lower bound, code, label, English label).
IKM_CATEGORIES: tuple[tuple[float, str, str, str], ...] = (
    (88.31, "A", "Sangat Baik", "Very good"),
    (76.61, "B", "Baik", "Good"),
    (65.00, "C", "Kurang Baik", "Less than good"),
    (-math.inf, "D", "Tidak Baik", "Poor"),
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
    n = pd.to_numeric(pd.Series(np.atleast_1d(population), dtype=object), errors="coerce")
    n = n.to_numpy(dtype=float)
    if np.any(n[~np.isnan(n)] < 1):
        bad = n[~np.isnan(n) & (n < 1)][0]
        raise DataValidationError(
            f"population served must be at least 1; got {bad!r}. Fix population_served in the "
            "units table, or leave it empty when unknown (the ceiling of 384 is then used)."
        )
    pq = KM_P * (1 - KM_P)
    with np.errstate(invalid="ignore"):
        s = KM_CHI2 * n * pq / (KM_D**2 * (n - 1) + KM_CHI2 * pq)
    ceiling = KM_CHI2 * pq / KM_D**2  # the limit as N grows: 384.16
    s = np.where(np.isnan(n) | np.isinf(n), ceiling, s)
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
    >>> ikm_category([90.0], label=True, lang="en").tolist()
    ['Very good']
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


_SHOW_ROWS = 30


@dataclass(frozen=True)
class IkmResult:
    """IKM per group, as :func:`ikm` computed it. Read-only.

    Attributes
    ----------
    table : DataFrame
        One row per group: the ``by`` columns, ``n_respondents``, ``index_value``
        (weighted NRR, 1–4), ``ikm`` (×25), ``category``, ``category_label``,
        ``category_label_en``, ``population``, ``required_sample``, ``sample_adequate``,
        ``conf_low``, ``conf_high``, ``weighting``.
    elements : DataFrame
        Long: the ``by`` columns, ``element`` (U1..U9), ``element_name``,
        ``element_name_en``, ``nrr``, ``n_answered``, ``weight``, ``contribution``
        (NRR × weight × 25; the contributions of a group add up to its ``ikm``),
        ``rank`` (1 = the element with the lowest NRR in the group).
    weighting, by, reps, seed, conf_level
        The options the result was computed with.
    """

    table: pd.DataFrame = field(repr=False)
    elements: pd.DataFrame = field(repr=False)
    weighting: str
    by: tuple[str, ...]
    reps: int = 0
    seed: int | None = None
    conf_level: float = 0.95
    notes: tuple[str, ...] = field(default=())

    def tidy(self) -> pd.DataFrame:
        """The group table (a copy), snake_case columns."""
        return self.table.copy()

    def summary(self) -> str:
        """Plain-text summary: options, then the group table."""
        w = "1/9 (exact)" if self.weighting == "exact" else "0.11 (as printed in the regulation)"
        ci = (f"{self.conf_level:.0%} bootstrap interval over respondents, {self.reps} reps, "
              f"seed {self.seed}") if self.reps else "no bootstrap interval (reps=0)"
        shown = [*self.by, "n_respondents", "ikm", "category", "category_label",
                 "required_sample", "sample_adequate", "conf_low", "conf_high"]
        lines = [
            "IKM (PermenPANRB 14/2017)",
            f"element weight: {w}; groups: {len(self.table)}; {ci}",
            *self.notes,
            self.table[shown].head(_SHOW_ROWS).to_string(
                index=False, float_format=lambda x: f"{x:.2f}"),
        ]
        if len(self.table) > _SHOW_ROWS:
            lines.append(f"... {len(self.table) - _SHOW_ROWS} more rows (see .table)")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        head, _, body = self.summary().partition("\n")
        meta = body.split("\n")[: 1 + len(self.notes)]
        shown = [*self.by, "n_respondents", "ikm", "category", "category_label",
                 "required_sample", "sample_adequate", "conf_low", "conf_high"]
        table = self.table[shown].head(_SHOW_ROWS).to_html(index=False, float_format=lambda x: f"{x:.2f}",
                                          na_rep="")
        return (f"<div><strong>{html.escape(head)}</strong><br>"
                + "<br>".join(html.escape(m) for m in meta) + table + "</div>")

    def to_dict(self) -> dict:
        """JSON-ready dict (missing numbers as ``None``)."""
        return {
            "method": "PermenPANRB 14/2017",
            "weighting": self.weighting,
            "element_weight": IKM_WEIGHTS[self.weighting],
            "by": list(self.by),
            "reps": self.reps,
            "seed": self.seed,
            "conf_level": self.conf_level,
            "notes": list(self.notes),
            "table": _records(self.table),
            "elements": _records(self.elements),
        }


def _records(df: pd.DataFrame) -> list[dict]:
    out = []
    for row in df.to_dict(orient="records"):
        clean = {}
        for k, v in row.items():
            if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
                clean[k] = None
            elif isinstance(v, np.generic):
                clean[k] = v.item()
            else:
                clean[k] = v
        out.append(clean)
    return out


def _answer_columns(responses: pd.DataFrame, *, file: str, row_numbers, labels=None):
    """Per element (code, int8 answers with 0 where skipped), after checking that every
    answer is a whole number 1-4; one DataValidationError lists all bad cells."""
    missing = [c for c in IKM_ANSWER_COLUMNS.values() if c not in responses.columns]
    if missing:
        raise DataValidationError(
            f"{file}: SKM answers need the columns u1..u9",
            [Problem(file=file, column=(labels or {}).get(c, c), message="column missing",
                     rule="required_column",
                     hint=f"add the answers to element {c.upper()} "
                          f"({IKM_ELEMENTS[c.upper()][0]}), one column per element")
             for c in missing],
        )
    problems: list[Problem] = []
    out = []

    def row_of(i: int) -> int:
        return int(row_numbers[i]) if row_numbers is not None else int(i) + 2

    for code, col in IKM_ANSWER_COLUMNS.items():
        s = responses[col]
        numeric = (pd.api.types.is_numeric_dtype(s.dtype)
                   and not pd.api.types.is_bool_dtype(s.dtype))
        if s.dtype == np.float64:
            x = s.to_numpy()  # no copy: this column is read, never written
        else:
            x = (s if numeric else pd.to_numeric(s, errors="coerce")).to_numpy(
                dtype=np.float64, na_value=np.nan)
        # fast path: range by two reductions (they skip NaN), skipped -> 0 by fmax, whole
        # numbers by one comparison; values outside int8 would wrap in the cast, but then
        # the range check has already failed
        lo, hi = np.fmin.reduce(x) if len(x) else 1.0, np.fmax.reduce(x) if len(x) else 4.0
        filled = np.fmax(x, 0.0)
        with np.errstate(invalid="ignore"):
            level = filled.astype(np.int8)
        text_bad = not numeric and bool((np.isnan(x) & s.notna().to_numpy()).any())
        if lo < 1 or hi > 4 or text_bad or (level != filled).any():
            skipped = np.isnan(x)
            bad = (~skipped & ((x < 1) | (x > 4) | (x != np.floor(x))))
            if not numeric:
                bad |= skipped & s.notna().to_numpy()
            for i in np.flatnonzero(bad)[:50]:
                value = s.iloc[i]
                problems.append(Problem(
                    file=file, row=row_of(i), column=(labels or {}).get(col, col),
                    value=value.item() if isinstance(value, np.generic) else value,
                    rule="skm_answer_1_4",
                    message="an SKM answer must be a whole number 1-4 "
                            "(1 tidak sesuai ... 4 sangat sesuai)",
                    hint="correct the answer, or leave the cell empty if the respondent "
                         "skipped this element"))
            if bad.sum() > 50:
                problems.append(Problem(file=file, column=(labels or {}).get(col, col),
                                        message=f"{int(bad.sum()) - 50} more answers outside 1-4",
                                        rule="skm_answer_1_4"))
        out.append((code, level))
    if problems:
        raise DataValidationError(f"{file}: SKM answers outside 1-4", problems)
    return out


def _factorize_sorted(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes 0..K-1 in sorted order of the K distinct values, and those values."""
    if pd.api.types.is_integer_dtype(col.dtype):
        v = col.to_numpy(dtype=np.int64)
        lo, hi = (int(v.min()), int(v.max())) if len(v) else (0, 0)
        if hi - lo < 100_000:  # years and the like: offsets are the codes
            k = v - lo
            used = np.flatnonzero(np.bincount(k, minlength=hi - lo + 1))
            if len(used) == hi - lo + 1:  # every value in the range occurs
                return k, used + lo
            remap = np.zeros(hi - lo + 1, dtype=np.int64)
            remap[used] = np.arange(len(used))
            return remap[k], used + lo
    # factorize unsorted (cheap), then sort the few distinct values and remap
    k, uniques = pd.factorize(col, sort=False)
    uniques = np.asarray(uniques, dtype=object)
    order = np.argsort(uniques, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank[k], uniques[order]


def _group_codes(responses: pd.DataFrame, by: Sequence[str], file: str):
    """Integer group code per row (sorted by key) and the table of group keys."""
    missing = [c for c in by if c not in responses.columns]
    if missing:
        raise DataValidationError(
            f"{file}: cannot group SKM answers by {list(by)}",
            [Problem(file=file, column=c, message="grouping column missing",
                     rule="required_column",
                     hint=f"add the column, or group by the columns present: "
                          f"{[c for c in responses.columns if not c.startswith('u')]}")
             for c in missing])
    codes = np.zeros(len(responses), dtype=np.int64)
    levels = []
    for c in by:
        col = responses[c]
        nulls = col.isna().to_numpy()
        if nulls.any():
            i = int(np.flatnonzero(nulls)[0])
            raise DataValidationError(f"{file}: {int(nulls.sum())} rows without {c}", [Problem(
                file=file, row=i + 2, column=c, value=None, rule="required_value",
                message="grouping value missing", hint=f"fill {c} for every respondent")])
        k, uniques = _factorize_sorted(col)
        codes = codes * len(uniques) + k
        levels.append(uniques)
    # compact the combined codes to 0..G-1 (still sorted by key); O(n) when the key
    # space is small, as it is for units x years
    space = math.prod(len(u) for u in levels)
    if space <= 4 * len(codes) + 1024:
        seen = np.bincount(codes, minlength=space)
        present = np.flatnonzero(seen)
        if len(present) < space:  # some combinations never occur: renumber
            lookup = np.zeros(space, dtype=np.int64)
            lookup[present] = np.arange(len(present))
            codes = lookup[codes]
    else:
        present, codes = np.unique(codes, return_inverse=True)
    keys = {}
    rest = present
    for c, uniq in zip(reversed(by), reversed(levels), strict=True):
        keys[c] = np.asarray(uniq)[rest % len(uniq)]
        rest = rest // len(uniq)
    key_frame = pd.DataFrame({c: keys[c] for c in by})
    for c in by:
        key_frame[c] = key_frame[c].astype(responses[c].dtype)
    return codes.astype(np.int64), key_frame


def _population_per_group(population, keys: pd.DataFrame, by: Sequence[str]) -> np.ndarray:
    g = len(keys)
    if population is None:
        return np.full(g, np.nan)
    if np.ndim(population) == 0 and not isinstance(population, (Mapping, pd.Series)):
        return np.full(g, float(population))
    if isinstance(population, pd.DataFrame):
        on = [c for c in by if c in population.columns]
        value = next((c for c in ("population", "population_served") if c in population.columns),
                     None)
        if not on or value is None:
            raise DataValidationError(
                "population table needs the grouping column(s) and a 'population' or "
                f"'population_served' column; got {list(population.columns)}")
        merged = keys[on].merge(population[[*on, value]].drop_duplicates(on), on=on, how="left")
        return pd.to_numeric(merged[value], errors="coerce").to_numpy(dtype=float)
    mapping = population if isinstance(population, pd.Series) else pd.Series(dict(population))
    key = by[0]
    return pd.to_numeric(keys[key].map(mapping), errors="coerce").to_numpy(dtype=float)


def ikm(
    responses: pd.DataFrame,
    *,
    by: Sequence[str] = ("unit_id", "year"),
    weighting: IkmWeighting = "exact",
    reps: int = 0,
    seed: int | None = None,
    population=None,
    conf_level: float = 0.95,
) -> IkmResult:
    """IKM per group from respondent-level SKM answers (PermenPANRB 14/2017).

    For each group and element U1..U9, the element mean (NRR) is taken over the
    questionnaires that answered that element; the index is Σ NRR × w, and
    IKM = index × 25. With ``weighting="exact"`` w = 1/9 (IKM spans 25–100); with
    ``"regulation"`` w = 0,11 as printed in the regulation's Lampiran, which
    reproduces official reports (and tops out at 99). The category (A Sangat Baik
    ≥ 88.31, B Baik ≥ 76.61, C Kurang Baik ≥ 65.00, D Tidak Baik) is judged on the
    unrounded value. Elements are found by their column names u1..u9, never by position.

    Parameters
    ----------
    responses : DataFrame
        One row per questionnaire: the ``by`` columns and ``u1``..``u9`` (1–4; empty
        where the respondent skipped the element).
    by : sequence of str
        Grouping columns (default unit and year; add ``"period"`` for semesters).
    weighting : {"exact", "regulation"}
    reps : int
        Bootstrap replications over respondents within each group (0 = no interval).
    seed : int, optional
        Seed of the bootstrap (same seed, same interval).
    population : number, mapping, Series or DataFrame, optional
        Population each group serves, for the Krejcie–Morgan check: a number for all
        groups, a mapping / Series keyed by the first ``by`` column, or a DataFrame with
        (some of) the ``by`` columns and ``population`` or ``population_served``. Unknown
        population → the ceiling of 384 respondents.
    conf_level : float
        Level of the percentile bootstrap interval.

    Returns
    -------
    IkmResult
        ``.table`` per group, ``.elements`` per group and element.

    Raises
    ------
    DataValidationError
        Answer columns missing, answers outside 1–4, grouping values missing.

    Notes
    -----
    A group where some element has no answer at all gets ``ikm`` = NaN (the regulation's
    index needs all nine elements) and a note. Questionnaires with no answer at all are
    not counted as respondents. ``sample_adequate`` is False when a group has fewer
    respondents than :func:`required_sample` asks for: such groups are flagged, and the
    panel keeps the flag so the estimation can leave them out.

    Examples
    --------
    >>> df = pd.DataFrame({"unit_id": ["D01"] * 2, "year": [2024] * 2,
    ...                    **{f"u{i}": [4, 3] for i in range(1, 10)}})
    >>> res = ikm(df)
    >>> round(float(res.table.loc[0, "ikm"]), 2), res.table.loc[0, "category"]
    (87.5, 'B')
    >>> res.table.loc[0, "sample_adequate"]
    np.False_
    """
    return _ikm(responses, by=by, weighting=weighting, reps=reps, seed=seed,
                population=population, conf_level=conf_level)


def _ikm(responses, *, by, weighting, reps, seed, population, conf_level,
         file: str | None = None, row_numbers=None, labels=None) -> IkmResult:
    check_option("weighting", weighting, IkmWeighting, error=ParameterError)
    by = (by,) if isinstance(by, str) else tuple(by)
    if not by:
        raise DataValidationError("ikm: 'by' needs at least one grouping column")
    if not isinstance(reps, (int, np.integer)) or reps < 0:
        raise DataValidationError(f"ikm: reps must be a whole number >= 0; got {reps!r}")
    if not 0 < conf_level < 1:
        raise DataValidationError(f"ikm: conf_level must lie between 0 and 1; got {conf_level!r}")
    file = file or responses.attrs.get("file", "skm")
    if len(responses) == 0:
        raise DataValidationError(f"{file}: no SKM answers to compute an IKM from")

    columns = _answer_columns(responses, file=file, row_numbers=row_numbers, labels=labels)
    codes, keys = _group_codes(responses, by, file)
    g = len(keys)
    # per element: sums and counts of answers per group with one bincount each (no
    # Python loop over groups: this is what keeps 10 million answers cheap)
    # Each element: how many answered 1, 2, 3, 4 (or skipped) per group, by one integer
    # bincount over group x answer; sums and counts follow from these tallies exactly.
    sums = np.empty((g, 9))
    counts = np.empty((g, 9))
    answer_total = np.zeros(len(responses), dtype=np.int8)  # at most 9 x 4 = 36
    slot = codes * 5
    for j, (_, level) in enumerate(columns):
        tally = np.bincount(slot + level, minlength=g * 5).reshape(g, 5)[:, 1:]
        sums[:, j] = tally @ np.array([1.0, 2.0, 3.0, 4.0])
        counts[:, j] = tally.sum(axis=1)
        answer_total += level
    any_answer = answer_total > 0
    n_resp = np.bincount(codes, weights=any_answer, minlength=g).astype(np.int64)
    w = IKM_WEIGHTS[weighting]
    with np.errstate(invalid="ignore", divide="ignore"):
        nrr = np.where(counts > 0, sums / np.where(counts > 0, counts, 1), np.nan)
    index_value = np.sum(nrr * w, axis=1)  # NaN when an element has no answer at all
    ikm_value = index_value * 25.0

    notes: list[str] = []
    incomplete = np.isnan(ikm_value)
    if incomplete.any():
        gaps = keys[incomplete].astype(str).agg("/".join, axis=1).tolist()
        notes.append(f"IKM not computed for {len(gaps)} group(s) where an element has no "
                     f"answer at all: {', '.join(gaps[:10])}")

    pop = _population_per_group(population, keys, by)
    need = required_sample(pop)
    table = keys.copy()
    table["n_respondents"] = n_resp
    table["index_value"] = index_value
    table["ikm"] = ikm_value
    table["category"] = ikm_category(ikm_value).to_numpy()
    table["category_label"] = ikm_category(ikm_value, label=True).to_numpy()
    table["category_label_en"] = ikm_category(ikm_value, label=True, lang="en").to_numpy()
    table["population"] = pop
    table["required_sample"] = need
    table["sample_adequate"] = n_resp >= need
    low = high = np.full(g, np.nan)
    if reps:
        X = np.column_stack([level for _, level in columns]).astype(np.float64)
        answered = X > 0
        low, high = _bootstrap_ci(codes, X, answered, any_answer, g, w,
                                  reps=int(reps),
                                  seed=seed, conf_level=conf_level)
    table["conf_low"] = low
    table["conf_high"] = high
    table["weighting"] = weighting
    if (~table["sample_adequate"]).any():
        k = int((~table["sample_adequate"]).sum())
        notes.append(f"{k} of {g} group(s) have fewer respondents than the Krejcie-Morgan "
                     "sample (flagged in sample_adequate)")

    el = keys.loc[keys.index.repeat(9)].reset_index(drop=True)
    codes_e = list(IKM_ELEMENTS)
    el["element"] = np.tile(codes_e, g)
    el["element_name"] = np.tile([v[0] for v in IKM_ELEMENTS.values()], g)
    el["element_name_en"] = np.tile([v[1] for v in IKM_ELEMENTS.values()], g)
    el["nrr"] = nrr.ravel()
    el["n_answered"] = counts.ravel().astype(np.int64)
    el["weight"] = w
    el["contribution"] = nrr.ravel() * w * 25.0
    # rank 1 = lowest NRR in the group: the element that drags the unit down
    order = np.argsort(np.where(np.isnan(nrr), np.inf, nrr), axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(1, 10)[None, :].repeat(g, 0), axis=1)
    el["rank"] = rank.ravel()
    return IkmResult(table=table, elements=el, weighting=weighting, by=by, reps=int(reps),
                     seed=seed, conf_level=float(conf_level), notes=tuple(notes))


def _bootstrap_ci(codes, X0, answered, any_answer, g, w, *, reps, seed, conf_level):
    """Percentile interval of IKM per group, resampling questionnaires within groups.

    Vectorised over groups: each chunk of replications draws, for every respondent
    slot, a respondent of the same group (uniform integer offsets), gathers their
    answers and sums them per group with ``np.add.reduceat``.
    """
    rng = np.random.default_rng(seed)
    keep = np.flatnonzero(any_answer)
    order = keep[np.argsort(codes[keep], kind="stable")]
    gc = codes[order]
    Xs, Ms = X0[order], answered[order].astype(np.float64)
    n = len(order)
    sizes = np.bincount(gc, minlength=g)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    nonempty = sizes > 0
    starts_ne = starts[nonempty]
    size_of_slot = sizes[gc]
    start_of_slot = starts[gc]
    chunk = max(1, int(2_000_000 // max(n, 1)))
    draws = np.empty((g, reps))
    done = 0
    while done < reps:
        c = min(chunk, reps - done)
        offs = (rng.random((n, c)) * size_of_slot[:, None]).astype(np.int64)
        idx = start_of_slot[:, None] + offs
        S = np.add.reduceat(Xs[idx], starts_ne, axis=0)  # (G_ne, c, 9)
        C = np.add.reduceat(Ms[idx], starts_ne, axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            nrr = S / C
        val = np.full((g, c), np.nan)
        val[nonempty] = 25.0 * w * nrr.sum(axis=2)  # NaN when an element lost all answers
        draws[:, done:done + c] = val
        done += c
    alpha = 1 - conf_level
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        low = np.nanquantile(draws, alpha / 2, axis=1)
        high = np.nanquantile(draws, 1 - alpha / 2, axis=1)
    return low, high


# ---- training intensity -------------------------------------------------------------------------

#: Coded values of the training table (see :mod:`evaluation.columns`).
_COMPETENCY_TYPES = ("teknis", "manajerial", "sosial_kultural")
_LEARNING_PATHS = ("klasikal", "nonklasikal")
_JP_EPS = 1e-9  # 19.999999999 JP from 15 clock hours must count as 20 JP


def _code(values: pd.Series) -> pd.Series:
    """Lower-case, underscore form of a coded value ("E-Learning" -> "e_learning")."""
    return (values.astype("str").str.strip().str.lower()
            .str.replace(r"[\s\-/]+", "_", regex=True))


def _norm_keys(mapping: Mapping[str, float]) -> dict[str, float]:
    return {_code(pd.Series([k])).iloc[0]: float(v) for k, v in mapping.items()}


def credited_jp(events: pd.DataFrame, *, config) -> tuple[pd.Series, tuple[str, ...]]:
    """JP credited to each training record, and the nonklasikal activities that were
    credited at 1.0 because ``study.yaml`` does not list them.

    Recorded JP are used as they are; where only ``hours`` is given, JP = hours × 60 /
    ``config.jp.minutes_per_jp`` (45 minutes by default). Nonklasikal records are then
    multiplied by the credit factor of their activity: ``jp.nonklasikal_credit_by_unit``
    for the unit if it lists the activity, else ``jp.nonklasikal_credit``, else 1.0
    (and the activity is returned in the second element so that this is stated).

    Examples
    --------
    >>> from evaluation.config import JpSettings
    >>> from types import SimpleNamespace
    >>> cfg = SimpleNamespace(jp=JpSettings(nonklasikal_credit={"seminar": 0.5}))
    >>> ev = pd.DataFrame({"unit_id": ["D01"] * 3, "jp": [10, None, 4],
    ...                    "hours": [None, 3.0, None],
    ...                    "learning_path": ["klasikal", "klasikal", "nonklasikal"],
    ...                    "activity": ["pelatihan", "pelatihan", "seminar"]})
    >>> jp, unlisted = credited_jp(ev, config=cfg)
    >>> jp.tolist(), unlisted
    ([10.0, 4.0, 2.0], ())
    """
    settings = config.jp
    n = len(events)
    file = events.attrs.get("file", "training")
    jp = (pd.to_numeric(events["jp"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
          if "jp" in events.columns else np.full(n, np.nan))
    if "hours" in events.columns:
        hours = pd.to_numeric(events["hours"], errors="coerce").to_numpy(dtype=float,
                                                                        na_value=np.nan)
        jp = np.where(np.isnan(jp), hours * 60.0 / settings.minutes_per_jp, jp)
    bad = np.isnan(jp) | (jp < 0)
    if bad.any():
        rows = np.flatnonzero(bad)
        raise DataValidationError(
            f"{file}: {len(rows)} training record(s) without a usable duration",
            [Problem(file=file, row=int(i) + 2, column="jp", value=None if np.isnan(jp[i])
                     else float(jp[i]), rule="jp_or_hours",
                     message="neither JP nor hours given (or negative)",
                     hint="fill the JP (jam pelajaran) or the clock hours of the activity, "
                          "or remove the record if it did not take place")
             for i in rows[:50]])
    factor = np.ones(n)
    unlisted: tuple[str, ...] = ()
    if "learning_path" in events.columns:
        nonklas = ((_code(events["learning_path"]) == "nonklasikal").to_numpy()
                   & events["learning_path"].notna().to_numpy())
        if nonklas.any():
            activity = (_code(events["activity"]).where(events["activity"].notna())
                        if "activity" in events.columns else pd.Series([None] * n, dtype="str"))
            activity = activity.reset_index(drop=True)
            f = activity.map(_norm_keys(settings.nonklasikal_credit)).astype(float)
            if settings.nonklasikal_credit_by_unit and "unit_id" in events.columns:
                unit = events["unit_id"].astype("str").reset_index(drop=True)
                for u, table in settings.nonklasikal_credit_by_unit.items():
                    own = activity.map(_norm_keys(table)).astype(float)
                    mask = (unit == str(u)) & own.notna()
                    f = f.mask(mask, own)
            f = f.to_numpy(dtype=float, na_value=np.nan)
            missing = nonklas & np.isnan(f)
            if missing.any():
                names = activity[missing].fillna("(activity not recorded)")
                unlisted = tuple(sorted(set(names)))
            factor = np.where(nonklas & ~np.isnan(f), f, 1.0)
    return pd.Series(jp * factor, index=events.index, name="jp_credited"), unlisted


def _check_unique(df: pd.DataFrame, keys: list[str], file: str) -> None:
    dup = df.duplicated(keys, keep=False).to_numpy()
    if dup.any():
        rows = np.flatnonzero(dup)
        raise DataValidationError(
            f"{file}: {len(rows)} rows repeat the same {' + '.join(keys)}",
            [Problem(file=file, row=int(i) + 2, column=keys[0],
                     value=" / ".join(str(df[k].iloc[i]) for k in keys), rule="unique_key",
                     message="duplicate row", hint="keep one row per " + " and ".join(keys))
             for i in rows[:50]])


def deflator(cpi: pd.DataFrame, years, *, base_year: int) -> pd.Series:
    """CPI deflator to ``base_year`` prices per year: cpi[base] / cpi[year].

    Examples
    --------
    >>> cpi = pd.DataFrame({"year": [2023, 2024], "cpi": [100.0, 125.0]})
    >>> deflator(cpi, [2023, 2024], base_year=2024).tolist()
    [1.25, 1.0]
    """
    file = cpi.attrs.get("file", "cpi")
    _check_unique(cpi, ["year"], file)
    by_year = pd.Series(pd.to_numeric(cpi["cpi"], errors="coerce").to_numpy(dtype=float),
                        index=pd.to_numeric(cpi["year"]).astype(int))
    years = pd.Series(np.asarray(years, dtype=int))
    needed = sorted(set(years.tolist()) | {int(base_year)})
    absent = [y for y in needed if not (y in by_year.index and by_year[y] > 0)]
    if absent:
        raise DataValidationError(
            f"{file}: no usable CPI for year(s) {absent}",
            [Problem(file=file, column="cpi", value=y, rule="cpi_year",
                     message="CPI missing or not positive for this year",
                     hint="add the BPS CPI (IHK) of the year; the base year "
                          f"{base_year} is needed too") for y in absent])
    return pd.Series(by_year[base_year] / years.map(by_year).to_numpy(), index=years.to_numpy())


def training_intensity(events: pd.DataFrame, staff: pd.DataFrame, *, config,
                       cpi: pd.DataFrame | None = None) -> pd.DataFrame:
    """Training investment per unit-year.

    Parameters
    ----------
    events : DataFrame
        The training table: one row per ASN per activity, with ``unit_id``, ``year``,
        ``nip`` (pseudonymised), ``jp`` and/or ``hours``, and optionally
        ``competency_type``, ``learning_path``, ``activity``, ``cost_rp``.
    staff : DataFrame
        ``unit_id``, ``year``, ``asn_count``: the denominators.
    config : StudyConfig
        Uses ``config.jp`` (entitlement, minutes per JP, nonklasikal credit) and
        ``config.base_year`` (price base).
    cpi : DataFrame, optional
        ``year``, ``cpi``; without it the real-spending columns are missing.

    Returns
    -------
    DataFrame
        One row per unit-year in ``staff`` (and any unit-year with training but no staff
        row, whose per-ASN values are then missing): ``unit_id``, ``year``,
        ``asn_count``, ``jp_total`` (credited JP), ``jp_per_asn``, ``n_trained``,
        ``n_reached_20jp``, ``share_20jp``, ``share_trained``, ``spend_nominal``,
        ``spend_real``, ``spend_per_asn_real``, ``share_jp_<competency type>``,
        ``share_jp_<learning path>``. ``attrs["jp_credit_unlisted"]`` lists the
        nonklasikal activities credited at 1.0 because study.yaml does not list them.

    Notes
    -----
    - ASN with no training in a year count as zero: ``share_20jp`` is the number of ASN
      reaching ``config.jp.entitlement`` JP (PP 11/2017 Pasal 203(4): 20 JP a year) over
      ``asn_count``; a unit-year with staff but no training gets zeros.
    - The 20-JP right is a person's, so a person's JP are added over every unit they
      trained under in the year, and the person is counted once, in the unit where they
      earned the most JP that year (ties: the first unit code). ``n_trained`` and
      ``n_reached_20jp`` count persons that way; ``jp_total`` counts JP where they were
      earned.
    - Spending at constant prices: real = nominal × CPI[base] / CPI[year].
    - The mix shares are shares of credited JP; they are missing when a unit-year has no
      training (0/0), and do not add up to 1 when some records lack the code.

    Examples
    --------
    >>> from evaluation.config import JpSettings
    >>> from types import SimpleNamespace
    >>> cfg = SimpleNamespace(jp=JpSettings(), base_year=2024)
    >>> ev = pd.DataFrame({"unit_id": ["D01", "D01"], "year": [2024, 2024],
    ...                    "nip": ["a", "b"], "jp": [24.0, 6.0]})
    >>> st = pd.DataFrame({"unit_id": ["D01"], "year": [2024], "asn_count": [4]})
    >>> out = training_intensity(ev, st, config=cfg)
    >>> out[["jp_per_asn", "share_20jp", "n_trained"]].iloc[0].tolist()
    [7.5, 0.25, 2.0]
    """
    file_ev = events.attrs.get("file", "training")
    file_st = staff.attrs.get("file", "staff")
    for df, file, cols in ((events, file_ev, ["unit_id", "year"]),
                           (staff, file_st, ["unit_id", "year", "asn_count"])):
        missing = [c for c in cols if c not in df.columns]
        if missing:
            raise DataValidationError(f"{file}: required column(s) missing", [
                Problem(file=file, column=c, message="column missing", rule="required_column",
                        hint="add the column (see the README's table reference)")
                for c in missing])
    _check_unique(staff, ["unit_id", "year"], file_st)

    jp, unlisted = credited_jp(events, config=config)
    ev = pd.DataFrame({
        "unit_id": events["unit_id"].astype("str").to_numpy(),
        "year": pd.to_numeric(events["year"]).astype("int64").to_numpy(),
        "jp": jp.to_numpy(),
    })
    for col, values in (("competency_type", _COMPETENCY_TYPES), ("learning_path", _LEARNING_PATHS)):
        if col in events.columns:
            code = _code(events[col]).where(events[col].notna()).to_numpy()
            for v in values:
                ev[f"jp_{v}"] = np.where(code == v, ev["jp"], 0.0)
    has_cost = "cost_rp" in events.columns
    if has_cost:
        ev["spend_nominal"] = pd.to_numeric(events["cost_rp"], errors="coerce").to_numpy(
            dtype=float, na_value=np.nan)
        n_nocost = int(np.isnan(ev["spend_nominal"]).sum())
        if n_nocost:
            warnings.warn(f"{file_ev}: {n_nocost} training record(s) without a cost; spending "
                          "adds up the recorded costs only", DataQualityWarning, stacklevel=2)
    keys = ["unit_id", "year"]
    agg = ev.groupby(keys, sort=True).sum(numeric_only=True)
    agg = agg.rename(columns={"jp": "jp_total"})

    st = pd.DataFrame({
        "unit_id": staff["unit_id"].astype("str").to_numpy(),
        "year": pd.to_numeric(staff["year"]).astype("int64").to_numpy(),
        "asn_count": pd.to_numeric(staff["asn_count"], errors="coerce").to_numpy(
            dtype=float, na_value=np.nan),
    }).set_index(keys)
    out = st.join(agg, how="outer").sort_index()
    orphan = out["asn_count"].isna() & out["jp_total"].notna()
    if orphan.any():
        listed = ", ".join(f"{u}/{y}" for u, y in out.index[orphan][:10])
        warnings.warn(f"{file_st}: no ASN count for {int(orphan.sum())} unit-year(s) with "
                      f"training ({listed}); their per-ASN measures are missing",
                      DataQualityWarning, stacklevel=2)
    sums = [c for c in agg.columns if c.startswith("jp_")]
    out[sums] = out[sums].fillna(0.0)

    # persons: JP over the whole year, counted once in their main unit
    if "nip" in events.columns:
        ev["nip"] = events["nip"].astype("str").to_numpy()
        person_unit = ev.groupby(["year", "nip", "unit_id"], sort=True)["jp"].sum().reset_index()
        person_total = person_unit.groupby(["year", "nip"])["jp"].transform("sum")
        person_unit["reached"] = person_total >= config.jp.entitlement - _JP_EPS
        person_unit["trained"] = person_total > 0
        home = (person_unit.sort_values(["year", "nip", "jp", "unit_id"],
                                        ascending=[True, True, False, True])
                .drop_duplicates(["year", "nip"]))
        counts = home.groupby(keys)[["trained", "reached"]].sum()
        counts.columns = ["n_trained", "n_reached_20jp"]
        out = out.join(counts, how="left")
        out[["n_trained", "n_reached_20jp"]] = out[["n_trained", "n_reached_20jp"]].fillna(0.0)
    else:
        out["n_trained"] = np.nan
        out["n_reached_20jp"] = np.nan

    asn = out["asn_count"].where(out["asn_count"] > 0)
    out["jp_per_asn"] = out["jp_total"] / asn
    out["share_20jp"] = out["n_reached_20jp"] / asn
    out["share_trained"] = out["n_trained"] / asn
    over = out["share_trained"] > 1
    if over.any():
        listed = ", ".join(f"{u}/{y}" for u, y in out.index[over][:10])
        warnings.warn(f"{file_st}: more trained persons than ASN on the staff in "
                      f"{int(over.sum())} unit-year(s) ({listed}); check asn_count",
                      DataQualityWarning, stacklevel=2)

    if has_cost:
        out["spend_nominal"] = out["spend_nominal"].fillna(0.0)
        if cpi is not None:
            years = out.index.get_level_values("year")
            out["spend_real"] = out["spend_nominal"].to_numpy() * deflator(
                cpi, years, base_year=config.base_year).to_numpy()
        else:
            out["spend_real"] = np.nan
            warnings.warn("no CPI table: spending at constant prices (spend_real, "
                          "spend_per_asn_real) is missing; add tables.cpi to study.yaml",
                          DataQualityWarning, stacklevel=2)
    else:
        out["spend_nominal"] = np.nan
        out["spend_real"] = np.nan
    out["spend_per_asn_real"] = out["spend_real"] / asn

    total = out["jp_total"].where(out["jp_total"] > 0)
    for v in (*_COMPETENCY_TYPES, *_LEARNING_PATHS):
        col = f"jp_{v}"
        out[f"share_jp_{v}"] = out[col] / total if col in out.columns else np.nan
    out = out.drop(columns=[c for c in out.columns if c.startswith("jp_") and c != "jp_total"
                            and c != "jp_per_asn"])
    order = ["asn_count", "jp_total", "jp_per_asn", "n_trained", "n_reached_20jp", "share_20jp",
             "share_trained", "spend_nominal", "spend_real", "spend_per_asn_real",
             *[f"share_jp_{v}" for v in (*_COMPETENCY_TYPES, *_LEARNING_PATHS)]]
    out = out[order].reset_index()
    out.attrs["jp_credit_unlisted"] = list(unlisted)
    out.attrs["base_year"] = int(config.base_year)
    if unlisted:
        warnings.warn(f"nonklasikal activities not in study.yaml jp.nonklasikal_credit were "
                      f"credited at 1.0 JP per JP: {', '.join(unlisted)}", DataQualityWarning,
                      stacklevel=2)
    return out


def programme_exposure(programme: pd.DataFrame, units_years: pd.DataFrame) -> pd.DataFrame:
    """Staged-programme exposure per unit-year.

    Parameters
    ----------
    programme : DataFrame
        ``unit_id``, ``cohort_year``: the year each unit joined (one row per unit; units
        that never joined are absent or have an empty cohort year).
    units_years : DataFrame
        ``unit_id``, ``year``: the unit-years to describe.

    Returns
    -------
    DataFrame
        ``units_years`` with ``cohort_year`` (Int64, missing for never-joined units),
        ``event_time`` = year − cohort_year (Int64), ``programme_active`` (year ≥ cohort
        year; False for never-joined units).

    Examples
    --------
    >>> prog = pd.DataFrame({"unit_id": ["D01"], "cohort_year": [2020]})
    >>> uy = pd.DataFrame({"unit_id": ["D01", "D01", "D02"], "year": [2019, 2021, 2021]})
    >>> programme_exposure(prog, uy)["event_time"].tolist()
    [-1, 1, <NA>]
    """
    file = programme.attrs.get("file", "programme")
    prog = programme.loc[programme["cohort_year"].notna(), ["unit_id", "cohort_year"]].copy()
    prog["unit_id"] = prog["unit_id"].astype("str")
    _check_unique(prog, ["unit_id"], file)
    cohort = prog.set_index("unit_id")["cohort_year"].astype("Int64")
    out = units_years.copy()
    out["cohort_year"] = out["unit_id"].astype("str").map(cohort).astype("Int64")
    out["event_time"] = (pd.to_numeric(out["year"]).astype("Int64") - out["cohort_year"])
    out["programme_active"] = (out["event_time"] >= 0).fillna(False).astype(bool)
    return out


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
