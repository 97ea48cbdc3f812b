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
    staggered = pytest.importorskip("evaluation.staggered")
    mpdta = pd.read_csv(REF / "mpdta.csv")
    published = pd.read_csv(REF / "mpdta_published.csv", dtype={"estimate": str})
    res = staggered.staggered_did(mpdta, "lemp", "countyreal", "year", "first.treat",
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
