"""Comparing exposures (training types, learning paths, sectors), the power of subgroups and
budget scenarios (issue 13, items 1, 2 and 7), each against an independent computation and
on synthetic data with a known truth."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
from scipy import stats

from evaluation.errors import EstimationError
from evaluation.estimate import (
    by_subgroup,
    compare_exposures,
    panel_fe,
    scenario,
)
from evaluation.estimate._shrinkage import _log_marginal, pool
from evaluation.estimate._wild import draw_weights, wild_test
from evaluation.estimate._wild_wald import wild_wald_test

# ---- the wild bootstrap Wald test ---------------------------------------------------------


def _two_way(n_units=9, n_years=6, k=3, seed=0):
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(n_units), n_years)
    year = np.tile(np.arange(n_years), n_units)
    x = rng.normal(size=(unit.size, k)) + 0.3 * year[:, None]
    y = x @ np.linspace(0.3, 0.5, k) + rng.normal(size=unit.size) * (1 + unit % 3) \
        + rng.normal(size=n_units)[unit] + 0.4 * year
    return unit, year, x, y


def _design(unit, year, x, y):
    from pyfixest.core.demean import demean

    from evaluation.estimate._wild import WildDesign

    fe = np.column_stack([unit, year]).astype(np.uint64)
    both, ok = demean(np.column_stack([y, x]).astype(float), fe, np.ones(len(y)), tol=1e-13)
    assert ok
    return WildDesign(X=both[:, 1:], y=both[:, 0], clusters=unit.astype(np.int64), fe=fe,
                      fe_tol=1e-13)


def _brute_force_wald(unit, year, x, y, R, V):
    """Re-estimate with explicit unit and year dummies for every draw (restricted residuals,
    bootstrap outcome, unrestricted refit, CR Wald)."""
    D = np.column_stack([x, (unit[:, None] == np.unique(unit)[None, :]).astype(float),
                         (year[:, None] == np.unique(year)[None, 1:]).astype(float)])
    Rf = np.zeros((R.shape[0], D.shape[1]))
    Rf[:, :R.shape[1]] = R
    XtXi = np.linalg.inv(D.T @ D)
    b = XtXi @ D.T @ y
    b_r = b - XtXi @ Rf.T @ np.linalg.solve(Rf @ XtXi @ Rf.T, Rf @ b)
    u_r = y - D @ b_r
    G = unit.max() + 1

    def wald(yy):
        bb = XtXi @ D.T @ yy
        e = yy - D @ bb
        S = np.array([D[unit == g].T @ e[unit == g] for g in range(G)])
        Vc = XtXi @ S.T @ S @ XtXi
        d = Rf @ bb
        return float(d @ np.linalg.solve(Rf @ Vc @ Rf.T, d))

    return wald(y), np.array([wald(D @ b_r + u_r * v[unit]) for v in V])


def test_wild_wald_with_two_restrictions_equals_re_estimating_every_draw():
    unit, year, x, y = _two_way(seed=2)
    R = np.array([[1.0, -1.0, 0.0], [1.0, 0.0, -1.0]])
    res = wild_wald_test(_design(unit, year, x, y), R, reps=300, weights_type="webb", seed=9)
    V, _ = draw_weights(9, 300, "webb", seed=9)
    stat, boot = _brute_force_wald(unit, year, x, y, R, V)
    assert res.statistic == pytest.approx(stat, rel=1e-7)
    assert res.p_value == pytest.approx(np.mean(boot >= stat * (1 - 2e-9)), abs=1e-12)


@pytest.mark.parametrize("row", [[1.0, 0.0, 0.0], [1.0, -1.0, 0.0], [0.0, 1.0, 1.0]])
def test_wild_wald_with_one_restriction_is_the_wild_t_test(row):
    unit, year, x, y = _two_way(seed=4)
    design = _design(unit, year, x, y)
    t = wild_test(design, np.array(row), reps=999, weights_type="rademacher", seed=3, ci=False)
    w = wild_wald_test(design, np.array([row]), reps=999, weights_type="rademacher", seed=3)
    assert w.statistic == pytest.approx(t.statistic**2, rel=1e-9)
    assert w.p_value == pytest.approx(t.p_value, abs=1e-12)


def test_wild_wald_refuses_more_restrictions_than_clusters_allow():
    unit, year, x, y = _two_way(n_units=3, seed=1)
    with pytest.raises(EstimationError, match="rank at most G - 1"):
        wild_wald_test(_design(unit, year, x, y), np.eye(3), reps=99)


# ---- partial pooling ----------------------------------------------------------------------


def test_pooling_means_agree_with_quadrature_over_the_spread():
    """Monte Carlo posterior means equal the exact integral over tau (grid quadrature of
    the closed-form conditional means) within Monte Carlo error."""
    b = np.array([0.12, 0.02, 0.06])
    V = np.array([[0.03**2, 0.0002, 0.0], [0.0002, 0.04**2, 0.0001], [0.0, 0.0001, 0.05**2]])
    out = pool(b, V, draws=40_000, seed=5)
    scale = 0.05
    taus = (np.arange(2000) + 0.5) * (10 * scale) / 2000
    logs = np.array([_log_marginal(b, V, t)[0] for t in taus])
    logs += -np.log1p((taus / scale) ** 2)  # half-Cauchy up to a constant
    w = np.exp(logs - logs.max())
    w /= w.sum()
    Vi = np.linalg.inv(V)
    means = []
    for t in taus:
        _, mu, _ = _log_marginal(b, V, t)
        S = np.linalg.inv(Vi + np.eye(3) / t**2)
        means.append(S @ (Vi @ b + mu / t**2))
    exact = w @ np.array(means)
    np.testing.assert_allclose(out.mean, exact, atol=3e-3)
    assert out.prob_best.sum() == pytest.approx(1.0)
    assert np.allclose(out.prob_greater + out.prob_greater.T + np.eye(3), 1.0)


def test_pooling_shrinks_noisy_estimates_more_and_is_even_handed_when_equal():
    out = pool(np.array([0.2, 0.0]), np.diag([0.10, 0.01]) ** 2)
    assert abs(out.mean[0] - 0.2) > abs(out.mean[1] - 0.0)  # the noisy one moves more
    same = pool(np.array([0.05, 0.05, 0.05]), np.diag([0.02, 0.02, 0.02]) ** 2, draws=20_000)
    np.testing.assert_allclose(same.prob_best, 1 / 3, atol=0.02)


# ---- compare_exposures: known truths ------------------------------------------------------


def _types_panel(effects, n_units=40, n_years=9, seed=1):
    """JP per ASN of each type with its own true effect on next year's IKM."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame([(u, t) for u in range(n_units) for t in range(2015, 2015 + n_years)],
                      columns=["unit", "year"])
    level = rng.gamma(4, 3, (n_units, len(effects)))
    ikm = 80 + rng.normal(0, 3, n_units)[df["unit"]] + 0.3 * (df["year"] - 2015)
    for j, effect in enumerate(effects):
        jp = level[df["unit"], j] * rng.lognormal(0, 0.4, len(df))
        df[f"jp_{j}"] = jp
        lag = df.groupby("unit")[f"jp_{j}"].shift(1).fillna(jp.mean())
        ikm = ikm + effect * lag
    df["ikm"] = ikm + rng.normal(0, 0.6, len(df))
    return df


def _quiet(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return func(*args, **kwargs)


def test_a_type_that_matters_and_one_that_does_not_are_told_apart():
    df = _types_panel([0.12, 0.0])
    res = _quiet(compare_exposures, df, "ikm", ["jp_0", "jp_1"], "unit", "year",
                 labels=["matters", "does_not"], reps=1999)
    t = res.table.set_index("label")
    assert t.loc["matters", "conf_low"] < 0.12 < t.loc["matters", "conf_high"]
    assert t.loc["does_not", "conf_low"] < 0.0 < t.loc["does_not", "conf_high"]
    assert res.differ and res.difference_test["p_value"] < 0.01
    assert t.loc["matters", "prob_best"] > 0.95 and t.loc["matters", "prob_positive"] > 0.99
    assert res.prob_greater.loc["matters", "does_not"] > 0.95
    assert res.fit.inference == "wild_cluster_restricted"
    assert "wild cluster restricted bootstrap Wald" in res.difference_test["method"]


def test_equal_effects_are_not_called_different():
    df = _types_panel([0.06, 0.06, 0.06], seed=3)
    res = _quiet(compare_exposures, df, "ikm", ["jp_0", "jp_1", "jp_2"], "unit", "year",
                 reps=1999)
    assert not res.differ
    assert res.table["prob_best"].max() < 0.8


def test_comparison_estimates_and_f_test_equal_pyfixest():
    df = _types_panel([0.1, 0.03, 0.0], n_units=60, seed=5)
    res = _quiet(compare_exposures, df, "ikm", ["jp_0", "jp_1", "jp_2"], "unit", "year",
                 lag=0, inference="cluster")
    fit = pf.feols("ikm ~ jp_0 + jp_1 + jp_2 | unit + year", data=df, vcov={"CRV1": "unit"})
    np.testing.assert_allclose(res.table["estimate"], fit.coef().to_numpy(), rtol=1e-8)
    R = np.array([[1.0, -1.0, 0.0], [1.0, 0.0, -1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyfixest reports W (chi2) for these restrictions
        theirs = fit.wald_test(R=R, q=np.zeros(2), distribution="chi2")
    wald = float(theirs["statistic"])
    assert res.difference_test["statistic"] * 2 == pytest.approx(wald, rel=1e-8)
    assert res.difference_test["p_value"] == pytest.approx(
        float(stats.f.sf(wald / 2, 2, 59)), rel=1e-8)


# ---- subgroups and their power ------------------------------------------------------------


def test_a_small_subgroup_is_too_little_data_not_no_effect():
    df = _types_panel([0.1], n_units=45, seed=7).rename(columns={"jp_0": "jp"})
    df["sector"] = np.where(df["unit"] < 5, "small", "large")
    res = _quiet(by_subgroup, df, "ikm", "jp", "unit", "year", group="sector",
                 reference=0.1, mde_reps=300, reps=999)
    rows = {r["group"]: r for r in res.rows}
    assert rows["large"]["conf_low"] < 0.1 < rows["large"]["conf_high"]
    assert rows["large"]["detectable"] and rows["large"]["mde"] < 0.1
    assert rows["small"]["mde"] > rows["large"]["mde"]
    assert res.comparison is not None and not res.comparison.differ
    d = res.to_dict()
    assert d["difference_test"]["df"] == 1 and len(d["pooled"]) == 2


def test_subgroup_estimate_equals_panel_fe_on_its_units():
    df = _types_panel([0.1], n_units=30, seed=8).rename(columns={"jp_0": "jp"})
    df["sector"] = np.where(df["unit"] % 3 == 0, "a", "b")
    res = _quiet(by_subgroup, df, "ikm", "jp", "unit", "year", group="sector", mde_reps=100,
                 reps=999)
    sub = df[df["sector"] == "a"]
    direct = _quiet(panel_fe, sub, "ikm", "jp", "unit", "year", lags=[1], reps=999)
    row = next(r for r in res.rows if r["group"] == "a")
    assert row["estimate"] == pytest.approx(direct.coef("jp_lag1"), abs=1e-12)
    assert row["conf_low"] == pytest.approx(direct.tidy()["conf_low"].iloc[0], abs=1e-12)


# ---- scenarios ----------------------------------------------------------------------------


def _units():
    return pd.DataFrame({"unit_id": ["A", "B", "C"], "asn_count": [100, 50, 10],
                         "jp_total": [1500.0, 1000.0, 0.0], "jp_per_asn": [15.0, 20.0, 0.0],
                         "spend_real": [3.0e8, 0.0, 0.0],
                         "jp_gap_entitlement": [700.0, 150.0, 200.0]})


def test_budget_scenario_buys_jp_at_each_units_cost_and_carries_the_interval():
    effect = {"estimate": 0.06, "conf_low": 0.02, "conf_high": 0.10, "prob_positive": 0.99}
    res = scenario(_units(), effect, budget_change=-0.10)
    t = res.table.set_index("unit_id")
    assert t.loc["A", "cost_per_jp"] == pytest.approx(2.0e5)
    assert t.loc["A", "jp_change"] == pytest.approx(-150.0)
    assert t.loc["A", "spend_change"] == pytest.approx(-3.0e7)
    assert t.loc["B", "jp_change"] == 0.0  # no spending: a budget cut buys nothing less
    assert (t.loc["A", "ikm_change_low"], t.loc["A", "ikm_change_high"]) == pytest.approx(
        (-1.5 * 0.10, -1.5 * 0.02))
    tot = res.totals
    assert tot["ikm_change_mean"] == pytest.approx(0.06 * np.mean([-1.5, 0.0, 0.0]))
    assert tot["prob_ikm_rises"] == pytest.approx(0.01)


def test_entitlement_scenario_prices_units_without_spending_at_the_median_cost():
    effect = {"estimate": 0.06, "conf_low": 0.02, "conf_high": 0.10}
    res = scenario(_units(), effect, target="entitlement")
    t = res.table.set_index("unit_id")
    assert t.loc["C", "jp_per_asn_change"] == pytest.approx(20.0)
    assert bool(t.loc["C", "cost_imputed"]) and t.loc["C", "spend_change"] == pytest.approx(
        200 * 2.0e5)
    assert t.loc["C", "rank_gap"] == 1 and t.loc["A", "rank_cost_per_jp"] == 1
    assert np.isnan(t.loc["B", "cost_per_jp"]) and pd.isna(t.loc["B", "rank_cost_per_jp"])


@pytest.mark.parametrize(("effect", "reason"), [
    (None, "headline_not_estimable"),
    ({"estimate": 0.02, "conf_low": -0.01, "conf_high": 0.05}, "interval_includes_zero"),
])
def test_scenario_refuses_ikm_figures_with_the_reason(effect, reason):
    res = scenario(_units(), effect, budget_change=0.25)
    assert res.refused and res.refusal == reason
    assert res.table["ikm_change"].isna().all()
    assert res.table["jp_change"].notna().all() and res.totals["ikm_change_mean"] is None
    assert res.to_dict()["refusal"] == reason


def test_scenario_bad_calls_say_what_to_change():
    with pytest.raises(EstimationError, match="not both or neither"):
        scenario(_units(), None)
    with pytest.raises(EstimationError, match="between -1"):
        scenario(_units(), None, budget_change=-2)
    with pytest.raises(EstimationError, match="jp_gap_entitlement"):
        scenario(_units().drop(columns="jp_gap_entitlement"), None, target="entitlement")


def test_without_person_gaps_units_rank_by_the_share_of_asn_short_of_20_jp():
    """A study of summaries: the JP gap per ASN is only a lower bound (20 - JP per ASN, zero
    once the average passes 20); units with a zero bound rank by their ASN short of 20 JP."""
    units = _units().drop(columns="jp_gap_entitlement").assign(
        jp_per_asn=[25.0, 30.0, 12.0], share_20jp=[0.40, 0.70, 0.30])
    t = scenario(units, None, budget_change=0.1).table.set_index("unit_id")
    assert t["gap_per_asn"].tolist() == [0.0, 0.0, 8.0]
    assert t["rank_gap"].tolist() == [2, 3, 1]  # C: 8 JP short; then A: 60% short; then B
    tied = units.assign(share_20jp=[0.5, 0.5, 0.3])
    assert scenario(tied, None, budget_change=0.1).table["rank_gap"].tolist() == [2, 2, 1]
