"""The inference steps of :func:`~evaluation.estimate.panel_fe`: which inference a fit gets
and why, its analytic rows, the wild bootstrap of the exposure rows and their cumulative
sum, and the joint test of placebo leads.
"""

from __future__ import annotations

import copy
import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..columns import lag_term
from ..errors import FewClustersWarning
from ._fe_config import WILD_BELOW, PanelFEConfig
from ._fe_fit import _vcov_arg, _WildInputs
from ._fe_frame import _Spec
from ._wild import wild_test


def _resolve_two_way(cfg: PanelFEConfig, by: tuple[int, ...]) -> tuple[str, str]:
    """Two-way clustering: CR1 two ways (the wild bootstrap here is one-way only)."""
    a, b = cfg.clusters
    how = (f"two-way cluster-robust CR1 by {a} ({by[0]} clusters) and {b} ({by[1]} "
           f"clusters); t with {min(by) - 1} degrees of freedom")
    if cfg.inference in ("auto", "cluster") and min(by) < WILD_BELOW:
        warnings.warn(
            f"two-way clustering with only {min(by)} clusters in its smaller dimension: "
            "cluster-robust inference over-rejects with few clusters, and no wild bootstrap "
            "is available two ways; read the intervals with care.",
            FewClustersWarning, stacklevel=4)
    if cfg.inference == "auto":
        return "cluster", f"{how} (auto: the wild bootstrap clusters one way only)"
    if cfg.inference == "cluster":
        return "cluster", f"requested: {how}"
    return cfg.inference, f"requested: {cfg.inference}"


def _resolve_inference(cfg: PanelFEConfig, G: int) -> tuple[str, str]:
    if cfg.inference == "auto":
        if G < WILD_BELOW:
            return "wild_cluster_restricted", (
                f"{G} clusters < {WILD_BELOW}: wild cluster restricted bootstrap "
                "(CR1 standard errors overstate certainty with few clusters)"
            )
        return "cluster", f"{G} clusters >= {WILD_BELOW}: CR1 cluster-robust"
    if cfg.inference == "wild":
        return "wild_cluster_restricted", "requested: wild cluster restricted bootstrap"
    if cfg.inference == "cluster":
        if G < WILD_BELOW:
            warnings.warn(
                f"{G} clusters: CR1 cluster-robust inference over-rejects with fewer than "
                f"{WILD_BELOW} clusters; consider inference='wild'.",
                FewClustersWarning,
                stacklevel=3,
            )
        return "cluster", f"requested: CR1 cluster-robust ({G} clusters)"
    return cfg.inference, f"requested: {cfg.inference}"


def _analytic_fit(fit: Any, inputs: _WildInputs, analytic: str) -> Any:
    """The fit with the analytic covariance ``analytic`` (a copy when it must change)."""
    vcov = _vcov_arg(analytic, inputs.spec.clusters)
    if vcov == inputs.vcov_used:
        return fit
    fit = copy.copy(fit)  # vcov() sets attributes; keep the caller's fit untouched
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit.vcov(vcov)
    return fit


def _term_rows(spec: _Spec, beta: pd.Series, vcov: pd.DataFrame, df_t: float, crit: float,
               analytic: str) -> list[dict[str, Any]]:
    """One row per reported term with the analytic (t-based) inference."""
    rows = []
    position = {name: i for i, name in enumerate(beta.index)}
    b_all, v_all = beta.to_numpy(), vcov.to_numpy()
    for term in spec.terms:
        i = position[term]
        b = b_all[i]
        se = float(np.sqrt(v_all[i, i]))
        tstat = b / se
        exp, lag = spec.term_exposure[term]
        rows.append(dict(
            term=term, estimate=b, std_error=se, statistic=tstat,
            p_value=2 * stats.t.sf(abs(tstat), df_t),
            conf_low=b - crit * se, conf_high=b + crit * se,
            exposure=exp, lag=lag, inference=analytic,
            # the confidence distribution of the t-based inference at 0
            prob_positive=float(stats.t.cdf(tstat, df_t)),
        ))
    return rows


def _wild_rows(rows: list[dict[str, Any]], names: list[str], cfg: PanelFEConfig,
               inputs: _WildInputs, wild_w: str) -> str:
    """Replace the exposure rows' p-value and interval by the wild bootstrap's (in place);
    returns what the bootstrap did, for the inference reason."""
    note = ""
    for row in rows:
        if row["exposure"] is None:
            row["inference"] = "cluster"  # controls: CR1 (not bootstrapped)
            continue
        R = (np.array(names) == row["term"]).astype(float)
        w = wild_test(inputs.design, R, reps=cfg.reps, weights_type=wild_w, seed=cfg.seed,
                      conf_level=cfg.conf_level, se_hint=row["std_error"])
        row.update(p_value=w.p_value, conf_low=w.conf_low, conf_high=w.conf_high,
                   inference="wild_cluster_restricted", prob_positive=w.prob_positive)
        reps = w.reps if w.enumerated else cfg.reps
        note = f"; {wild_w} weights, {reps} draws{', full enumeration' if w.enumerated else ''}"
    return note


def _cumulative(cfg: PanelFEConfig, names: list[str], beta: pd.Series, vcov: pd.DataFrame,
                df_t: float, crit: float, inference: str, wild_w: str | None,
                inputs: _WildInputs) -> pd.DataFrame | None:
    """Per exposure with two or more lags: the sum of its lag coefficients."""
    if cfg.lags is None or len(cfg.lags) < 2:
        return None
    rows = []
    for exp in cfg.exposures:
        terms = [lag_term(exp, k) for k in cfg.lags]
        R = np.array([1.0 if n in terms else 0.0 for n in names])
        est = float(R @ beta.to_numpy())
        se = float(np.sqrt(R @ vcov.to_numpy() @ R))
        t = est / se
        row = dict(exposure=exp, term=f"{exp}_cumulative", estimate=est, std_error=se,
                   statistic=t, p_value=2 * stats.t.sf(abs(t), df_t),
                   conf_low=est - crit * se, conf_high=est + crit * se,
                   lags=list(cfg.lags),
                   inference=inference if inference in ("hetero", "iid") else "cluster",
                   prob_positive=float(stats.t.cdf(t, df_t)))
        if inference == "wild_cluster_restricted" and wild_w is not None:
            w = wild_test(inputs.design, R, reps=cfg.reps, weights_type=wild_w, seed=cfg.seed,
                          conf_level=cfg.conf_level, se_hint=se)
            row.update(p_value=w.p_value, conf_low=w.conf_low, conf_high=w.conf_high,
                       inference="wild_cluster_restricted", prob_positive=w.prob_positive)
        rows.append(row)
    return pd.DataFrame(rows).set_index("exposure")


def _leads_test(cfg: PanelFEConfig, spec: _Spec, beta: pd.Series, vcov: pd.DataFrame,
                df_t: float) -> dict[str, Any] | None:
    """Joint Wald F test that every placebo lead is zero."""
    if not cfg.leads:
        return None
    terms = [t for t in spec.terms if (spec.term_exposure[t][1] or 0) < 0]
    b = beta[terms].to_numpy()
    V = vcov.loc[terms, terms].to_numpy()
    wald = float(b @ np.linalg.solve(V, b))
    q = len(terms)
    return {
        "terms": terms, "statistic": wald / q, "wald": wald, "df": q, "df_resid": df_t,
        "p_value": float(stats.f.sf(wald / q, q, df_t)),
        "method": "Wald F test with the analytic covariance (CR1/HC1/iid)",
    }
