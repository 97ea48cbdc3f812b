"""Wild cluster restricted bootstrap (evaluation.estimate._wild) against a brute-force bootstrap and
against the wildboottest package (through pyfixest's ``Feols.wildboottest``).

Conventions: bootstrap t statistics here carry no small-sample factor (it multiplies the
original and every bootstrap variance alike and cancels in p-values and intervals);
p-values are symmetric, ``P(|t*| >= |t|)`` with ties (up to a relative 1e-9) counted, the
randomization-test convention; wildboottest counts ``|t*| > |t|`` by exact comparison.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from evaluation.estimate import example_panel, panel_fe
from evaluation.estimate._wild import (
    WildDesign,
    _Hypothesis,
    choose_weights,
    draw_weights,
    wild_test,
)


def _two_way_problem(n_units=8, n_years=6, seed=0, unbalanced=False):
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(n_units), n_years)
    year = np.tile(np.arange(n_years), n_units)
    keep = np.ones(unit.size, bool)
    if unbalanced:
        keep[rng.choice(unit.size, size=unit.size // 6, replace=False)] = False
    unit, year = unit[keep], year[keep]
    x = rng.normal(size=(unit.size, 2)) + 0.3 * year[:, None]
    y = 0.4 * x[:, 0] - 0.2 * x[:, 1] + rng.normal(size=unit.size) * (1 + unit % 3) \
        + rng.normal(size=n_units)[unit] + 0.5 * year
    return unit, year, x, y


def _brute_force_t(unit, year, x, y, j, r, V):
    """Re-estimate OLS with explicit unit and year dummies for every draw."""
    D_u = (unit[:, None] == np.unique(unit)[None, :]).astype(float)
    D_t = (year[:, None] == np.unique(year)[None, 1:]).astype(float)  # drop one year
    Xf = np.column_stack([x, D_u, D_t])
    XtXi = np.linalg.inv(Xf.T @ Xf)
    # restricted fit: coefficient j fixed at r
    others = [i for i in range(Xf.shape[1]) if i != j]
    Xo = Xf[:, others]
    bo = np.linalg.lstsq(Xo, y - r * Xf[:, j], rcond=None)[0]
    fitted_r = Xo @ bo + r * Xf[:, j]
    u_r = y - fitted_r
    clusters = unit
    G = len(np.unique(clusters))
    out = np.empty(V.shape[0])
    for b, v in enumerate(V):
        ystar = fitted_r + u_r * v[clusters]
        beta = XtXi @ (Xf.T @ ystar)
        res = ystar - Xf @ beta
        scores = np.array([Xf[clusters == g].T @ res[clusters == g] for g in range(G)])
        vj = XtXi[j] @ scores.T
        out[b] = (beta[j] - r) / np.sqrt(np.sum(vj**2))
    return out


def _design_from(unit, year, x, y, reproject=True):
    from pyfixest.core.demean import demean

    fe = np.column_stack([unit, year]).astype(np.uint64)
    both, ok = demean(np.column_stack([y, x]).astype(float), fe, np.ones(len(y)), tol=1e-13)
    assert ok
    return WildDesign(X=both[:, 1:], y=both[:, 0], clusters=unit.astype(np.int64),
                      fe=fe if reproject else None, fe_tol=1e-13)


@pytest.mark.parametrize("unbalanced", [False, True])
@pytest.mark.parametrize("r", [0.0, 0.7])
def test_bootstrap_t_equals_brute_force_with_two_way_dummies(unbalanced, r):
    """The vectorised t* equal re-estimating with explicit unit and year dummies per draw."""
    unit, year, x, y = _two_way_problem(unbalanced=unbalanced, seed=3)
    design = _design_from(unit, year, x, y)
    V, _ = draw_weights(8, 200, "webb", seed=11)
    hyp = _Hypothesis(design, np.array([1.0, 0.0]))
    fast = hyp.t_boot(r, V)
    slow = _brute_force_t(unit, year, x, y, 0, r, V)
    np.testing.assert_allclose(fast, slow, rtol=1e-7, atol=1e-9)


def test_skipping_reprojection_is_wrong_when_year_effects_cross_clusters():
    """Guard for the pitfall: without re-projecting, t* differ from the brute force."""
    unit, year, x, y = _two_way_problem(seed=4)
    V, _ = draw_weights(8, 100, "rademacher", seed=1)
    slow = _brute_force_t(unit, year, x, y, 0, 0.0, V)
    naive = _Hypothesis(_design_from(unit, year, x, y, reproject=False),
                        np.array([1.0, 0.0])).t_boot(0.0, V)
    assert np.max(np.abs(naive - slow)) > 1e-3


def test_original_t_matches_cr1_without_small_sample_factor():
    unit, year, x, y = _two_way_problem(seed=5)
    design = _design_from(unit, year, x, y)
    hyp = _Hypothesis(design, np.array([0.0, 1.0]))
    X, yd = design.X, design.y
    XtXi = np.linalg.inv(X.T @ X)
    b = XtXi @ X.T @ yd
    u = yd - X @ b
    S = np.array([X[unit == g].T @ u[unit == g] for g in range(8)])
    V = XtXi @ S.T @ S @ XtXi
    assert hyp.t_original(0.25) == pytest.approx((b[1] - 0.25) / np.sqrt(V[1, 1]), rel=1e-10)


def test_weights_enumeration_and_seed():
    V, enum = draw_weights(10, 9999, "rademacher", seed=1)
    assert enum and V.shape == (1024, 10) and len({tuple(v) for v in V}) == 1024
    V1, enum1 = draw_weights(20, 999, "rademacher", seed=1)
    V2, _ = draw_weights(20, 999, "rademacher", seed=1)
    V3, _ = draw_weights(20, 999, "rademacher", seed=2)
    assert not enum1 and np.array_equal(V1, V2) and not np.array_equal(V1, V3)
    W, _ = draw_weights(15, 50_000, "webb", seed=3)
    assert set(np.round(np.unique(W), 6)) == set(np.round(
        [-np.sqrt(1.5), -1, -np.sqrt(0.5), np.sqrt(0.5), 1, np.sqrt(1.5)], 6))
    assert abs(W.mean()) < 0.01 and abs((W**2).mean() - 1) < 0.01
    assert choose_weights(11, "auto") == "webb"
    assert choose_weights(12, "auto") == "rademacher"
    assert choose_weights(5, "rademacher") == "rademacher"


def test_interval_is_the_test_inversion():
    unit, year, x, y = _two_way_problem(n_units=14, seed=6)
    design = _design_from(unit, year, x, y)
    R = np.array([1.0, 0.0])
    res = wild_test(design, R, reps=1999, weights_type="rademacher", seed=5)
    hyp = _Hypothesis(design, R)
    V, _ = draw_weights(14, 1999, "rademacher", seed=5)
    eps = 1e-4 * (res.conf_high - res.conf_low)
    assert hyp.p_value(res.conf_low + eps, V) > 0.05 >= hyp.p_value(res.conf_low - eps, V)
    assert hyp.p_value(res.conf_high - eps, V) > 0.05 >= hyp.p_value(res.conf_high + eps, V)
    assert res.conf_low < hyp.Rb < res.conf_high
    again = wild_test(design, R, reps=1999, weights_type="rademacher", seed=5)
    assert again == res


def _pyfixest_wild(panel, seed, reps):
    import pyfixest as pf

    panel = panel.assign(ucode=pd.factorize(panel["unit_id"])[0])
    fit = pf.feols("ikm ~ jp_per_asn | ucode + year", data=panel, vcov={"CRV1": "ucode"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = fit.wildboottest(reps=reps, param="jp_per_asn", seed=seed)
    return float(out["Pr(>|t|)"])


@pytest.mark.parametrize("seed", [5, 8])
def test_full_enumeration_p_value_equals_wildboottest_up_to_its_tie_convention(seed):
    """10 clusters, 2^10 = 1024 <= reps: both enumerate every sign pattern, so the p-values
    agree except for ties (wildboottest estimates the unit and year effects as dummies).

    The identity pattern (every weight 1) and its mirror (every weight -1) reproduce |t|
    itself. We count them as at least as extreme (|t*| >= |t| up to a relative 1e-9: the
    randomization-test convention), so our p-value is deterministic. wildboottest counts
    ``|t| < |t*|`` with exact floating-point comparison, so each of those two draws counts
    or not depending on rounding noise in its own computation: its p-value is ours minus 0,
    1 or 2 draws out of 1024, never anything else.
    """
    panel = example_panel(n_units=10, n_years=8, seed=seed)
    ours = panel_fe(panel, "ikm", "jp_per_asn", "unit_id", "year", inference="wild",
                    wild_weights="rademacher", reps=9999)
    ours_count = ours.table.loc["jp_per_asn", "p_value"] * 1024
    theirs_count = _pyfixest_wild(panel, seed=1, reps=9999) * 1024
    # the ties are exactly the two constant patterns
    hyp = _Hypothesis(ours._design.design, np.array([1.0]))
    V, enumerated = draw_weights(10, 9999, "rademacher", seed=1)
    t, tb = abs(hyp.t_original(0.0)), np.abs(hyp.t_boot(0.0, V))
    ties = np.flatnonzero(np.abs(tb - t) <= 1e-9 * t)
    assert enumerated and len(ties) == 2
    assert {tuple(V[i]) for i in ties} == {(1.0,) * 10, (-1.0,) * 10}
    assert ours_count == pytest.approx(np.sum(tb > t * (1 + 1e-9)) + 2, abs=1e-9)
    assert ours_count - 2 - 1e-9 <= theirs_count <= ours_count + 1e-9
    assert theirs_count == pytest.approx(round(theirs_count), abs=1e-9)


@pytest.mark.parametrize(("weights", "n_constant"), [("rademacher", 2), ("webb", 6)])
def test_constant_weight_patterns_are_ties_and_bound_the_enumerated_p_value(weights, n_constant):
    """Every constant weight vector v = c*1 rescales the restricted residuals, so |t*| = |t|:
    under full enumeration these draws (2 for Rademacher, 6 for Webb) are always counted and
    p >= n_constant / n_patterns even for a huge effect. With 5 clusters and Rademacher
    weights that floor (2/32) is above 0.05: the test cannot reject and says so honestly
    (an unbounded interval), which is why "auto" uses Webb's weights below 12 clusters."""
    unit, year, x, y = _two_way_problem(n_units=5, n_years=8, seed=2)
    y = y + 50 * x[:, 0]  # an effect no test could miss
    design = _design_from(unit, year, x, y)
    res = wild_test(design, np.array([1.0, 0.0]), reps=9999, weights_type=weights)
    assert res.enumerated
    assert res.p_value == pytest.approx(n_constant / res.reps, abs=1e-12)
    if weights == "rademacher":
        assert np.isinf(res.conf_low) and np.isinf(res.conf_high)
    else:
        assert np.isfinite(res.conf_low) and res.conf_low < 50 < res.conf_high


def test_random_draws_p_value_agrees_with_wildboottest_within_monte_carlo_error():
    panel = example_panel(n_units=24, n_years=7, beta=0.03, seed=21)
    reps = 9999
    ours = panel_fe(panel, "ikm", "jp_per_asn", "unit_id", "year", inference="wild",
                    reps=reps, seed=123).table.loc["jp_per_asn", "p_value"]
    theirs = _pyfixest_wild(panel, seed=321, reps=reps)
    p = 0.5 * (ours + theirs)
    mc_sd = np.sqrt(2 * p * (1 - p) / reps)  # sd of a difference of two independent runs
    assert abs(ours - theirs) < 4 * mc_sd + 1e-4
