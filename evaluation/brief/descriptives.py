"""The descriptive blocks of ``results.json``: the brief year's city picture, unit rows, caveats.

Pure functions of the panel (and the headline row, for the cost per IKM point): the IKM
categories, the 20-JP entitlement, the per-unit rows (small units suppressed), the caveat
codes, and the blocks every results.json carries (study, window, parameters, provenance).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .. import provenance
from ..config import StudyConfig
from ..estimate.results import json_safe
from ..i18n import ikm_label
from ..indicators import IKM_CATEGORIES, ikm_category
from ..panel import describe_panel
from ..study import Study
from .steps import HEADLINE_SCALE, lagged

SCHEMA_VERSION = 1
#: Below this many clusters, cluster-robust inference needs care (caveat ``few_clusters``).
FEW_CLUSTERS = 50
#: Below this many clusters, even careful inference is rough (``very_few_clusters``).
VERY_FEW_CLUSTERS = 20

IKM_CODES = tuple(code for _, code, _, _ in IKM_CATEGORIES)


def cost_per_ikm_point(panel_year: pd.DataFrame, headline: Mapping[str, Any], base_year: int
                       ) -> dict[str, Any] | None:
    """Rupiah per ASN (constant prices) that go with one more IKM point.

    Average real spending per JP in the brief's year divided by the IKM points per JP per
    ASN; the interval inverts the headline's interval, and is open when that interval
    reaches zero (then no finite cost can be stated).
    """
    if headline.get("exposure") != "jp_per_asn" or headline.get("outcome") != "ikm":
        return None
    spend = panel_year.get("spend_real")
    jp = panel_year.get("jp_total")
    if spend is None or jp is None or jp.sum() <= 0:
        return None
    rp_per_jp = float(spend.sum() / jp.sum())
    b, lo, hi = headline["estimate"], headline["conf_low"], headline["conf_high"]
    if b is None or b <= 0:
        return {"estimate": None, "conf_low": None, "conf_high": None, "rp_per_jp": rp_per_jp,
                "defined": False, "unit": f"Rp per ASN, harga konstan {base_year}",
                "unit_en": f"IDR per ASN, constant {base_year} prices"}
    finite = lo is not None and lo > 0
    return json_safe({
        "estimate": rp_per_jp / b,
        "conf_low": rp_per_jp / hi if hi else None,
        "conf_high": rp_per_jp / lo if finite else None,
        "rp_per_jp": rp_per_jp,
        "defined": True,
        "upper_open": not finite,
        "unit": f"Rp per ASN, harga konstan {base_year}",
        "unit_en": f"IDR per ASN, constant {base_year} prices",
    })


def ikm_categories(panel_year: pd.DataFrame) -> list[dict[str, Any]]:
    """Units per IKM category (A-D) in the brief's year, with their names (agencies: public)."""
    out = []
    for cat in IKM_CODES:
        rows = panel_year[panel_year["ikm_category"].astype("string") == cat]
        out.append({
            "category": cat,
            "label_id": ikm_label(cat, "id"),
            "label_en": ikm_label(cat, "en"),
            "n_units": int(len(rows)),
            "units": sorted(rows["unit_name"].astype(str).tolist()),
        })
    return out


def jp20(panel_year: pd.DataFrame, entitlement: float) -> dict[str, Any]:
    """The share of ASN reaching the JP entitlement, city-wide, and the units at the ends."""
    asn = panel_year["asn_count"].astype(float)
    share = panel_year["share_20jp"].astype(float)
    reached = float((share * asn).sum())
    total = float(asn.sum())
    top = panel_year.sort_values("share_20jp", ascending=False)
    return json_safe({
        "entitlement_jp": entitlement,
        "share_asn": reached / total if total else None,
        "n_asn": total,
        "n_units": int(len(panel_year)),
        "n_units_all_reach": int((share >= 0.999).sum()),
        "n_units_below_half": int((share < 0.5).sum()),
        "lowest_units": top.tail(3)["unit_name"].astype(str).tolist()[::-1],
        "highest_units": top.head(3)["unit_name"].astype(str).tolist(),
    })


def city_picture(panel_year: pd.DataFrame) -> dict[str, Any]:
    """The city as one number per measure, for one year.

    City IKM: the units' IKM weighted by their SKM respondents (the pooled survey's index
    when every unit weighs its elements alike), or the plain mean of units without
    respondent counts; its category. The 20-JP share: ASN reaching the entitlement over
    all ASN. Spending per ASN at constant prices: total real spending over all ASN.
    """
    asn = _numbers(panel_year, "asn_count")
    out: dict[str, Any] = {"n_units": int(len(panel_year))}
    if asn is not None and asn.notna().any():
        out.update(n_asn=float(asn.sum()), median_unit_asn=float(asn.median()))
    ikm = _numbers(panel_year, "ikm")
    if ikm is not None:
        out.update(_city_ikm(ikm, _numbers(panel_year, "ikm_n_respondents")))
    share = _numbers(panel_year, "share_20jp")
    if share is not None and asn is not None:
        both = share.notna() & asn.notna()
        total = float(asn[both].sum())
        out["share_20jp"] = float((share[both] * asn[both]).sum() / total) if total else None
        out["n_asn_below_entitlement"] = float(((1 - share[both]) * asn[both]).sum())
    spend = _numbers(panel_year, "spend_real")
    if spend is not None and asn is not None:
        both = spend.notna() & asn.notna()
        total = float(asn[both].sum())
        out["spend_per_asn_real"] = float(spend[both].sum() / total) if total else None
    return json_safe(out)


def _numbers(frame: pd.DataFrame, column: str) -> pd.Series | None:
    if column not in frame:
        return None
    return pd.Series(pd.to_numeric(frame[column], errors="coerce"), index=frame.index)


def _city_ikm(ikm: pd.Series, respondents: pd.Series | None) -> dict[str, Any]:
    has = ikm.notna()
    if not has.any():
        return {"ikm": None, "ikm_category": None, "n_units_with_ikm": 0}
    weighted = (respondents is not None and bool(respondents[has].notna().all())
                and float(respondents[has].sum()) > 0)
    value = (float(np.average(ikm[has], weights=respondents[has]))
             if weighted and respondents is not None else float(ikm[has].mean()))
    return {"ikm": value, "ikm_category": str(ikm_category(pd.Series([value])).iloc[0]),
            "ikm_weighting": "respondents" if weighted else "units",
            "n_units_with_ikm": int(has.sum())}


def since_last_year(panel: pd.DataFrame, year: int) -> dict[str, Any] | None:
    """The city a year earlier and the units whose IKM category changed since."""
    before = panel[panel["year"] == year - 1]
    now = panel[panel["year"] == year]
    if before.empty or now.empty:
        return None
    out: dict[str, Any] = {"year": year - 1, "city": city_picture(before)}
    if "ikm_category" in panel:
        rank = {code: i for i, code in enumerate(IKM_CODES)}  # A best
        old = before.set_index("unit_id")["ikm_category"].astype("string")
        new = now.set_index("unit_id")["ikm_category"].astype("string")
        names = now.set_index("unit_id")["unit_name"].astype(str)
        both = old.index.intersection(new.index)
        moves = [(names[u], rank.get(str(old[u])), rank.get(str(new[u]))) for u in both
                 if pd.notna(old[u]) and pd.notna(new[u])]
        out["units_up"] = sorted(n for n, a, b in moves if a is not None and b is not None
                                 and b < a)
        out["units_down"] = sorted(n for n, a, b in moves if a is not None and b is not None
                                   and b > a)
    return json_safe(out)


def exposure_changes(window: pd.DataFrame, exposure: str, scale: float) -> dict[str, Any] | None:
    """How large the headline's step (e.g. 10 JP) is next to what units actually do.

    From one year to the next within a unit: the median absolute change, the share of
    changes at least one step large, and the share of units that moved by a step at least
    once in the window (largest minus smallest value).
    """
    if exposure not in window:
        return None
    frame = window[["unit_id", "year", exposure]].dropna().sort_values(["unit_id", "year"])
    gap = frame.groupby("unit_id")["year"].diff()
    change = frame.groupby("unit_id")[exposure].diff().abs()[gap == 1]
    if change.empty:
        return None
    spread = frame.groupby("unit_id")[exposure].agg(lambda x: x.max() - x.min())
    return json_safe({
        "exposure": exposure, "scale": scale, "n_changes": int(len(change)),
        "median_abs_change": float(change.median()),
        "p90_abs_change": float(change.quantile(0.9)),
        "share_changes_at_least_scale": float((change >= scale).mean()),
        "share_units_moved_by_scale": float((spread >= scale).mean()),
    })


def unit_rows(panel_year: pd.DataFrame, exposure: str, lag: int, k: int) -> list[dict[str, Any]]:
    """One row per unit in the brief's year; per-person figures of units under ``k`` ASN
    are suppressed."""
    cols = ["unit_id", "unit_name", "sector", "asn_count", "jp_per_asn", lagged(exposure, lag),
            "ikm", "ikm_category", "ikm_n_respondents", "ikm_sample_adequate", "share_20jp",
            "iku_achievement"]
    cols = list(dict.fromkeys(c for c in cols if c in panel_year.columns))
    rows = []
    for rec in panel_year[cols].to_dict(orient="records"):
        small = rec.get("asn_count") is not None and rec["asn_count"] < k
        if small:
            # a unit with fewer ASN than the minimum cell: its per-person figures could
            # identify people; show "< k" instead
            for c in ("asn_count", "jp_per_asn", lagged(exposure, lag), "share_20jp"):
                if c in rec:
                    rec[c] = None
        rec["suppressed"] = bool(small)
        rows.append(json_safe(rec))
    return rows


def analysis_caveats(config: StudyConfig, headline: Mapping[str, Any], panel_win: pd.DataFrame,
                 programme: Mapping[str, Any] | None, outcome: str, exposure_col: str
                 ) -> list[str]:
    """The caveat codes the analysis itself can state (the brief derives a few more)."""
    caveats = []
    if config.synthetic:
        caveats.append("synthetic")
    n_clusters = headline.get("n_clusters") or 0
    if n_clusters < FEW_CLUSTERS:
        caveats.append("few_clusters")
    if n_clusters < VERY_FEW_CLUSTERS:
        caveats.append("very_few_clusters")
    if (headline.get("n_obs") or 0) < 100:
        caveats.append("small_sample")
    miss = panel_win[[outcome, exposure_col]].isna().any(axis=1).mean()
    if miss > 0.05:
        caveats.append("missing_data")
    if "ikm_sample_adequate" in panel_win:
        adequate = panel_win["ikm_sample_adequate"].astype("boolean")
        if (adequate == False).any():  # noqa: E712 - nullable boolean
            caveats.append("ikm_sample_inadequate")
    if programme and programme.get("pretrend") and programme["pretrend"].get("passed") is False:
        caveats.append("pretrend_failed")
    lo, hi = headline.get("conf_low"), headline.get("conf_high")
    if lo is not None and hi is not None and lo <= 0 <= hi:
        caveats.append("headline_includes_zero")
    return caveats


def descriptives(config: StudyConfig, window: pd.DataFrame, panel_year: pd.DataFrame,
                 headline_row: Mapping[str, Any] | None) -> dict[str, Any]:
    """The ``descriptives`` block: the window's panel summary and the brief year's picture."""
    desc = describe_panel(window)
    desc = dict(desc) if isinstance(desc, Mapping) else {}
    # missing shares of the measures the analysis uses (a never-treated unit's empty
    # cohort year is not missing data)
    roles = {*config.measures.investment, *config.measures.quality,
             *config.measures.outcome, *config.measures.control}
    desc["missing_share"] = {k: v for k, v in desc.get("missing_share", {}).items() if k in roles}
    desc.update({
        "ikm_categories": ikm_categories(panel_year) if "ikm_category" in panel_year else [],
        "jp20": jp20(panel_year, config.jp.entitlement) if "share_20jp" in panel_year else None,
        "cost_per_ikm_point": (cost_per_ikm_point(panel_year, headline_row, config.base_year)
                               if headline_row else None),
        "n_units_year": int(len(panel_year)),
        "ikm_sample_inadequate_units": sorted(
            panel_year.loc[panel_year["ikm_sample_adequate"].astype("boolean") == False,  # noqa: E712
                           "unit_name"].astype(str).tolist()
        ) if "ikm_sample_adequate" in panel_year else [],
        "price_base_year": config.base_year,
        "city": city_picture(panel_year),
        "since_last_year": (since_last_year(window, int(panel_year["year"].iloc[0]))
                            if len(panel_year) else None),
        "exposure_changes": exposure_changes(window, config.headline.exposure,
                                             HEADLINE_SCALE.get(config.headline.exposure, 1.0)),
    })
    return desc


def common_blocks(config: StudyConfig, study: Study, *, year: int, first_year: int,
                  parameters: Mapping[str, Any], window: pd.DataFrame,
                  panel_year: pd.DataFrame, headline_row: Mapping[str, Any] | None
                  ) -> dict[str, Any]:
    """The blocks every results.json has, estimated or descriptive."""
    prov = provenance.collect(config)
    return {
        "schema_version": SCHEMA_VERSION,
        "study": {
            "name": config.name, "title": config.title, "title_en": config.title_en,
            "region": config.region, "synthetic": config.synthetic,
            "unit_level": config.unit_level, "min_cell_size": config.min_cell_size,
            "issuer": config.issuer,
            "programme_name": config.programme.name, "programme_name_en": config.programme.name_en,
        },
        "year": year,
        "window": {"first": first_year, "last": year},
        "parameters": json_safe(dict(parameters)),
        "provenance": json_safe({
            **prov, "run_id": f"{config.name}-{year}-{study.data_sha256[:12]}",
            "data_sha256": study.data_sha256, "inputs": dict(study.inputs)}),
        "descriptives": descriptives(config, window, panel_year, headline_row),
    }


__all__ = [
    "FEW_CLUSTERS",
    "IKM_CODES",
    "SCHEMA_VERSION",
    "VERY_FEW_CLUSTERS",
    "analysis_caveats",
    "common_blocks",
    "cost_per_ikm_point",
    "descriptives",
    "city_picture",
    "exposure_changes",
    "ikm_categories",
    "jp20",
    "since_last_year",
    "unit_rows",
]
