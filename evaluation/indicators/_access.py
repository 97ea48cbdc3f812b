"""Who is left behind: how credited JP are spread over a unit's ASN, from person-level records.

Per unit-year and city-wide per year: the share of ASN with no credited JP in the year;
the share with none in three consecutive years; the share of all JP taken by the top 10%
of ASN and the Gini coefficient (ASN without training counted as zero JP); the share of
JP earned nonklasikal. Each ASN is counted once a year, in the unit where they earned
most JP (as for the 20-JP share), and the staff table gives the ASN count.

The work is split in two so that the in-memory path and the out-of-core engine share the
formulas: :func:`access_counts` reduces person-year JP to a few sums per group (done in
SQL by the engine on national data), and :func:`access_measures` turns those sums into
the measures.

Three consecutive years. Persons are known only through their training records: an ASN
of year t who trained in t-1 or t-2 but not in t is taken to be still in the unit where
they last trained, even if they have since left. The share with no JP in three years is
therefore a lower bound (``share_none_3y_lower_bound``); it is missing for the first two
years of the data.

Private implementation behind :mod:`evaluation.indicators` (import from there).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The sums per group that the measures are made from (see :func:`access_measures`).
COUNT_COLUMNS = ("n_trained", "jp", "jp_nonklasikal", "sum_rank_jp", "top10_jp",
                 "n_recent_not_now")
_TOP = 0.10


def _group_sums(frame: pd.DataFrame, group: list[str], asn: pd.Series) -> pd.DataFrame:
    """Sums per group over the trained persons: count, JP, nonklasikal JP, sum of
    (ascending rank among the trained) x JP, and the JP of the top 10% of the group's
    ASN (whole persons from the top, then a fraction of the next; the untrained are at
    the bottom with zero)."""
    trained = frame[frame["jp"] > 0].sort_values([*group, "jp"], kind="stable")
    keys = [trained[g].to_numpy() for g in group]
    by = trained.groupby(keys, sort=True)
    rank = by.cumcount().to_numpy() + 1  # ascending among the trained
    size = by["jp"].transform("size").to_numpy()
    where = pd.MultiIndex.from_arrays(keys) if len(group) > 1 else pd.Index(keys[0])
    k = asn.reindex(where).to_numpy(dtype=float) * _TOP
    whole = np.floor(k)
    desc = size - rank + 1  # 1 = most JP
    weight = np.where(desc <= whole, 1.0, np.where(desc == whole + 1, k - whole, 0.0))
    jp = trained["jp"].to_numpy()
    parts = pd.DataFrame({"n_trained": np.ones(len(jp)), "jp": jp,
                          "jp_nonklasikal": trained["jp_nonklasikal"].to_numpy(),
                          "sum_rank_jp": jp * rank, "top10_jp": jp * weight})
    out = parts.groupby(keys, sort=True).sum()
    out.index.names = group
    return out


def access_counts(person_year: pd.DataFrame, staff: pd.DataFrame) -> pd.DataFrame:
    """The sums behind the access measures, per unit-year and per city-year.

    Parameters
    ----------
    person_year : DataFrame
        ``year``, ``nip``, ``unit_id`` (home unit), ``jp``, ``jp_nonklasikal``: one row per
        person with a training record in a year (:func:`person_year_jp`).
    staff : DataFrame
        ``unit_id``, ``year``, ``asn_count``.

    Returns
    -------
    DataFrame
        ``unit_id`` (``None`` for the whole city), ``year``, ``asn_count`` and
        :data:`COUNT_COLUMNS`.
    """
    st = staff_frame(staff)
    py = pd.DataFrame({"year": pd.to_numeric(person_year["year"]).astype("int64").to_numpy(),
                       "nip": person_year["nip"].to_numpy(),
                       "unit_id": person_year["unit_id"].astype("str").to_numpy(),
                       "jp": person_year["jp"].to_numpy(dtype=float),
                       "jp_nonklasikal": person_year["jp_nonklasikal"].to_numpy(dtype=float)})
    recent = _recent_not_now(py)
    by_unit = _group_sums(py, ["unit_id", "year"], st.set_index(["unit_id", "year"])["asn_count"])
    by_city = _group_sums(py, ["year"], st.groupby("year")["asn_count"].sum(min_count=1))
    by_unit["n_recent_not_now"] = recent.groupby(["unit_id", "year"]).size()
    by_city["n_recent_not_now"] = recent.groupby("year").size()
    first = int(py["year"].min()) if len(py) else None
    return assemble_counts(st, by_unit.reset_index(), by_city.reset_index(), first)


def staff_frame(staff: pd.DataFrame) -> pd.DataFrame:
    """``unit_id`` (str), ``year`` (int64), ``asn_count`` (float)."""
    return pd.DataFrame({"unit_id": staff["unit_id"].astype("str").to_numpy(),
                         "year": pd.to_numeric(staff["year"]).astype("int64").to_numpy(),
                         "asn_count": pd.to_numeric(staff["asn_count"], errors="coerce")
                         .to_numpy(dtype=float)})


def assemble_counts(staff: pd.DataFrame, by_unit: pd.DataFrame, by_city: pd.DataFrame,
                    first_year: int | None) -> pd.DataFrame:
    """One frame of counts: every staff unit-year (no training: zeros), then the city
    per year; ``n_recent_not_now`` is missing for the first two years of the data."""
    units = staff.merge(by_unit, on=["unit_id", "year"], how="left")
    city = (staff.groupby("year")["asn_count"].sum(min_count=1).rename("asn_count")
            .reset_index().merge(by_city, on="year", how="left"))
    city.insert(0, "unit_id", None)
    out = pd.concat([units, city], ignore_index=True)
    out[list(COUNT_COLUMNS)] = out.reindex(columns=list(COUNT_COLUMNS)).astype(float).fillna(0.0)
    if first_year is None:
        out["n_recent_not_now"] = np.nan
    else:
        out["n_recent_not_now"] = out["n_recent_not_now"].where(out["year"] >= first_year + 2)
    return out


def _recent_not_now(py: pd.DataFrame) -> pd.DataFrame:
    """Per year t: persons who trained in t-1 or t-2 but not in t, with the unit where
    they last trained."""
    trained = py.loc[py["jp"] > 0, ["year", "nip", "unit_id"]]
    parts = []
    for lag in (1, 2):
        moved = trained.assign(year=trained["year"] + lag, last=trained["year"])
        parts.append(moved)
    recent = pd.concat(parts, ignore_index=True).sort_values(["nip", "year", "last"])
    recent = recent.drop_duplicates(["nip", "year"], keep="last")
    now = pd.MultiIndex.from_frame(trained[["nip", "year"]])
    keep = ~pd.MultiIndex.from_frame(recent[["nip", "year"]]).isin(now)
    return recent.loc[keep, ["unit_id", "year"]]


def access_measures(counts: pd.DataFrame) -> pd.DataFrame:
    """The access measures from :func:`access_counts` (or the engine's equivalent).

    Returns
    -------
    DataFrame
        ``unit_id`` (``None``: city), ``year``, ``asn_count``, ``n_no_jp``,
        ``share_no_jp``, ``n_none_3y``, ``share_none_3y`` (a lower bound, see the module
        docstring), ``top10_share``, ``gini``, ``share_nonklasikal``.

    Examples
    --------
    >>> py = pd.DataFrame({"year": [2024] * 3, "nip": ["a", "b", "c"],
    ...                    "unit_id": ["D01"] * 3, "jp": [30.0, 10.0, 0.0],
    ...                    "jp_nonklasikal": [0.0, 10.0, 0.0]})
    >>> staff = pd.DataFrame({"unit_id": ["D01"], "year": [2024], "asn_count": [10]})
    >>> m = access_measures(access_counts(py, staff)).iloc[0]
    >>> m["share_no_jp"], m["top10_share"], m["share_nonklasikal"]
    (np.float64(0.8), np.float64(0.75), np.float64(0.25))
    """
    n = counts["asn_count"].to_numpy(dtype=float)
    m = counts["n_trained"].to_numpy(dtype=float)
    total = counts["jp"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        valid = (n > 0) & (m <= n)
        zeros = n - m
        gini = (2 * (counts["sum_rank_jp"].to_numpy(dtype=float) + zeros * total)
                / (n * total) - (n + 1) / n)
        n_none = np.maximum(n - m - counts["n_recent_not_now"].to_numpy(dtype=float), 0.0)
        out = pd.DataFrame({
            "unit_id": counts["unit_id"].to_numpy(), "year": counts["year"].to_numpy(),
            "asn_count": n,
            "n_no_jp": np.where(valid, n - m, np.nan),
            "share_no_jp": np.where(valid, (n - m) / n, np.nan),
            "n_none_3y": np.where(valid, n_none, np.nan),
            "share_none_3y": np.where(valid, n_none / n, np.nan),
            "top10_share": np.where(valid & (total > 0),
                                    counts["top10_jp"].to_numpy(dtype=float) / total, np.nan),
            "gini": np.where(valid & (total > 0), gini, np.nan),
            "share_nonklasikal": np.where(total > 0, counts["jp_nonklasikal"].to_numpy(
                dtype=float) / total, np.nan),
        })
    return out
