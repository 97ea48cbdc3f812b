"""Hand-made results dicts (``docs/results-json.md``) for the brief's tests.

Each builder returns a fresh dict, so a test may change it freely. The numbers are invented
for the scenario each builder names; none comes from running the estimators. Unit names are
agency names (public); no person appears anywhere.
"""

from __future__ import annotations

import copy
import math

_AGENCIES = [
    "Dinas Kependudukan dan Pencatatan Sipil", "Dinas Penanaman Modal dan PTSP", "Dinas Kesehatan",
    "Dinas Pendidikan", "Dinas Perhubungan", "Dinas Lingkungan Hidup", "Dinas Sosial",
    "Dinas Pekerjaan Umum", "Dinas Perdagangan", "Dinas Koperasi dan UMKM",
    "Badan Pendapatan Daerah", "Badan Kepegawaian, Pendidikan dan Pelatihan (BKPP)",
    "Bappeda", "Satpol PP", "RSUD K.R.M.T. Wongsonegoro", "Kecamatan Semarang Tengah",
    "Kecamatan Semarang Utara", "Kecamatan Semarang Timur", "Kecamatan Gayamsari",
    "Kecamatan Genuk", "Kecamatan Pedurungan", "Kecamatan Tembalang", "Kecamatan Banyumanik",
    "Kecamatan Gunungpati", "Kecamatan Mijen", "Kecamatan Ngaliyan", "Kecamatan Tugu",
    "Kecamatan Semarang Barat", "Kecamatan Semarang Selatan", "Kecamatan Candisari",
    "Kecamatan Gajahmungkur", "Puskesmas Pandanaran", "Puskesmas Halmahera", "Puskesmas Bandarharjo",
    "Puskesmas Kedungmundu", "Puskesmas Rowosari", "Puskesmas Ngesrep", "Puskesmas Srondol",
    "Puskesmas Mijen", "Puskesmas Tlogosari Kulon",
]


def _category(ikm: float) -> str:
    if ikm >= 88.31:
        return "A"
    if ikm >= 76.61:
        return "B"
    if ikm >= 65.0:
        return "C"
    return "D"


_LABELS = {"A": ("Sangat Baik", "Very good"), "B": ("Baik", "Good"),
           "C": ("Kurang Baik", "Poor"), "D": ("Tidak Baik", "Very poor")}


def _units(n: int, slope: float, base: float = 70.0) -> list[dict]:
    """``n`` agencies whose IKM rises with lagged JP per ASN by ``slope`` points per JP."""
    rows = []
    for i in range(n):
        jp_lag = 8.0 + (i * 37 % 29)  # spread 8..36 JP, deterministic
        wobble = 3.0 * math.sin(i * 1.7)
        ikm = round(min(97.0, base + slope * jp_lag + wobble), 2)
        rows.append({
            "unit_id": f"U{i + 1:03d}",
            "unit_name": _AGENCIES[i % len(_AGENCIES)] + ("" if i < len(_AGENCIES) else f" {i}"),
            "jp_per_asn": round(jp_lag + 1.5, 1),
            "jp_per_asn_lag1": jp_lag,
            "ikm": ikm,
            "ikm_category": _category(ikm),
            "share_20jp": round(min(1.0, jp_lag / 30), 3),
            "asn_count": 40 + 7 * i,
            "ikm_sample_adequate": True,
            "suppressed": False,
        })
    return rows


def _categories(units: list[dict]) -> list[dict]:
    out = []
    for cat in "ABCD":
        names = [u["unit_name"] for u in units if u.get("ikm_category") == cat
                 and not u.get("suppressed")]
        out.append({"category": cat, "label_id": _LABELS[cat][0], "label_en": _LABELS[cat][1],
                    "n_units": len(names), "units": names})
    return out


def clear_positive() -> dict:
    """A clear positive association, 40 agencies, wild-bootstrap inference, no programme."""
    units = _units(40, slope=0.6)
    return {
        "schema_version": 1,
        "study": {"name": "uji", "title": "Studi uji ringkasan", "title_en": "Brief test study",
                  "region": "Kota Semarang", "synthetic": False, "unit_level": "opd",
                  "min_cell_size": 5, "issuer": "BKPP Kota Semarang"},
        "year": 2024,
        "window": {"first": 2017, "last": 2024},
        "parameters": {"study": "data/uji", "year": 2024, "seed": 2026, "lang": "id"},
        "provenance": {
            "run_id": "uji-2024-0123456789ab",
            "data_sha256": "0123456789abcdef" * 4,
            "inputs": {"units.csv": "ab" * 32},
            "git_commit": "fedcba9876543210fedcba9876543210fedcba98", "git_dirty": False,
            "packages": {"pandas": "3.1.1", "pyfixest": "0.30.2", "weasyprint": "70.0"},
            "toolkit_version": "0.1.0",
        },
        "estimates": [
            {"id": "headline", "model": "panel_fe", "outcome": "ikm", "exposure": "jp_per_asn",
             "term": "jp_per_asn_lag1", "lag": 1, "estimate": 0.081, "std_error": 0.012,
             "statistic": 6.75, "p_value": 0.0004, "conf_low": 0.058, "conf_high": 0.104,
             "conf_level": 0.95, "inference": "wild_cluster_restricted",
             "inference_reason": "40 clusters < 50: wild cluster bootstrap",
             "vcov_convention": "CR1", "n_obs": 320, "n_units": 40, "n_years": 8,
             "n_clusters": 40, "fixed_effects": ["unit_id", "year"], "controls": [],
             "sample": "all units", "outcome_unit": "poin IKM (25-100)",
             "exposure_unit": "JP per ASN per tahun"},
            {"id": "lag0", "model": "panel_fe", "outcome": "ikm", "exposure": "jp_per_asn",
             "term": "jp_per_asn", "lag": 0, "estimate": 0.052, "std_error": 0.015,
             "statistic": 3.5, "p_value": 0.001, "conf_low": 0.022, "conf_high": 0.082,
             "conf_level": 0.95, "inference": "wild_cluster_restricted", "n_obs": 360,
             "n_units": 40, "n_years": 9, "n_clusters": 40},
        ],
        "headline": {"estimate_id": "headline", "scale": 10,
                     "scaled": {"estimate": 0.81, "conf_low": 0.58, "conf_high": 1.04}},
        "correlations": [],
        "distributed_lags": {
            "outcome": "ikm", "exposure": "jp_per_asn",
            "lags": [{"lag": 0, "estimate": 0.03, "conf_low": 0.0, "conf_high": 0.06},
                     {"lag": 1, "estimate": 0.07, "conf_low": 0.04, "conf_high": 0.1},
                     {"lag": 2, "estimate": 0.02, "conf_low": -0.01, "conf_high": 0.05}],
            "cumulative": {"estimate": 0.12, "std_error": 0.03, "conf_low": 0.06,
                           "conf_high": 0.18},
            "placebo_lead": {"estimate": 0.004, "p_value": 0.74},
        },
        "programme": None,
        "dose_response": None,
        "chain": None,
        "mde": {"outcome": "ikm", "exposure": "jp_per_asn_lag1", "value": 0.034,
                "scaled_value": 0.34, "scale": 10, "alpha": 0.05, "power": 0.8, "reps": 500,
                "unit": "poin IKM"},
        "robustness": {
            "specifications": [
                {"name": "lag0", "label_id": "Tanpa lag", "label_en": "No lag",
                 "estimate": 0.052, "conf_low": 0.022, "conf_high": 0.082, "p_value": 0.001},
                {"name": "no_bkpp", "label_id": "Tanpa BKPP", "label_en": "Without BKPP",
                 "estimate": 0.079, "conf_low": 0.05, "conf_high": 0.11, "p_value": 0.0006},
                {"name": "regulation_weights", "label_id": "Bobot 0,11",
                 "label_en": "Weights 0.11", "estimate": 0.08, "conf_low": 0.056,
                 "conf_high": 0.104, "p_value": 0.0005},
                {"name": "spearman", "label_id": "Korelasi Spearman",
                 "label_en": "Spearman correlation", "estimate": 0.03, "conf_low": -0.01,
                 "conf_high": 0.07, "p_value": 0.14},
            ],
            "n_total": 4, "n_same_sign": 4, "n_significant": 3,
        },
        "descriptives": {
            "n_units": 40, "n_years": 9, "n_asn": 9870,
            "missing_share": {"ikm": 0.02, "jp_per_asn": 0.0},
            "ikm_categories": _categories(units),
            "jp20": {"share_asn": 0.643, "n_units_all_reach": 6, "n_units": 40,
                     "entitlement_jp": 20.0},
            "city": _city(units, 81.2, 0.643),
            "since_last_year": {"year": 2023, "city": _city(units, 80.7, 0.61),
                                "units_down": ["Dinas Sosial"],
                                "units_up": ["Kecamatan Genuk", "Puskesmas Halmahera"]},
            "exposure_changes": {"exposure": "jp_per_asn", "scale": 10.0, "n_changes": 280,
                                 "median_abs_change": 5.9, "p90_abs_change": 16.0,
                                 "share_changes_at_least_scale": 0.27,
                                 "share_units_moved_by_scale": 0.9},
            "price_base_year": 2024,
            "cost_per_ikm_point": {"estimate": 1250000, "conf_low": 970000,
                                   "conf_high": 1750000,
                                   "unit": "Rp per ASN, harga konstan 2024",
                                   "unit_en": "IDR per ASN, constant 2024 prices"},
        },
        "units": units,
        "headline_bins": _bins(0.081),
        "caveats": ["few_clusters"],
    }


def _bins(slope: float, level: float = 80.0) -> dict:
    """``headline_bins`` for a within-unit relationship of ``slope`` points per JP."""
    xs = [11.0, 15.0, 18.5, 21.0, 24.0, 27.5, 31.0, 38.0]
    points = []
    for i, x in enumerate(xs):
        y = level + slope * (x - 23.3) + 0.15 * math.sin(i * 2.1)
        points.append({"bin": i + 1, "x": x, "n": 40, "y": round(y, 3),
                       "conf_low": round(y - 0.45, 3), "conf_high": round(y + 0.45, 3)})
    return {"outcome": "ikm", "exposure": "jp_per_asn", "term": "jp_per_asn_lag1", "lag": 1,
            "bins": points, "n_obs": 320, "n_units": 40, "n_clusters": 40,
            "method": "binned_fixed_effects", "x_mean": 23.3, "y_mean": level,
            "x_min": 8.0, "x_max": 36.0}


def _city(units: list[dict], ikm: float, share: float) -> dict:
    asn = sum(u["asn_count"] for u in units if u.get("asn_count"))
    return {"n_units": len(units), "n_units_with_ikm": sum(1 for u in units if u.get("ikm")),
            "n_asn": float(asn), "ikm": ikm, "ikm_category": _category(ikm),
            "ikm_weighting": "respondents", "share_20jp": share,
            "n_asn_below_entitlement": round(asn * (1 - share)), "median_unit_asn": 176.5,
            "spend_per_asn_real": 4_250_000.0}


def through_zero() -> dict:
    """An interval that includes zero: nothing can be shown."""
    res = clear_positive()
    res["estimates"][0].update(estimate=0.012, std_error=0.02, p_value=0.55, conf_low=-0.027,
                               conf_high=0.051)
    res["headline"]["scaled"] = {"estimate": 0.12, "conf_low": -0.27, "conf_high": 0.51}
    res["robustness"].update(n_same_sign=2, n_significant=0)
    res["units"] = _units(40, slope=0.05, base=80.0)
    res["distributed_lags"]["cumulative"] = {"estimate": 0.02, "std_error": 0.03,
                                             "conf_low": -0.04, "conf_high": 0.08}
    res["descriptives"]["ikm_categories"] = _categories(res["units"])
    res["descriptives"]["cost_per_ikm_point"] = {"estimate": None, "conf_low": None,
                                                 "conf_high": None,
                                                 "unit": "Rp per ASN, harga konstan 2024"}
    return res


def few_clusters() -> dict:
    """Twelve units: very few clusters and a small sample, but a positive interval."""
    res = clear_positive()
    res["estimates"][0].update(n_obs=84, n_units=12, n_clusters=12, n_years=7,
                               conf_low=0.021, conf_high=0.141, estimate=0.081)
    res["headline"]["scaled"] = {"estimate": 0.81, "conf_low": 0.21, "conf_high": 1.41}
    res["units"] = res["units"][:12]
    res["descriptives"].update(n_units=12, n_asn=1420,
                               ikm_categories=_categories(res["units"]))
    res["caveats"] = ["few_clusters", "small_sample"]
    return res


def with_programme(*, passed: bool = True, agree: bool = True) -> dict:
    """A staged management course in four cohorts, with an event study."""
    res = clear_positive()
    res["programme"] = {
        "name": "Program Pengembangan Manajerial bersama Universitas Diponegoro",
        "name_en": "management development programme with Universitas Diponegoro",
        "n_cohorts": 4, "n_treated_units": 24, "n_never_treated": 16,
        "event_study": [
            {"event_time": t, "estimate": e, "conf_low": e - 0.9, "conf_high": e + 0.9}
            for t, e in [(-4, 0.1), (-3, -0.2), (-2, 0.15), (-1, 0.0), (0, 0.6), (1, 1.1),
                         (2, 1.4), (3, 1.5)]
        ],
        "staggered": {"estimator": "callaway_santanna", "control_group": "not_yet_treated",
                      "overall": {"estimate": 1.2, "conf_low": 0.4, "conf_high": 2.0,
                                  "p_value": 0.004},
                      "by_event_time": []},
        "pretrend": {"statistic": 1.8, "df": 3, "p_value": 0.62 if passed else 0.008,
                     "passed": passed, "detectable_difference": 0.8},
        "agree": agree,
    }
    if not passed:
        res["caveats"] = sorted(set(res["caveats"]) | {"pretrend_failed"})
    return res


def failed_pretrend() -> dict:
    """A staged programme whose pre-trend test fails: association wording only."""
    return with_programme(passed=False)


def synthetic() -> dict:
    """The demo study's shape: synthetic data, with a clean staged programme."""
    res = with_programme()
    res["study"].update(name="demo", title="Data demo sintetis Kota Semarang",
                        title_en="Synthetic Kota Semarang demo data", synthetic=True)
    res["caveats"] = ["synthetic", "few_clusters"]
    return res


def suppressed_cells() -> dict:
    """Small units suppressed: their numbers are ``None`` and must show as "< 5"."""
    res = clear_positive()
    for row in res["units"][:3]:
        row.update(jp_per_asn=None, jp_per_asn_lag1=None, ikm=None, ikm_category=None,
                   share_20jp=None, asn_count=None, suppressed=True)
    res["units"][3]["ikm_sample_adequate"] = False
    res["descriptives"]["ikm_categories"] = _categories(res["units"])
    res["descriptives"]["missing_share"] = {"ikm": 0.14, "jp_per_asn": 0.03}
    return res


def minimal() -> dict:
    """Only the required blocks: every optional block absent."""
    res = clear_positive()
    for key in ("programme", "dose_response", "chain", "mde", "robustness", "distributed_lags",
                "correlations", "caveats"):
        res.pop(key, None)
    res["descriptives"] = {"n_units": 40}
    return res


def negative() -> dict:
    """An interval below zero: more training went with lower IKM."""
    res = clear_positive()
    res["estimates"][0].update(estimate=-0.052, std_error=0.015, p_value=0.002,
                               conf_low=-0.082, conf_high=-0.022, statistic=-3.4)
    res["headline"]["scaled"] = {"estimate": -0.52, "conf_low": -0.82, "conf_high": -0.22}
    for spec in res["robustness"]["specifications"]:
        spec.update(estimate=-abs(spec["estimate"]), conf_low=-abs(spec["conf_high"]),
                    conf_high=-abs(spec["conf_low"]) if spec["conf_low"] > 0 else 0.01)
    res["units"] = _units(40, slope=-0.3, base=92.0)
    res["descriptives"]["ikm_categories"] = _categories(res["units"])
    res["descriptives"]["cost_per_ikm_point"] = {"estimate": None, "conf_low": None,
                                                 "conf_high": None, "defined": False}
    res["headline_bins"] = _bins(-0.052)
    res["chain"] = None
    return res


def not_estimable() -> dict:
    """A year too early for the design: descriptive only (as report.analyse writes it)."""
    res = clear_positive()
    res["year"] = 2016
    res["window"] = {"first": 2015, "last": 2016}
    res["estimates"] = []
    res["headline"] = {"estimate_id": None, "status": "not_estimable",
                       "reason": "the window holds one year of lagged exposure",
                       "exposure": "jp_per_asn", "outcome": "ikm", "lag": 1,
                       "term": "jp_per_asn_lag1", "scale": 10.0, "years_with_data": [2016],
                       "years_needed": 2, "scaled": None}
    for key in ("correlations", "distributed_lags", "programme", "dose_response", "chain",
                "mde", "robustness", "headline_bins"):
        res[key] = None
    res["descriptives"]["cost_per_ikm_point"] = None
    res["descriptives"]["since_last_year"] = None
    res["descriptives"]["exposure_changes"] = None
    res["caveats"] = ["headline_not_estimable"]
    return res


def iku(base: dict) -> dict:
    """The same result with IKU achievement as the headline's outcome (study.yaml
    ``headline: {outcome: iku_achievement}``): no chain, no cost per IKM point."""
    res = copy.deepcopy(base)
    for est in res["estimates"]:
        est.update(outcome="iku_achievement",
                   outcome_unit="poin persen capaian IKU")
    head = res["headline"]
    head["outcome"] = "iku_achievement"
    if res.get("mde"):
        res["mde"].update(outcome="iku_achievement", unit="poin persen capaian IKU")
    for block in ("distributed_lags",):
        if res.get(block):
            res[block]["outcome"] = "iku_achievement"
    if res.get("headline_bins"):
        res["headline_bins"]["outcome"] = "iku_achievement"
        for b in res["headline_bins"]["bins"]:
            for k in ("y", "conf_low", "conf_high"):
                b[k] = round(b[k] - 5.0, 3)
        res["headline_bins"]["y_mean"] -= 5.0
    for u in res["units"]:
        u["iku_achievement"] = round(70 + (u["ikm"] or 80) / 10, 1) if u.get("ikm") else None
    res["chain"] = None
    res["descriptives"]["cost_per_ikm_point"] = None
    return res


def with_sections(res: dict, *, differ: bool = True, refused: bool = False) -> dict:
    """C's sections (by_training_type, scenario, by_sector) in the shape results.json has."""
    def kind(label, est, low, high, best):
        return {"label": label, "prob_best": best, "prob_positive": 0.99, "scale": 10,
                "scaled": {"estimate": est, "conf_low": low, "conf_high": high,
                           "shrunken_estimate": est * 0.95, "shrunken_low": low * 0.95,
                           "shrunken_high": high * 0.95}}
    res["by_training_type"] = {"available": True, "groupings": {
        "competency_type": {"differ": differ, "difference_test": {"p_value": 0.0004 if differ
                                                                  else 0.41},
                            "kinds": [kind("teknis", 1.2, 0.9, 1.5, 0.97),
                                      kind("manajerial", 0.3, 0.0, 0.6, 0.02),
                                      kind("sosial_kultural", 0.1, -0.2, 0.4, 0.01)]}}}
    totals = {"jp_change": -40000.0, "spend_change": -6.5e9, "jp_per_asn_change_mean": -3.1,
              "ikm_change_mean": -0.25, "ikm_change_low": -0.33, "ikm_change_high": -0.17}
    ent = {"jp_change": 98000.0, "spend_change": 1.52e10, "jp_per_asn_change_mean": 7.0,
           "ikm_change_mean": 0.56, "ikm_change_low": 0.41, "ikm_change_high": 0.73}
    res["scenario"] = {"available": True, "refused": refused, "price_base_year": 2024,
                       "scenarios": [{"name": "budget_minus_10", "budget_change": -0.1,
                                      "totals": totals, "units": []},
                                     {"name": "entitlement", "budget_change": None,
                                      "target": "entitlement", "totals": ent, "units": []}]}
    res["by_sector"] = {"available": True, "sectors": [
        {"group": "kewilayahan", "estimable": True, "detectable": True, "n_units": 16,
         "scaled": {"estimate": 0.62, "conf_low": 0.3, "conf_high": 0.9, "mde": 0.5}},
        {"group": "ekonomi", "estimable": True, "detectable": False, "n_units": 6,
         "scaled": {"estimate": 0.4, "conf_low": -0.5, "conf_high": 1.3, "mde": 1.1}},
        {"group": "pemerintahan", "estimable": True, "detectable": True, "n_units": 11,
         "scaled": {"estimate": 0.1, "conf_low": -0.2, "conf_high": 0.4, "mde": 0.45}}]}
    return res


#: Result shapes x headline settings: the matrix the brief must read naturally for.
SHAPES = {
    "positive": clear_positive,
    "null": through_zero,
    "negative": negative,
    "not_estimable": not_estimable,
    "few_clusters": few_clusters,
    "failed_pretrend": failed_pretrend,
}
HEADLINES = {"ikm": lambda res: res, "iku": iku}


def matrix_case(shape: str, headline: str) -> dict:
    return HEADLINES[headline](copy.deepcopy(SHAPES[shape]()))


SCENARIOS = {
    "clear_positive": clear_positive,
    "through_zero": through_zero,
    "few_clusters": few_clusters,
    "failed_pretrend": failed_pretrend,
    "programme_clean": with_programme,
    "synthetic": synthetic,
    "suppressed_cells": suppressed_cells,
    "minimal": minimal,
    "negative": negative,
    "not_estimable": not_estimable,
    "with_sections": lambda: with_sections(clear_positive()),
}


def scenario(name: str) -> dict:
    return copy.deepcopy(SCENARIOS[name]())
