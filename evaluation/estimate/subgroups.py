"""The headline within each subgroup (e.g. sector), with the power each subgroup has.

A small sector's wide interval is "too little data", not "no effect": each subgroup's
estimate comes with its minimum detectable effect (:func:`~evaluation.estimate.mde`, by
simulation from that subgroup's own residuals), and ``detectable`` says whether an effect
the size of the city-wide one could have been detected there at all. Whether the subgroups
differ is tested in one model with an exposure per subgroup
(:func:`~evaluation.estimate.compare_exposures`), which also gives partially pooled
estimates: a small subgroup's estimate is pulled towards the others.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._options import Inference
from ..columns import lag_column
from ..errors import EstimationError
from ._base import TIDY_COLUMNS, ResultBase, json_safe
from ._twfe import require_columns, require_frame, shifted
from .comparison import ExposureComparisonResult, compare_exposures
from .fixed_effects import panel_fe
from .power import mde


@dataclass(frozen=True)
class _SubgroupConfig:
    outcome: str
    exposure: str
    unit: str
    time: str
    group: str
    lag: int
    reference: float | None
    min_units: int
    alpha: float
    power: float
    seed: int
    conf_level: float


def by_subgroup(
    df: pd.DataFrame,
    outcome: str,
    exposure: str,
    unit: str,
    time: str,
    *,
    group: str,
    lag: int = 1,
    controls: Sequence[str] = (),
    inference: Inference = "auto",
    reps: int = 9999,
    mde_reps: int = 500,
    alpha: float = 0.05,
    power: float = 0.8,
    reference: float | None = None,
    min_units: int = 3,
    seed: int = 2026,
    conf_level: float = 0.95,
) -> SubgroupResult:
    """The two-way fixed-effects estimate within each value of ``group``, with its power.

    Parameters
    ----------
    df, outcome, exposure, unit, time
        As in :func:`~evaluation.estimate.panel_fe` (the exposure is lagged ``lag`` years).
    group
        Column giving each unit's subgroup (e.g. ``"sector"``); constant within a unit.
    controls, inference, reps, seed, conf_level
        As in :func:`~evaluation.estimate.panel_fe`, for every subgroup's fit.
    mde_reps, alpha, power
        Simulation draws and the test level and power of each subgroup's minimum
        detectable effect.
    reference
        The effect a subgroup should be able to detect (e.g. the city-wide estimate):
        ``detectable`` is whether its MDE is at most ``|reference|``.
    min_units
        Subgroups with fewer units are listed but not estimated.

    Returns
    -------
    SubgroupResult
    """
    what = "by_subgroup"
    df = require_frame(df, what)
    require_columns(df, [outcome, exposure, unit, time, group, *controls], what)
    per_unit = df.groupby(unit)[group].nunique(dropna=False)
    if (per_unit > 1).any():
        raise EstimationError(
            f"{what}: the group column '{group}' must be constant within a unit; unit "
            f"{per_unit[per_unit > 1].index[0]!r} has several values.")
    config = _SubgroupConfig(outcome, exposure, unit, time, group, int(lag), reference,
                             int(min_units), float(alpha), float(power), int(seed),
                             float(conf_level))
    lagged = lag_column(exposure, lag) if lag else exposure
    work = df if lagged in df.columns else df.assign(
        **{lagged: shifted(df, exposure, unit, time, lag).to_numpy()})
    rows = []
    estimable = []
    for g in sorted(work[group].dropna().unique().tolist(), key=str):
        sub = work[work[group] == g].reset_index(drop=True)
        row, ok = _one_subgroup(sub, config, lagged, list(controls), inference, reps, mde_reps)
        rows.append({"group": g, **row})
        if ok:
            estimable.append(g)
    comparison = _heterogeneity(work, config, lagged, estimable, list(controls), inference,
                                reps)
    return SubgroupResult(config=config, rows=tuple(rows), comparison=comparison)


def _one_subgroup(sub: pd.DataFrame, c: _SubgroupConfig, lagged: str, controls: list[str],
                  inference: Inference, reps: int, mde_reps: int
                  ) -> tuple[dict[str, Any], bool]:
    """The fit and the MDE of one subgroup; a reason instead when it cannot be estimated."""
    n_units = int(sub[c.unit].nunique())
    base: dict[str, Any] = {"n_units": n_units}
    if n_units < c.min_units:
        return {**base, "estimable": False,
                "reason": f"{n_units} unit(s); at least {c.min_units} are needed"}, False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = panel_fe(sub, c.outcome, lagged, c.unit, c.time, controls=controls,
                           inference=inference, reps=reps, seed=c.seed,
                           conf_level=c.conf_level)
            power = mde(sub, c.outcome, lagged, c.unit, c.time, alpha=c.alpha, power=c.power,
                        reps=mde_reps, seed=c.seed)
    except EstimationError as exc:
        return {**base, "estimable": False, "reason": str(exc)}, False
    row = fit.tidy().iloc[0]
    value = power.value if np.isfinite(power.value) else None
    detectable = (None if c.reference is None or value is None
                  else bool(value <= abs(c.reference)))
    return {**base, "estimable": True, "reason": None,
            **{k: row[k] for k in (*TIDY_COLUMNS[1:], "prob_positive", "inference")},
            "n_obs": fit.n_obs, "n_clusters": fit.n_clusters,
            "inference_reason": fit.inference_reason, "mde": value,
            "mde_analytic": power.analytic, "detectable": detectable}, True


def _heterogeneity(work: pd.DataFrame, c: _SubgroupConfig, lagged: str, groups: list[Any],
                   controls: list[str], inference: Inference, reps: int
                   ) -> ExposureComparisonResult | None:
    """One model with the exposure interacted with each subgroup: equal effects?"""
    if len(groups) < 2:
        return None
    cols = {f"{lagged}__in_{i}": np.where(work[c.group] == g, work[lagged], 0.0)
            for i, g in enumerate(groups)}
    inside = work[c.group].isin(groups).to_numpy()
    frame = work.assign(**cols)[inside].reset_index(drop=True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return compare_exposures(frame, c.outcome, list(cols), c.unit, c.time, lag=0,
                                     labels=[str(g) for g in groups], controls=controls,
                                     inference=inference, reps=reps, seed=c.seed,
                                     conf_level=c.conf_level)
    except EstimationError:
        return None


@dataclass(frozen=True)
class SubgroupResult(ResultBase):
    """The estimate in each subgroup with its power; whether subgroups differ.

    Attributes
    ----------
    rows
        Per subgroup: ``group``, ``n_units``, ``estimable`` (with a ``reason`` when not),
        the tidy columns, ``prob_positive``, ``inference``, ``n_obs``, ``n_clusters``,
        ``mde`` (simulated minimum detectable effect, same units as the estimate),
        ``mde_analytic`` and ``detectable`` (MDE at most the reference effect).
    comparison
        The one-model comparison of the estimable subgroups (difference test, partially
        pooled estimates, ``prob_best``), or ``None`` with fewer than two.
    """

    config: _SubgroupConfig
    rows: tuple[dict[str, Any], ...]
    comparison: ExposureComparisonResult | None = field(default=None, repr=False)

    def tidy(self) -> pd.DataFrame:
        out = pd.DataFrame(list(self.rows)).reindex(
            columns=["group", *TIDY_COLUMNS[1:], "prob_positive", "n_units", "n_obs",
                     "n_clusters", "mde", "mde_analytic", "detectable", "estimable", "reason"])
        out.insert(0, "term", [f"{self.config.group}={g}" for g in out["group"]])
        return out

    def _title(self) -> str:
        return f"By {self.config.group}: {self.config.outcome} on {self.config.exposure}"

    def _meta(self) -> dict[str, Any]:
        c = self.config
        return {"model": "by_subgroup", "outcome": c.outcome, "exposure": c.exposure,
                "lag": c.lag, "group": c.group, "reference_effect": c.reference,
                "mde_alpha": c.alpha, "mde_power": c.power, "min_units": c.min_units,
                "conf_level": c.conf_level, "seed": c.seed,
                "n_groups": len(self.rows)}

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        cmp = self.comparison
        out["difference_test"] = None if cmp is None else json_safe(cmp.difference_test)
        out["pooled"] = None if cmp is None else json_safe(cmp.table[
            ["label", "shrunken_estimate", "shrunken_low", "shrunken_high", "prob_best"]])
        return out


__all__ = ["SubgroupResult", "by_subgroup"]
