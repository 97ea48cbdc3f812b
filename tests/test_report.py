"""End to end on the demo study: study folder -> results.json, checked against the truth
the generator built into the data (data/demo/TRUTH.md, evaluation.demo.truth)."""

from __future__ import annotations

import json
import warnings

import pytest

from evaluation.brief.report import analyse, load_results, save_results
from evaluation.demo import truth
from evaluation.privacy import NIP_PATTERN

YEAR = 2024


@pytest.fixture(scope="module")
def analysis(demo_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return analyse(demo_dir, year=YEAR, reps=999, chain_reps=199, mde_reps=100,
                       staggered_reps=99)


@pytest.fixture(scope="module")
def results(analysis):
    return analysis.results


@pytest.fixture(scope="module")
def true():
    return truth(2026)


def _covers(block, value, what):
    lo, hi = block["conf_low"], block["conf_high"]
    assert lo is not None and hi is not None, f"{what}: no interval"
    assert lo <= value <= hi, f"{what}: truth {value} outside [{lo:.4f}, {hi:.4f}]"


def test_contract_blocks_present(results):
    for key in ("schema_version", "study", "year", "window", "parameters", "provenance",
                "estimates", "headline", "correlations", "distributed_lags", "programme",
                "dose_response", "chain", "mde", "robustness", "descriptives", "units",
                "caveats"):
        assert key in results, key
    assert results["study"]["synthetic"] is True
    assert "synthetic" in results["caveats"]
    assert results["window"] == {"first": 2015, "last": YEAR}
    for e in results["estimates"]:
        for field in ("model", "outcome", "exposure", "estimate", "std_error", "conf_low",
                      "conf_high", "p_value", "inference", "n_obs", "n_clusters"):
            assert field in e, (e["id"], field)
    # results.json is strict JSON
    json.dumps(results, allow_nan=False)


def test_headline_recovers_true_dose_response(results, true):
    head = next(e for e in results["estimates"] if e["id"] == "headline")
    assert head["term"] == "jp_per_asn_lag1" and head["outcome"] == "ikm"
    _covers(head, true["beta_jp_lag1"], "headline beta")
    assert head["conf_low"] > 0  # the effect is there and the design finds it
    # the inference chosen is stated and explained
    assert head["inference"] and head["inference_reason"]
    scaled = results["headline"]["scaled"]
    assert scaled["estimate"] == pytest.approx(head["estimate"] * 10)


def test_distributed_lags_and_placebo_lead(results, true):
    dl = results["distributed_lags"]
    by_lag = {r["lag"]: r for r in dl["lags"]}
    assert sorted(by_lag) == [0, 1, 2]
    _covers(by_lag[0], true["beta_jp_lag0"], "lag 0")
    _covers(by_lag[1], true["beta_jp_lag1"], "lag 1")
    _covers(by_lag[2], true["beta_jp_lag2"], "lag 2")
    _covers(dl["cumulative"], true["beta_jp_lag0"] + true["beta_jp_lag1"] + true["beta_jp_lag2"],
            "cumulative")
    lead = dl["placebo_lead"]
    assert lead["term"] == "jp_per_asn_lead1"
    _covers(lead, 0.0, "placebo lead")


def _tau(tau: dict, e: int) -> float:
    if e < 0:
        return 0.0
    return tau[min(e, max(tau))]


def test_programme_event_study_recovers_effects(results, true):
    prog = results["programme"]
    assert prog["n_cohorts"] == len(set(true["cohorts"].values()))
    assert prog["n_treated_units"] == len(true["cohorts"])
    for row in prog["event_study"]:
        if row.get("reference"):
            continue
        _covers(row, _tau(true["tau"], row["event_time"]), f"event study e={row['event_time']}")
    assert prog["pretrend"]["passed"] is True


def test_programme_staggered_estimator_recovers_effects(results, true):
    prog = results["programme"]
    for row in prog["staggered"]["by_event_time"]:
        e = row["event_time"]
        if -4 <= e <= 4:
            _covers(row, _tau(true["tau"], e), f"Callaway-Sant'Anna e={e}")


def test_chain_recovers_links(results, true):
    ch = results["chain"]
    _covers(ch["a"], true["beta_jp_lag1"], "a (JP -> IKM)")
    _covers(ch["b"], true["theta_ikm_to_iku"], "b (IKM -> IKU)")
    _covers(ch["direct"], true["phi_jp_lag1_to_iku"], "direct")
    _covers(ch["indirect"], true["beta_jp_lag1"] * true["theta_ikm_to_iku"], "indirect")
    assert ch["assumption"]


def test_descriptives_for_the_brief(results):
    d = results["descriptives"]
    cats = {c["category"]: c["n_units"] for c in d["ikm_categories"]}
    with_ikm = sum(1 for u in results["units"] if u.get("ikm") is not None)
    assert sum(cats.values()) == with_ikm <= d["n_units_year"]
    assert 0 < d["jp20"]["share_asn"] < 1
    cost = d["cost_per_ikm_point"]
    assert cost["defined"] and cost["conf_low"] < cost["estimate"] < cost["conf_high"]
    # missing shares only for the study's measures (never-joined units are not missing)
    assert "cohort_year" not in d["missing_share"]
    assert set(d["missing_share"]) <= {"jp_per_asn", "share_20jp", "spend_per_asn_real", "ikm",
                                       "iku_achievement", "log_asn_count"}


def test_no_personal_data_in_results(results):
    text = json.dumps(results)
    assert not NIP_PATTERN.search(text)
    for row in results["units"]:
        assert not {"nip", "name", "nama"} & set(row)


def test_save_and_load_round_trip(results, tmp_path):
    path = save_results(results, tmp_path)
    assert load_results(tmp_path) == json.loads(path.read_text())
    # deterministic bytes: sorted keys, trailing newline
    again = save_results(load_results(tmp_path), tmp_path / "again")
    assert path.read_bytes() == again.read_bytes()


def test_a_year_too_early_for_the_design_gives_a_descriptive_brief(demo_dir, tmp_path):
    """2016 with lag 1: only one year has the lagged exposure, nothing to compare within
    units. The run still gives leadership the descriptives, and says why there is no
    estimate (instead of crashing the process, as pyfixest would on such data)."""
    from pypdf import PdfReader

    from evaluation.brief import write_brief
    from evaluation.brief.narrate import narrate

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = analyse(demo_dir, year=2016, reps=99, chain_reps=19, mde_reps=10, staggered_reps=19)
    r = a.results
    assert r["headline"]["status"] == "not_estimable" and r["estimates"] == []
    assert "single complete row" in r["headline"]["reason"]
    assert r["headline"]["years_with_data"] == [2016]
    assert "headline_not_estimable" in r["caveats"]
    assert r["descriptives"]["jp20"]["share_asn"] > 0 and r["units"]
    json.dumps(r, allow_nan=False)
    text = narrate(r, lang="id").to_text()
    assert "belum dapat ditaksir untuk 2016" in text and "1 tahun" in text
    assert "berkaitan dengan" not in text  # no association is claimed
    files = write_brief(r, tmp_path, lang="id")
    assert len(PdfReader(files["pdf"]).pages) <= 3
