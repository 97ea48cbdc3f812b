"""``regional_context``: the city's trend beside its province's and its peers', as context.

From the study's ``regional`` table (e.g. BPS IPM via ``evaluation.read.bps``): for each
indicator, the city's value in the first and last year of the estimation window up to the
brief's year, its province's, and the mean of its peers (the other regions of the same
level, e.g. the other kota). Descriptive only: the brief says so and never reads it as an
effect of training. ``None`` when the study has no regional table or the city is not in it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ...read.bps import region_code
from ..context import AnalysisContext

#: At most this many indicators reach the brief (IPM first when present).
MAX_INDICATORS = 2
_NOT_INDICATORS = {"unit_id", "unit_name", "year", "series", "level", "province"}


def build(ctx: AnalysisContext) -> dict[str, Any] | None:
    table = ctx.study.tables.get("regional")
    if table is None or table.empty or "unit_id" not in table:
        return None
    region = ctx.config.region
    level = "kabupaten" if region.lower().startswith("kab") else "kota"
    city = region_code(region, level)
    codes = table["unit_id"].astype(str)
    if city not in set(codes):
        return None
    years = table["year"].astype(int)
    table = table[(years >= ctx.first_year) & (years <= ctx.year)]
    prefix = city.split("_", 1)[0] + "_"
    roles = {"city": codes == city, "province": codes.str.startswith("prov_"),
             "peers": codes.str.startswith(prefix) & (codes != city)}
    numeric = [c for c in table.columns if c not in _NOT_INDICATORS
               and pd.api.types.is_numeric_dtype(table[c].dtype)]
    numeric.sort(key=lambda c: (c != "ipm", c))
    indicators = [block for c in numeric[:MAX_INDICATORS]
                  if (block := _indicator(table, c, {k: v.loc[table.index]
                                                     for k, v in roles.items()}))]
    if not indicators:
        return None
    return {"region": region, "region_code": city, "indicators": indicators,
            "descriptive_only": True}


def _indicator(table: pd.DataFrame, column: str, roles: dict[str, pd.Series]
               ) -> dict[str, Any] | None:
    city = table.loc[roles["city"], ["year", column]].dropna()
    if len(city) < 2:
        return None
    first, last = int(city["year"].min()), int(city["year"].max())
    out: dict[str, Any] = {"measure": column, "first": first, "last": last,
                           "city": _ends(city, column, first, last)}
    province = table.loc[roles["province"]]
    if not province.empty:
        name = str(province["unit_name"].iloc[0]) if "unit_name" in province else "province"
        ends = _ends(province[["year", column]].dropna(), column, first, last)
        out["province"] = {"name": name, **ends} if ends["start"] is not None else None
    peers = table.loc[roles["peers"], ["unit_id", "year", column]].dropna()
    both = peers.groupby("unit_id")["year"].agg(lambda y: {first, last} <= set(y))
    peers = peers[peers["unit_id"].isin(both[both].index)]
    if not peers.empty:
        means = peers.groupby("year")[column].mean().reset_index()
        out["peers"] = {"n": int(peers["unit_id"].nunique()), **_ends(means, column, first, last)}
    return out


def _ends(frame: pd.DataFrame, column: str, first: int, last: int) -> dict[str, Any]:
    def at(year: int) -> float | None:
        rows = frame.loc[frame["year"].astype(int) == year, column]
        return float(rows.iloc[0]) if len(rows) else None

    return {"start": at(first), "end": at(last)}


__all__ = ["build"]
