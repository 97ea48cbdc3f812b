"""IKM (Indeks Kepuasan Masyarakat) from respondent-level SKM answers, per PermenPANRB 14/2017
(its rules: :mod:`._skm_rules`).

Private implementation behind :mod:`evaluation.indicators`, which re-exports the public
names (import them from there): :func:`ikm` with :class:`IkmResult` (per-element
results, a bootstrap interval), the Krejcie–Morgan sample check
(:func:`required_sample`), the A–D categories (:func:`ikm_category`) and the element
constants (``IKM_ELEMENTS``, ``IKM_ANSWER_COLUMNS``, ``IKM_WEIGHTS``, ``IKM_CATEGORIES``).

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

from .._options import IkmWeighting, check_option
from ..errors import DataValidationError, ParameterError, Problem
from ._skm_rules import (
    IKM_ANSWER_COLUMNS,
    IKM_ELEMENTS,
    IKM_WEIGHTS,
    ikm_category,
    required_sample,
)

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


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for row in df.to_dict(orient="records"):
        clean: dict[str, Any] = {}
        for key, v in row.items():
            k = str(key)
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
    k, found = pd.factorize(col, sort=False)
    uniques = np.asarray(found, dtype=object)
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
    key = keys[by[0]]
    if isinstance(key.dtype, pd.CategoricalDtype):  # look up the values, not the codes
        key = key.astype(key.cat.categories.dtype)
    return pd.to_numeric(key.map(mapping), errors="coerce").to_numpy(dtype=float)


def ikm(
    responses: pd.DataFrame,
    *,
    by: Sequence[str] = ("unit_id", "year"),
    weighting: IkmWeighting = "exact",
    reps: int = 0,
    seed: int | None = None,
    population=None,
    conf_level: float = 0.95,
    file: str | None = None,
    row_numbers: Sequence[int] | np.ndarray | None = None,
    labels: Mapping[str, str] | None = None,
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
    file, row_numbers, labels : optional
        Where the answers came from, so that a problem names the user's file, its row
        and its own column header: the file name (default ``responses.attrs["file"]``),
        the file row of each response (default: position + 2, a header row above), and
        canonical column -> header as written in the file.

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
    sums, counts, any_answer = _tallies(columns, codes, g)
    n_resp = np.bincount(codes, weights=any_answer, minlength=g).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        nrr = np.where(counts > 0, sums / np.where(counts > 0, counts, 1), np.nan)
    table, notes = group_table(keys, nrr, n_resp, weighting=weighting,
                               population=_population_per_group(population, keys, by))
    low = high = np.full(g, np.nan)
    if reps:
        X = np.column_stack([level for _, level in columns]).astype(np.float64)
        low, high = _bootstrap_ci(codes, X, X > 0, any_answer, g, IKM_WEIGHTS[weighting],
                                  reps=int(reps), seed=seed, conf_level=conf_level)
    at = len(table.columns) - 1  # before "weighting", as the table has always been laid out
    table.insert(at, "conf_low", low)
    table.insert(at + 1, "conf_high", high)
    el = element_table(keys, nrr, counts, weighting=weighting)
    return IkmResult(table=table, elements=el, weighting=weighting, by=by, reps=int(reps),
                     seed=seed, conf_level=float(conf_level), notes=tuple(notes))


def ikm_from_element_means(
    keys: pd.DataFrame,
    nrr: np.ndarray,
    n_respondents: np.ndarray,
    *,
    weighting: IkmWeighting = "exact",
    population: Any = None,
    counts: np.ndarray | None = None,
) -> IkmResult:
    """IKM per group from its element means (NRR per unsur, groups x 9, in U1..U9 order):
    what an SKM report prints, or what the out-of-core engine sums up. The same formula
    as :func:`ikm` (IKM = 25 x sum of NRR x weight), so both give the same IKM.

    Parameters
    ----------
    keys : DataFrame
        One row per group (e.g. ``unit_id``, ``year``).
    nrr : array (groups x 9)
        Mean answer per element (1-4); NaN where no one answered the element.
    n_respondents : array
        Respondents per group (for the Krejcie-Morgan check).
    counts : array (groups x 9), optional
        Answers per element (default: the respondents, as a printed report implies).

    Examples
    --------
    >>> keys = pd.DataFrame({"unit_id": ["D01"], "year": [2024]})
    >>> res = ikm_from_element_means(keys, np.full((1, 9), 3.5), np.array([400]))
    >>> round(float(res.table.loc[0, "ikm"]), 2), res.table.loc[0, "category"]
    (87.5, 'B')
    """
    check_option("weighting", weighting, IkmWeighting, error=ParameterError)
    nrr = np.asarray(nrr, dtype=float).reshape(len(keys), 9)
    n_resp = np.asarray(n_respondents).astype(np.int64)
    counts = (np.repeat(n_resp[:, None], 9, axis=1).astype(float) if counts is None
              else np.asarray(counts, dtype=float))
    by = tuple(keys.columns)
    table, notes = group_table(keys.reset_index(drop=True), nrr, n_resp, weighting=weighting,
                               population=_population_per_group(population, keys, by))
    at = len(table.columns) - 1
    table.insert(at, "conf_low", np.nan)
    table.insert(at + 1, "conf_high", np.nan)
    el = element_table(keys.reset_index(drop=True), nrr, counts, weighting=weighting)
    return IkmResult(table=table, elements=el, weighting=weighting, by=by, reps=0, seed=None,
                     conf_level=0.95, notes=tuple(notes))


def _tallies(columns: list[tuple[str, np.ndarray]], codes: np.ndarray, g: int
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per group and element, the sum and count of answers; per row, whether anything
    was answered. One integer bincount over group x answer per element (no Python loop
    over groups: this is what keeps 10 million answers cheap)."""
    sums = np.empty((g, 9))
    counts = np.empty((g, 9))
    answer_total = np.zeros(len(codes), dtype=np.int8)  # at most 9 x 4 = 36
    slot = codes * 5
    for j, (_, level) in enumerate(columns):
        tally = np.bincount(slot + level, minlength=g * 5).reshape(g, 5)[:, 1:]
        sums[:, j] = tally @ np.array([1.0, 2.0, 3.0, 4.0])
        counts[:, j] = tally.sum(axis=1)
        answer_total += level
    return sums, counts, answer_total > 0


def group_table(keys: pd.DataFrame, nrr: np.ndarray, n_respondents: np.ndarray, *,
                weighting: str, population: np.ndarray) -> tuple[pd.DataFrame, list[str]]:
    """The per-group IKM table from the element means (NRR per unsur, groups x 9), and
    the notes it gives rise to. Shared by the answers and the printed SKM summaries:
    IKM = 25 x sum of NRR x weight, whatever the NRR came from."""
    w = IKM_WEIGHTS[weighting]
    index_value = np.sum(nrr * w, axis=1)  # NaN when an element has no answer at all
    ikm_value = index_value * 25.0
    notes: list[str] = []
    incomplete = np.isnan(ikm_value)
    if incomplete.any():
        gaps = keys[incomplete].astype(str).agg("/".join, axis=1).tolist()
        notes.append(f"IKM not computed for {len(gaps)} group(s) where an element has no "
                     f"answer at all: {', '.join(gaps[:10])}")
    need = required_sample(population)
    table = keys.copy()
    table["n_respondents"] = n_respondents
    table["index_value"] = index_value
    table["ikm"] = ikm_value
    table["category"] = ikm_category(ikm_value).to_numpy()
    table["category_label"] = ikm_category(ikm_value, label=True).to_numpy()
    table["category_label_en"] = ikm_category(ikm_value, label=True, lang="en").to_numpy()
    table["population"] = population
    table["required_sample"] = need
    table["sample_adequate"] = n_respondents >= need
    table["weighting"] = weighting
    short = ~table["sample_adequate"].astype(bool)
    if short.any():
        notes.append(f"{int(short.sum())} of {len(keys)} group(s) have fewer respondents than "
                     "the Krejcie-Morgan sample (flagged in sample_adequate)")
    return table, notes


def element_table(keys: pd.DataFrame, nrr: np.ndarray, counts: np.ndarray, *,
                  weighting: str) -> pd.DataFrame:
    """Long table per group and element: NRR, answers, weight, contribution, rank."""
    g = len(keys)
    w = IKM_WEIGHTS[weighting]
    el = keys.loc[keys.index.repeat(9)].reset_index(drop=True)
    el["element"] = np.tile(list(IKM_ELEMENTS), g)
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
    return el


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

