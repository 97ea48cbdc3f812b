"""Estimation gaps a reviewer would find (issue 13, item 6), each checked against an
independent implementation and on synthetic data with a known truth: two-way clustering,
Kendall's tau-b and small-sample p-values as R's cor.test, Callaway-Sant'Anna's calendar
aggregation and its two comparison groups, controls in the event study, and the note when
singleton units are dropped. Published values are in test_reference_results.py."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.sandwich_covariance import cov_cluster

from evaluation.errors import EstimationError, FewClustersWarning
from evaluation.estimate import (
    correlate,
    dose_response,
    event_study,
    example_panel,
    panel_fe,
    staggered_did,
)

# ---- two-way clustering -------------------------------------------------------------------


def _two_way_panel(n_units=40, n_years=12, seed=3):
    """Errors with a unit component and a year component (each correlated), as CGM study."""
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(n_units), n_years)
    year = np.tile(np.arange(2010, 2010 + n_years), n_units)
    x = rng.normal(size=unit.size) + rng.normal(size=n_units)[unit] + rng.normal(
        size=n_years)[year - 2010]
    e = rng.normal(size=unit.size) + rng.normal(size=n_units)[unit] + rng.normal(
        size=n_years)[year - 2010]
    return pd.DataFrame({"unit": unit, "year": year, "x": x, "y": 0.5 * x + e})


def _quiet(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewClustersWarning)
        return func(*args, **kwargs)


def test_two_way_pooled_equals_statsmodels_exactly():
    df = _two_way_panel()
    ours = _quiet(panel_fe, df, "y", "x", "unit", "year", fixed_effects=(),
                  cluster=["unit", "year"], inference="cluster")
    X = sm.add_constant(df["x"].to_numpy())
    theirs = sm.OLS(df["y"].to_numpy(), X).fit(
        cov_type="cluster", cov_kwds={"groups": df[["unit", "year"]].to_numpy()})
    np.testing.assert_allclose(ours.vcov.loc[["Intercept", "x"], ["Intercept", "x"]],
                               theirs.cov_params(), rtol=1e-9)


def test_two_way_with_fixed_effects_equals_the_cgm_formula_from_statsmodels_pieces():
    """With unit and year effects statsmodels (dummies) counts every dummy in K, so compare
    the raw one-way pieces: V = sum_k c_k V_k with c_k = G_k/(G_k-1) (N-1)/(N-K), K the
    slope and the constant (both sets of fixed effects are nested in a clustering, so not
    counted: fixest's and Stata reghdfe's rule)."""
    df = _two_way_panel(seed=5)
    ours = _quiet(panel_fe, df, "y", "x", "unit", "year", cluster=["unit", "year"],
                  inference="cluster")
    dummies = pd.get_dummies(df[["unit", "year"]].astype(str), drop_first=True, dtype=float)
    X = sm.add_constant(pd.concat([df[["x"]], dummies], axis=1))
    fit = sm.OLS(df["y"], X).fit()
    pieces = {
        "unit": df["unit"].to_numpy(), "year": df["year"].to_numpy(),
        "both": (df["unit"].astype(str) + "_" + df["year"].astype(str)).to_numpy(),
    }
    n, k = len(df), 2
    total = 0.0
    for name, sign in (("unit", 1), ("year", 1), ("both", -1)):
        groups = pd.factorize(pieces[name])[0]
        g = groups.max() + 1
        raw = cov_cluster(fit, groups, use_correction=False)[1, 1]  # x is column 1
        total += sign * g / (g - 1) * (n - 1) / (n - k) * raw
    assert ours.table.loc["x", "std_error"] == pytest.approx(np.sqrt(total), rel=1e-9)
    assert ours.n_clusters == 12 and ours.n_clusters_by == (40, 12) and ours.df_resid == 11


def test_two_way_equals_pyfixest_with_its_own_g_per_dimension_and_differs_from_its_default():
    df = _two_way_panel(seed=7)
    ours = _quiet(panel_fe, df, "y", "x", "unit", "year", cluster=["unit", "year"],
                  inference="cluster")
    same = pf.feols("y ~ x | unit + year", data=df, vcov={"CRV1": "unit+year"},
                    ssc=pf.ssc(G_df="conventional"))
    default = pf.feols("y ~ x | unit + year", data=df, vcov={"CRV1": "unit+year"})
    assert ours.table.loc["x", "std_error"] == pytest.approx(float(same.se()["x"]), rel=1e-10)
    assert ours.table.loc["x", "std_error"] != pytest.approx(float(default.se()["x"]), rel=1e-4)


@pytest.mark.slow
def test_two_way_interval_covers_the_truth_when_errors_correlate_both_ways():
    """Monte Carlo: with unit- and year-correlated errors and regressor, the two-way
    interval covers the true 0.5 about 95% of the time; one-way by unit does not."""
    cover_two, cover_one, reps = 0, 0, 200
    for seed in range(reps):
        df = _two_way_panel(n_units=60, n_years=30, seed=100 + seed)
        two = _quiet(panel_fe, df, "y", "x", "unit", "year", fixed_effects=(),
                     cluster=["unit", "year"], inference="cluster").table.loc["x"]
        one = _quiet(panel_fe, df, "y", "x", "unit", "year", fixed_effects=(),
                     cluster="unit", inference="cluster").table.loc["x"]
        cover_two += two["conf_low"] <= 0.5 <= two["conf_high"]
        cover_one += one["conf_low"] <= 0.5 <= one["conf_high"]
    assert cover_two / reps > 0.88
    assert cover_one / reps < cover_two / reps - 0.05


@pytest.mark.parametrize("cluster", [["unit", "year"], ("unit_id", "year"), ["unit_id"],
                                     ["a", "b", "c"], 3, {"unit_id": 1}, ["unit_id", "unit_id"],
                                     ["unit_id", "nope"]])
def test_a_two_way_or_odd_cluster_request_never_raises_a_raw_type_error(cluster):
    panel = example_panel(n_units=20, n_years=6, seed=4)
    cohort = panel.assign(cohort=np.where(panel["unit_id"] < "U08", 2018.0, np.nan))
    calls = [
        lambda: panel_fe(panel, "ikm", "jp_per_asn", "unit_id", "year", cluster=cluster,
                         inference="cluster"),
        lambda: panel_fe(panel, "ikm", "jp_per_asn", "unit_id", "year", cluster=cluster),
        lambda: event_study(cohort, "ikm", "cohort", "unit_id", "year", cluster=cluster,
                            inference="cluster"),
        lambda: dose_response(panel, "ikm", "jp_per_asn", "unit_id", "year",
                              cluster=cluster, bins=4),
    ]
    outcomes = []
    for call in calls:
        try:
            outcomes.append(type(_quiet(call)).__name__)
        except EstimationError as exc:
            outcomes.append(str(exc))
    assert len(outcomes) == 4
    assert not any("unhashable" in o or "TypeError" in o for o in outcomes)


def test_wild_inference_with_two_way_clustering_is_refused_with_the_reason():
    panel = example_panel(n_units=20, n_years=6, seed=4)
    with pytest.raises(EstimationError, match="one way.*inference='cluster'"):
        panel_fe(panel, "ikm", "jp_per_asn", "unit_id", "year", cluster=["unit", "year"],
                 inference="wild")
    res = _quiet(panel_fe, panel, "ikm", "jp_per_asn", "unit_id", "year",
                 cluster=["unit", "year"])
    assert res.inference == "cluster" and "two-way" in res.inference_reason
    assert res.to_dict()["cluster"] == ["unit_id", "year"]
    with pytest.raises(EstimationError, match="two-way"):
        res.with_inference("wild")


def test_auto_with_two_way_clustering_warns_about_the_smaller_dimension():
    panel = example_panel(n_units=30, n_years=6, seed=4)
    with pytest.warns(FewClustersWarning, match="6 clusters in its smaller dimension"):
        panel_fe(panel, "ikm", "jp_per_asn", "unit_id", "year", cluster=["unit", "year"])


# ---- Kendall and Spearman, as R's cor.test ------------------------------------------------


@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kendall_exact_p_value_equals_scipy(alternative, seed):
    rng = np.random.default_rng(seed)
    n = 12 + seed
    x = rng.permutation(n).astype(float)
    y = 0.5 * x + rng.normal(0, 3, n)
    res = correlate(pd.DataFrame({"x": x, "y": y}), "x", "y", method="kendall",
                    alternative=alternative)
    theirs = stats.kendalltau(x, y, method="exact", alternative=alternative)
    assert res.estimate == pytest.approx(theirs.statistic, abs=1e-12)
    assert res.p_value == pytest.approx(theirs.pvalue, rel=1e-10)
    assert res.statistic_name == "T"


def test_kendall_with_ties_is_tau_b_with_the_tie_corrected_normal_test():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 5, 40).astype(float)
    y = x + rng.integers(0, 3, 40)
    res = correlate(pd.DataFrame({"x": x, "y": y}), "x", "y", method="kendall")
    theirs = stats.kendalltau(x, y, variant="b", method="asymptotic")
    assert res.estimate == pytest.approx(theirs.statistic, abs=1e-12)
    assert res.p_value == pytest.approx(theirs.pvalue, rel=1e-8)
    assert res.statistic_name == "z" and res.conf_low < res.estimate < res.conf_high


@pytest.mark.parametrize("n", [5, 7])
def test_spearman_exact_p_value_is_the_permutation_distribution(n):
    rng = np.random.default_rng(n)
    x = rng.permutation(n).astype(float)
    y = x + rng.normal(0, 1.5, n)
    res = correlate(pd.DataFrame({"x": x, "y": y}), "x", "y", method="spearman",
                    alternative="greater")
    rx, ry = stats.rankdata(x), stats.rankdata(y)
    observed = np.corrcoef(rx, ry)[0, 1]
    perms = [np.corrcoef(rx, np.array(p))[0, 1] for p in itertools.permutations(ry)]
    brute = np.mean(np.array(perms) >= observed - 1e-12)
    assert res.p_value == pytest.approx(brute, abs=1e-12)
    assert "exact permutation" in res.p_value_method


def test_spearman_with_ties_equals_scipy_t_test():
    rng = np.random.default_rng(9)
    x = rng.integers(0, 6, 30).astype(float)
    y = x + rng.normal(0, 2, 30)
    res = correlate(pd.DataFrame({"x": x, "y": y}), "x", "y", method="spearman")
    theirs = stats.spearmanr(x, y)
    assert res.estimate == pytest.approx(theirs.statistic, abs=1e-12)
    assert res.p_value == pytest.approx(theirs.pvalue, rel=1e-9)


def test_kendall_within_units_is_refused_and_exact_can_be_turned_off():
    panel = example_panel(n_units=10, n_years=5, seed=2)
    with pytest.raises(EstimationError, match="kendall.*within"):
        correlate(panel, "jp_per_asn", "ikm", "unit_id", "year", method="kendall",
                  within=True)
    small = panel.head(12)
    exact = correlate(small, "jp_per_asn", "ikm", method="kendall")
    approx = correlate(small, "jp_per_asn", "ikm", method="kendall", exact=False)
    assert exact.statistic_name == "T" and approx.statistic_name == "z"
    assert exact.p_value != approx.p_value


@pytest.mark.slow
def test_exact_small_sample_p_values_have_the_nominal_size():
    """Under independence the exact tests reject at 5% no more than 5% of the time (the
    permutation distributions are discrete, so at most), n = 8."""
    rng = np.random.default_rng(11)
    rejections = {"spearman": 0, "kendall": 0}
    reps = 600
    for _ in range(reps):
        df = pd.DataFrame({"x": rng.normal(size=8), "y": rng.normal(size=8)})
        for method in rejections:
            rejections[method] += correlate(df, "x", "y", method=method).p_value <= 0.05
    for method, count in rejections.items():
        assert count / reps <= 0.05 + 2.5 * np.sqrt(0.05 * 0.95 / reps), method


# ---- Callaway-Sant'Anna: calendar aggregation, comparison groups --------------------------


def _staggered(effect_by_year, seed=1, never=True, n_units=60):
    """Cohorts 2018 and 2020 (and never-treated units); the effect depends on the calendar
    year only: ``effect_by_year[t]`` for treated units in year t."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame([(u, t) for u in range(n_units) for t in range(2015, 2023)],
                      columns=["unit", "year"])
    cohorts = [2018.0, 2020.0, np.nan] if never else [2018.0, 2020.0]
    df["cohort"] = df["unit"].map(lambda u: cohorts[u % len(cohorts)])
    treated = df["year"] >= df["cohort"]
    effect = df["year"].map(effect_by_year).fillna(0.0) * treated
    df["ikm"] = (80 + rng.normal(0, 2, n_units)[df["unit"]] + 0.4 * (df["year"] - 2015)
                 + effect + rng.normal(0, 0.3, len(df)))
    return df


def test_calendar_aggregation_recovers_year_specific_effects():
    truth = {2018: 1.0, 2019: 2.0, 2020: 3.0, 2021: 3.5, 2022: 4.0}
    df = _staggered(truth)
    res = _quiet(staggered_did, df, "ikm", "cohort", "unit", "year")
    cal = res.by_calendar_time.set_index("time")
    assert list(cal.index) == sorted(truth)
    for year, effect in truth.items():
        row = cal.loc[year]
        assert row["conf_low"] < effect < row["conf_high"], year
    assert res.overall_calendar["estimate"] == pytest.approx(np.mean(list(truth.values())),
                                                             abs=0.15)


def test_calendar_year_effect_is_the_cohort_share_weighted_mean_of_its_cells():
    df = _staggered({2018: 1.0, 2019: 2.0, 2020: 3.0, 2021: 3.5, 2022: 4.0}, seed=4)
    res = _quiet(staggered_did, df, "ikm", "cohort", "unit", "year",
                 control_group="never_treated")
    cells = res.att_gt
    sizes = df.groupby("unit")["cohort"].first().value_counts()
    for year in (2019, 2021):
        now = cells[(cells["time"] == year) & (cells["group"] <= year)]
        w = now["group"].map(lambda g: sizes[float(g)]).to_numpy(dtype=float)
        expected = float(np.sum(w * now["estimate"]) / w.sum())
        got = res.by_calendar_time.set_index("time").loc[year, "estimate"]
        assert got == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("control_group", ["not_yet_treated", "never_treated"])
def test_both_comparison_groups_recover_a_constant_effect(control_group):
    df = _staggered(dict.fromkeys(range(2018, 2023), 2.0), seed=2)
    res = _quiet(staggered_did, df, "ikm", "cohort", "unit", "year",
                 control_group=control_group)
    overall = res.overall
    assert overall["conf_low"] < 2.0 < overall["conf_high"]
    assert res.to_dict()["control_group"] == control_group


def test_never_treated_comparison_needs_never_treated_units():
    df = _staggered(dict.fromkeys(range(2018, 2023), 2.0), never=False)
    with pytest.raises(EstimationError, match="never_treated.*not_yet_treated"):
        staggered_did(df, "ikm", "cohort", "unit", "year", control_group="never_treated")
    res = _quiet(staggered_did, df[df["year"] < 2020], "ikm", "cohort", "unit", "year")
    assert res.overall["estimate"] == pytest.approx(2.0, abs=0.3)


# ---- controls in the event study ----------------------------------------------------------


def _confounded_event_panel(seed=2):
    """A time-varying control that rises after joining and moves the outcome; the true
    programme effect is 2.0 from the joining year on."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame([(u, t) for u in range(60) for t in range(2014, 2023)],
                      columns=["unit", "year"])
    df["cohort"] = df["unit"].map(lambda u: [2017.0, 2019.0, np.nan][u % 3])
    treated = (df["year"] >= df["cohort"]).astype(float)
    df["budget"] = 3.0 * treated + rng.normal(0, 1, len(df))
    df["ikm"] = (70 + rng.normal(0, 2, 60)[df["unit"]] + 0.2 * (df["year"] - 2014)
                 + 2.0 * treated + 1.5 * df["budget"] + rng.normal(0, 0.5, len(df)))
    return df


def test_event_study_controls_remove_a_confounder_and_equal_panel_fe_with_them():
    df = _confounded_event_panel()
    without = event_study(df, "ikm", "cohort", "unit", "year", inference="cluster")
    with_c = event_study(df, "ikm", "cohort", "unit", "year", controls=["budget"],
                         inference="cluster")
    post = lambda r: r.plot_data().query("event_time >= 0")["estimate"]  # noqa: E731
    assert (post(without) > 5.0).all()  # 2.0 + 1.5 * 3.0 leaks into the dummies
    assert np.allclose(post(with_c), 2.0, atol=0.4)
    assert with_c.to_dict()["controls"] == ["budget"]
    # the same regression written out with panel_fe
    rel = (df["year"] - df["cohort"]).clip(-4, 4)
    frame = df.copy()
    names = []
    for e in range(-4, 5):
        if e == -1:
            continue
        name = f"ev{e + 4}"
        frame[name] = (rel == e).astype(float)
        names.append(name)
    direct = panel_fe(frame, "ikm", names, "unit", "year", controls=["budget"],
                      inference="cluster")
    mine = with_c.tidy().set_index("event_time")
    for e, name in zip([e for e in range(-4, 5) if e != -1], names, strict=True):
        assert mine.loc[e, "estimate"] == pytest.approx(direct.coef(name), abs=1e-10)


# ---- singleton units ----------------------------------------------------------------------


def test_singleton_units_dropped_are_counted_and_noted():
    panel = example_panel(n_units=20, n_years=6, seed=1)
    lonely = panel[~((panel["unit_id"].isin(["U00", "U01"])) & (panel["year"] > 2016))]
    res = panel_fe(lonely, "ikm", "jp_per_asn", "unit_id", "year", inference="cluster")
    assert res.n_singletons_dropped == 2
    assert res.n_obs == len(lonely) - 2
    assert res.to_dict()["n_singletons_dropped"] == 2
    assert any("singleton" in note for note in res._notes()) and "singleton" in res.summary()
    full = panel_fe(panel, "ikm", "jp_per_asn", "unit_id", "year", inference="cluster")
    assert full.n_singletons_dropped == 0
    assert not any("singleton" in note for note in full._notes())
    # fixest's count: the same rows pyfixest drops as singletons
    fit = pf.feols("ikm ~ jp_per_asn | unit_id + year", data=lonely)
    assert res.n_obs == fit._N
