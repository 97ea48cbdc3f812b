"""Two-way fixed-effects event study of a staged programme.

Regresses the outcome on event-time dummies (reference period -1, endpoints binned) with
unit and year fixed effects, through :func:`~evaluation.estimate.panel_fe` (so its
inference, including the automatic wild cluster bootstrap below 50 clusters, is the
headline's), with a joint Wald test of the pre-period coefficients. With effects that
differ across cohorts or grow over time this regression mixes already-treated units into
the comparison and can be biased (Goodman-Bacon 2021; Sun and Abraham 2021); it is kept
as the familiar benchmark beside :func:`evaluation.staggered.staggered_did`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._options import Inference, check_option
from ..errors import DataQualityWarning, EstimationError
from ._base import TIDY_COLUMNS, ResultBase, json_safe
from ._cohorts import PLOT_COLUMNS, cohorts_per_unit
from ._compat import event_study_call, legacy_call
from ._twfe import (
    check_conf_level,
    check_seed,
    integer_time,
    require_columns,
    require_frame,
    require_unique_unit_time,
)
from .fixed_effects import PanelFEResult, panel_fe


@dataclass(frozen=True)
class _EventStudyConfig:
    outcome: str
    unit: str
    time: str
    cohort: str
    ref: int
    window: tuple[int, int]
    cluster: Any  # one column, a pair, or None (checked by panel_fe)
    inference: Inference
    reps: int
    seed: int
    conf_level: float
    controls: tuple[str, ...] = ()


def _cluster_arg(cluster: Any) -> Any:
    """A list of cluster columns as a tuple (the config is frozen); anything else as given,
    for panel_fe to check and explain."""
    return tuple(cluster) if isinstance(cluster, list) else cluster


def _event_term(e: int) -> str:
    return f"event_m{-e}" if e < 0 else f"event_p{e}"


@legacy_call(event_study_call)
def event_study(
    df: pd.DataFrame,
    outcome: str,
    cohort: str,
    unit: str,
    time: str,
    *,
    ref: int = -1,
    window: tuple[int, int] = (-4, 4),
    controls: Sequence[str] = (),
    cluster: str | Sequence[str] | None = None,
    inference: Inference = "auto",
    reps: int = 9999,
    seed: int = 2026,
    conf_level: float = 0.95,
) -> EventStudyResult:
    """Two-way fixed-effects event study of a staged programme.

    Regresses the outcome on event-time dummies ``1{t - cohort = e}`` for ``e`` in
    ``window`` (except the reference ``ref``), with unit and year fixed effects. The
    endpoints are binned: ``e <= window[0]`` shares one dummy, as does
    ``e >= window[1]``. Never-treated units (empty cohort) have every dummy 0.
    Inference is :func:`~evaluation.estimate.panel_fe`'s (``"auto"``: wild cluster
    bootstrap below 50 clusters, CR1 otherwise). The joint pre-trend test is a Wald
    test on the pre-period coefficients with the CR1 covariance.

    With staggered adoption and effects that change over time or differ between cohorts,
    these coefficients can be biased (already-treated units serve as controls); compare
    with :func:`staggered_did`.

    Parameters
    ----------
    df : DataFrame
        Unit-year panel.
    outcome : str
        Outcome column.
    cohort : str
        The year each unit joined (empty if never): the exposure of a staged programme.
    unit, time : str
        Unit and year columns. The previous release's order ``(df, outcome, unit, time,
        cohort)`` still works for one release, with a DeprecationWarning.
    ref : int
        Reference event time (coefficient fixed at 0), -1 by default.
    window : (int, int)
        First and last event time shown; farther event times are binned into them.
    controls : sequence of str
        Time-varying control columns, added to the regression beside the event-time
        dummies (not reported in the event-time table; in ``controls`` of the result).
    cluster : str or two str, optional
        Cluster column (default: ``unit``), or two for two-way clustering, as in
        :func:`~evaluation.estimate.panel_fe`.
    inference : {"auto", "cluster", "wild", "hetero", "iid"}
        As in :func:`~evaluation.estimate.panel_fe`.
    reps, seed : int
        Wild bootstrap draws and seed.
    conf_level : float
        Confidence level.

    Returns
    -------
    EventStudyResult

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from evaluation.estimate import event_study
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame([(u, t) for u in range(40) for t in range(2015, 2023)],
    ...                   columns=["unit", "year"])
    >>> df["cohort"] = df["unit"].map(lambda u: [2018, 2020, np.nan, np.nan][u % 4])
    >>> df["ikm"] = 80 + 2.0 * (df["year"] >= df["cohort"]) + rng.normal(0, 0.5, len(df))
    >>> res = event_study(df, "ikm", "cohort", "unit", "year", inference="cluster")
    >>> effect = res.plot_data().query("event_time == 0")["estimate"].iloc[0]
    >>> bool(abs(effect - 2.0) < 0.3)
    True
    """

    what = "event_study"
    df = require_frame(df, what)
    controls = tuple(controls)
    # the cluster column(s) are checked by panel_fe, which also reads role names
    require_columns(df, [outcome, unit, time, cohort, *controls], what)
    check_option("inference", inference, Inference, error=EstimationError)
    if (not isinstance(window, (tuple, list)) or len(window) != 2
            or not all(isinstance(w, (int, np.integer)) for w in window)
            or not window[0] < ref < window[1] or window[0] >= 0 or window[1] < 0):
        raise EstimationError(
            f"{what}: window must be two whole numbers (first, last) with first < ref < "
            f"last, first < 0 <= last, e.g. (-4, 4) with ref=-1. Got window={window!r}, "
            f"ref={ref!r}."
        )
    seed = check_seed(seed, what)
    conf_level = check_conf_level(conf_level, what)
    config = _EventStudyConfig(outcome, unit, time, cohort, int(ref),
                               (int(window[0]), int(window[1])),
                               _cluster_arg(cluster),
                               inference, int(reps), seed, conf_level, controls)
    require_unique_unit_time(df, unit, time, what)
    t = integer_time(df, time, what)
    g_unit = cohorts_per_unit(df, unit, cohort, what)
    g = df[unit].map(g_unit).to_numpy(dtype="float64")
    if not np.isfinite(g).any():
        raise EstimationError(
            f"{what}: no treated units: every unit has an empty cohort in '{cohort}'. "
            f"Fix: fill '{cohort}' with the year each participating unit joined."
        )
    lo, hi = config.window
    rel = np.where(np.isfinite(g), np.clip(t - np.where(np.isfinite(g), g, 0), lo, hi), np.nan)
    frame, terms = _event_dummies(df, rel, config, what)
    res = panel_fe(frame, outcome, list(terms.values()), unit, time, controls=controls,
                   cluster=config.cluster, inference=inference, reps=reps, seed=seed,
                   conf_level=conf_level)
    table = res.tidy().set_index("term")
    coefs = _coefficient_rows(table, terms, rel, config)
    dropped = [e for e in terms if terms[e] not in table.index]
    if dropped:
        warnings.warn(
            f"{what}: event time(s) {dropped} could not be separated from the fixed effects "
            f"(collinear) and are not reported.", DataQualityWarning, stacklevel=3)
    pre = [terms[e] for e in terms if e < 0 and e != config.ref and terms[e] in table.index]
    pretrend = _wald_twfe(res, pre, 1 - conf_level)
    n_units = int(pd.Series(df[unit]).nunique())
    n_treated = int(np.isfinite(g_unit.to_numpy()).sum())
    return EventStudyResult(
        config=config, coefficients=coefs, pretrend=pretrend, inference=res.inference,
        inference_reason=res.inference_reason, vcov_convention=res.vcov_convention,
        n_obs=res.n_obs, n_units=n_units, n_treated_units=n_treated,
        n_never_treated=n_units - n_treated, n_clusters=res.n_clusters,
    )


def _event_dummies(df: pd.DataFrame, rel: np.ndarray, config: _EventStudyConfig,
                   what: str) -> tuple[pd.DataFrame, dict[int, str]]:
    """The frame with one dummy per event time present (not the reference), and their names."""
    lo, hi = config.window
    events = [e for e in range(lo, hi + 1) if e != config.ref]
    present = [e for e in events if np.any(rel == e)]
    if not any(e < config.ref for e in present) and not any(e >= 0 for e in present):
        raise EstimationError(f"{what}: no event times inside the window {config.window}.")
    frame = df.copy()
    taken = set(frame.columns)
    terms = {}
    for e in present:
        name = _event_term(e)
        while name in taken:
            name = "_" + name
        terms[e] = name
        frame[name] = (rel == e).astype("float64")
    return frame, terms


def _coefficient_rows(table: pd.DataFrame, terms: dict[int, str], rel: np.ndarray,
                      config: _EventStudyConfig) -> pd.DataFrame:
    """One row per event time in the window: the reference at 0, the estimated ones."""
    lo, hi = config.window
    rows = []
    for e in range(lo, hi + 1):
        if e == config.ref:
            rows.append(dict(term=f"event_time::{e}", event_time=e, estimate=0.0,
                             std_error=np.nan, statistic=np.nan, p_value=np.nan,
                             conf_low=0.0, conf_high=0.0, reference=True,
                             binned=e in (lo, hi), n_obs_event=int(np.sum(rel == e))))
            continue
        if e not in terms or terms[e] not in table.index:
            continue
        r = table.loc[terms[e]].to_dict()
        rows.append(dict(term=f"event_time::{e}", event_time=e,
                         **{k: float(r[k]) for k in TIDY_COLUMNS[1:]}, reference=False,
                         binned=e in (lo, hi), n_obs_event=int(np.sum(rel == e))))
    return pd.DataFrame(rows)


def _wald_twfe(res: PanelFEResult, terms: list[str], alpha: float) -> dict[str, Any]:
    """Joint Wald test (CR1 covariance) that the listed coefficients are all zero."""
    if not terms:
        return {"statistic": None, "df": 0, "p_value": None, "passed": None,
                "note": "no pre-period event times in the window"}
    b = res.params.loc[terms].to_numpy(dtype="float64")
    v = res.vcov.loc[terms, terms].to_numpy(dtype="float64")
    rank = int(np.linalg.matrix_rank(v))
    w = float(b @ np.linalg.pinv(v) @ b)
    p = float(stats.chi2.sf(w, rank))
    out = {"statistic": w, "df": rank, "p_value": p, "passed": bool(p >= alpha),
           "test": "Wald chi2", "covariance": res.vcov_convention}
    if res.n_clusters:
        # F(q, G - 1): the small-sample reading fixest uses; more conservative here
        out["p_value_f"] = float(stats.f.sf(w / rank, rank, res.n_clusters - 1))
    return out


@dataclass(frozen=True)
class EventStudyResult(ResultBase):
    """TWFE event-study coefficients (reference period fixed at 0) and pre-trend test.

    Attributes
    ----------
    coefficients : DataFrame
        term, event_time, estimate, std_error, statistic, p_value, conf_low, conf_high,
        reference (the omitted period, shown as 0), binned (an endpoint bin),
        n_obs_event (treated unit-years at that event time).
    pretrend : dict
        Joint Wald chi2 test that every pre-period coefficient is 0: statistic, df,
        p_value, passed (p >= 1 - conf_level); p_value_f uses F(df, clusters - 1).
    """

    config: _EventStudyConfig
    coefficients: pd.DataFrame = field(repr=False)
    pretrend: dict[str, Any]
    inference: str
    inference_reason: str
    vcov_convention: str
    n_obs: int
    n_units: int
    n_treated_units: int
    n_never_treated: int
    n_clusters: int | None
    estimator: str = "twfe_event_study"

    def tidy(self) -> pd.DataFrame:
        cols = [*TIDY_COLUMNS, "event_time", "reference", "binned"]
        return self.coefficients[cols].reset_index(drop=True)

    def plot_data(self) -> pd.DataFrame:
        """event_time, estimate, conf_low, conf_high, estimator (reference row at 0)."""
        out = self.coefficients[["event_time", "estimate", "conf_low", "conf_high"]].copy()
        out["estimator"] = "twfe"
        return out.reset_index(drop=True)[PLOT_COLUMNS]

    def _title(self) -> str:
        return f"TWFE event study: {self.config.outcome}"

    def _meta(self) -> dict[str, Any]:
        c = self.config
        return {
            "model": "event_study", "estimator": self.estimator, "outcome": c.outcome,
            "cohort": c.cohort, "reference_period": c.ref, "window": list(c.window),
            "binned_endpoints": True, "inference": self.inference,
            "inference_reason": self.inference_reason, "vcov_convention": self.vcov_convention,
            "n_obs": self.n_obs, "n_units": self.n_units, "n_treated_units": self.n_treated_units,
            "n_never_treated": self.n_never_treated, "n_clusters": self.n_clusters,
            "conf_level": c.conf_level, "seed": c.seed, "fixed_effects": [c.unit, c.time],
            "controls": list(c.controls),
        }

    def _notes(self) -> list[str]:
        p = self.pretrend
        if not p.get("df"):
            return ["No pre-period event times: no pre-trend test."]
        return [f"Pre-trend test (all pre-period coefficients = 0): chi2({p['df']}) = "
                f"{p['statistic']:.3f}, p = {p['p_value']:.3f}"
                + (f" (F version p = {p['p_value_f']:.3f})" if "p_value_f" in p else "")]

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out["pretrend"] = json_safe(self.pretrend)
        return out
