"""The panel's training and IKM measures from summaries per unit-year, when the person-level
records are not available (a university partner's or the province's view of a city).

``training_summary`` gives, per unit-year, the credited JP, the ASN reaching the 20-JP
entitlement and the cost (optionally the ASN count, the JP by type and path, and the
participants): exactly what :class:`TrainingAggregates` holds, so the panel's JP per
ASN, 20-JP share and spending per ASN are the same as from the records. What needs
persons (who is left behind: :mod:`evaluation.brief.sections.access`) and what needs
programme titles (topics) is not available, and the panel says so in its ``attrs``.

``skm_summary`` gives the element means an SKM report prints (NRR per unsur) and the
respondents; IKM = 25 x sum of NRR x weight is the same as from the answers, under
either weighting. Several periods of a year (semesters, quarters) are pooled with the
respondents as weights, which is what the answers of the whole year give when every
respondent answered every element.

Private implementation behind :mod:`evaluation.indicators` (import from there).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._options import IkmWeighting
from ._codes import COMPETENCY_TYPES, LEARNING_PATHS
from ._skm import IkmResult, ikm_from_element_means
from ._training import TrainingAggregates

#: Why the person-level results are missing when a study gives summaries only.
NO_PERSONS_REASON = "training_summary"


def summary_aggregates(summary: pd.DataFrame) -> TrainingAggregates:
    """:class:`TrainingAggregates` from a ``training_summary`` table (canonical columns).

    A part (JP by type or path) left empty on a row stays missing for that unit-year (it
    was not reported), unlike a unit-year without any row, whose training is zero. The one
    part a grouping leaves out is the total minus the others (here klasikal = 300 - 120).

    Examples
    --------
    >>> s = pd.DataFrame({"unit_id": ["D01"], "year": [2024], "jp_total": [300.0],
    ...                   "n_reached_20jp": [8], "cost_rp": [5e6], "jp_teknis": [200.0],
    ...                   "jp_nonklasikal": [120.0]})
    >>> agg = summary_aggregates(s)
    >>> agg.sums[["jp_total", "jp_teknis", "jp_klasikal", "spend_nominal"]].iloc[0].tolist()
    [300.0, 200.0, 180.0, 5000000.0]
    >>> agg.persons["n_trained"].isna().all(), agg.has_codes
    (np.True_, ('competency_type', 'learning_path'))
    """
    def number(col: str) -> np.ndarray:
        return pd.to_numeric(summary[col], errors="coerce").to_numpy(dtype=float,
                                                                        na_value=np.nan)

    keys = {"unit_id": summary["unit_id"].astype("str").to_numpy(),
            "year": pd.to_numeric(summary["year"]).astype("int64").to_numpy()}
    sums = pd.DataFrame({**keys, "jp_total": number("jp_total"),
                         "n_records": np.ones(len(summary))})
    for part in (*COMPETENCY_TYPES, *LEARNING_PATHS):
        if f"jp_{part}" in summary.columns:
            sums[f"jp_{part}"] = number(f"jp_{part}")
    for parts in (COMPETENCY_TYPES, LEARNING_PATHS):
        _complete_the_parts(sums, parts)
    cost = number("cost_rp") if "cost_rp" in summary.columns else None
    if cost is not None:
        sums["spend_nominal"] = np.nan_to_num(cost, nan=0.0)
        sums["n_cost_missing"] = np.isnan(cost).astype(float)
    persons = pd.DataFrame({
        **keys,
        "n_trained": (number("n_participants") if "n_participants" in summary.columns
                      else np.full(len(summary), np.nan)),
        "n_reached_20jp": number("n_reached_20jp"),
    })
    sums.attrs["file"] = summary.attrs.get("file", "training_summary")
    has = tuple(col for col, parts in (("competency_type", COMPETENCY_TYPES),
                                       ("learning_path", LEARNING_PATHS))
                if any(f"jp_{p}" in summary.columns for p in parts))
    return TrainingAggregates(sums=sums, persons=persons, unlisted=(), has_codes=has,
                              topics=())


def _complete_the_parts(sums: pd.DataFrame, parts: tuple[str, ...]) -> None:
    """When every part of a grouping but one is given, the last is the total minus the others
    (every credited JP has exactly one competency type and one learning path): a summary
    with only its e-learning JP gives the classroom JP too. Rows where a given part is
    missing stay missing; validation has already refused parts that exceed the total."""
    given = [f"jp_{p}" for p in parts if f"jp_{p}" in sums.columns]
    missing = [f"jp_{p}" for p in parts if f"jp_{p}" not in sums.columns]
    if len(missing) != 1 or not given:
        return
    rest = sums[given].sum(axis=1, min_count=len(given))
    sums[missing[0]] = (sums["jp_total"] - rest).clip(lower=0.0)


def staff_from_summary(summary: pd.DataFrame) -> pd.DataFrame | None:
    """The staff counts a ``training_summary`` carries (``asn_count``), if it does."""
    if "asn_count" not in summary.columns:
        return None
    out = pd.DataFrame({"unit_id": summary["unit_id"].astype("str").to_numpy(),
                        "year": pd.to_numeric(summary["year"]).astype("int64").to_numpy(),
                        "asn_count": pd.to_numeric(summary["asn_count"], errors="coerce")
                        .to_numpy(dtype=float, na_value=np.nan)})
    out.attrs["file"] = summary.attrs.get("file", "training_summary")
    return out


def ikm_from_skm_summary(summary: pd.DataFrame, *, weighting: IkmWeighting = "exact",
                         population: Any = None) -> IkmResult:
    """IKM per unit-year from an ``skm_summary`` table (NRR per unsur and respondents).

    Examples
    --------
    >>> s = pd.DataFrame({"unit_id": ["D01", "D01"], "year": [2024, 2024],
    ...                   "period": ["S1", "S2"], "n_respondents": [100, 300],
    ...                   **{f"nrr_u{k}": [3.0, 3.4] for k in range(1, 10)}})
    >>> res = ikm_from_skm_summary(s)  # (100 x 3.0 + 300 x 3.4) / 400 = 3.3 -> 82.5
    >>> round(float(res.table.loc[0, "ikm"]), 2), int(res.table.loc[0, "n_respondents"])
    (82.5, 400)
    """
    keys = pd.DataFrame({"unit_id": summary["unit_id"].astype("str").to_numpy(),
                         "year": pd.to_numeric(summary["year"]).astype("int64").to_numpy()})
    n = pd.to_numeric(summary["n_respondents"], errors="coerce").to_numpy(dtype=float,
                                                                         na_value=np.nan)
    nrr = np.column_stack([pd.to_numeric(summary[f"nrr_u{k}"], errors="coerce").to_numpy(
        dtype=float, na_value=np.nan) for k in range(1, 10)])
    answered = ~np.isnan(nrr)
    weight = np.where(answered, n[:, None], 0.0)
    frame = pd.concat([keys, pd.DataFrame(np.where(answered, nrr * n[:, None], 0.0),
                                          columns=[f"s{k}" for k in range(1, 10)]),
                       pd.DataFrame(weight, columns=[f"c{k}" for k in range(1, 10)]),
                       pd.Series(n, name="n")], axis=1)
    pooled = frame.groupby(["unit_id", "year"], sort=True).sum(min_count=1).reset_index()
    sums = pooled[[f"s{k}" for k in range(1, 10)]].to_numpy(dtype=float)
    counts = pooled[[f"c{k}" for k in range(1, 10)]].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled_nrr = np.where(counts > 0, sums / np.where(counts > 0, counts, 1), np.nan)
    n_resp = np.nan_to_num(pooled["n"].to_numpy(dtype=float), nan=0.0).astype(np.int64)
    return ikm_from_element_means(pooled[["unit_id", "year"]], pooled_nrr, n_resp,
                                  weighting=weighting, population=population, counts=counts)
