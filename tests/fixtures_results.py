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
                  "min_cell_size": 5},
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
             "n_clusters": 40, "fixed_effects": ["unit", "year"], "controls": [],
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
            "jp20": {"share_asn": 0.643, "n_units_all_reach": 6},
            "cost_per_ikm_point": {"estimate": 1250000, "conf_low": 970000,
                                   "conf_high": 1750000,
                                   "unit": "Rp per ASN, harga konstan 2024",
                                   "unit_en": "IDR per ASN, constant 2024 prices"},
        },
        "units": units,
        "caveats": ["few_clusters"],
    }


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
                     "passed": passed},
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


SCENARIOS = {
    "clear_positive": clear_positive,
    "through_zero": through_zero,
    "few_clusters": few_clusters,
    "failed_pretrend": failed_pretrend,
    "programme_clean": with_programme,
    "synthetic": synthetic,
    "suppressed_cells": suppressed_cells,
    "minimal": minimal,
}


def scenario(name: str) -> dict:
    return copy.deepcopy(SCENARIOS[name]())
