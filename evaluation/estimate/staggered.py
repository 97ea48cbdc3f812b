"""Staged programmes: Callaway and Sant'Anna's staggered DiD (and the TWFE event study).

A unit joins a programme in a *cohort* year and stays in it; units that never join have
no cohort (``NaN``; ``0`` or ``inf`` are read the same way, as in R's ``did`` package).

* :func:`event_study` (defined in :mod:`evaluation.estimate.event_study`, re-exported here) —
  two-way fixed effects with event-time dummies, the familiar benchmark, biased when
  effects differ across cohorts or grow over time.
* :func:`staggered_did` — Callaway and Sant'Anna (2021) group-time effects ATT(g, t)
  under unconditional parallel trends, i.e. each ATT(g, t) is the 2x2 difference in mean
  changes between cohort g and its comparison units, aggregated as R's ``did::aggte``
  ("simple", "group", "dynamic", "calendar"), with analytic influence-function standard errors
  clustered by unit (equal to ``att_gt(..., bstrap = FALSE)``) and, optionally, the
  multiplier bootstrap with simultaneous (uniform) bands.

Reference: Callaway, B. and Sant'Anna, P. H. C. (2021), "Difference-in-Differences with
Multiple Time Periods", Journal of Econometrics 225(2), 200-230.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._options import BasePeriod, ControlGroup, StaggeredInference, check_option
from ..errors import DataQualityWarning, EstimationError, FewClustersWarning
from ._base import TIDY_COLUMNS, ResultBase, json_safe
from ._cohorts import PLOT_COLUMNS, Design, prepare_design
from ._compat import legacy_call, staggered_did_call
from ._cs_aggregate import (
    Estimate,
    _calendar_estimates,
    _cell_estimates,
    _Cells,
    _dynamic_estimates,
    _group_estimates,
    _simple_estimates,
    _year,
)
from ._twfe import (
    check_conf_level,
    check_positive_int,
    check_seed,
    fmt,
)
from .event_study import EventStudyResult, event_study

# =========================================================================================
# Callaway and Sant'Anna
# =========================================================================================


@dataclass(frozen=True)
class _StaggeredConfig:
    outcome: str
    unit: str
    time: str
    cohort: str
    control_group: str
    anticipation: int
    base_period: str
    inference: str
    reps: int
    seed: int
    conf_level: float


@legacy_call(staggered_did_call)
def staggered_did(
    df: pd.DataFrame,
    outcome: str,
    cohort: str,
    unit: str,
    time: str,
    *,
    control_group: ControlGroup = "not_yet_treated",
    anticipation: int = 0,
    base_period: BasePeriod = "varying",
    inference: StaggeredInference = "analytic",
    reps: int = 999,
    seed: int = 2026,
    conf_level: float = 0.95,
) -> StaggeredResult:
    """Callaway and Sant'Anna (2021) staggered difference-in-differences.

    Estimates every group-time effect ATT(g, t) (cohort g in year t) as the 2x2
    difference in mean outcome changes between cohort g and its comparison units, from
    the base year to year t (no covariates: unconditional parallel trends), and
    aggregates them as R's ``did::aggte``: ``"simple"`` (post-treatment cells weighted by
    cohort size), ``"group"`` (average per cohort, then across cohorts; the headline
    overall effect), ``"dynamic"`` (by event time ``e = t - g``; its overall effect
    averages ``e >= 0``) and ``"calendar"`` (by calendar year: the cohort-size weighted
    mean of the cohorts already in the programme that year; its overall effect is the
    plain mean over those years).

    Parameters
    ----------
    df : DataFrame
        Unit-year panel (one row per unit and year).
    outcome : str
        Outcome column.
    cohort : str
        Column with the year each unit joined the programme; empty (NaN), 0 or inf for
        units that never joined. Must be constant within a unit.
    unit, time : str
        Unit and period columns; ``time`` holds whole-number periods (years). The previous
        release's order ``(df, outcome, unit, time, cohort)`` still works for one release,
        with a DeprecationWarning.
    control_group : {"not_yet_treated", "never_treated"}
        Comparison units. ``"not_yet_treated"`` (the default here, R's
        ``"notyettreated"``): never-treated units plus units that have not yet joined by
        the later of year t and the base year (plus ``anticipation``); more comparisons,
        so tighter intervals, and it works when every unit joins eventually, but it rests
        on parallel trends holding for the later joiners too. ``"never_treated"`` (R's
        default, ``"nevertreated"``): only units that never join; needs some, and fewer
        comparisons, but a later joiner's anticipation cannot leak into the comparison.
        The brief uses the default; compare the two when they can differ.
    anticipation : int
        Number of years before joining in which units may already react.
    base_period : {"varying", "universal"}
        "varying" (R's default): post-treatment cells compare with year g-1-anticipation,
        pre-treatment cells with the year before (short differences). "universal": all
        cells compare with g-1-anticipation (long differences; that cell is 0 by
        construction).
    inference : {"analytic", "bootstrap"}
        Standard errors from the influence function (analytic, clustered by unit), or
        from the multiplier bootstrap (Mammen weights, ``reps`` draws, seeded). The
        simultaneous bands for the event-time effects always use the bootstrap.
    reps : int
        Bootstrap draws. ``seed`` fixes them: the same seed gives the same numbers.
    conf_level : float
        Confidence level of the intervals.

    Returns
    -------
    StaggeredResult

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from evaluation.estimate import staggered_did
    >>> rng = np.random.default_rng(1)
    >>> units, years = np.arange(40), np.arange(2015, 2023)
    >>> df = pd.DataFrame([(u, t) for u in units for t in years], columns=["unit", "year"])
    >>> df["cohort"] = df["unit"].map(lambda u: [2018, 2020, np.nan, np.nan][u % 4])
    >>> treated = df["year"] >= df["cohort"]
    >>> df["ikm"] = 80 + 0.3 * (df["year"] - 2015) + 2.0 * treated + rng.normal(0, 0.5, len(df))
    >>> res = staggered_did(df, "ikm", "cohort", "unit", "year")
    >>> o = res.overall
    >>> bool(o["conf_low"] < 2.0 < o["conf_high"])
    True
    """
    what = "staggered_did"
    check_option("control_group", control_group, ControlGroup, error=EstimationError)
    check_option("base_period", base_period, BasePeriod, error=EstimationError)
    check_option("inference", inference, StaggeredInference, error=EstimationError)
    anticipation = check_positive_int(anticipation, "anticipation", what, minimum=0)
    reps = check_positive_int(reps, "reps", what, minimum=99)
    seed = check_seed(seed, what)
    conf_level = check_conf_level(conf_level, what)
    config = _StaggeredConfig(outcome, unit, time, cohort, control_group, anticipation,
                              base_period, inference, reps, seed, conf_level)
    design = prepare_design(df, outcome, unit, time, cohort, anticipation, what)
    return _run_staggered(design, config)


def _att_gt(design: Design, config: _StaggeredConfig) -> tuple[pd.DataFrame, np.ndarray]:
    """All ATT(g, t) with their influence functions (n units x cells), as R's att_gt."""
    y, g_of, periods = design.y, design.cohort, design.periods
    n = y.shape[0]
    groups = np.unique(g_of[np.isfinite(g_of)])
    never = ~np.isfinite(g_of)
    observed = np.isfinite(y)
    if config.control_group == "never_treated" and not never.any():
        raise EstimationError(
            "staggered_did: control_group='never_treated' but every unit joins the programme "
            "within the years observed. Fix: use control_group='not_yet_treated', which "
            "compares with units that have not joined yet."
        )
    ant = config.anticipation
    universal = config.base_period == "universal"
    rows, infs, skipped = [], [], []
    first_current = 0 if universal else 1
    for g in groups:
        treat = g_of == g
        base_post = np.flatnonzero(periods + ant < g)
        base_post_idx = int(base_post[-1])  # exists: always-treated units were dropped
        n_post_ok = 0
        for ti in range(first_current, len(periods)):
            t = periods[ti]
            post = g <= t
            bi = base_post_idx if universal or post else ti - 1
            later = periods[max(ti, bi)]
            if universal and bi == ti:
                rows.append(dict(group=g, time=t, base=periods[bi], estimate=0.0,
                                 n_treated=int(treat.sum()), n_control=0, post=False,
                                 reference=True))
                infs.append(np.zeros(n))
                continue
            if config.control_group == "never_treated":
                ctrl = never
            else:
                ctrl = never | ((g_of > later + ant) & (g_of != g))
            both = observed[:, ti] & observed[:, bi]
            tr, ctrl = treat & both, ctrl & both
            if not ctrl.any() or not tr.any():
                skipped.append((g, t, "comparison" if tr.any() else "treated"))
                continue
            dy = y[:, ti] - y[:, bi]
            mu_t, mu_c = dy[tr].mean(), dy[ctrl].mean()
            n1 = int(tr.sum() + ctrl.sum())
            p = tr.sum() / n1
            inf = np.zeros(n)
            inf[tr] = (dy[tr] - mu_t) / p
            inf[ctrl] = -(dy[ctrl] - mu_c) / (1 - p)
            rows.append(dict(group=g, time=t, base=periods[bi], estimate=mu_t - mu_c,
                             n_treated=int(tr.sum()), n_control=int(ctrl.sum()),
                             post=bool(post), reference=False))
            infs.append(inf * n / n1)
            n_post_ok += int(post)
        if n_post_ok == 0:
            raise EstimationError(
                f"staggered_did: cohort {_year(g)} has no valid comparison units in any year "
                f"after it joined (every other unit has joined by then and there are no "
                f"never-treated units, or the outcome is missing). Fix: keep only the years before {_year(g)} (its "
                f"units then serve as not-yet-treated comparisons, as R's did does), or add "
                f"units that never join."
            )
    if skipped:
        listed = ", ".join(f"ATT({_year(g)},{_year(t)}) (no {why} unit)"
                           for g, t, why in skipped[:10])
        warnings.warn(
            f"staggered_did: {len(skipped)} group-time cell(s) cannot be estimated: {listed}. "
            f"The aggregations use the other cells.",
            DataQualityWarning,
            stacklevel=3,
        )
    cells = pd.DataFrame(rows)
    cells["event_time"] = (cells["time"] - cells["group"]).astype("int64")
    return cells, np.column_stack(infs)


def _inference_table(estimates: list[Estimate], n: int, config: _StaggeredConfig
                     ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Standard errors (analytic or bootstrap), p-values and intervals of every estimate;
    also the bootstrap draws and bootstrap standard errors (for the uniform band)."""
    big_inf = np.column_stack([e[2] for e in estimates])
    se_analytic = np.sqrt((big_inf**2).sum(axis=0)) / n
    rng = np.random.default_rng(config.seed)
    boot = _multiplier_bootstrap(big_inf, config.reps, rng)  # reps x K, on the estimate scale
    q = stats.norm.ppf(0.75) - stats.norm.ppf(0.25)
    se_boot = (np.quantile(boot, 0.75, axis=0) - np.quantile(boot, 0.25, axis=0)) / q
    se = se_analytic if config.inference == "analytic" else se_boot
    # R sets the standard error of numerically constant cells (e.g. reference cells) to NA.
    se = np.where(se_analytic > 0, se, np.nan)
    z = stats.norm.ppf(0.5 + config.conf_level / 2)
    rows = []
    kinds = []
    for (kind, lab, _), s in zip(estimates, se, strict=True):
        est = lab["estimate"]
        stat = est / s if s and np.isfinite(s) else np.nan
        rows.append({**lab, "std_error": s, "statistic": stat,
                     "p_value": 2 * stats.norm.sf(abs(stat)) if np.isfinite(stat) else np.nan,
                     "conf_low": est - z * s, "conf_high": est + z * s,
                     "prob_positive": stats.norm.cdf(stat) if np.isfinite(stat) else np.nan})
        kinds.append(kind)
    table = pd.DataFrame(rows)
    table.insert(0, "aggregation", kinds)
    return table, boot, se_boot


def _uniform_band(table: pd.DataFrame, boot: np.ndarray, se_boot: np.ndarray,
                  conf_level: float) -> tuple[float, np.ndarray]:
    """Simultaneous band for the event-time effects (sup-t over the estimated event times),
    added to ``table``; returns the critical value and the rows it covers."""
    dyn = (table["aggregation"] == "dynamic") & table["term"].str.startswith("event_time=")
    dyn &= np.isfinite(table["std_error"].to_numpy(dtype="float64"))
    idx = np.flatnonzero(dyn.to_numpy())
    crit = _sup_t_critical(boot[:, idx], se_boot[idx], conf_level) if len(idx) else np.nan
    table["uniform_low"] = np.nan
    table["uniform_high"] = np.nan
    sel = table.index[idx]
    table.loc[sel, "uniform_low"] = table.loc[sel, "estimate"] - crit * table.loc[sel, "std_error"]
    table.loc[sel, "uniform_high"] = table.loc[sel, "estimate"] + crit * table.loc[sel, "std_error"]
    return float(crit), idx


def _pretrend_tests(table: pd.DataFrame, big_inf: np.ndarray, idx: np.ndarray, n: int,
                    config: _StaggeredConfig) -> tuple[dict[str, Any], dict[str, Any]]:
    """Wald tests that the event-time effects, and the group-time cells, before joining are 0."""
    v = big_inf.T @ big_inf / n**2
    sel = table.index[idx]
    pre_e = idx[table.loc[sel, "event_time"].to_numpy() < -config.anticipation] if len(idx) else idx
    pretrend = _wald(table["estimate"].to_numpy()[pre_e], v[np.ix_(pre_e, pre_e)],
                     1 - config.conf_level, "event-time effects before joining")
    cell_rows = np.flatnonzero(
        (table["aggregation"] == "att_gt").to_numpy()
        & (table["time"].to_numpy(dtype="float64") < table["group"].to_numpy(dtype="float64"))
        & np.isfinite(table["std_error"].to_numpy(dtype="float64"))
    )
    pretrend_cells = _wald(table["estimate"].to_numpy()[cell_rows],
                           v[np.ix_(cell_rows, cell_rows)], 1 - config.conf_level,
                           "group-time effects before joining (as R did's summary)")
    return pretrend, pretrend_cells


def _run_staggered(design: Design, config: _StaggeredConfig) -> StaggeredResult:
    cells, inf = _att_gt(design, config)
    n = design.y.shape[0]
    g_of = design.cohort
    c = _Cells(cells, inf, g_of)
    estimates = [*_cell_estimates(c), *_simple_estimates(c), *_group_estimates(c),
                 *_dynamic_estimates(c), *_calendar_estimates(c)]
    table, boot, se_boot = _inference_table(estimates, n, config)
    crit, idx = _uniform_band(table, boot, se_boot, config.conf_level)
    big_inf = np.column_stack([e[2] for e in estimates])
    pretrend, pretrend_cells = _pretrend_tests(table, big_inf, idx, n, config)
    n_never = int((~np.isfinite(g_of)).sum())
    if n < 30:
        warnings.warn(
            f"staggered_did: only {n} units; influence-function standard errors rely on many "
            f"units and may be too small. Read the intervals with care.",
            FewClustersWarning, stacklevel=3,
        )
    return StaggeredResult(
        config=config,
        table=table,
        critical_value_uniform=crit if np.isfinite(crit) else None,
        pretrend=pretrend,
        pretrend_cells=pretrend_cells,
        n_units=n,
        n_treated_units=n - n_never,
        n_never_treated=n_never,
        cohorts=tuple(float(g) for g in c.groups),
        periods=tuple(int(p) for p in design.periods),
        n_units_with_gaps=design.n_units_with_gaps,
        n_dropped_always_treated=design.n_dropped_always_treated,
        n_joined_after_window=design.n_late_as_never,
    )


def _multiplier_bootstrap(inf: np.ndarray, reps: int, rng: np.random.Generator) -> np.ndarray:
    """Draws of (estimate - truth) from Mammen's two-point multiplier, unit by unit."""
    n = inf.shape[0]
    kappa = (math.sqrt(5) + 1) / 2
    p = kappa / math.sqrt(5)
    out = np.empty((reps, inf.shape[1]))
    chunk = max(1, min(reps, 2_000_000 // max(n, 1)))
    for start in range(0, reps, chunk):
        m = min(chunk, reps - start)
        v = np.where(rng.random((m, n)) < p, 1 - kappa, kappa)
        out[start:start + m] = v @ inf / n
    return out


def _sup_t_critical(boot: np.ndarray, se: np.ndarray, conf_level: float) -> float:
    ok = se > 0
    if not ok.any():
        return float("nan")
    t = np.abs(boot[:, ok] / se[ok]).max(axis=1)
    return float(np.quantile(t, conf_level))


def _wald(est: np.ndarray, v: np.ndarray, alpha: float, over: str) -> dict[str, Any]:
    if len(est) == 0:
        return {"statistic": None, "df": 0, "p_value": None, "passed": None, "over": over,
                "note": "no pre-treatment periods to test"}
    vinv = np.linalg.pinv(v)
    rank = int(np.linalg.matrix_rank(v))
    w = float(est @ vinv @ est)
    p = float(stats.chi2.sf(w, rank))
    return {"statistic": w, "df": rank, "p_value": p, "passed": bool(p >= alpha),
            "over": over, "test": "Wald chi2"}


@dataclass(frozen=True)
class StaggeredResult(ResultBase):
    """Callaway and Sant'Anna staggered DiD: group-time effects and their aggregations.

    Attributes
    ----------
    table : DataFrame
        Every estimate: ``aggregation`` (att_gt, simple, group, dynamic, calendar), ``term``,
        ``estimate``, ``std_error``, ``statistic``, ``p_value``, ``conf_low``,
        ``conf_high``, plus ``group``, ``time``, ``event_time`` where they apply and the
        simultaneous band (``uniform_low``/``uniform_high``) for event-time effects.
    pretrend : dict
        Joint Wald chi2 test that the event-time effects before joining are all zero:
        ``statistic``, ``df``, ``p_value``, ``passed`` (p >= 1 - conf_level).
    pretrend_cells : dict
        The same over the pre-treatment group-time cells, as R's ``did`` summary prints.
    """

    config: _StaggeredConfig
    table: pd.DataFrame
    critical_value_uniform: float | None
    pretrend: dict[str, Any]
    pretrend_cells: dict[str, Any]
    n_units: int
    n_treated_units: int
    n_never_treated: int
    cohorts: tuple[Any, ...]
    periods: tuple[Any, ...]
    n_units_with_gaps: int = 0
    n_dropped_always_treated: int = 0
    n_joined_after_window: int = 0
    estimator: str = field(default="callaway_santanna")

    # ---- views ----------------------------------------------------------------------------
    @property
    def att_gt(self) -> pd.DataFrame:
        """Group-time effects: group, time, event_time, estimate, std_error, CI, p_value."""
        t = self.table[self.table["aggregation"] == "att_gt"]
        cols = ["group", "time", "event_time", "estimate", "std_error", "conf_low",
                "conf_high", "p_value"]
        out = t[cols].reset_index(drop=True)
        for c in ("group", "time", "event_time"):
            out[c] = out[c].astype("int64")
        return out

    @property
    def by_event_time(self) -> pd.DataFrame:
        t = self.table[self.table["term"].str.startswith("event_time=")]
        cols = ["event_time", "estimate", "std_error", "conf_low", "conf_high", "p_value",
                "uniform_low", "uniform_high"]
        out = t[cols].reset_index(drop=True)
        out["event_time"] = out["event_time"].astype("int64")
        return out

    @property
    def by_group(self) -> pd.DataFrame:
        t = self.table[self.table["term"].str.startswith("group=")]
        out = t[["group", "estimate", "std_error", "conf_low", "conf_high",
                 "p_value"]].reset_index(drop=True)
        out["group"] = out["group"].astype("int64")
        return out

    def _row(self, term: str) -> dict[str, Any]:
        r = self.table[self.table["term"] == term].iloc[0]
        return {k: (None if pd.isna(r[k]) else float(r[k])) for k in
                ["estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high",
                 "prob_positive"]}

    @property
    def overall(self) -> dict[str, Any]:
        """The headline effect: the cohort ("group") aggregation, as CS recommend."""
        return self._row("overall_group")

    @property
    def overall_simple(self) -> dict[str, Any]:
        return self._row("overall_simple")

    @property
    def by_calendar_time(self) -> pd.DataFrame:
        """Calendar-time effects: time, estimate, std_error, conf_low, conf_high, p_value."""
        t = self.table[self.table["term"].str.startswith("time=")]
        out = t[["time", "estimate", "std_error", "conf_low", "conf_high",
                 "p_value"]].reset_index(drop=True)
        out["time"] = out["time"].astype("int64")
        return out

    @property
    def overall_calendar(self) -> dict[str, Any]:
        """The mean over calendar years of the calendar-time effects (R did's overall)."""
        return self._row("overall_calendar")

    @property
    def overall_dynamic(self) -> dict[str, Any]:
        return self._row("overall_dynamic")

    def tidy(self) -> pd.DataFrame:
        """One row per estimate: the standard columns, then aggregation, group, time,
        event_time."""
        cols = [*TIDY_COLUMNS, "aggregation", "group", "time", "event_time"]
        out = self.table[cols].reset_index(drop=True)
        for c in ("group", "time", "event_time"):
            out[c] = out[c].astype("Int64")
        return out

    def plot_data(self) -> pd.DataFrame:
        """Event-time effects for the event-study plot (pointwise intervals)."""
        d = self.by_event_time
        out = d[["event_time", "estimate", "conf_low", "conf_high"]].copy()
        out["estimator"] = "callaway_santanna"
        return out[PLOT_COLUMNS]

    # ---- ResultBase ---------------------------------------------------------------------
    def _title(self) -> str:
        return f"Staggered DiD (Callaway and Sant'Anna 2021): {self.config.outcome}"

    def _meta(self) -> dict[str, Any]:
        c = self.config
        return {
            "model": "staggered_did", "estimator": self.estimator, "outcome": c.outcome,
            "cohort": c.cohort, "control_group": c.control_group,
            "base_period": c.base_period, "anticipation": c.anticipation,
            "covariates": "none (unconditional parallel trends)",
            "inference": self._inference_name(), "inference_reason": self._inference_reason(),
            "n_units": self.n_units, "n_treated_units": self.n_treated_units,
            "n_never_treated": self.n_never_treated, "n_cohorts": len(self.cohorts),
            "n_clusters": self.n_units, "first_year": self.periods[0],
            "last_year": self.periods[-1], "conf_level": c.conf_level, "reps": c.reps,
            "seed": c.seed, "critical_value_uniform": self.critical_value_uniform,
            "n_units_with_gaps": self.n_units_with_gaps,
            "n_dropped_always_treated": self.n_dropped_always_treated,
            "n_joined_after_window": self.n_joined_after_window,
        }

    def _inference_name(self) -> str:
        return ("influence_function" if self.config.inference == "analytic"
                else "multiplier_bootstrap")

    def _inference_reason(self) -> str:
        base = "clustered by unit; each unit is one observation of the influence function"
        if self.config.inference == "analytic":
            return f"analytic influence-function standard errors ({base})"
        return (f"multiplier bootstrap, Mammen weights, {self.config.reps} draws, "
                f"seed {self.config.seed} ({base})")

    def _notes(self) -> list[str]:
        out = []
        for p in (self.pretrend, self.pretrend_cells):
            if p.get("df"):
                out.append(f"Pre-trend test over {p['over']}: chi2({p['df']}) = "
                           f"{p['statistic']:.3f}, p = {p['p_value']:.4f}")
        o = self.overall
        out.append(f"Overall effect (cohort aggregation): {fmt(o['estimate'])} "
                   f"[{fmt(o['conf_low'])}, {fmt(o['conf_high'])}]")
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: the description, ``estimates`` (tidy rows) and the blocks the
        ``programme.staggered`` part of results.json uses (``overall``,
        ``by_event_time``, ``pretrend``) plus ``by_group``, ``att_gt``, ``pretrend_cells``."""
        out = super().to_dict()
        overall = {**self.overall, "inference": self._inference_name(),
                   "inference_reason": self._inference_reason(),
                   "aggregation": "group", "n_units": self.n_units}
        out.update(json_safe({
            "overall": overall,
            "overall_simple": self.overall_simple,
            "overall_dynamic": self.overall_dynamic,
            "overall_calendar": self.overall_calendar,
            "by_calendar_time": self.by_calendar_time,
            "by_event_time": self.by_event_time,
            "by_group": self.by_group,
            "att_gt": self.att_gt,
            "pretrend": self.pretrend,
            "pretrend_cells": self.pretrend_cells,
        }))
        return out


__all__ = ["EventStudyResult", "StaggeredResult", "event_study", "staggered_did"]
