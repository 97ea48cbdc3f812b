"""Staged programmes: Callaway-Sant'Anna staggered DiD and the TWFE event study.

Reference values: R package ``did`` (Callaway and Sant'Anna) on ``mpdta`` with analytic
standard errors, ``att_gt(yname = "lemp", tname = "year", idname = "countyreal",
gname = "first.treat", xformla = ~1, data = mpdta, bstrap = FALSE, cband = FALSE)`` and
``aggte(..., bstrap = FALSE)``, for ``control_group = "nevertreated"`` and
``"notyettreated"``; the Wald pre-test ``W`` and ``Wpval`` printed by ``summary()``
(0.16812, also in the package README). The numbers are the R output recorded in the
reference files of the csdid project (``csdid/test_csdid/r_ref/ref_attgt.csv``,
``ref_aggte.csv``, ``ref_pretest.csv``, made by its ``generate_reference.R``), typed here.
With no covariates, R's default doubly-robust 2x2 estimator equals the difference of mean
changes, so these are exactly what :func:`staggered_did` computes.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest

from evaluation.errors import DataQualityWarning, EstimationError
from evaluation.estimate import panel_fe
from evaluation.estimate.staggered import event_study, staggered_did

REF = Path(__file__).parent / "reference"

# (group, time): (att, se) -- R did, never-treated controls, bstrap = FALSE
R_ATT_NEVER = {
    (2004, 2004): (-0.0105032462209624, 0.0232510363681664),
    (2004, 2005): (-0.0704231581031467, 0.0309847667572767),
    (2004, 2006): (-0.137258738889403, 0.0364356642876865),
    (2004, 2007): (-0.100811363085404, 0.0343592258346732),
    (2006, 2004): (0.00652011242423301, 0.0233268051418047),
    (2006, 2005): (-0.00275081875051882, 0.0195585610358817),
    (2006, 2006): (-0.00459460695286304, 0.0177551966592763),
    (2006, 2007): (-0.0412244715462175, 0.0202291807041068),
    (2007, 2004): (0.0305066555832928, 0.01503356028013),
    (2007, 2005): (-0.00272589288611625, 0.0163958328955344),
    (2007, 2006): (-0.0310871193896889, 0.0178775113133435),
    (2007, 2007): (-0.0260544107191966, 0.0166554353492522),
}
R_ATT_NOT_YET = {
    (2004, 2004): (-0.0193723636759221, 0.0223101128836806),
    (2004, 2005): (-0.0783190990620607, 0.0303902285433973),
    (2004, 2006): (-0.136274346328678, 0.03540338496891),
    (2004, 2007): (-0.100811363085404, 0.0343592258346732),
    (2006, 2004): (-0.00256255094261098, 0.0225302351453388),
    (2006, 2005): (-0.00193924609578875, 0.019042158605819),
    (2006, 2006): (0.00466087631997615, 0.0163355842468236),
    (2006, 2007): (-0.0412244715462175, 0.0202291807041068),
    (2007, 2004): (0.0297593647610311, 0.0145335416386514),
    (2007, 2005): (-0.0024106128000969, 0.0160312963755178),
    (2007, 2006): (-0.0310871193896889, 0.0178775113133435),
    (2007, 2007): (-0.0260544107191966, 0.0166554353492522),
}
# term: (estimate, se) -- aggte(type = "simple" | "group" | "dynamic" | "calendar",
# bstrap = FALSE)
R_AGG_NEVER = {
    "overall_simple": (-0.0399512751551763, 0.0120340127701854),
    "group=2004": (-0.0797491265747291, 0.0263677994350273),
    "group=2006": (-0.0229095392495403, 0.0167033302551619),
    "group=2007": (-0.0260544107191966, 0.0166554353492522),
    "overall_group": (-0.0310182822287484, 0.0124460593209979),
    "event_time=-3": (0.0305066555832928, 0.01503356028013),
    "event_time=-2": (-0.000563084626385429, 0.01329164473655),
    "event_time=-1": (-0.0244587449711696, 0.0142364022105193),
    "event_time=0": (-0.0199318167892593, 0.0118263640580582),
    "event_time=1": (-0.0509573670651939, 0.016893476268678),
    "event_time=2": (-0.137258738889403, 0.0364356642876865),
    "event_time=3": (-0.100811363085404, 0.0343592258346733),
    "overall_dynamic": (-0.0772398214573151, 0.0199649890618494),
    "time=2004": (-0.0105032462209624, 0.0232510363681664),
    "time=2005": (-0.0704231581031467, 0.0309847667572767),
    "time=2006": (-0.0488159842650431, 0.0201258612605003),
    "time=2007": (-0.0370593399359766, 0.0137470791411185),
    "overall_calendar": (-0.0417004321312822, 0.01597185188456),
}
R_AGG_NOT_YET = {
    "overall_simple": (-0.0397636256230437, 0.0120524247873419),
    "group=2004": (-0.0836942930380162, 0.0257015997680069),
    "group=2006": (-0.0182817976131207, 0.0159222358245001),
    "group=2007": (-0.0260544107191966, 0.0166554353492522),
    "overall_group": (-0.030462228112565, 0.0125751201316818),
    "event_time=-3": (0.0297593647610311, 0.0145335416386514),
    "event_time=-2": (-0.00244615388606511, 0.0131203504342708),
    "event_time=-1": (-0.0242689034145076, 0.0144636816758019),
    "event_time=0": (-0.0189221990834249, 0.0120445686892691),
    "event_time=1": (-0.0535893473848319, 0.016946385539125),
    "event_time=2": (-0.136274346328678, 0.03540338496891),
    "event_time=3": (-0.100811363085404, 0.0343592258346733),
    "overall_dynamic": (-0.0773993139705847, 0.0195601769463944),
    "time=2004": (-0.0193723636759221, 0.0223101128836806),
    "time=2005": (-0.0783190990620607, 0.0303902285433972),
    "time=2006": (-0.0423175312295752, 0.0190562576431668),
    "time=2007": (-0.0370593399359766, 0.0137470791411185),
    "overall_calendar": (-0.0442670834758837, 0.0155709044211449),
}
R_PRETEST = {"never_treated": (7.79123662720035, 0.16812),
             "not_yet_treated": (7.79092771882739, 0.16814)}


@pytest.fixture(scope="module")
def mpdta() -> pd.DataFrame:
    return pd.read_csv(REF / "mpdta.csv")


# ---- reference: R did on mpdta ------------------------------------------------------------


@pytest.mark.parametrize("control_group, att_ref, agg_ref", [
    ("never_treated", R_ATT_NEVER, R_AGG_NEVER),
    ("not_yet_treated", R_ATT_NOT_YET, R_AGG_NOT_YET),
])
def test_mpdta_matches_r_did_analytic(mpdta, control_group, att_ref, agg_ref):
    res = staggered_did(mpdta, "lemp", "first.treat", "countyreal", "year",
                        control_group=control_group)
    cells = res.att_gt.set_index(["group", "time"])
    assert len(cells) == len(att_ref)
    for key, (att, se) in att_ref.items():
        assert cells.loc[key, "estimate"] == pytest.approx(att, abs=1e-10)
        assert cells.loc[key, "std_error"] == pytest.approx(se, rel=1e-8)
    table = res.table.set_index("term")
    for term, (est, se) in agg_ref.items():
        assert table.loc[term, "estimate"] == pytest.approx(est, abs=1e-10), term
        assert table.loc[term, "std_error"] == pytest.approx(se, rel=1e-8), term
    w, p = R_PRETEST[control_group]
    assert res.pretrend_cells["statistic"] == pytest.approx(w, rel=1e-8)
    assert res.pretrend_cells["df"] == 5
    assert round(res.pretrend_cells["p_value"], 5) == p


def test_mpdta_readme_summary_numbers(mpdta):
    """The did README prints ATT(2004,2004) = -0.0105 and the group aggregation -0.031
    (and the pre-test p-value 0.16812) for the never-treated comparison."""
    res = staggered_did(mpdta, "lemp", "first.treat", "countyreal", "year",
                        control_group="never_treated")
    first = res.att_gt.iloc[0]
    assert (first["group"], first["time"]) == (2004, 2004)
    assert round(first["estimate"], 4) == -0.0105
    assert round(res.overall["estimate"], 3) == -0.031
    assert round(res.overall_dynamic["estimate"], 4) == -0.0772


# ---- exactness: each ATT(g, t) is a 2x2 difference of mean changes ---------------------------


def _staggered_panel(seed=11, n=80, het=False, noise=0.3, never=True):
    rng = np.random.default_rng(seed)
    years = np.arange(2014, 2024)
    cohorts = np.array([2016, 2019, 2022, np.inf if never else 2021])
    unit = np.repeat(np.arange(n), len(years))
    year = np.tile(years, n)
    g = cohorts[unit % 4]
    e = year - np.where(np.isfinite(g), g, 10_000)
    post = np.isfinite(g) & (year >= g)
    if het:
        effect = np.where(post, (1 + 0.5 * e) * np.where(g == 2016, 2.0, 1.0), 0.0)
    else:
        effect = np.where(post, 2.0, 0.0)
    alpha = rng.normal(0, 2, n)[unit]
    y = 80 + alpha + 0.3 * (year - 2014) + effect + rng.normal(0, noise, len(unit))
    return pd.DataFrame({"unit": unit, "year": year,
                         "cohort": np.where(np.isfinite(g), g, np.nan), "ikm": y,
                         "effect": effect})


def _two_by_two(df, g, t, base, controls):
    wide = df.pivot(index="unit", columns="year", values="ikm")
    cohort = df.groupby("unit")["cohort"].first().fillna(np.inf)
    change = wide[t] - wide[base]
    return change[cohort == g].mean() - change[controls(cohort)].mean()


@pytest.mark.parametrize("control_group", ["never_treated", "not_yet_treated"])
@pytest.mark.parametrize("base_period", ["varying", "universal"])
def test_att_gt_equals_hand_rolled_2x2_means(control_group, base_period):
    df = _staggered_panel()
    res = staggered_did(df, "ikm", "cohort", "unit", "year", control_group=control_group,
                        base_period=base_period)
    checked = 0
    for r in res.att_gt.itertuples():
        g, t = r.group, r.time
        base = g - 1 if base_period == "universal" or t >= g else t - 1
        if base == t:
            assert r.estimate == 0.0 and np.isnan(r.std_error)
            continue
        later = max(t, base)
        if control_group == "never_treated":
            def ctrl(c):
                return ~np.isfinite(c)
        else:
            def ctrl(c, g=g, later=later):
                return ~np.isfinite(c) | ((c > later) & (c != g))
        expected = _two_by_two(df, g, t, base, ctrl)
        assert r.estimate == pytest.approx(expected, abs=1e-12)
        checked += 1
    assert checked >= 20


def test_universal_base_reference_cells_are_zero():
    res = staggered_did(_staggered_panel(), "ikm", "cohort", "unit", "year",
                        base_period="universal")
    dyn = res.by_event_time.set_index("event_time")
    assert dyn.loc[-1, "estimate"] == 0.0
    assert np.isnan(dyn.loc[-1, "std_error"])
    # the pre-trend test leaves the zero reference out
    assert res.pretrend["df"] == int((res.by_event_time["event_time"] < -1).sum())


# ---- synthetic truth: homogeneous and heterogeneous effects --------------------------------


def test_homogeneous_effect_recovered_by_both():
    df = _staggered_panel(seed=3, n=120, noise=0.2)
    cs = staggered_did(df, "ikm", "cohort", "unit", "year")
    o = cs.overall
    assert o["conf_low"] <= 2.0 <= o["conf_high"]
    assert cs.pretrend["passed"]
    es = event_study(df, "ikm", "cohort", "unit", "year", inference="cluster")
    post = es.coefficients[es.coefficients["event_time"] >= 0]
    assert ((post["conf_low"] <= 2.0) & (post["conf_high"] >= 2.0)).mean() >= 0.8
    assert np.allclose(post["estimate"], 2.0, atol=0.2)


def test_heterogeneous_effects_bias_twfe_not_callaway_santanna():
    """Effects grow with time since joining and are twice as large for the first cohort:
    the static TWFE (one post dummy) is far from every sensible average effect, while
    CS recovers the true cohort-weighted ATT and the true event-time effects."""
    df = _staggered_panel(seed=5, n=160, het=True, noise=0.2)
    post = df[df["year"] >= df["cohort"]]
    by_cohort = post.groupby("cohort")["effect"].mean()
    share = df.groupby("cohort")["unit"].nunique()
    true_group = float((by_cohort * share).sum() / share.sum())
    true_e0 = post[post["year"] == post["cohort"]]["effect"].mean()

    cs = staggered_did(df, "ikm", "cohort", "unit", "year")
    assert cs.overall["conf_low"] <= true_group <= cs.overall["conf_high"]
    e0 = cs.by_event_time.set_index("event_time").loc[0]
    assert e0["conf_low"] <= true_e0 <= e0["conf_high"]
    assert cs.pretrend["passed"]

    df["post"] = (df["year"] >= df["cohort"]).astype(float)
    static = panel_fe(df, "ikm", ["post"], "unit", "year", inference="cluster").tidy().iloc[0]
    assert static["conf_high"] < true_group - 0.5  # biased down, far outside its own CI

    es = event_study(df, "ikm", "cohort", "unit", "year", inference="cluster")
    twfe_e0 = es.coefficients.set_index("event_time").loc[0]
    assert not twfe_e0["conf_low"] <= true_e0 <= twfe_e0["conf_high"]


# ---- event study ---------------------------------------------------------------------------


def test_event_study_matches_pyfixest_with_binned_endpoints():
    df = _staggered_panel(seed=8)
    res = event_study(df, "ikm", "cohort", "unit", "year", window=(-3, 2), inference="cluster")
    rel = np.clip(df["year"] - df["cohort"], -3, 2)
    d = df.assign(cl=df["unit"])
    names = []
    for e in range(-3, 3):
        if e == -1:
            continue
        name = f"d{e + 10}"
        d[name] = (rel == e).astype(float)  # NaN cohort: all zero
        names.append((e, name))
    fit = pf.feols(f"ikm ~ {' + '.join(n for _, n in names)} | unit + year", data=d,
                   vcov={"CRV1": "cl"})
    coefs = res.coefficients.set_index("event_time")
    for e, name in names:
        assert coefs.loc[e, "estimate"] == pytest.approx(fit.coef()[name], abs=1e-8)
        assert coefs.loc[e, "std_error"] == pytest.approx(fit.se()[name], rel=1e-6)
    assert coefs.loc[-1, "estimate"] == 0.0 and coefs.loc[-1, "reference"]
    assert coefs.loc[-3, "binned"] and coefs.loc[2, "binned"]
    # joint pre-trend Wald from the same covariance
    pre = [n for e, n in names if e < -1]
    b = fit.coef()[pre].to_numpy()
    v = pd.DataFrame(fit._vcov, index=fit._coefnames, columns=fit._coefnames).loc[pre, pre]
    assert res.pretrend["statistic"] == pytest.approx(float(b @ np.linalg.solve(v, b)),
                                                      rel=1e-6)
    assert res.pretrend["df"] == 2


def test_event_study_plot_data_and_json():
    df = _staggered_panel(seed=9)
    es = event_study(df, "ikm", "cohort", "unit", "year", inference="cluster")
    cs = staggered_did(df, "ikm", "cohort", "unit", "year")
    both = pd.concat([es.plot_data(), cs.plot_data()])
    assert list(both.columns) == ["event_time", "estimate", "conf_low", "conf_high",
                                  "estimator"]
    assert set(both["estimator"]) == {"twfe", "callaway_santanna"}
    for res in (es, cs):
        d = res.to_dict()
        json.dumps(d, allow_nan=False)
        assert d["pretrend"]["df"] > 0 and "passed" in d["pretrend"]
        assert "Pre-trend" in str(res) and res._repr_html_().startswith("<div>")
    d = cs.to_dict()
    for key in ("estimate", "std_error", "conf_low", "conf_high", "p_value"):
        assert isinstance(d["overall"][key], float)
    assert {r["event_time"] for r in d["by_event_time"]} >= {-1, 0, 1}
    assert list(cs.tidy().columns[:7]) == ["term", "estimate", "std_error", "statistic",
                                           "p_value", "conf_low", "conf_high"]


# ---- bootstrap and seeds -------------------------------------------------------------------


def test_bootstrap_inference_is_seeded(mpdta):
    a = staggered_did(mpdta, "lemp", "first.treat", "countyreal", "year",
                      inference="bootstrap", reps=499, seed=1)
    b = staggered_did(mpdta, "lemp", "first.treat", "countyreal", "year",
                      inference="bootstrap", reps=499, seed=1)
    c = staggered_did(mpdta, "lemp", "first.treat", "countyreal", "year",
                      inference="bootstrap", reps=499, seed=2)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert a.critical_value_uniform == b.critical_value_uniform
    assert not np.allclose(a.table["std_error"].dropna(), c.table["std_error"].dropna())
    analytic = staggered_did(mpdta, "lemp", "first.treat", "countyreal", "year")
    # bootstrap and analytic standard errors estimate the same thing
    ratio = a.table["std_error"] / analytic.table["std_error"]
    assert ratio.dropna().between(0.8, 1.25).all()
    # the simultaneous band is wider than the pointwise interval
    dyn = a.by_event_time
    assert (dyn["uniform_high"] - dyn["uniform_low"] > dyn["conf_high"] - dyn["conf_low"]).all()
    assert 1.96 < a.critical_value_uniform < 4


# ---- data handling and bad calls ------------------------------------------------------------


def test_zero_and_nan_both_mean_never_treated(mpdta):
    nan_version = mpdta.assign(**{"first.treat": mpdta["first.treat"].replace(0, np.nan)})
    a = staggered_did(mpdta, "lemp", "first.treat", "countyreal", "year")
    b = staggered_did(nan_version, "lemp", "first.treat", "countyreal", "year")
    pd.testing.assert_frame_equal(a.table, b.table)


def test_always_treated_dropped_and_gaps_use_units_observed_in_both_years():
    df = _staggered_panel()
    df.loc[df["unit"] == 0, "cohort"] = 2014  # treated from the first year: no comparison
    df = df[~((df["unit"] == 1) & (df["year"] == 2018))]  # a gap
    with pytest.warns(DataQualityWarning) as rec:
        res = staggered_did(df, "ikm", "cohort", "unit", "year")
    text = " ".join(str(w.message) for w in rec)
    assert "first year" in text and "observed in both" in text
    assert res.n_units == 79 and res.n_units_with_gaps == 1
    # a cell touching the gap year uses the units observed in both of its years
    cohort_of_1 = df.loc[df["unit"] == 1, "cohort"].iloc[0]
    cell = res.att_gt.set_index(["group", "time"]).loc[(cohort_of_1, 2018)]
    kept = df[df["unit"] != 0]
    expected = _two_by_two(kept, cohort_of_1, 2018, 2017,
                           lambda c: ~np.isfinite(c) | ((c > 2018) & (c != cohort_of_1)))
    assert cell["estimate"] == pytest.approx(expected, abs=1e-12)


def test_year_without_outcome_is_left_out():
    df = _staggered_panel()
    lagged = df.assign(ikm=df.groupby("unit")["ikm"].shift(1))  # 2014 missing for all
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = staggered_did(lagged, "ikm", "cohort", "unit", "year")
    assert res.periods[0] == 2015 and res.n_units == 80


def test_not_yet_treated_without_never_treated_units():
    df = _staggered_panel(never=False)  # last cohort 2021, everyone joins by then
    with pytest.raises(EstimationError, match="not_yet_treated"):
        staggered_did(df, "ikm", "cohort", "unit", "year", control_group="never_treated")
    with pytest.raises(EstimationError, match="cohort 2022 has no valid comparison"):
        staggered_did(df, "ikm", "cohort", "unit", "year")
    # the fix the message gives: stop before the last cohort joins
    res = staggered_did(df[df["year"] < 2022], "ikm", "cohort", "unit", "year")
    assert res.n_joined_after_window == 20 and res.n_never_treated == 20
    assert np.isfinite(res.overall["estimate"])


@pytest.mark.parametrize("change, message", [
    (dict(outcome="nope"), "not found"),
    (dict(control_group="everyone"), "expecting one of"),
    (dict(base_period="fixed"), "expecting one of"),
    (dict(anticipation=-1), "anticipation"),
    (dict(conf_level=95), "conf_level"),
])
def test_bad_calls_raise_estimation_error(change, message):
    df = _staggered_panel()
    args = dict(outcome="ikm", unit="unit", time="year", cohort="cohort")
    options = {k: v for k, v in change.items() if k not in args}
    args.update({k: v for k, v in change.items() if k in args})
    with pytest.raises(EstimationError, match=message):
        staggered_did(df, args["outcome"], args["cohort"], args["unit"], args["time"],
                      **options)


def test_bad_data_raise_estimation_error():
    df = _staggered_panel()
    with pytest.raises(EstimationError, match="no treated units"):
        staggered_did(df.assign(cohort=np.nan), "ikm", "cohort", "unit", "year")
    with pytest.raises(EstimationError, match="no treated units"):
        event_study(df.assign(cohort=np.nan), "ikm", "cohort", "unit", "year")
    varying = df.copy()
    varying.loc[(varying["unit"] == 0) & (varying["year"] == 2020), "cohort"] = 2019
    with pytest.raises(EstimationError, match="same in every year"):
        staggered_did(varying, "ikm", "cohort", "unit", "year")
    with pytest.raises(EstimationError, match="one row per unit"):
        staggered_did(pd.concat([df, df.head(1)]), "ikm", "cohort", "unit", "year")
    text = df.assign(ikm=df["ikm"].astype(str))
    text.loc[0, "ikm"] = "n/a?"
    with pytest.raises(EstimationError, match="must be numeric"):
        staggered_did(text, "ikm", "cohort", "unit", "year")
    with pytest.raises(EstimationError, match="missing in every row"):
        staggered_did(df.assign(ikm=np.nan), "ikm", "cohort", "unit", "year")
    with pytest.raises(EstimationError, match="window"):
        event_study(df, "ikm", "cohort", "unit", "year", window=(0, 3))
    with pytest.raises(EstimationError, match="expecting one of"):
        event_study(df, "ikm", "cohort", "unit", "year", inference="magic")


def test_staggered_does_not_modify_input():
    df = _staggered_panel()
    before = df.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        staggered_did(df, "ikm", "cohort", "unit", "year")
        event_study(df, "ikm", "cohort", "unit", "year", inference="cluster")
    pd.testing.assert_frame_equal(df, before)


def test_event_study_auto_inference_uses_wild_bootstrap_below_50_clusters():
    df = _staggered_panel(seed=12, n=40)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        auto = event_study(df, "ikm", "cohort", "unit", "year", reps=499, seed=3)
        again = event_study(df, "ikm", "cohort", "unit", "year", reps=499, seed=3)
        cr1 = event_study(df, "ikm", "cohort", "unit", "year", inference="cluster")
    assert auto.inference == "wild_cluster_restricted" and "40 clusters" in auto.inference_reason
    pd.testing.assert_frame_equal(auto.coefficients, again.coefficients)
    a = auto.coefficients.set_index("event_time")
    c = cr1.coefficients.set_index("event_time")
    np.testing.assert_allclose(a["estimate"], c["estimate"], atol=1e-12)
    # the bootstrap intervals differ from the CR1 ones but cover the same estimate
    post = a.index >= 0
    assert not np.allclose(a.loc[post, "conf_low"], c.loc[post, "conf_low"])
    assert ((a["conf_low"] <= a["estimate"]) & (a["estimate"] <= a["conf_high"])).all()
