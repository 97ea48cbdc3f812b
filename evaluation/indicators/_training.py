"""Training intensity per unit-year: credited JP, 20-JP compliance, constant-price spending.

Private implementation behind :mod:`evaluation.indicators`, which re-exports the public
names (import them from there): :func:`credited_jp` (JP per training record, with the
nonklasikal credit of ``study.yaml``), :func:`deflator` (CPI to base-year prices),
:func:`training_intensity` (JP per ASN, PP 11/2017 Pasal 203(4) compliance, spending and
the competency / learning-path mix) and :func:`programme_exposure` for staged programmes.

Every function is pure: DataFrames with the canonical column names of
:mod:`evaluation.columns` in, DataFrames out. Nothing here reads or writes files.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import DataQualityWarning, DataValidationError, Problem

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

