"""Power of the panel design: the minimum detectable effect, by simulation.

The smallest effect per unit of exposure that a two-way fixed-effects regression with
cluster-robust (CR1) inference would detect with the requested power, simulated from the
study's own residuals (units' residual paths resampled whole, so serial correlation is
kept), beside the analytic approximation ``(z_{1-alpha/2} + z_power) * SE``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import DataQualityWarning, EstimationError
from ._base import TIDY_COLUMNS, ResultBase, json_safe
from ._twfe import check_positive_int, check_seed, fe_frame
from .fixed_effects import panel_fe


@dataclass(frozen=True)
class _MdeConfig:
    outcome: str
    exposure: str
    unit: str
    time: str
    alpha: float
    power: float
    reps: int
    n_units: int | None
    n_years: int | None
    seed: int


def mde(
    df: pd.DataFrame,
    outcome: str,
    exposure: str,
    unit: str,
    time: str,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    reps: int = 500,
    n_units: int | None = None,
    n_years: int | None = None,
    seed: int = 2026,
) -> MdeResult:
    """Minimum detectable effect of the two-way FE design, by simulation.

    Fits ``outcome ~ exposure | unit + year``, keeps the residuals, and for each of
    ``reps`` draws builds a panel of ``n_units`` units (default: as many as in the data,
    including units with gaps, whose paths are not resampled):
    each simulated unit takes the exposure path of one randomly drawn unit and the
    residual path of another (block bootstrap by unit, so serial correlation within a
    unit is kept and exposure is unrelated to the noise). With a known effect ``beta``
    added (``y = beta * exposure + residual``) it tests ``beta = 0`` with CR1
    cluster-robust standard errors and t(G-1) critical values. The MDE is the smallest
    positive ``beta`` rejected in a share ``power`` of the draws (the same draws for every
    ``beta``, so the search is exact). Units: outcome units per 1 unit of exposure.

    The analytic approximation ``(z_{1-alpha/2} + z_power) * SE`` uses the CR1 standard
    error of the fitted model (rescaled by sqrt(units / n_units) and
    sqrt(years / n_years) when the design differs).

    Parameters
    ----------
    df : DataFrame
        Unit-year panel. Units missing a year are left out (the simulation needs
        complete residual paths).
    outcome, exposure, unit, time : str
        Column names (``exposure`` as used in the model, e.g. an already-lagged column).
    alpha, power : float
        Test level and the power wanted.
    reps : int
        Simulation draws.
    n_units, n_years : int, optional
        Simulate a design with this many units (any number >= 3) and the last
        ``n_years`` observed years (at most the number observed).
    seed : int
        The same seed gives the same numbers.

    Returns
    -------
    MdeResult

    Examples
    --------
    >>> from evaluation.estimate import example_panel
    >>> from evaluation.estimate import mde
    >>> res = mde(example_panel(), "ikm", "jp_per_asn", "unit_id", "year", reps=200)
    >>> res.value > 0
    True
    """
    what = "mde"
    for name, v, lo, hi in (("alpha", alpha, 0.0, 0.5), ("power", power, 0.05, 1.0)):
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not lo < v < hi:
            raise EstimationError(f"{what}: {name} must be a number in ({lo}, {hi}). "
                                  f"Got {v!r}.")
    reps = check_positive_int(reps, "reps", what, minimum=50)
    seed = check_seed(seed, what)
    if n_units is not None:
        n_units = check_positive_int(n_units, "n_units", what, minimum=3)
    if n_years is not None:
        n_years = check_positive_int(n_years, "n_years", what, minimum=2)
    config = _MdeConfig(outcome, exposure, unit, time, float(alpha), float(power), reps,
                        n_units, n_years, seed)
    frame = fe_frame(df, outcome, exposure, unit, time, 0, what)
    return _run_mde(frame, config)


def _balanced_demean(a: np.ndarray) -> np.ndarray:
    """Two-way demeaning of (..., units, years) arrays of a balanced panel (exact)."""
    out: np.ndarray = (a - a.mean(axis=-1, keepdims=True) - a.mean(axis=-2, keepdims=True)
                       + a.mean(axis=(-2, -1), keepdims=True))
    return out


def _simulated_thresholds(Xs: np.ndarray, Rs: np.ndarray, G: int, sxx_per_cell: float,
                          c: _MdeConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each simulated panel, the effect above ``lo`` (or below ``hi``) at which the CR1
    t-test rejects, each sorted; and which draws could be estimated.

    A panel of ``G`` units takes the exposure paths ``Xs`` of some units and the residual
    paths ``Rs`` of others (whole unit blocks, so serial correlation is kept). With
    ``y = beta x + e`` its estimate is ``beta + u``, ``u`` the estimate on the residuals
    alone, and its standard error does not depend on ``beta``: one pass gives the rejection
    region for every ``beta``.
    """
    T = Xs.shape[1]
    G_obs = Xs.shape[0]
    rng = np.random.default_rng(c.seed)
    xi = rng.integers(0, G_obs, (c.reps, G))
    ei = rng.integers(0, G_obs, (c.reps, G))
    xs = _balanced_demean(Xs[xi])  # reps x G x T
    es = _balanced_demean(Rs[ei])
    sx = np.sum(xs**2, axis=(1, 2))
    ok = sx > 1e-12 * sxx_per_cell * G * T
    u = np.sum(xs * es, axis=(1, 2)) / np.where(ok, sx, 1)
    e_hat = es - u[:, None, None] * xs
    score = np.sum(xs * e_hat, axis=2)  # reps x G cluster scores
    N, K = G * T, T  # K: the slope and T-1 year effects (unit effects nested in clusters)
    adj = G / (G - 1) * (N - 1) / (N - K)
    se = np.sqrt(adj * np.sum(score**2, axis=1)) / np.where(ok, sx, 1)
    u, se = u[ok], se[ok]
    crit = stats.t.ppf(1 - c.alpha / 2, G - 1)
    lo = np.sort(crit * se - u)  # reject when beta > lo ...
    hi = np.sort(-crit * se - u)  # ... or when beta < hi
    return lo, hi, ok


def _run_mde(frame: pd.DataFrame, c: _MdeConfig) -> MdeResult:

    what = "mde"
    wide_y = frame.pivot(index="u", columns="t", values="y")
    wide_x = frame.pivot(index="u", columns="t", values="x")
    complete = wide_y.notna().all(axis=1) & wide_x.notna().all(axis=1)
    n_dropped = int((~complete).sum())
    if n_dropped:
        warnings.warn(f"{what}: {n_dropped} unit(s) miss some year; the simulation resamples "
                      f"the residual and exposure paths of the other units only.",
                      DataQualityWarning, stacklevel=3)
    Y = wide_y[complete].to_numpy(dtype="float64")
    X = wide_x[complete].to_numpy(dtype="float64")
    G_obs, T_obs = Y.shape
    if G_obs < 3 or T_obs < 2:
        raise EstimationError(
            f"{what}: expecting at least 3 units observed in at least 2 years with no gaps. "
            f"Got {G_obs} complete units and {T_obs} years.")
    xt = _balanced_demean(X)
    sxx = float(np.sum(xt**2))
    if sxx <= 1e-12 * max(1.0, float(np.abs(X).max())) ** 2 * X.size:
        raise EstimationError(
            f"{what}: the exposure '{c.exposure}' is constant within units and years; its "
            f"effect cannot be estimated, so no detectable effect exists.")
    yt = _balanced_demean(Y)
    beta_hat = float(np.sum(xt * yt) / sxx)
    resid = yt - beta_hat * xt  # residual paths (fixed effects removed)
    T = c.n_years or T_obs
    if T_obs < T:
        raise EstimationError(
            f"{what}: n_years={T} but the data have {T_obs} complete years; the simulation "
            f"can only use years it has residuals for. Fix: n_years <= {T_obs}.")
    G_all = int(frame["u"].nunique())  # units in the fitted model, gaps or not
    G = c.n_units or G_all
    lo, hi, ok = _simulated_thresholds(X[:, -T:], resid[:, -T:], G, sxx / X.size, c)
    R = len(lo)

    def power_at(beta: float | np.ndarray) -> np.ndarray:
        beta = np.atleast_1d(beta)
        # rejection at beta == lo counts (a boundary of probability zero), so the power
        # curve reaches the target at the MDE itself
        return np.asarray((np.searchsorted(lo, beta, side="right")
                           + (R - np.searchsorted(hi, beta, side="right"))) / R)

    cand = lo[lo > 0]
    pw = power_at(cand)
    reach = np.flatnonzero(pw >= c.power)
    value = float(cand[reach[0]]) if len(reach) else float("nan")
    size = float(power_at(0.0)[0])

    # analytic: the CR1 SE of the fitted model
    work = frame.rename(columns={"y": c.outcome, "x": c.exposure})[[c.outcome, c.exposure,
                                                                    "u", "t"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = panel_fe(work, c.outcome, [c.exposure], "u", "t", cluster="u",
                       inference="cluster")
    se_obs = float(fit.tidy().iloc[0]["std_error"])
    se_design = se_obs * np.sqrt(G_all / G) * np.sqrt(T_obs / T)
    analytic = float((stats.norm.ppf(1 - c.alpha / 2) + stats.norm.ppf(c.power)) * se_design)
    top = value if np.isfinite(value) else analytic
    grid = np.linspace(0, 2 * top, 41)
    curve = pd.DataFrame({"effect": grid, "power": power_at(grid)})
    return MdeResult(
        config=c, value=value, analytic=analytic, se_observed=se_obs, size_at_zero=size,
        power_curve=curve, n_units_observed=G_all, n_years_observed=T_obs,
        n_units_design=G, n_years_design=T, n_dropped_units=n_dropped,
        n_failed_draws=int((~ok).sum()), estimate_observed=beta_hat,
    )


@dataclass(frozen=True)
class MdeResult(ResultBase):
    """Minimum detectable effect (outcome units per 1 unit of exposure).

    Attributes
    ----------
    value : float
        By simulation: the smallest positive effect detected with the requested power.
        NaN only if no effect up to the largest simulated threshold reaches it.
    analytic : float
        ``(z_{1-alpha/2} + z_power) * SE`` with the CR1 standard error.
    size_at_zero : float
        Share of draws rejecting when the effect is 0: the test's real size in this design
        (close to ``alpha`` when the CR1 test is honest here).
    power_curve : DataFrame
        effect, power; from 0 to twice the MDE.
    """

    config: _MdeConfig
    value: float
    analytic: float
    se_observed: float
    size_at_zero: float
    power_curve: pd.DataFrame = field(repr=False)
    n_units_observed: int
    n_years_observed: int
    n_units_design: int
    n_years_design: int
    n_dropped_units: int
    n_failed_draws: int
    estimate_observed: float

    def tidy(self) -> pd.DataFrame:
        rows = [
            {"term": "mde_simulation", "estimate": self.value},
            {"term": "mde_analytic", "estimate": self.analytic,
             "std_error": self.se_observed},
        ]
        return pd.DataFrame(rows).reindex(columns=list(TIDY_COLUMNS)).astype(
            {c: "float64" for c in TIDY_COLUMNS[1:]})

    def _title(self) -> str:
        return f"Minimum detectable effect: {self.config.outcome} per 1 {self.config.exposure}"

    def _meta(self) -> dict[str, Any]:
        c = self.config
        return {
            "model": "mde", "outcome": c.outcome, "exposure": c.exposure, "mde": self.value,
            "value": self.value, "analytic": self.analytic, "alpha": c.alpha,
            "power": c.power, "reps": c.reps, "seed": c.seed,
            "n_units": self.n_units_design, "n_years": self.n_years_design,
            "n_clusters": self.n_units_design, "n_units_observed": self.n_units_observed,
            "n_years_observed": self.n_years_observed, "size_at_zero": self.size_at_zero,
            "se_observed": self.se_observed, "estimate_observed": self.estimate_observed,
            "method": ("simulation: unit residual paths resampled, exposure paths from other "
                       "units, CR1 t-test with G-1 df"),
            "n_dropped_units": self.n_dropped_units, "n_failed_draws": self.n_failed_draws,
        }

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out["power_curve"] = json_safe(self.power_curve)
        return out


__all__ = ["MdeResult", "mde"]
