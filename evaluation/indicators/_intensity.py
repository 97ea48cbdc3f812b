"""Training investment per unit-year (JP per ASN, the 20-JP share, spending at constant
prices, the mix) from the training aggregates and the staff counts; staged-programme
exposure.

Private implementation behind :mod:`evaluation.indicators` (import from there).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataQualityWarning, DataValidationError, Problem
from ._codes import COMPETENCY_TYPES, LEARNING_PATHS
from ._training import TrainingAggregates, aggregate_training, part_columns

_KEYS = ["unit_id", "year"]


def check_unique(df: pd.DataFrame, keys: list[str], file: str) -> None:
    """Raise a :class:`DataValidationError` naming the rows that repeat ``keys``."""
    dup = df.duplicated(keys, keep=False).to_numpy()
    if dup.any():
        rows = np.flatnonzero(dup)
        raise DataValidationError(
            f"{file}: {len(rows)} rows repeat the same {' + '.join(keys)}",
            [Problem(file=file, row=int(i) + 2, column=keys[0],
                     value=" / ".join(str(df[k].iloc[i]) for k in keys), rule="unique_key",
                     message="duplicate row", hint="keep one row per " + " and ".join(keys))
             for i in rows[:50]])


def deflator(cpi: pd.DataFrame, years: Any, *, base_year: int) -> pd.Series:
    """CPI deflator to ``base_year`` prices per year: cpi[base] / cpi[year].

    Examples
    --------
    >>> cpi = pd.DataFrame({"year": [2023, 2024], "cpi": [100.0, 125.0]})
    >>> deflator(cpi, [2023, 2024], base_year=2024).tolist()
    [1.25, 1.0]
    """
    file = cpi.attrs.get("file", "cpi")
    check_unique(cpi, ["year"], file)
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


def staff_counts(staff: pd.DataFrame) -> pd.DataFrame:
    """``unit_id`` (str), ``year`` (int64), ``asn_count`` (float) indexed by unit-year,
    after checking that no unit-year repeats."""
    file = staff.attrs.get("file", "staff")
    missing = [c for c in ("unit_id", "year", "asn_count") if c not in staff.columns]
    if missing:
        raise DataValidationError(f"{file}: required column(s) missing", [
            Problem(file=file, column=c, message="column missing", rule="required_column",
                    hint="add the column (see the README's table reference)")
            for c in missing])
    check_unique(staff, _KEYS, file)
    return pd.DataFrame({
        "unit_id": staff["unit_id"].astype("str").to_numpy(),
        "year": pd.to_numeric(staff["year"]).astype("int64").to_numpy(),
        "asn_count": pd.to_numeric(staff["asn_count"], errors="coerce").to_numpy(
            dtype=float, na_value=np.nan),
    }).set_index(_KEYS)


def _spending(out: pd.DataFrame, agg: TrainingAggregates, cpi: pd.DataFrame | None,
              config: Any, file: str) -> None:
    if "spend_nominal" not in agg.sums.columns:
        out["spend_nominal"] = np.nan
        out["spend_real"] = np.nan
        return
    n_nocost = int(agg.sums["n_cost_missing"].sum())
    if n_nocost:
        warnings.warn(f"{file}: {n_nocost} training record(s) without a cost; spending adds "
                      "up the recorded costs only", DataQualityWarning, stacklevel=4)
    out["spend_nominal"] = out["spend_nominal"].fillna(0.0)
    if cpi is not None:
        years = out.index.get_level_values("year")
        out["spend_real"] = out["spend_nominal"].to_numpy() * deflator(
            cpi, years, base_year=config.base_year).to_numpy()
    else:
        out["spend_real"] = np.nan
        warnings.warn("no CPI table: spending at constant prices (spend_real, "
                      "spend_per_asn_real) is missing; add tables.cpi to study.yaml",
                      DataQualityWarning, stacklevel=4)


def _warn_counts(out: pd.DataFrame, file_st: str) -> None:
    orphan = out["asn_count"].isna() & out["jp_total"].notna()
    if orphan.any():
        listed = ", ".join(f"{u}/{y}" for u, y in out.index[orphan][:10])
        warnings.warn(f"{file_st}: no ASN count for {int(orphan.sum())} unit-year(s) with "
                      f"training ({listed}); their per-ASN measures are missing",
                      DataQualityWarning, stacklevel=4)
    over = out["share_trained"] > 1
    if over.any():
        listed = ", ".join(f"{u}/{y}" for u, y in out.index[over][:10])
        warnings.warn(f"{file_st}: more trained persons than ASN on the staff in "
                      f"{int(over.sum())} unit-year(s) ({listed}); check asn_count",
                      DataQualityWarning, stacklevel=4)


def intensity_columns(topics: Any = ()) -> list[str]:
    """The columns :func:`training_intensity` returns after ``unit_id`` and ``year``."""
    parts = [c.replace("jp_", "jp_per_asn_", 1) for c in part_columns(dict.fromkeys(topics))]
    return ["asn_count", "jp_total", "jp_per_asn", "n_trained", "n_reached_20jp", "share_20jp",
            "share_trained", "spend_nominal", "spend_real", "spend_per_asn_real",
            *[f"share_jp_{v}" for v in (*COMPETENCY_TYPES, *LEARNING_PATHS)], *parts]


def assemble_intensity(agg: TrainingAggregates, staff: pd.DataFrame, *, config: Any,
                       cpi: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`training_intensity` from aggregates already computed (by
    :func:`aggregate_training` or the out-of-core engine)."""
    file_st = staff.attrs.get("file", "staff")
    file_ev = agg.sums.attrs.get("file", "training")
    sums_by_key = agg.sums.set_index(_KEYS)
    out = staff_counts(staff).join(sums_by_key, how="outer").sort_index()
    known = set(agg.sums.columns)
    sums = [c for c in ["jp_total", *part_columns(dict.fromkeys(agg.topics))] if c in known]
    # a unit-year without training has zeros; a summary row that left a part empty keeps
    # it missing (not reported)
    absent = ~out.index.isin(sums_by_key.index)
    out.loc[absent, sums] = out.loc[absent, sums].fillna(0.0)
    if agg.persons is not None:
        persons = agg.persons.set_index(_KEYS)
        out = out.join(persons, how="left")
        absent = ~out.index.isin(persons.index)
        cols = ["n_trained", "n_reached_20jp"]
        out.loc[absent, cols] = out.loc[absent, cols].fillna(0.0)
    else:
        out["n_trained"] = np.nan
        out["n_reached_20jp"] = np.nan
    asn = out["asn_count"].where(out["asn_count"] > 0)
    out["jp_per_asn"] = out["jp_total"] / asn
    out["share_20jp"] = out["n_reached_20jp"] / asn
    out["share_trained"] = out["n_trained"] / asn
    _warn_counts(out, file_st)
    _spending(out, agg, cpi, config, file_ev)
    out["spend_per_asn_real"] = out["spend_real"] / asn
    total = out["jp_total"].where(out["jp_total"] > 0)
    for col in part_columns(dict.fromkeys(agg.topics)):
        per_asn = col.replace("jp_", "jp_per_asn_", 1)
        present = col in known
        out[per_asn] = out[col] / asn if present else np.nan
        if not col.startswith("jp_topic_"):
            out[col.replace("jp_", "share_jp_", 1)] = out[col] / total if present else np.nan
    out = out[intensity_columns(agg.topics)].reset_index()
    out.attrs["jp_credit_unlisted"] = list(agg.unlisted)
    out.attrs["base_year"] = int(config.base_year)
    if agg.unlisted:
        warnings.warn(f"nonklasikal activities not in study.yaml jp.nonklasikal_credit were "
                      f"credited at 1.0 JP per JP: {', '.join(agg.unlisted)}",
                      DataQualityWarning, stacklevel=3)
    return out


def training_intensity(events: pd.DataFrame, staff: pd.DataFrame, *, config: Any,
                       cpi: pd.DataFrame | None = None) -> pd.DataFrame:
    """Training investment per unit-year.

    Parameters
    ----------
    events : DataFrame
        The training table: one row per ASN per activity, with ``unit_id``, ``year``,
        ``nip`` (pseudonymised), ``jp`` and/or ``hours``, and optionally
        ``competency_type``, ``learning_path``, ``activity``, ``programme``, ``cost_rp``.
    staff : DataFrame
        ``unit_id``, ``year``, ``asn_count``: the denominators.
    config : StudyConfig
        Uses ``config.jp`` (entitlement, minutes per JP, nonklasikal credit),
        ``config.topics`` (programme-title keywords) and ``config.base_year`` (price base).
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
        ``share_jp_<learning path>``, ``jp_per_asn_<competency type>``,
        ``jp_per_asn_<learning path>``, ``jp_per_asn_topic_<topic>``.
        ``attrs["jp_credit_unlisted"]`` lists the nonklasikal activities credited at 1.0
        because study.yaml does not list them.

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
      training (0/0), and do not add up to 1 when some records lack the code. JP per ASN
      by type or path is missing when the table does not record the type or path.
    - A topic holds the records whose programme title contains one of its keywords
      (case ignored, at the start of a word); topics may overlap.

    Examples
    --------
    >>> from evaluation.config import JpSettings
    >>> from types import SimpleNamespace
    >>> cfg = SimpleNamespace(jp=JpSettings(), base_year=2024, topics={})
    >>> ev = pd.DataFrame({"unit_id": ["D01", "D01"], "year": [2024, 2024],
    ...                    "nip": ["a", "b"], "jp": [24.0, 6.0]})
    >>> st = pd.DataFrame({"unit_id": ["D01"], "year": [2024], "asn_count": [4]})
    >>> out = training_intensity(ev, st, config=cfg)
    >>> out[["jp_per_asn", "share_20jp", "n_trained"]].iloc[0].tolist()
    [7.5, 0.25, 2.0]
    """
    file_ev = events.attrs.get("file", "training")
    missing = [c for c in ("unit_id", "year") if c not in events.columns]
    if missing:
        raise DataValidationError(f"{file_ev}: required column(s) missing", [
            Problem(file=file_ev, column=c, message="column missing", rule="required_column",
                    hint="add the column (see the README's table reference)")
            for c in missing])
    staff_counts(staff)  # the staff table's own problems before the training's values
    agg = aggregate_training(events, config=config)
    agg.sums.attrs["file"] = file_ev
    return assemble_intensity(agg, staff, config=config, cpi=cpi)


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
    check_unique(prog, ["unit_id"], file)
    cohort = prog.set_index("unit_id")["cohort_year"].astype("Int64")
    out = units_years.copy()
    out["cohort_year"] = out["unit_id"].astype("str").map(cohort).astype("Int64")
    out["event_time"] = (pd.to_numeric(out["year"]).astype("Int64") - out["cohort_year"])
    out["programme_active"] = (out["event_time"] >= 0).fillna(False).astype(bool)
    return out
