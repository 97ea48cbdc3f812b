"""evaluation.estimate: golden values against pyfixest and statsmodels, lags, leads,
correlations, results objects, errors.

Golden-test conventions (coefficients to 1e-8, standard errors to 1e-6 relative):

- pyfixest ``feols("y ~ x | unit + year", vcov={"CRV1": "unit"})`` uses the same CR1 as
  ours: ``G/(G-1) * (N-1)/(N-K)`` with ``K = k + (T - 1) + 1``; the unit effects are nested
  in the unit clusters and not counted (fixest, Stata ``areg``/``reghdfe``).
- statsmodels ``OLS(y, [x, const, unit dummies, year dummies]).fit(cov_type="cluster")``
  uses ``G/(G-1) * (N-1)/(N-K_sm)`` with every dummy counted,
  ``K_sm = k + 1 + (U - 1) + (T - 1)``. Hence
  ``V_ours = V_sm * (N - K_sm) / (N - K)``.
- iid and HC1: both count every fixed effect (nothing is nested without clusters):
  identical to statsmodels' ``nonrobust`` and ``HC1`` with dummies.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from evaluation.errors import EstimationError, FewClustersWarning
from evaluation.estimate import (
    correlate,
    correlation_matrix,
    example_panel,
    panel_fe,
)
from evaluation.estimate.results import TIDY_COLUMNS, compare


def _panel(n_units=25, n_years=8, seed=0, unbalanced=True):
    rng = np.random.default_rng(seed)
    df = example_panel(n_units=n_units, n_years=n_years, seed=seed)
    df["control"] = rng.normal(size=len(df))
    if unbalanced:
        drop = rng.choice(len(df), size=len(df) // 10, replace=False)
        df = df.drop(index=df.index[drop])
        df.loc[df.index[:3], "ikm"] = np.nan
    return df.reset_index(drop=True)


def _statsmodels_dummies(df, y, xs, unit, time):
    import statsmodels.api as sm

    d = df.dropna(subset=[y, *xs])
    X = pd.concat(
        [
            d[list(xs)],
            pd.get_dummies(d[unit], prefix="u", drop_first=True, dtype=float),
            pd.get_dummies(d[time], prefix="t", drop_first=True, dtype=float),
        ],
        axis=1,
    )
    return d, sm.add_constant(X), d[y]


# ---- golden: pyfixest -----------------------------------------------------------------------


@pytest.mark.parametrize("inference,vcov", [("cluster", "CRV1"), ("hetero", "hetero"), ("iid", "iid")])
def test_matches_pyfixest(inference, vcov):
    import pyfixest as pf

    df = _panel()
    df["ucode"] = pd.factorize(df["unit_id"])[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = panel_fe(df, "ikm", ["jp_per_asn"], "unit_id", "year", controls=["control"],
                        inference=inference)
        theirs = pf.feols("ikm ~ jp_per_asn + control | ucode + year", data=df,
                          vcov={"CRV1": "ucode"} if vcov == "CRV1" else vcov)
    ref = theirs.tidy()
    for term in ("jp_per_asn", "control"):
        assert ours.coef(term) == pytest.approx(ref.loc[term, "Estimate"], rel=1e-8, abs=1e-10)
        assert ours.table.loc[term, "std_error"] == pytest.approx(ref.loc[term, "Std. Error"], rel=1e-6)
        assert ours.table.loc[term, "p_value"] == pytest.approx(ref.loc[term, "Pr(>|t|)"], rel=1e-6, abs=1e-12)
    assert ours.n_obs == theirs._N


# ---- golden: statsmodels --------------------------------------------------------------------


def test_matches_statsmodels_dummies_cluster_with_converted_small_sample_factor():
    df = _panel(seed=3)
    d, X, y = _statsmodels_dummies(df, "ikm", ["jp_per_asn", "control"], "unit_id", "year")
    import statsmodels.api as sm

    groups = pd.factorize(d["unit_id"])[0]
    sm_fit = sm.OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": groups})
    with pytest.warns(FewClustersWarning):
        ours = panel_fe(df, "ikm", ["jp_per_asn"], "unit_id", "year", controls=["control"],
                        inference="cluster")
    n, k = len(d), 2
    n_units, n_years = d["unit_id"].nunique(), d["year"].nunique()
    k_sm = X.shape[1]
    assert k_sm == k + 1 + (n_units - 1) + (n_years - 1)
    k_fixest = k + (n_years - 1) + 1
    convert = math.sqrt((n - k_sm) / (n - k_fixest))
    for term in ("jp_per_asn", "control"):
        assert ours.coef(term) == pytest.approx(sm_fit.params[term], rel=1e-8)
        assert ours.table.loc[term, "std_error"] == pytest.approx(sm_fit.bse[term] * convert, rel=1e-6)


@pytest.mark.parametrize("inference,cov_type", [("iid", "nonrobust"), ("hetero", "HC1")])
def test_matches_statsmodels_dummies_iid_and_hc1(inference, cov_type):
    import statsmodels.api as sm

    df = _panel(seed=4)
    d, X, y = _statsmodels_dummies(df, "ikm", ["jp_per_asn"], "unit_id", "year")
    sm_fit = sm.OLS(y, X).fit(cov_type=cov_type)
    ours = panel_fe(df, "ikm", "jp_per_asn", "unit_id", "year", inference=inference)
    assert ours.coef("jp_per_asn") == pytest.approx(sm_fit.params["jp_per_asn"], rel=1e-8)
    assert ours.table.loc["jp_per_asn", "std_error"] == pytest.approx(sm_fit.bse["jp_per_asn"], rel=1e-6)
    assert ours.df_resid == sm_fit.df_resid


def test_weights_match_statsmodels_wls():
    import statsmodels.api as sm

    df = _panel(seed=5, unbalanced=False)
    d, X, y = _statsmodels_dummies(df, "ikm", ["jp_per_asn"], "unit_id", "year")
    sm_fit = sm.WLS(y, X, weights=d["asn_count"]).fit()
    ours = panel_fe(df, "ikm", "jp_per_asn", "unit_id", "year", weights="asn_count", inference="iid")
    assert ours.coef("jp_per_asn") == pytest.approx(sm_fit.params["jp_per_asn"], rel=1e-8)
    assert ours.table.loc["jp_per_asn", "std_error"] == pytest.approx(sm_fit.bse["jp_per_asn"], rel=1e-6)


# ---- lags, leads, cumulative -----------------------------------------------------------------


def test_lags_follow_calendar_years_not_rows():
    df = pd.DataFrame({
        "unit": ["a"] * 4 + ["b"] * 4,
        "year": [2015, 2016, 2018, 2019, 2015, 2016, 2017, 2018],
        "x": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
    })
    from evaluation.estimate._fe_frame import _shift

    lag = _shift(df, "unit", "year", "x", 1)
    # a's 2018 follows a gap (no 2017): its lag is missing, not 2016's value
    np.testing.assert_array_equal(np.isnan(lag), [True, False, True, False, True, False, False, False])
    assert lag[1] == 1.0 and lag[3] == 3.0 and lag[7] == 7.0
    lead = _shift(df, "unit", "year", "x", -1)
    assert np.isnan(lead[1]) and lead[0] == 2.0


def test_distributed_lags_cumulative_from_joint_covariance():
    df = example_panel(n_units=40, n_years=10, seed=7)
    res = panel_fe(df, "ikm", "jp_per_asn", "unit_id", "year", lags=[0, 1, 2], leads=[1],
                   inference="cluster")
    terms = ["jp_per_asn_lag0", "jp_per_asn_lag1", "jp_per_asn_lag2"]
    assert set(terms + ["jp_per_asn_lead1"]) == set(res.tidy()["term"])
    cum = res.cumulative.loc["jp_per_asn"]
    V = res.vcov.loc[terms, terms].to_numpy()
    assert cum["estimate"] == pytest.approx(sum(res.coef(t) for t in terms), rel=1e-12)
    assert cum["std_error"] == pytest.approx(math.sqrt(V.sum()), rel=1e-12)
    # the sum is not the naive sqrt of summed variances (the lags covary)
    assert abs(cum["std_error"] - math.sqrt(np.trace(V))) > 1e-6
    lt = res.leads_test
    b = res.coef("jp_per_asn_lead1")
    v = res.vcov.loc["jp_per_asn_lead1", "jp_per_asn_lead1"]
    assert lt["df"] == 1 and lt["statistic"] == pytest.approx(b * b / v, rel=1e-10)
    # same as pyfixest on hand-built lag columns
    import pyfixest as pf

    frame = res.model_frame
    fit = pf.feols("ikm ~ lead1 + lag0 + lag1 + lag2 | unit_id + year",
                   data=frame.rename(columns={"jp_per_asn_lead1": "lead1", "jp_per_asn_lag0": "lag0",
                                              "jp_per_asn_lag1": "lag1", "jp_per_asn_lag2": "lag2"}),
                   vcov={"CRV1": "cluster_code"})
    assert res.coef("jp_per_asn_lag1") == pytest.approx(fit.coef()["lag1"], rel=1e-8)
    # truth of the example panel: 0.06 on lag 1, nothing on lag 0 or the lead
    assert res.table.loc["jp_per_asn_lag1", "conf_low"] < 0.06 < res.table.loc["jp_per_asn_lag1", "conf_high"]


def test_wild_cumulative_interval_and_lag_rows():
    df = example_panel(n_units=16, n_years=9, seed=11)
    res = panel_fe(df, "ikm", "jp_per_asn", "unit_id", "year", lags=[0, 1], reps=999)
    assert res.inference == "wild_cluster_restricted"
    assert "16 clusters < 50" in res.inference_reason
    cum = res.cumulative.loc["jp_per_asn"]
    assert cum["inference"] == "wild_cluster_restricted"
    assert cum["conf_low"] < cum["estimate"] < cum["conf_high"]
    cr1 = res.with_inference("cluster").cumulative.loc["jp_per_asn"]
    assert cum["estimate"] == cr1["estimate"] and cum["std_error"] == cr1["std_error"]
    assert (cum["conf_low"], cum["conf_high"]) != (cr1["conf_low"], cr1["conf_high"])


def test_unit_trends_absorb_a_unit_specific_trend():
    rng = np.random.default_rng(2)
    df = example_panel(n_units=30, n_years=9, seed=2)
    slope = rng.normal(0, 1, 30)
    code = pd.factorize(df["unit_id"])[0]
    # exposure correlated with a unit trend in the outcome: biased without trends
    df["jp_per_asn"] = df["jp_per_asn"] + 3 * slope[code] * (df["year"] - 2016)
    df["ikm"] = df["ikm"] + slope[code] * (df["year"] - 2016)
    plain = panel_fe(df, "ikm", "jp_per_asn", "unit_id", "year", inference="hetero")
    trended = panel_fe(df, "ikm", "jp_per_asn", "unit_id", "year", inference="hetero", trends=True)
    assert abs(plain.coef("jp_per_asn")) > 0.2
    assert abs(trended.coef("jp_per_asn")) < 0.1
    assert list(trended.tidy()["term"]) == ["jp_per_asn"]


# ---- inference choice, seeds, results objects ---------------------------------------------------


def test_auto_inference_and_reasons():
    many = panel_fe(example_panel(n_units=60, n_years=5, seed=1), "ikm", "jp_per_asn",
                    "unit_id", "year")
    assert many.inference == "cluster" and "60 clusters >= 50" in many.inference_reason
    assert "CR1" in many.vcov_convention and "nested" in many.vcov_convention
    few = panel_fe(example_panel(n_units=8, n_years=6, seed=1), "ikm", "jp_per_asn",
                   "unit_id", "year", reps=999)
    assert few.inference == "wild_cluster_restricted" and few.wild_weights == "webb"
    assert "webb" in few.inference_reason


def test_same_seed_same_numbers_other_seed_other_numbers():
    df = example_panel(n_units=20, n_years=7, seed=9)
    a = panel_fe(df, "ikm", "jp_per_asn", "unit_id", "year", reps=999, seed=1).tidy()
    b = panel_fe(df, "ikm", "jp_per_asn", "unit_id", "year", reps=999, seed=1).tidy()
    c = panel_fe(df, "ikm", "jp_per_asn", "unit_id", "year", reps=999, seed=2).tidy()
    pd.testing.assert_frame_equal(a, b)
    assert not a[["p_value", "conf_low", "conf_high"]].equals(c[["p_value", "conf_low", "conf_high"]])


def test_results_object_contract():
    df = example_panel(n_units=20, n_years=7, seed=9)
    res = panel_fe(df, "ikm", "jp_per_asn", "unit_id", "year", lags=[0, 1], reps=999)
    tidy = res.tidy()
    assert list(tidy.columns[: len(TIDY_COLUMNS)]) == list(TIDY_COLUMNS)
    assert str(res) == res.summary() and "inference_reason" in res.summary()
    assert "wild_cluster_restricted" in res._repr_html_()
    d = res.to_dict()
    text = json.dumps(d, allow_nan=False)
    for key in ("model", "outcome", "exposures", "inference", "inference_reason", "vcov_convention",
                "n_obs", "n_units", "n_clusters", "n_years", "fixed_effects", "controls",
                "conf_level", "seed"):
        assert key in d, key
    assert d["estimates"][0]["model"] == "panel_fe" and "NaN" not in text
    import dataclasses

    with pytest.raises(dataclasses.FrozenInstanceError):
        res.inference = "iid"
    other = res.with_inference("hetero")
    assert other.inference == "hetero" and res.inference == "wild_cluster_restricted"
    assert res.table.loc["jp_per_asn_lag1", "inference"] == "wild_cluster_restricted"
    assert len(res.residuals) == res.n_obs
    assert res.residuals.abs().max() > 0 and "jp_per_asn_lag1" in res.model_frame.columns
    table = compare({"wild": res, "hc1": other})
    assert table.loc["jp_per_asn_lag1", ("wild", "estimate")] == table.loc["jp_per_asn_lag1", ("hc1", "estimate")]
    assert table.attrs["models"]["hc1"]["inference"] == "hetero"
    with pytest.raises(EstimationError, match="no term 'nope'.*jp_per_asn_lag0"):
        res.coef("nope")


# ---- correlations ---------------------------------------------------------------------------


def test_pearson_and_spearman_match_scipy_with_documented_intervals():
    from scipy import stats

    df = example_panel(n_units=15, n_years=4, seed=5)
    r = correlate(df, "jp_per_asn", "ikm")
    ref = stats.pearsonr(df["jp_per_asn"], df["ikm"])
    assert r.estimate == pytest.approx(ref.statistic, rel=1e-12)
    assert r.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    z = stats.norm.ppf(0.975)
    n = len(df)
    assert r.conf_low == pytest.approx(math.tanh(math.atanh(r.estimate) - z / math.sqrt(n - 3)), rel=1e-12)
    ci = ref.confidence_interval(0.95)
    assert (r.conf_low, r.conf_high) == pytest.approx((ci.low, ci.high), rel=1e-9)
    # scipy's Spearman p-value is the t approximation; without ties R's cor.test (and ours
    # by default) uses AS 89 instead, so compare the approximation with exact=False
    s = correlate(df, "jp_per_asn", "ikm", method="spearman", exact=False)
    sref = stats.spearmanr(df["jp_per_asn"], df["ikm"])
    assert s.estimate == pytest.approx(sref.statistic, rel=1e-12)
    assert s.p_value == pytest.approx(sref.pvalue, rel=1e-9)
    default = correlate(df, "jp_per_asn", "ikm", method="spearman")
    assert "Edgeworth" in default.p_value_method and default.estimate == s.estimate
    half = z * math.sqrt((1 + s.estimate**2 / 2) / (n - 3))
    assert s.conf_high == pytest.approx(math.tanh(math.atanh(s.estimate) + half), rel=1e-12)


def test_within_correlation_equals_fe_regression_t_test():
    df = _panel(seed=8, unbalanced=True).dropna(subset=["ikm"])
    r = correlate(df, "jp_per_asn", "ikm", within=True, unit="unit_id", time="year")
    fe = panel_fe(df, "ikm", "jp_per_asn", "unit_id", "year", inference="iid")
    # r's t test with df = n - units - years is the FE regression's iid t test
    assert r.df_resid == fe.df_resid
    assert r.statistic == pytest.approx(fe.table.loc["jp_per_asn", "statistic"], rel=1e-7)
    assert r.p_value == pytest.approx(fe.table.loc["jp_per_asn", "p_value"], rel=1e-6)


def test_correlation_matrix_adjusts_p_values():
    from statsmodels.stats.multitest import multipletests

    df = example_panel(n_units=20, n_years=6, seed=3)
    df["noise"] = np.random.default_rng(0).normal(size=len(df))
    m = correlation_matrix(df, ["jp_per_asn", "noise"], ["ikm", "asn_count"], adjust="holm")
    t = m.tidy()
    assert len(t) == 4
    np.testing.assert_allclose(t["p_adjusted"], multipletests(t["p_value"], method="holm")[1])
    bh = correlation_matrix(df, ["jp_per_asn", "noise"], ["ikm", "asn_count"], adjust="fdr_bh").tidy()
    np.testing.assert_allclose(bh["p_adjusted"], multipletests(bh["p_value"], method="fdr_bh")[1])
    assert m.matrix().shape == (2, 2)
    json.dumps(m.to_dict(), allow_nan=False)


@pytest.mark.parametrize("method", ["holm", "fdr_bh"])
def test_adjust_p_values_equals_statsmodels_bit_for_bit(method):
    from statsmodels.stats.multitest import multipletests

    from evaluation.estimate.correlation import adjust_p_values

    rng = np.random.default_rng(11)
    for n in (1, 2, 5, 17, 60):
        p = rng.uniform(size=n) ** 3
        p[: n // 3] = p[0]  # ties
        expected = multipletests(p, method=method)[1]
        assert np.array_equal(adjust_p_values(p, method), expected)
    with pytest.raises(EstimationError):
        adjust_p_values(np.array([0.1]), "bonferroni")


_HASH_SEED_SCRIPT = """
import warnings
warnings.simplefilter("ignore")
from evaluation.estimate import panel_fe
from evaluation.estimate.fixed_effects import example_panel
df = example_panel(n_units=40, n_years=6, seed=3)
df = df.drop(index=df.index[::7]).reset_index(drop=True)  # unbalanced: demeaning iterates
t = panel_fe(df, "ikm", "jp_per_asn", "unit_id", "year").table
print(repr(float(t.loc["jp_per_asn", "estimate"])), repr(float(t.loc["jp_per_asn", "std_error"])))
"""


def test_panel_fe_gives_the_same_bits_whatever_the_process_hash_seed():
    # pyfixest keeps the fixed effects in a set (order set by PYTHONHASHSEED) and stops
    # demeaning at 1e-6, so unit-then-year and year-then-unit differ in the 8th digit of
    # the standard error; panel_fe absorbs them in the formula's order in every process
    outputs = set()
    for seed in ("1", "3"):  # these two seeds put {"unit_id", "year"} in opposite orders
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", _HASH_SEED_SCRIPT], env=env,
                              capture_output=True, text=True, check=True, timeout=300)
        outputs.add(done.stdout.strip())
    assert len(outputs) == 1, outputs


# ---- errors ---------------------------------------------------------------------------------


def test_missing_column_lists_available():
    df = example_panel(n_units=5, n_years=4)
    with pytest.raises(EstimationError, match=r"\['jp'\] not found.*Available columns.*jp_per_asn"):
        panel_fe(df, "ikm", "jp", "unit_id", "year")
    with pytest.raises(EstimationError, match="not found"):
        correlate(df, "nope", "ikm")


def test_constant_exposure_after_fixed_effects():
    df = example_panel(n_units=10, n_years=5)
    df["per_unit"] = pd.factorize(df["unit_id"])[0] * 2.0
    with pytest.raises(EstimationError, match="per_unit.*fixed effects.*constant within units"):
        panel_fe(df, "ikm", "per_unit", "unit_id", "year", inference="hetero")


def test_one_cluster_and_all_missing_outcome_and_too_few_rows():
    df = example_panel(n_units=10, n_years=5)
    df["city"] = "Semarang"
    with pytest.raises(EstimationError, match="only 1 cluster"):
        panel_fe(df, "ikm", "jp_per_asn", "unit_id", "year", cluster="city")
    empty = df.assign(ikm=np.nan)
    with pytest.raises(EstimationError, match="missing in every row"):
        panel_fe(empty, "ikm", "jp_per_asn", "unit_id", "year")
    tiny = example_panel(n_units=2, n_years=2)
    with pytest.raises(EstimationError):
        panel_fe(tiny, "ikm", "jp_per_asn", "unit_id", "year", inference="hetero")


def test_bad_options_are_named():
    df = example_panel(n_units=10, n_years=5)
    with pytest.raises(EstimationError, match=r"inference: expecting one of \['auto'"):
        panel_fe(df, "ikm", "jp_per_asn", "unit_id", "year", inference="robust")
    with pytest.raises(EstimationError, match="wild_weights"):
        panel_fe(df, "ikm", "jp_per_asn", "unit_id", "year", wild_weights="mammen")
    with pytest.raises(EstimationError, match="lags"):
        panel_fe(df, "ikm", "jp_per_asn", "unit_id", "year", lags=[-1])
    with pytest.raises(EstimationError, match="method"):
        correlate(df, "jp_per_asn", "ikm", method="kendalls")
    with pytest.raises(EstimationError, match="duplicate unit-year"):
        panel_fe(pd.concat([df, df]), "ikm", "jp_per_asn", "unit_id", "year", lags=[1])
    df["const"] = 1.0
    with pytest.raises(EstimationError, match="constant"):
        correlate(df, "const", "ikm")


# ---- Monte Carlo (reduced) ---------------------------------------------------------------------


@pytest.mark.slow
def test_wild_coverage_at_15_clusters_monte_carlo():
    """200 replications of the Monte Carlo design (benchmarks/montecarlo.py) at 15 clusters:
    wild 95% interval coverage within 3 Monte Carlo standard errors of 0.95."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "montecarlo.py"
    spec = importlib.util.spec_from_file_location("montecarlo", path)
    mc = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mc)
    reps = 200
    alt = mc.run(15, reps, mc.BETA, boot_reps=399, seed=77)
    covered = ((alt["wild_low"] <= mc.BETA) & (alt["wild_high"] >= mc.BETA)).mean()
    band = 3 * math.sqrt(0.95 * 0.05 / reps)
    assert abs(covered - 0.95) <= band, covered


def test_fitting_leaves_the_root_logger_alone():
    """pyfixest calls logging.basicConfig(INFO) on import; a run's logs must not flood."""
    import subprocess
    import sys

    code = (
        "import logging, warnings\n"
        "warnings.simplefilter('ignore')\n"
        "from evaluation.estimate import example_panel, panel_fe\n"
        "panel_fe(example_panel(), 'ikm', ['jp_per_asn'], 'unit_id', 'year', inference='cluster')\n"
        "root = logging.getLogger()\n"
        "assert not root.handlers and root.level == logging.WARNING, (root.handlers, root.level)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]


def test_within_correlation_does_not_depend_on_the_scale_of_a_measure():
    """Rupiah-sized measures (millions) on an unbalanced panel must demean like shares."""
    from evaluation.estimate import correlate, example_panel

    panel = example_panel().sample(frac=0.9, random_state=1)  # unbalanced
    rupiah = panel.assign(spend=panel["jp_per_asn"] * 1_250_000.0)
    r_jp = correlate(panel, "jp_per_asn", "ikm", within=True, unit="unit_id", time="year")
    r_rp = correlate(rupiah, "spend", "ikm", within=True, unit="unit_id", time="year")
    assert r_rp.tidy()["estimate"].iloc[0] == pytest.approx(r_jp.tidy()["estimate"].iloc[0],
                                                            abs=1e-8)


def test_fit_leaves_the_callers_frame_alone_and_keeps_its_row_labels():
    """pyfixest is told not to copy the frame it gets (copy_data=False, a memory saving on
    big panels) and resets and drops rows of it in place: that must touch only the
    wrapper's own selection, never the caller's data, and residuals keep the input labels."""
    df = _panel(seed=4)
    df.index = pd.Index([f"row{i}" for i in range(len(df))], name="label")
    before = df.copy()
    with pytest.warns(FewClustersWarning):
        res = panel_fe(df, "ikm", "jp_per_asn", "unit_id", "year", inference="cluster")
    pd.testing.assert_frame_equal(df, before)
    kept = df.dropna(subset=["ikm", "jp_per_asn"]).index
    assert res.n_obs == len(kept) < len(df)
    assert list(res.residuals.index) == list(kept)
    assert res.model_frame.index.equals(res.residuals.index)


def test_correlations_live_in_their_module_and_stay_reachable_from_estimate():
    """``evaluation.estimate.correlate`` is the documented API; the code lives in
    ``evaluation.estimate.correlation``, which must import on its own as well (no import cycle)."""
    import subprocess
    import sys

    import evaluation.estimate as estimate
    import evaluation.estimate.correlation as correlation

    for name in ("correlate", "correlation_matrix", "CorrelationResult", "CorrelationMatrixResult"):
        assert getattr(estimate, name) is getattr(correlation, name)
    code = ("import evaluation.estimate.correlation as c, evaluation.estimate as e\n"
            "p = e.example_panel(n_units=8, n_years=5, seed=1)\n"
            "print(c.correlate(p, 'jp_per_asn', 'ikm', within=True, unit='unit_id', time='year').n)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "40"


@pytest.mark.parametrize("years", [[2016], [2016, 2017]])
def test_designs_with_nothing_within_units_raise_instead_of_killing_the_process(years):
    """pyfixest aborts the process (a compiled-code panic) when every unit is a singleton;
    panel_fe must say why instead. With years [2016, 2017] and lag 1, only 2017 has a lag."""
    from evaluation.estimate import example_panel

    panel = example_panel()
    panel = panel[panel["year"].isin(years)]
    lags = [1] if len(years) > 1 else None
    with pytest.raises(EstimationError, match="single complete row|one year"):
        panel_fe(panel, "ikm", ["jp_per_asn"], "unit_id", "year", lags=lags,
                 inference="cluster")
