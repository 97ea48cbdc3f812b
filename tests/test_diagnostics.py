"""Dose-response, the training -> IKM -> outcome chain, power (MDE) and robustness.

Synthetic panels with effects written down here; exact identities (total = direct +
indirect, equal to the reduced form) and agreement with pyfixest to 1e-8.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest

from evaluation.errors import EstimationError, FewClustersWarning
from evaluation.estimate import panel_fe
from evaluation.estimate.chain import chain
from evaluation.estimate.diagnostics import dose_response, mde, robustness
from evaluation.i18n import Formatter

TRUE_A, TRUE_B, TRUE_DIRECT = 0.4, 0.6, 0.1  # jp -> ikm, ikm -> iku, jp -> iku directly


def _panel(seed=1, n_units=60, n_years=10, shape="linear", effect=0.05, noise=1.0):
    """Units x years with unit and year effects, serially correlated noise, sectors,
    a control, and the chain jp (lag 1) -> ikm -> iku."""
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(n_units), n_years)
    year = np.tile(np.arange(2015, 2015 + n_years), n_units)
    alpha = rng.normal(0, 3, n_units)[unit]
    tau = rng.normal(0, 1, n_years)[year - 2015]
    jp = rng.gamma(4, 5, len(unit)) + 2 * rng.normal(0, 1, n_units)[unit]
    e = np.zeros(len(unit))
    shocks = rng.normal(0, noise, len(unit))
    for i in range(len(unit)):  # AR(1) within unit
        e[i] = shocks[i] + (0.5 * e[i - 1] if i and unit[i] == unit[i - 1] else 0.0)
    df = pd.DataFrame({"unit": unit, "year": year, "jp": jp,
                       "sector": np.array(["dinas", "badan", "kecamatan"])[unit % 3],
                       "budget": rng.normal(0, 1, len(unit))})
    jp_lag = df.groupby("unit")["jp"].shift(1)
    if shape == "linear":
        f = effect * jp
    elif shape == "quadratic":
        f = 0.004 * (jp - 20) ** 2
    df["y"] = 70 + alpha + tau + f + e
    df["ikm"] = 75 + alpha + tau + TRUE_A * jp_lag + 0.3 * df["budget"] + e
    df["iku"] = (50 + 0.5 * alpha + tau + TRUE_B * df["ikm"] + TRUE_DIRECT * jp_lag
                 + rng.normal(0, 1, len(unit)))
    return df


# ---- chain -------------------------------------------------------------------------------


def test_chain_identity_and_pyfixest_agreement():
    df = _panel()
    res = chain(df, "iku", "jp", "unit", "year", mediator="ikm", lag=1, controls=["budget"], reps=199)
    t = res.tidy().set_index("term")
    # total = direct + indirect exactly, and equals the reduced-form TWFE on the same rows
    assert t.loc["total", "estimate"] == pytest.approx(
        t.loc["direct", "estimate"] + t.loc["indirect", "estimate"], abs=1e-12)
    assert t.loc["indirect", "estimate"] == pytest.approx(
        t.loc["a", "estimate"] * t.loc["b", "estimate"], abs=1e-14)
    d = df.assign(jp_lag1=df.groupby("unit")["jp"].shift(1)).dropna()
    a = pf.feols("ikm ~ jp_lag1 + budget | unit + year", d).coef()["jp_lag1"]
    full = pf.feols("iku ~ ikm + jp_lag1 + budget | unit + year", d).coef()
    total = pf.feols("iku ~ jp_lag1 + budget | unit + year", d).coef()["jp_lag1"]
    assert t.loc["a", "estimate"] == pytest.approx(a, abs=1e-8)
    assert t.loc["b", "estimate"] == pytest.approx(full["ikm"], abs=1e-8)
    assert t.loc["direct", "estimate"] == pytest.approx(full["jp_lag1"], abs=1e-8)
    assert t.loc["total", "estimate"] == pytest.approx(total, abs=1e-8)
    assert res.n_obs == len(d)


def test_chain_covers_true_effects_and_states_assumption():
    res = chain(_panel(seed=4), "iku", "jp", "unit", "year", mediator="ikm", lag=1,
                controls=["budget"], reps=499)
    t = res.tidy().set_index("term")
    truth = {"a": TRUE_A, "b": TRUE_B, "direct": TRUE_DIRECT,
             "indirect": TRUE_A * TRUE_B, "total": TRUE_DIRECT + TRUE_A * TRUE_B}
    for path, value in truth.items():
        assert t.loc[path, "conf_low"] <= value <= t.loc[path, "conf_high"], path
        assert t.loc[path, "conf_low"] < t.loc[path, "estimate"] < t.loc[path, "conf_high"]
    d = res.to_dict()
    json.dumps(d, allow_nan=False)
    assert d["inference"] == "cluster_bootstrap" and d["reps"] == 499
    for path in truth:
        assert set(d[path]) >= {"estimate", "std_error", "conf_low", "conf_high", "p_value"}
    en, id_ = (Formatter(lang).msg("estimate.chain.assumption") for lang in ("en", "id"))
    assert d["assumption_en"] == en and d["assumption_id"] == id_
    assert "sequential ignorability" in en and "asosiasi" in id_
    assert "Asumsi" in str(res)


def test_chain_is_seeded():
    df = _panel()
    a = chain(df, "iku", "jp", "unit", "year", mediator="ikm", reps=199, seed=5)
    b = chain(df, "iku", "jp", "unit", "year", mediator="ikm", reps=199, seed=5)
    c = chain(df, "iku", "jp", "unit", "year", mediator="ikm", reps=199, seed=6)
    pd.testing.assert_frame_equal(a.tidy(), b.tidy())
    assert not np.allclose(a.tidy()["conf_low"], c.tidy()["conf_low"])
    pd.testing.assert_series_equal(a.tidy()["estimate"], c.tidy()["estimate"])


def test_chain_bootstrap_spread_matches_cluster_robust_se():
    """Resampling whole units: the bootstrap spread of ``a`` estimates the same thing as
    the CR1 cluster-robust standard error (many clusters, so they should be close)."""
    df = _panel(seed=2, n_units=80)
    res = chain(df, "iku", "jp", "unit", "year", mediator="ikm", controls=["budget"], reps=999)
    d = df.assign(jp_lag1=df.groupby("unit")["jp"].shift(1)).dropna()
    cr = pf.feols("ikm ~ jp_lag1 + budget | unit + year", d, vcov={"CRV1": "unit"})
    boot_se = res.tidy().set_index("term").loc["a", "std_error"]
    assert boot_se == pytest.approx(float(cr.se()["jp_lag1"]), rel=0.2)


def test_chain_bad_calls():
    df = _panel()
    with pytest.raises(EstimationError, match="not found"):
        chain(df, "missing", "jp", "unit", "year", mediator="ikm")
    with pytest.raises(EstimationError, match="three different"):
        chain(df, "ikm", "jp", "unit", "year", mediator="ikm")
    flat = df.assign(jp=5.0)
    with pytest.raises(EstimationError, match="does not vary"):
        chain(flat, "iku", "jp", "unit", "year", mediator="ikm")
    with pytest.raises(EstimationError, match="reps"):
        chain(df, "iku", "jp", "unit", "year", mediator="ikm", reps=10)
    with pytest.raises(EstimationError, match="lag"):
        chain(df, "iku", "jp", "unit", "year", mediator="ikm", lag=-1)


# ---- dose-response -----------------------------------------------------------------------


def test_dose_response_bins_and_linear_case():
    df = _panel(seed=7, shape="linear")
    res = dose_response(df, "y", "jp", "unit", "year", bins=8)
    bins = res.bins
    assert list(res.plot_data().columns) == ["x", "y", "n", "conf_low", "conf_high"]
    assert len(bins) == 8 and bins["n"].sum() == res.n_obs == len(df)
    assert bins["x"].is_monotonic_increasing
    assert (bins["conf_low"] < bins["y"]).all() and (bins["y"] < bins["conf_high"]).all()
    # the means are added back: n-weighted bin means are the overall means
    assert np.average(bins["y"], weights=bins["n"]) == pytest.approx(df["y"].mean(), abs=1e-9)
    assert np.average(bins["x"], weights=bins["n"]) == pytest.approx(df["jp"].mean(), abs=1e-9)
    # the slope is the TWFE coefficient; a linear truth passes the linearity test
    fit = pf.feols("y ~ jp | unit + year", df)
    assert res.line["estimate"] == pytest.approx(fit.coef()["jp"], abs=1e-8)
    assert res.line["conf_low"] <= 0.05 <= res.line["conf_high"]
    assert res.linearity_test["p_value"] > 0.05
    assert res.linearity_test["df1"] == 7
    json.dumps(res.to_dict(), allow_nan=False)


def test_dose_response_detects_curvature_and_uses_lag():
    df = _panel(seed=7, shape="quadratic")
    res = dose_response(df, "y", "jp", "unit", "year")
    assert res.linearity_test["p_value"] < 0.001
    # U shape: the ends of the binned scatter lie above the middle
    y = res.bins["y"].to_numpy()
    assert y[0] > y[len(y) // 2] and y[-1] > y[len(y) // 2]
    lagged = dose_response(df, "y", "jp", "unit", "year", lag=1)
    assert lagged.n_obs == len(df) - df["unit"].nunique()


def test_dose_response_bad_calls():
    df = _panel()
    with pytest.raises(EstimationError, match="not found"):
        dose_response(df, "y", "nope", "unit", "year")
    with pytest.raises(EstimationError, match="does not vary"):
        dose_response(df.assign(jp=df["unit"] * 1.0), "y", "jp", "unit", "year")
    with pytest.raises(EstimationError, match="bins"):
        dose_response(df, "y", "jp", "unit", "year", bins=1)
    # three sector clusters cannot test nine bin restrictions: say so, no number
    with pytest.warns(FewClustersWarning, match="fewer bins than clusters"):
        res = dose_response(df, "y", "jp", "unit", "year", cluster="sector")
    assert res.n_clusters == 3 and res.linearity_test["p_value"] is None
    assert "not testable" in str(res)
    json.dumps(res.to_dict(), allow_nan=False)


# ---- minimum detectable effect -----------------------------------------------------------


def test_mde_simulation_is_consistent():
    df = _panel(seed=3)
    res = mde(df, "y", "jp", "unit", "year", reps=500)
    assert res.value > 0
    # the CR1 test keeps its size in this design, and the MDE is close to the analytic one
    assert abs(res.size_at_zero - 0.05) < 0.035
    assert 0.6 < res.value / res.analytic < 1.6
    # the power curve reaches the target at the MDE and not below it
    curve = res.power_curve
    assert curve.loc[curve["effect"] < res.value * 0.999, "power"].max() < 0.8
    assert curve.loc[curve["effect"] > res.value * 1.001, "power"].min() >= 0.8
    assert curve.loc[np.isclose(curve["effect"], res.value), "power"].iloc[0] >= 0.8
    # more units: a smaller detectable effect (about 1/sqrt(4) = half)
    big = mde(df, "y", "jp", "unit", "year", reps=500, n_units=240)
    assert big.value == pytest.approx(res.value / 2, rel=0.25)
    short = mde(df, "y", "jp", "unit", "year", reps=500, n_years=5)
    assert short.value > res.value
    d = res.to_dict()
    json.dumps(d, allow_nan=False)
    assert d["mde"] == d["value"] == res.value and d["alpha"] == 0.05


def test_mde_power_matches_a_direct_monte_carlo():
    """Refit panel_fe on simulated panels built the documented way: at beta = MDE the
    rejection rate is the requested power (within Monte Carlo error)."""
    df = _panel(seed=3, n_units=40, n_years=6)
    res = mde(df, "y", "jp", "unit", "year", reps=400, seed=11)
    fit = panel_fe(df, "y", ["jp"], "unit", "year", inference="cluster")
    resid = fit.residuals.to_numpy().reshape(40, 6)
    x = df["jp"].to_numpy().reshape(40, 6)
    rng = np.random.default_rng(99)
    rejections = []
    for _ in range(150):
        xi, ei = rng.integers(0, 40, 40), rng.integers(0, 40, 40)
        sim = pd.DataFrame({"unit": np.repeat(np.arange(40), 6),
                            "year": np.tile(np.arange(6), 40),
                            "jp": x[xi].ravel()})
        sim["y"] = res.value * sim["jp"] + resid[ei].ravel()
        r = panel_fe(sim, "y", ["jp"], "unit", "year", inference="cluster").tidy().iloc[0]
        rejections.append(r["p_value"] < 0.05)
    assert np.mean(rejections) == pytest.approx(0.8, abs=0.1)


def test_mde_seeded_and_bad_calls():
    df = _panel()
    a = mde(df, "y", "jp", "unit", "year", reps=200, seed=1)
    b = mde(df, "y", "jp", "unit", "year", reps=200, seed=1)
    c = mde(df, "y", "jp", "unit", "year", reps=200, seed=2)
    assert a.value == b.value and a.value != c.value
    with pytest.raises(EstimationError, match="power"):
        mde(df, "y", "jp", "unit", "year", power=1.5)
    with pytest.raises(EstimationError, match="n_years"):
        mde(df, "y", "jp", "unit", "year", n_years=30)
    with pytest.raises(EstimationError, match="constant"):
        mde(df.assign(jp=df["year"] * 2.0), "y", "jp", "unit", "year")
    with pytest.raises(EstimationError, match="not found"):
        mde(df, "y", "jp_lag9", "unit", "year")


# ---- robustness ----------------------------------------------------------------------------


def test_robustness_table_and_counts():
    df = _panel(seed=5, effect=0.08)
    res = robustness(df, "y", "jp", "unit", "year", lag=0, controls=["budget"],
                     sector="sector")
    t = res.table.set_index("name")
    expected = {"main", "lag1", "lag2", "no_controls", "unit_trends", "winsorised",
                "leave_out_badan", "leave_out_dinas", "leave_out_kecamatan", "placebo_lead"}
    assert set(t.index) == expected
    assert {"label_id", "label_en", "estimate", "std_error", "conf_low", "conf_high",
            "p_value", "n_obs"} <= set(res.table.columns)
    main = panel_fe(df, "y", ["jp"], "unit", "year", controls=["budget"],
                    inference="cluster").tidy().iloc[0]
    assert t.loc["main", "estimate"] == pytest.approx(main["estimate"], abs=1e-10)
    assert t.loc["main", "conf_low"] <= 0.08 <= t.loc["main", "conf_high"]
    # leave-one-sector-out drops a third of the units
    assert t.loc["leave_out_dinas", "n_obs"] == pytest.approx(len(df) * 2 / 3, abs=10)
    # counts exclude the placebo; the placebo (next year's exposure) is near 0 here
    checks = res.table[~res.table["placebo"]]
    assert res.n_total == len(checks) == 9
    assert res.n_same_sign == int((np.sign(checks["estimate"]) == np.sign(main["estimate"])).sum())
    assert res.n_significant == int((checks["p_value"] < 0.05).sum())
    assert res.placebo_significant is False
    assert t.loc["lag2", "estimate"] == pytest.approx(0, abs=0.05)
    d = res.to_dict()
    json.dumps(d, allow_nan=False)
    assert d["n_total"] == 9 and len(d["specifications"]) == 10
    assert "Tanpa sektor dinas" in set(res.table["label_id"])


def test_robustness_bad_calls():
    df = _panel()
    with pytest.raises(EstimationError, match="winsor"):
        robustness(df, "y", "jp", "unit", "year", winsor=(0.9, 0.1))
    with pytest.raises(EstimationError, match="not found"):
        robustness(df, "y", "jp", "unit", "year", sector="sektor")
    mixed = df.copy()
    mixed.loc[0, "sector"] = "other"
    with pytest.raises(EstimationError, match="constant within a unit"):
        robustness(mixed, "y", "jp", "unit", "year", sector="sector")
    with pytest.raises(EstimationError, match="expecting one of"):
        robustness(df, "y", "jp", "unit", "year", inference="bayes")
