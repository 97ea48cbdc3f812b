"""Published results reproduced to the precision they were published with.

Each test cites its source; the data and a README with provenance are in
``tests/reference/``. Precision: a number published with d decimals must round to it,
i.e. agree within half a unit of its last digit.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evaluation.errors import FewClustersWarning
from evaluation.estimate import panel_fe

REF = Path(__file__).parent / "reference"


def _half_unit(published: float | str) -> float:
    text = str(published)
    decimals = len(text.split(".")[1]) if "." in text else 0
    return 0.5 * 10 ** (-decimals) + 1e-12


def assert_published(value: float, published: str) -> None:
    """``value`` rounds to the published ``published`` (given as text, e.g. '0.0286')."""
    assert abs(value - float(published)) <= _half_unit(published), (value, published)


@pytest.fixture(scope="module")
def grunfeld() -> pd.DataFrame:
    return pd.read_csv(REF / "grunfeld10.csv")


def test_grunfeld_two_way_within_baltagi_table_3_1(grunfeld):
    """Baltagi (2005), Econometric Analysis of Panel Data, 3rd ed., Table 3.1: two-way
    within estimator on the 10-firm Grunfeld data, value 0.118 (0.014), capital 0.358
    (0.023). Conventional (iid) standard errors with N - N_firms - T + 1 - K = 169 df."""
    res = panel_fe(grunfeld, "invest", ["value", "capital"], "firm", "year", inference="iid")
    t = res.table
    assert res.n_obs == 200 and res.n_units == 10 and res.n_years == 20
    assert res.df_resid == 169
    assert_published(t.loc["value", "estimate"], "0.118")
    assert_published(t.loc["value", "std_error"], "0.014")
    assert_published(t.loc["capital", "estimate"], "0.358")
    assert_published(t.loc["capital", "std_error"], "0.023")


def test_grunfeld_one_way_within_baltagi_table_2_1(grunfeld):
    """Baltagi (2005), Table 2.1: one-way (firm) within estimator, value 0.110 (0.012),
    capital 0.310 (0.017)."""
    res = panel_fe(grunfeld, "invest", ["value", "capital"], "firm", "year",
                   fixed_effects=["unit"], inference="iid")
    t = res.table
    assert_published(t.loc["value", "estimate"], "0.110")
    assert_published(t.loc["value", "std_error"], "0.012")
    assert_published(t.loc["capital", "estimate"], "0.310")
    assert_published(t.loc["capital", "std_error"], "0.017")


@pytest.fixture(scope="module")
def petersen() -> pd.DataFrame:
    return pd.read_csv(REF / "petersen_test_data.csv")


@pytest.mark.parametrize(
    ("inference", "cluster", "se_intercept", "se_x"),
    [
        ("iid", None, "0.0284", "0.0286"),
        ("hetero", None, "0.0284", "0.0284"),
        ("cluster", "firmid", "0.0670", "0.0506"),
        ("cluster", "year", "0.0234", "0.0334"),
    ],
)
def test_petersen_2009_standard_errors(petersen, inference, cluster, se_intercept, se_x):
    """Petersen (2009, Review of Financial Studies 22:435-480), test-data page: pooled OLS
    of y on x, coefficient 1.0348 (intercept 0.0297); standard errors OLS, White, clustered
    by firm and by year (Stata's CR1: G/(G-1) (N-1)/(N-K))."""
    with pytest.warns() if cluster == "year" else _no_warning():
        res = panel_fe(petersen, "y", "x", "firmid", "year", fixed_effects=(),
                       cluster=cluster, inference=inference)
    assert_published(res.coef("x"), "1.0348")
    assert_published(res.params["Intercept"], "0.0297")
    assert_published(res.table.loc["x", "std_error"], se_x)
    assert_published(float(np.sqrt(res.vcov.loc["Intercept", "Intercept"])), se_intercept)


class _no_warning:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_mpdta_callaway_santanna_did_vignette():
    """Callaway and Sant'Anna (2021, Journal of Econometrics 225:200-230), R package did,
    vignette 'Getting Started with the did Package' (did-basics): att_gt on mpdta with
    never-treated controls, no covariates, varying base period. Group-time ATTs and the
    dynamic aggregation are published to 4 decimals and must agree to that precision.
    The published standard errors come from a multiplier bootstrap (they vary by about
    +/-5% between renderings of the vignette), so ours must lie within 15% of them."""
    staggered = pytest.importorskip("evaluation.estimate.staggered")
    mpdta = pd.read_csv(REF / "mpdta.csv")
    published = pd.read_csv(REF / "mpdta_published.csv", dtype={"estimate": str})
    res = staggered.staggered_did(mpdta, "lemp", "first.treat", "countyreal", "year",
                                  control_group="never_treated")
    ours = res.att_gt.set_index(["group", "time"])
    att = published[published["aggregation"] == "att_gt"]
    assert len(ours) == len(att) == 12
    for row in att.itertuples():
        mine = ours.loc[(int(row.group), int(row.time))]
        assert_published(mine["estimate"], row.estimate)
        assert mine["std_error"] == pytest.approx(row.std_error, rel=0.15)
    dyn = res.table[res.table["aggregation"] == "dynamic"].set_index("term")
    for row in published[published["aggregation"] == "dynamic"].itertuples():
        mine = dyn.loc[f"event_time={int(row.event_time)}"]
        assert_published(mine["estimate"], row.estimate)
        assert mine["std_error"] == pytest.approx(row.std_error, rel=0.15)
    overall = published[published["aggregation"] == "overall_dynamic"].iloc[0]
    assert_published(dyn.loc["overall_dynamic", "estimate"], overall["estimate"])
    assert dyn.loc["overall_dynamic", "std_error"] == pytest.approx(overall["std_error"], rel=0.15)


def test_mpdta_group_simple_and_calendar_aggregations_did_reference_manual():
    """R package did 2.1.2 reference manual (CRAN), examples of ``aggte``: ``att_gt(yname =
    "lemp", tname = "year", idname = "countyreal", gname = "first.treat", xformla = NULL,
    data = mpdta)`` (never-treated controls, no covariates), then ``aggte(out, type =
    "simple" | "group" | "calendar")``. Estimates are published to 4 decimals (the simple
    one to 2) and must round to them; the published standard errors come from the
    multiplier bootstrap, so ours (analytic, the same influence functions) must lie within
    15% of them. Calendar: per year, the cohort-size weighted mean of the cohorts already
    treated; overall, the plain mean over those years."""
    staggered = pytest.importorskip("evaluation.estimate.staggered")
    mpdta = pd.read_csv(REF / "mpdta.csv")
    published = pd.read_csv(REF / "mpdta_published.csv", dtype={"estimate": str})
    res = staggered.staggered_did(mpdta, "lemp", "first.treat", "countyreal", "year",
                                  control_group="never_treated")
    table = res.table.set_index("term")
    terms = {"simple": lambda r: "overall_simple", "overall_group": lambda r: "overall_group",
             "group": lambda r: f"group={int(float(r.group))}",
             "calendar": lambda r: f"time={int(float(r.time))}",
             "overall_calendar": lambda r: "overall_calendar"}
    rows = published[published["aggregation"].isin(list(terms))]
    assert len(rows) == 10
    for row in rows.itertuples():
        mine = table.loc[terms[row.aggregation](row)]
        assert_published(mine["estimate"], row.estimate)
        assert mine["std_error"] == pytest.approx(row.std_error, rel=0.15)
    assert set(table.loc[table["aggregation"] == "calendar"].index) == {
        "time=2004", "time=2005", "time=2006", "time=2007", "overall_calendar"}


def test_petersen_2009_two_way_clustered_standard_errors(petersen):
    """Petersen's test-data page, "OLS Coefficients and Standard Errors Clustered by Firm
    and Year": intercept 0.0297 (0.0651), x 1.0348 (0.0536). Two-way clustering as
    Cameron, Gelbach and Miller (2011): V_firm + V_year - V_firm-year, each with its own
    Stata small-sample factor."""
    with pytest.warns(FewClustersWarning, match="two-way"):
        res = panel_fe(petersen, "y", "x", "firmid", "year", fixed_effects=(),
                       cluster=["firmid", "year"], inference="cluster")
    assert_published(res.coef("x"), "1.0348")
    assert_published(res.table.loc["x", "std_error"], "0.0536")
    assert_published(float(np.sqrt(res.vcov.loc["Intercept", "Intercept"])), "0.0651")
    assert res.n_clusters == 10 and res.n_clusters_by == (500, 10) and res.df_resid == 9
    assert "Cameron, Gelbach and Miller" in res.vcov_convention


# R's help page of cor.test (the Hollander and Wolfe 1973, p. 187f, tuna example) and
# printed R outputs of cor.test; see tests/reference/README.md for each source.
HOLLANDER_WOLFE = pd.DataFrame({
    "x": [44.4, 45.9, 41.9, 53.3, 44.7, 44.1, 50.7, 45.2, 60.1],
    "y": [2.6, 3.1, 2.5, 5.0, 3.6, 4.0, 5.2, 2.8, 3.8],
})


@pytest.mark.parametrize(
    ("method", "alternative", "exact", "estimate", "statistic", "p_value"),
    [
        # help page: "## => p=0.05972" (exact) and "## => p=0.04765" (exact = FALSE)
        ("kendall", "greater", None, "0.4444444", "26", "0.05972"),
        ("kendall", "greater", False, "0.4444444", None, "0.04765"),
        # the same data, two-sided large-sample test: normal-z = 1.6681, p-value = 0.0953
        ("kendall", "two-sided", False, "0.4444444", "1.6681", "0.0953"),
        # R package apa's tests of cor.test on these data: r_s = .60, p = .048 and
        # r(7) = .57, p = .054; and t = 1.8411, df = 7, p-value = 0.1082 (two-sided)
        ("spearman", "greater", None, "0.60", "48", "0.048"),
        ("pearson", "greater", None, "0.57", None, "0.054"),
        ("pearson", "two-sided", None, "0.5711815", "1.8411", "0.1082"),
    ],
)
def test_cor_test_hollander_wolfe_example(method, alternative, exact, estimate, statistic,
                                          p_value):
    from evaluation.estimate import correlate

    res = correlate(HOLLANDER_WOLFE, "x", "y", method=method, alternative=alternative,
                    exact=exact)
    assert res.n == 9
    assert abs(res.estimate - float(estimate)) <= _half_unit(estimate) + 1e-7
    if statistic is not None:
        assert_published(res.statistic, statistic)
    assert_published(res.p_value, p_value)


@pytest.mark.parametrize(
    ("x", "y", "alternative", "rho", "s", "p_value", "path"),
    [
        # n = 10, no ties: AS 89's Edgeworth series (R prints S = 234, p-value = 0.2324)
        ([70, 78, 90, 87, 84, 86, 91, 74, 83, 85], [90, 94, 79, 86, 84, 83, 88, 92, 76, 75],
         "two-sided", "-0.4181818", "234", "0.2324", "Edgeworth"),
        # ties: Student t (R prints S = 60.746, p-value = 0.04781, rho -0.7356124)
        ([1, 2, 3, 4, 5, 6], [1, 0, -1, -1, 0, -2], "less", "-0.7356124", "60.746",
         "0.04781", "Student t"),
        # ties: Student t (R prints S = 6.0666, p-value = 0.0008915, rho 0.9277782)
        ([100, 102, 103, 101, 105, 100, 99, 105], [257, 264, 274, 266, 277, 263, 258, 275],
         "two-sided", "0.9277782", "6.0666", "0.0008915", "Student t"),
    ],
)
def test_cor_test_spearman_printed_outputs(x, y, alternative, rho, s, p_value, path):
    from evaluation.estimate import correlate

    res = correlate(pd.DataFrame({"x": x, "y": y}), "x", "y", method="spearman",
                    alternative=alternative)
    assert_published(res.estimate, rho)
    assert_published(res.statistic, s)
    assert_published(res.p_value, p_value)
    assert path in res.p_value_method


# Roodman's WildBootTests.jl documentation, "OLS examples" (the Julia engine behind Stata's
# boottest; Roodman, MacKinnon, Nielsen and Webb 2019, Stata Journal 19(1):4-60, give the
# algorithm): y ~ 1 + x on Petersen's data, errors clustered and bootstrapped by firm (500
# clusters), H0: coefficient on x = 1, wild cluster restricted bootstrap, Rademacher weights,
# 999 draws, symmetric p-value, interval by test inversion. The page prints two runs:
# p = 0.492 with CI [0.93461335, 1.1347668], and p = 0.49459493 with CI [0.934961, 1.13469].
WBT_P_VALUES = (0.492, 0.49459493)
WBT_INTERVALS = ((0.93461335, 1.1347668), (0.934961, 1.13469))
WBT_PUBLISHED_REPS = 999


@pytest.mark.slow
def test_petersen_wild_cluster_bootstrap_wildboottests_docs(petersen):
    """Published numbers are Monte Carlo estimates from 999 random draws (2^500 sign
    patterns cannot be enumerated), so "to the precision published" means within their
    Monte Carlo error. We draw 9,999 (seeded). p-value: the standard deviation of a
    999-draw estimate at p = 0.49 is sqrt(p(1-p)/999) = 0.016 (the two published runs
    differ by 0.003); tolerance 3 standard deviations of the difference of the two
    estimates (0.05). Interval bounds: the two published runs differ by 3.5e-4 and our
    999-draw bounds move by about 0.003 from seed to seed; tolerance 0.005. The t
    statistic is deterministic: (1.0348 - 1) / 0.0506 (CR1) = 0.689."""
    from evaluation.estimate._wild import WildDesign, wild_test

    reps = 9999
    res = panel_fe(petersen, "y", "x", "firmid", "year", fixed_effects=(), cluster="firmid",
                   inference="wild", wild_weights="rademacher", reps=reps, seed=2026)
    assert res.inference == "wild_cluster_restricted" and res.n_clusters == 500
    # the interval does not depend on the null value; panel_fe reports it for every term
    lo, hi = res.table.loc["x", ["conf_low", "conf_high"]]
    for pub_lo, pub_hi in WBT_INTERVALS:
        assert abs(lo - pub_lo) <= 0.005 and abs(hi - pub_hi) <= 0.005, (lo, hi)
    # p-value of H0: x = 1 (panel_fe reports H0: x = 0), from the same transformed problem
    w = wild_test(res._design.design, (np.array(res.params.index) == "x").astype(float),
                  r=1.0, reps=reps, weights_type="rademacher", seed=2026)
    assert not w.enumerated and w.reps == reps
    assert w.statistic == pytest.approx((1.0348 - 1) / 0.0506, abs=5e-3)
    for p_pub in WBT_P_VALUES:
        sd = np.sqrt(p_pub * (1 - p_pub) * (1 / WBT_PUBLISHED_REPS + 1 / reps))
        assert abs(w.p_value - p_pub) <= 3 * sd, (w.p_value, p_pub, sd)
    # same design built by hand (pooled OLS with an intercept, no fixed effects to re-project)
    X = np.column_stack([np.ones(len(petersen)), petersen["x"].to_numpy()])
    design = WildDesign(X, petersen["y"].to_numpy(dtype=float),
                        pd.factorize(petersen["firmid"])[0].astype(np.int64))
    by_hand = wild_test(design, np.array([0.0, 1.0]), r=1.0, reps=reps,
                        weights_type="rademacher", seed=2026)
    assert by_hand.p_value == pytest.approx(w.p_value, abs=1e-12)
    assert by_hand.conf_low == pytest.approx(lo, abs=1e-6)
