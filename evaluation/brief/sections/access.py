"""results.json ``training_access``: who is left behind, from the person-level records.

Per unit (the brief's year) and city-wide (every year of the window): the share of ASN
with no credited JP in the year, the share with none in three consecutive years (a lower
bound), the share of all JP taken by the top 10% of ASN and the Gini coefficient (ASN
without training counted as zero), and the share of JP earned nonklasikal. The numbers
come from :mod:`evaluation.indicators` (``access_counts`` / ``access_measures``); with
the out-of-core engine, from the sums it computed at load. Small groups are suppressed:
a unit with fewer ASN than ``min_cell_size``; a count of persons (no JP, none in three
years) between 1 and ``min_cell_size - 1``; a top 10% smaller than ``min_cell_size``
persons. A study without person-level records says so (``available: false`` and why).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from ...indicators import access_counts, access_measures, person_year_jp
from ..context import AnalysisContext

#: The measures of the block (each a share 0-1).
MEASURES = ("share_no_jp", "share_none_3y", "top10_share", "gini", "share_nonklasikal")


def _counts(ctx: AnalysisContext) -> pd.DataFrame | None:
    aggregates = ctx.study.aggregates
    if aggregates is not None and aggregates.access is not None:
        return aggregates.access
    tables = ctx.study.tables
    if "training" in tables and "staff" in tables:
        person_year = person_year_jp(tables["training"], config=ctx.config)
        return access_counts(person_year, tables["staff"])
    return None


def _value(v: Any) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def _row(rec: Mapping[Any, Any], k: int) -> dict[str, Any]:
    """One group's measures, with small groups and small counts suppressed."""
    n = rec["asn_count"]
    out: dict[str, Any] = {"asn_count": _value(n)}
    if n is None or not n >= k:
        out.update({m: None for m in MEASURES}, suppressed=True, asn_count=None)
        return out
    out.update({m: _value(rec[m]) for m in MEASURES}, suppressed=False)
    for share, count in (("share_no_jp", "n_no_jp"), ("share_none_3y", "n_none_3y")):
        c = rec[count]
        if c is not None and not math.isnan(c) and 0 < c < k:
            out[share] = None
            out[f"{share}_suppressed"] = True
    if n * 0.1 < k:  # the top 10% would be fewer than k persons
        out["top10_share"] = None
        out["top10_share_suppressed"] = True
    return out


def build(ctx: AnalysisContext) -> dict[str, Any] | None:
    """The ``training_access`` block of results.json (docs/results-json.md)."""
    k = int(ctx.min_cell_size)
    counts = _counts(ctx)
    if counts is None:
        unavailable = ctx.panel.attrs.get("unavailable") or {}
        reason = unavailable.get("training_access") or (
            "no_training_records" if "training" not in ctx.study.tables else "no_staff_table")
        return {"available": False, "reason": reason}
    measures = access_measures(counts)
    window = measures[(measures["year"] >= ctx.first_year) & (measures["year"] <= ctx.year)]
    city = window[window["unit_id"].isna()].sort_values("year")
    units = window[window["unit_id"].notna() & (window["year"] == ctx.year)]
    names = ctx.panel_year.set_index("unit_id")["unit_name"] if "unit_name" in ctx.panel_year \
        else pd.Series(dtype="str")
    unit_rows = []
    for rec in units.sort_values("unit_id").to_dict(orient="records"):
        row = {"unit_id": rec["unit_id"], "unit_name": names.get(rec["unit_id"])}
        row.update(_row(rec, k))
        unit_rows.append(row)
    shown = [r for r in unit_rows if r["share_no_jp"] is not None]
    most = sorted(shown, key=lambda r: -r["share_no_jp"])[:3]
    trend = [{"year": int(r["year"]), **_row(r, k)} for r in city.to_dict(orient="records")]
    this_year = next((t for t in trend if t["year"] == ctx.year), None)
    return {
        "available": True,
        "year": ctx.year,
        "source": ctx.panel.attrs.get("training_source") or "training",
        "min_cell_size": k,
        "lower_bound": ["share_none_3y"],
        "city": this_year,
        "city_trend": trend,
        "units": unit_rows,
        "most_without_jp": [r["unit_id"] for r in most],
        "n_units_suppressed": sum(1 for r in unit_rows if r["suppressed"]),
    }
