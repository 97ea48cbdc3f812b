"""Training intensity per unit-year: credited JP, 20-JP compliance, constant-price spending.

Private implementation behind :mod:`evaluation.indicators`, which re-exports the public
names (import them from there): :func:`credited_jp` (JP per training record, with the
nonklasikal credit of ``study.yaml``), :func:`aggregate_training` (the sums and person
counts per unit-year), :func:`training_intensity` (JP per ASN by type, path and topic,
PP 11/2017 Pasal 203(4) compliance, spending and the mix), :func:`person_year_jp` (each
ASN's credited JP per year, for the access measures), :func:`deflator` and
:func:`programme_exposure` for staged programmes.

Every computation is a group-by over integer codes (``np.bincount``), never per-row
Python, and no copy of the training table is made: a study of tens of millions of
records costs a few columns of numbers. The same aggregates can come from the
out-of-core engine (:mod:`evaluation.indicators.engine`); :func:`assemble_intensity`
turns either into the panel's columns.

Every function is pure: DataFrames with the canonical column names of
:mod:`evaluation.columns` in, DataFrames out. Nothing here reads or writes files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataValidationError, Problem
from ._codes import (
    COMPETENCY_TYPES,
    LEARNING_PATHS,
    ColumnCodes,
    code_index,
    normalise_code,
    normalised_codes,
    topic_masks,
)

_JP_EPS = 1e-9  # 19.999999999 JP from 15 clock hours must count as 20 JP
_KEYS = ["unit_id", "year"]


def _require(df: pd.DataFrame, file: str, cols: list[str]) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise DataValidationError(f"{file}: required column(s) missing", [
            Problem(file=file, column=c, message="column missing", rule="required_column",
                    hint="add the column (see the README's table reference)")
            for c in missing])


def _recorded_jp(events: pd.DataFrame, minutes_per_jp: float) -> np.ndarray:
    n = len(events)
    file = events.attrs.get("file", "training")
    jp = (pd.to_numeric(events["jp"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
          if "jp" in events.columns else np.full(n, np.nan))
    if "hours" in events.columns:
        hours = pd.to_numeric(events["hours"], errors="coerce").to_numpy(dtype=float,
                                                                        na_value=np.nan)
        jp = np.where(np.isnan(jp), hours * 60.0 / minutes_per_jp, jp)
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
    return jp


def _credit_factor(events: pd.DataFrame, settings: Any, cols: ColumnCodes
                   ) -> tuple[np.ndarray, tuple[str, ...]]:
    """Credit per record (1.0 unless nonklasikal), and the nonklasikal activities that
    study.yaml does not list."""
    n = len(events)
    if "learning_path" not in events.columns:
        return np.ones(n), ()
    nonklas = code_index(cols("learning_path"), LEARNING_PATHS) == 1
    if not nonklas.any():
        return np.ones(n), ()
    if "activity" in events.columns:
        act, names = normalised_codes(cols("activity"))
    else:
        act, names = np.full(n, -1, dtype=np.int64), []
    base = {normalise_code(k): float(v) for k, v in settings.nonklasikal_credit.items()}
    lookup = np.array([base.get(a, np.nan) for a in names] + [np.nan])
    factor = lookup[act]
    if settings.nonklasikal_credit_by_unit and "unit_id" in events.columns:
        unit_codes, units = cols("unit_id")
        for u, table in settings.nonklasikal_credit_by_unit.items():
            own = {normalise_code(k): float(v) for k, v in table.items()}
            at = [j for j, x in enumerate(units) if str(x) == str(u)]
            if not at:
                continue
            own_lookup = np.array([own.get(a, np.nan) for a in names] + [np.nan])[act]
            mask = (unit_codes == at[0]) & ~np.isnan(own_lookup)
            factor = np.where(mask, own_lookup, factor)
    missing = nonklas & np.isnan(factor)
    unlisted: tuple[str, ...] = ()
    if missing.any():
        seen = np.unique(act[missing])
        unlisted = tuple(sorted({names[k] if k >= 0 else "(activity not recorded)"
                                 for k in seen}))
    return np.where(nonklas & ~np.isnan(factor), factor, 1.0), unlisted


def credited_jp(events: pd.DataFrame, *, config: Any) -> tuple[pd.Series, tuple[str, ...]]:
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
    return _credited(events, config, ColumnCodes(events))


def _credited(events: pd.DataFrame, config: Any, cols: ColumnCodes
              ) -> tuple[pd.Series, tuple[str, ...]]:
    jp = _recorded_jp(events, config.jp.minutes_per_jp)
    factor, unlisted = _credit_factor(events, config.jp, cols)
    return pd.Series(jp * factor, index=events.index, name="jp_credited"), unlisted


# ---- the aggregates per unit-year --------------------------------------------------------------


def part_columns(topics: Mapping[str, Any]) -> list[str]:
    """The JP sums by part, as :class:`TrainingAggregates` and the panel name them."""
    return ([f"jp_{v}" for v in (*COMPETENCY_TYPES, *LEARNING_PATHS)]
            + [f"jp_topic_{t}" for t in topics])


@dataclass(frozen=True)
class TrainingAggregates:
    """What the training table contributes to the panel, computed once.

    ``sums``: one row per unit-year with training: ``unit_id``, ``year``, ``jp_total``,
    ``jp_<type>``, ``jp_<path>``, ``jp_topic_<name>`` (credited JP), ``spend_nominal``
    (NaN when the table has no cost), ``n_records``, ``n_cost_missing``.
    ``persons``: per unit-year, ``n_trained`` and ``n_reached_20jp`` (each ASN counted
    once a year, in the unit where they earned most JP); ``None`` without NIPs.
    ``has_codes``: which of competency_type / learning_path the table records.
    """

    sums: pd.DataFrame
    persons: pd.DataFrame | None
    unlisted: tuple[str, ...] = ()
    has_codes: tuple[str, ...] = ()
    topics: tuple[str, ...] = field(default=())


def _unit_year_codes(events: pd.DataFrame, cols: ColumnCodes
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """A code per row for its unit-year, the sorted unit ids, the unit code per row, the
    year per row and the first year (codes: unit x years + year offset)."""
    codes, uniques = cols("unit_id")
    names = np.array([str(u) for u in uniques], dtype=object)
    order = np.argsort(names, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    unit = rank[codes]
    year = pd.to_numeric(events["year"]).to_numpy(dtype=np.int64)
    y0 = int(year.min()) if len(year) else 0
    n_years = int(year.max()) - y0 + 1 if len(year) else 1
    return unit * n_years + (year - y0), names[order], unit, year, y0


def _sums(events: pd.DataFrame, jp: np.ndarray, key: np.ndarray, topics: Mapping[str, Any],
          size: int, cols: ColumnCodes) -> dict[str, np.ndarray]:
    def total(weights: np.ndarray) -> np.ndarray:
        return np.bincount(key, weights=weights, minlength=size)

    out = {"jp_total": total(jp), "n_records": np.bincount(key, minlength=size).astype(float)}
    for col, values in (("competency_type", COMPETENCY_TYPES), ("learning_path", LEARNING_PATHS)):
        if col not in events.columns:
            continue
        # every code at once: one bincount over unit-year x (code + 1), 0 = no code
        slot = key * (len(values) + 1) + (code_index(cols(col), values).astype(np.int64) + 1)
        parts = np.bincount(slot, weights=jp, minlength=size * (len(values) + 1))
        parts = parts.reshape(size, len(values) + 1)
        for k, v in enumerate(values):
            out[f"jp_{v}"] = parts[:, k + 1]
    if topics:
        if "programme" not in events.columns:
            raise DataValidationError(
                f"{events.attrs.get('file', 'training')}: study.yaml defines topics "
                f"({', '.join(topics)}) but the training table has no programme titles",
                [Problem(file=events.attrs.get("file", "training"), column="programme",
                         message="column missing", rule="topics_need_programme",
                         hint="add the programme or course title of each record (nama "
                              "program), or remove topics: from study.yaml")])
        for name, hit in topic_masks(cols("programme"), topics).items():
            out[f"jp_topic_{name}"] = total(np.where(hit, jp, 0.0))
    if "cost_rp" in events.columns:
        cost = pd.to_numeric(events["cost_rp"], errors="coerce").to_numpy(
            dtype=float, na_value=np.nan)
        out["n_cost_missing"] = total(np.isnan(cost).astype(float))
        out["spend_nominal"] = total(np.nan_to_num(cost, nan=0.0))
    return out


def _home_units(year: np.ndarray, nip: np.ndarray, unit: np.ndarray, jp: np.ndarray,
                weights: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """Per person-year: the unit where the person earned most JP (ties: the first unit
    code), their JP over all units (and the sums of ``weights``)."""
    n_units = int(unit.max()) + 1 if len(unit) else 1
    n_nip = int(nip.max()) + 1 if len(nip) else 1
    y0 = int(year.min()) if len(year) else 0
    person_key = (year - y0) * n_nip + nip
    p_code, p_uniques = pd.factorize(person_key)
    first_unit = np.empty(len(p_uniques), dtype=np.int64)
    first_unit[p_code[::-1]] = unit[::-1]  # the unit of each person's first row
    if (unit == first_unit[p_code]).all():
        # the usual case: every person trained in one unit a year; that unit is home
        totals = {"jp": np.bincount(p_code, weights=jp)}
        totals.update({name: np.bincount(p_code, weights=w) for name, w in weights.items()})
        p_uniques = np.asarray(p_uniques)
        return pd.DataFrame({"year": p_uniques // n_nip + y0, "nip": p_uniques % n_nip,
                             "unit": first_unit, **totals})
    pu_key = person_key * n_units + unit
    pu_code, pu = pd.factorize(pu_key)
    pu = np.asarray(pu)
    pu_jp = np.bincount(pu_code, weights=jp)
    person = pu // n_units
    p_code, p_uniques = pd.factorize(person)
    totals = {"jp": np.bincount(p_code, weights=pu_jp)}
    for name, w in weights.items():
        totals[name] = np.bincount(p_code, weights=np.bincount(pu_code, weights=w))
    # home unit: sort person-units by person, JP (descending), unit code; first per person
    order = np.lexsort((pu % n_units, -pu_jp, p_code))
    first = order[np.r_[True, np.diff(p_code[order]) != 0]]
    home = np.empty(len(p_uniques), dtype=np.int64)
    home[p_code[first]] = (pu % n_units)[first]
    p_uniques = np.asarray(p_uniques)
    return pd.DataFrame({"year": p_uniques // n_nip + y0, "nip": p_uniques % n_nip,
                         "unit": home, **totals})


def aggregate_training(events: pd.DataFrame, *, config: Any) -> TrainingAggregates:
    """The sums and person counts per unit-year behind :func:`training_intensity`.

    Uses ``config.jp`` (entitlement, minutes per JP, nonklasikal credit) and
    ``config.topics`` (programme-title keywords; absent means none).
    """
    _require(events, events.attrs.get("file", "training"), ["unit_id", "year"])
    topics = dict(getattr(config, "topics", {}) or {})
    cols = ColumnCodes(events)
    jp, unlisted = _credited(events, config, cols)
    jp_values = jp.to_numpy()
    key, units, unit, year, y0 = _unit_year_codes(events, cols)
    n_years = int(year.max()) - y0 + 1 if len(year) else 1
    size = len(units) * n_years
    sums = _sums(events, jp_values, key, topics, size, cols)
    present = np.flatnonzero(sums["n_records"] > 0)
    frame = pd.DataFrame({"unit_id": units[present // n_years],
                          "year": present % n_years + y0,
                          **{k: v[present] for k, v in sums.items()}})
    persons = None
    if "nip" in events.columns:
        nip, _ = cols("nip")
        known = nip >= 0  # a record without a NIP adds JP to its unit but counts no person
        per = _home_units(year[known], nip[known], unit[known], jp_values[known], {})
        reached = per["jp"].to_numpy() >= config.jp.entitlement - _JP_EPS
        hkey = per["unit"].to_numpy() * n_years + (per["year"].to_numpy() - y0)
        trained = np.bincount(hkey, weights=(per["jp"].to_numpy() > 0), minlength=size)
        n_reach = np.bincount(hkey, weights=reached, minlength=size)
        persons = pd.DataFrame({"unit_id": units[present // n_years],
                                "year": present % n_years + y0,
                                "n_trained": trained[present],
                                "n_reached_20jp": n_reach[present]})
    has = tuple(c for c in ("competency_type", "learning_path") if c in events.columns)
    return TrainingAggregates(sums=frame, persons=persons, unlisted=unlisted, has_codes=has,
                              topics=tuple(topics))


def person_year_jp(events: pd.DataFrame, *, config: Any) -> pd.DataFrame:
    """Each person's credited JP per year, counted in their home unit (where they
    earned most JP that year; ties: the first unit code).

    Returns
    -------
    DataFrame
        ``year``, ``nip`` (as in the table: pseudonyms after loading), ``unit_id``,
        ``jp``, ``jp_nonklasikal``; one row per person with a training record in a year.
        Persons without any record are not in the table: the staff counts say how many.
    """
    _require(events, events.attrs.get("file", "training"), ["unit_id", "year", "nip"])
    cols = ColumnCodes(events)
    jp = _credited(events, config, cols)[0].to_numpy()
    _, units, unit, year, _ = _unit_year_codes(events, cols)
    nip, nips = cols("nip")
    nonklas = (code_index(cols("learning_path"), LEARNING_PATHS) == 1
               if "learning_path" in events.columns else np.zeros(len(events), dtype=bool))
    known = nip >= 0
    per = _home_units(year[known], nip[known], unit[known], jp[known],
                      {"jp_nonklasikal": np.where(nonklas, jp, 0.0)[known]})
    return pd.DataFrame({"year": per["year"], "nip": nips[per["nip"].to_numpy()],
                         "unit_id": units[per["unit"].to_numpy()], "jp": per["jp"],
                         "jp_nonklasikal": per["jp_nonklasikal"]})
