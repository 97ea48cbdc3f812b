"""Estimation: two-way fixed-effects panels with honest inference (and the façade).

Public functions are thin: they check their inputs, build a frozen configuration and call a
runner. The numbers come from pyfixest (fixed effects, CR1/HC1/iid covariance) and from
:mod:`evaluation._wild` (wild cluster restricted bootstrap). Correlations live in
:mod:`evaluation.correlation` and are re-exported here (``evaluation.estimate.correlate`` is
the documented entry point).

Conventions
-----------
- ``cluster``: CR1 with the small-sample factor of fixest and Stata,
  ``G/(G-1) * (N-1)/(N-K)`` where ``K`` counts the slope coefficients and the fixed effects
  that are *not* nested in the cluster (unit effects nested in unit clusters are not
  counted); p-values and intervals from Student t with ``G-1`` degrees of freedom.
- ``hetero``: HC1, ``N/(N-K)``; ``iid``: ``(N-1)/(N-K)`` as fixest; t with ``N-K`` df.
- ``wild``: wild cluster restricted bootstrap (null imposed), Rademacher weights, Webb's
  six-point weights below 12 clusters, full enumeration when the weight patterns are not
  more than ``reps``; p-value ``P(|t*| >= |t|)`` (ties, such as the identity draw,
  counted) and interval by test inversion. The
  reported ``std_error`` is the CR1 one; ``p_value``, ``conf_low`` and ``conf_high`` come
  from the bootstrap.
- ``auto``: ``wild`` below 50 clusters, ``cluster`` otherwise. The result says which
  inference it used and why (``inference``, ``inference_reason``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._options import Inference
from ..errors import EstimationError
from ._base import TIDY_COLUMNS, ResultBase, _fmt, json_safe
from ._compat import renamed_keywords
from ._fe_config import (
    VCOV_CONVENTION,
    PanelFEConfig,
    _as_tuple,
    _check_config,
    cluster_setting,
)
from ._fe_fit import _fit, _vcov_arg, _WildInputs
from ._fe_frame import _build_frame, _check_estimable, _shift
from ._fe_infer import (
    _analytic_fit,
    _cumulative,
    _leads_test,
    _resolve_inference,
    _resolve_two_way,
    _term_rows,
    _wild_rows,
)
from ._wild import choose_weights

# ---- panel_fe ---------------------------------------------------------------------------


@renamed_keywords(exposures="exposure")
def panel_fe(
    df: pd.DataFrame,
    outcome: str,
    exposure: str | Sequence[str],
    unit: str,
    time: str,
    *,
    controls: Sequence[str] = (),
    cluster: str | Sequence[str] | None = None,
    inference: Inference = "auto",
    lags: Sequence[int] | None = None,
    leads: Sequence[int] | None = None,
    weights: str | None = None,
    trends: bool = False,
    fixed_effects: Sequence[str] = ("unit", "time"),
    reps: int = 9999,
    wild_weights: str = "auto",
    seed: int = 2026,
    conf_level: float = 0.95,
) -> PanelFEResult:
    """Two-way (unit and year) fixed-effects regression with honest few-cluster inference.

    Parameters
    ----------
    df
        A panel, one row per unit and year (or per person and year).
    outcome
        Outcome column, e.g. ``"ikm"``.
    exposure
        Exposure column, e.g. ``"jp_per_asn"``, or a list of them (one model with every
        exposure). The keyword was ``exposures`` in the previous release (still accepted,
        with a DeprecationWarning).
    unit, time
        Unit identifier and calendar year; both are absorbed as fixed effects.
    controls
        Time-varying control columns.
    cluster
        Column to cluster on; default ``unit``. Two columns, e.g. ``["unit_id", "year"]``
        (or the roles ``["unit", "year"]``), cluster two ways (Cameron, Gelbach and Miller
        2011): ``V_a + V_b - V_ab``, each one-way CR1 covariance with its own small-sample
        factor, ``t`` with ``min(G_a, G_b) - 1`` degrees of freedom; the wild bootstrap is
        one-way only, so ``"auto"`` then means two-way CR1 and ``"wild"`` is refused.
        Clustering uses integer codes of the column(s).
    inference
        ``"auto"`` (wild bootstrap below 50 clusters, CR1 otherwise), ``"cluster"`` (CR1),
        ``"wild"`` (wild cluster restricted bootstrap), ``"hetero"`` (HC1), ``"iid"``.
    lags
        Years of lag of each exposure, e.g. ``[0, 1, 2]``: adds ``<exposure>_lag<k>``
        (the exposure of the same unit ``k`` calendar years earlier; a missing year gives
        a missing lag, never the previous row) and reports the cumulative effect.
    leads
        Placebo leads, e.g. ``[1]``: adds ``<exposure>_lead<k>`` and a joint test that
        they are zero.
    weights
        Column of regression weights (e.g. respondents per unit), or ``None``.
    trends
        Add unit-specific linear trends (as regressors, so they count in ``K``; not
        reported in the table).
    fixed_effects
        Which of ``"unit"`` and ``"time"`` to absorb; default both. ``()`` fits pooled
        OLS with an intercept (for comparisons with published pooled results).
    reps, wild_weights, seed
        Bootstrap draws; ``"auto"`` (Webb below 12 clusters, Rademacher otherwise),
        ``"rademacher"`` or ``"webb"``; the seed (same seed, same numbers).
    conf_level
        Confidence level of the intervals.

    Returns
    -------
    PanelFEResult
        ``.tidy()``, ``.summary()``, ``.to_dict()``, ``.coef(term)``, ``.vcov``,
        ``.cumulative``, ``.leads_test``, ``.residuals``, ``.model_frame``,
        ``.with_inference(...)``.

    Raises
    ------
    EstimationError
        A missing column, an all-missing outcome, an exposure that does not vary once the
        fixed effects are absorbed, a single cluster, too few observations, a wild
        bootstrap asked for with two-way clustering.

    Examples
    --------
    >>> panel = example_panel(n_units=20, n_years=8, seed=1)
    >>> res = panel_fe(panel, "ikm", "jp_per_asn", "unit_id", "year", lags=[0, 1], reps=999)
    >>> res.inference, res.n_clusters
    ('wild_cluster_restricted', 20)
    >>> list(res.tidy()["term"])
    ['jp_per_asn_lag0', 'jp_per_asn_lag1']
    """
    exposures_t = _as_tuple("exposure", exposure)
    if not exposures_t:
        raise EstimationError("exposure: expecting at least one exposure column. Got none.")
    cfg = PanelFEConfig(
        outcome=outcome,
        exposures=exposures_t,
        unit=unit,
        time=time,
        controls=_as_tuple("controls", controls) or (),
        cluster=cluster_setting(cluster, unit, time,
                                list(df.columns) if isinstance(df, pd.DataFrame) else []),
        inference=inference,
        lags=_as_tuple("lags", lags, ints=True),
        leads=_as_tuple("leads", leads, ints=True),
        weights=weights,
        trends=bool(trends),
        reps=reps,
        wild_weights=wild_weights,
        seed=int(seed),
        conf_level=float(conf_level),
        fixed_effects=tuple(_as_tuple("fixed_effects", fixed_effects) or ()),
    )
    _check_config(cfg)
    if cfg.leads is not None and 0 in cfg.leads:
        raise EstimationError("leads: expecting years ahead >= 1 (lead 0 is the exposure itself). Got 0.")
    frame, spec = _build_frame(df, cfg)
    n_complete = _check_estimable(frame, spec, cfg)
    # rows pyfixest keeps are labelled as in the input; read the labels before fitting,
    # because pyfixest resets the index of the frame it is given (it is not copied)
    input_index = frame.index
    fit = _fit(frame, spec, cfg)
    design = _WildInputs(fit, spec)
    design.vcov_used = _vcov_arg(cfg.inference, spec.clusters)
    design.input_index = input_index
    design.n_singletons = n_complete - int(fit._N)
    return _infer(fit, cfg, design)


def _infer(fit: Any, cfg: PanelFEConfig, inputs: _WildInputs) -> PanelFEResult:
    """The result of a fit under the inference ``cfg`` asks for."""
    spec = inputs.spec
    counts = inputs.counts()
    G = counts["clusters"]
    if cfg.two_way:
        inference, reason = _resolve_two_way(cfg, counts["clusters_by"])
    else:
        inference, reason = _resolve_inference(cfg, G)
    analytic = {"wild_cluster_restricted": "cluster"}.get(inference, inference)
    fit = _analytic_fit(fit, inputs, analytic)
    names = [spec.display.get(c, c) for c in fit._coefnames]
    beta = pd.Series(np.asarray(fit._beta_hat, dtype=float), index=names)
    vcov = pd.DataFrame(np.asarray(fit._vcov, dtype=float), index=names, columns=names)
    df_t = float(fit._df_t)
    crit = float(stats.t.ppf(0.5 + cfg.conf_level / 2, df_t))
    rows = _term_rows(spec, beta, vcov, df_t, crit, analytic)
    wild_w = None
    if inference == "wild_cluster_restricted":
        wild_w = choose_weights(G, cfg.wild_weights)
        reason += _wild_rows(rows, names, cfg, inputs, wild_w)
    table = pd.DataFrame(rows).set_index("term")
    table["lag"] = table["lag"].astype("Int64")
    cumulative = _cumulative(cfg, names, beta, vcov, df_t, crit, inference, wild_w, inputs)
    leads_test = _leads_test(cfg, spec, beta, vcov, df_t)
    n_obs = int(fit._N)
    return PanelFEResult(
        model="panel_fe",
        outcome=cfg.outcome,
        exposures=cfg.exposures,
        unit=cfg.unit,
        time=cfg.time,
        table=table,
        params=beta[[n for n in names if n not in set(spec.x_internal[len(spec.terms):])]],
        vcov=vcov,
        inference=inference,
        inference_reason=reason,
        vcov_convention=VCOV_CONVENTION[
            "cluster_two_way" if cfg.two_way and inference == "cluster" else inference],
        n_obs=n_obs,
        n_units=counts["units"],
        n_years=counts["years"],
        n_clusters=G,
        cluster=cfg.cluster,
        n_clusters_by=counts["clusters_by"] if cfg.two_way else None,
        n_singletons_dropped=inputs.n_singletons,
        fixed_effects=tuple({"unit": cfg.unit, "time": cfg.time}[f] for f in cfg.fixed_effects),
        controls=cfg.controls,
        conf_level=cfg.conf_level,
        seed=cfg.seed,
        reps=cfg.reps if inference == "wild_cluster_restricted" else None,
        wild_weights=wild_w,
        lags=cfg.lags,
        leads=cfg.leads,
        trends=cfg.trends,
        weights=cfg.weights,
        df_resid=df_t,
        cumulative=cumulative,
        leads_test=leads_test,
        _fit=fit,
        _config=cfg,
        _design=inputs,
    )


# ---- the result ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PanelFEResult(ResultBase):
    """Two-way fixed-effects estimate with its inference, from :func:`~evaluation.estimate.panel_fe`.

    Attributes
    ----------
    table
        One row per reported term (exposures, their lags and leads, controls; not the
        unit-trend nuisance terms), indexed by term, with the tidy columns plus
        ``exposure`` (the exposure a term belongs to, or ``None`` for a control), ``lag``
        (``0, 1, ...``; negative for leads; ``None`` for controls), ``inference`` and
        ``prob_positive``: the confidence that the coefficient is above 0, read off the
        same sampling distribution as the p-value (Student t, or the wild bootstrap's
        one-sided distribution), never off whether the interval covers 0.
    params, vcov
        All coefficients and their covariance matrix (analytic: CR1, HC1 or iid), as a
        Series and a DataFrame indexed by term.
    cumulative
        Per exposure with ``lags``: the sum of its lag coefficients (the cumulative
        effect), a tidy-style DataFrame indexed by exposure. Its standard error comes from
        the joint covariance; under wild inference its p-value and interval come from the
        bootstrap of the sum.
    leads_test
        With ``leads``: the joint Wald test that every lead coefficient is zero
        (``statistic`` = Wald/q, an F statistic; ``df`` = q, ``df_resid``; ``p_value``).
    residuals, model_frame
        Residuals of the fitted model (length ``n_obs``) and the rows used, with the
        columns the model used (including generated ``<exposure>_lag<k>`` columns),
        indexed as in the input frame. Useful for diagnostics and simulation.
    cluster, n_clusters, n_clusters_by
        The cluster column (a pair with two-way clustering), the number of clusters (the
        smaller dimension with two-way clustering) and, two-way, the number in each.
    n_singletons_dropped
        Complete rows left out because their unit (or year) has no other complete row:
        with its fixed effect absorbed such a row carries no information, and keeping it
        would only inflate ``n_obs`` (fixest and pyfixest drop them likewise).
    """

    model: str
    outcome: str
    exposures: tuple[str, ...]
    unit: str
    time: str
    table: pd.DataFrame = field(repr=False)
    params: pd.Series = field(repr=False)
    vcov: pd.DataFrame = field(repr=False)
    inference: str
    inference_reason: str
    vcov_convention: str
    n_obs: int
    n_units: int
    n_years: int
    n_clusters: int | None
    cluster: str | tuple[str, ...] | None
    fixed_effects: tuple[str, ...]
    controls: tuple[str, ...]
    conf_level: float
    seed: int
    reps: int | None
    wild_weights: str | None
    lags: tuple[int, ...] | None
    leads: tuple[int, ...] | None
    trends: bool
    weights: str | None
    df_resid: float
    cumulative: pd.DataFrame | None = field(default=None, repr=False)
    leads_test: dict[str, Any] | None = None
    n_clusters_by: tuple[int, ...] | None = None
    n_singletons_dropped: int = 0
    _fit: Any = field(default=None, repr=False, compare=False)
    _config: Any = field(default=None, repr=False, compare=False)
    _design: Any = field(default=None, repr=False, compare=False)

    # ---- access ------------------------------------------------------------------------
    def coef(self, term: str) -> float:
        """The coefficient of ``term``; raises a clear error listing the terms."""
        if term not in self.params.index:
            raise EstimationError(
                f"coef: no term {term!r} in this model. Terms: {list(self.params.index)}"
            )
        return float(self.params[term])

    @property
    def residuals(self) -> pd.Series:
        fit = self._fit
        return pd.Series(
            np.asarray(fit._u_hat).ravel() / np.sqrt(np.asarray(fit._weights).ravel()),
            index=self.model_frame.index,
            name="residual",
        )

    @property
    def model_frame(self) -> pd.DataFrame:
        data = self._fit._data
        index = getattr(self._design, "row_index", None)
        if index is not None and len(index) == len(data):
            return pd.DataFrame(data.set_axis(index))
        return pd.DataFrame(data)

    @property
    def terms(self) -> list[str]:
        return list(self.table.index)

    # ---- ResultBase ---------------------------------------------------------------------
    def _title(self) -> str:
        return f"Two-way fixed effects: {self.outcome} on {', '.join(self.exposures)}"

    def tidy(self) -> pd.DataFrame:
        out = self.table.reset_index()
        return out[[*TIDY_COLUMNS, "exposure", "lag", "inference", "prob_positive"]]

    def _meta(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "outcome": self.outcome,
            "exposures": list(self.exposures),
            "inference": self.inference,
            "inference_reason": self.inference_reason,
            "vcov_convention": self.vcov_convention,
            "n_obs": self.n_obs,
            "n_units": self.n_units,
            "n_years": self.n_years,
            "n_clusters": self.n_clusters,
            "cluster": self.cluster if isinstance(self.cluster, str | None) else list(self.cluster),
            "n_clusters_by": None if self.n_clusters_by is None else list(self.n_clusters_by),
            "n_singletons_dropped": self.n_singletons_dropped,
            "fixed_effects": list(self.fixed_effects),
            "controls": list(self.controls),
            "unit_trends": self.trends,
            "weights": self.weights,
            "lags": None if self.lags is None else list(self.lags),
            "leads": None if self.leads is None else list(self.leads),
            "conf_level": self.conf_level,
            "seed": self.seed,
            "reps": self.reps,
            "wild_weights": self.wild_weights,
            "df_resid": self.df_resid,
        }

    def _notes(self) -> list[str]:
        notes = []
        if self.cumulative is not None:
            for exp, row in self.cumulative.iterrows():
                notes.append(
                    f"Cumulative effect of {exp} (sum of lags {list(self.lags or [])}): "
                    f"{_fmt(row['estimate'])} (SE {_fmt(row['std_error'])}, "
                    f"p = {_fmt(row['p_value'])}, CI [{_fmt(row['conf_low'])}, "
                    f"{_fmt(row['conf_high'])}])"
                )
        if self.leads_test is not None:
            lt = self.leads_test
            notes.append(
                f"Placebo leads jointly zero: F({lt['df']}, {_fmt(lt['df_resid'], 0)}) = "
                f"{_fmt(lt['statistic'])}, p = {_fmt(lt['p_value'])}"
            )
        if self.n_singletons_dropped:
            notes.append(
                f"{self.n_singletons_dropped} complete row(s) left out as singletons: their "
                "unit (or year) has no other complete row, so with its fixed effect absorbed "
                "they carry no information (as fixest and pyfixest)."
            )
        return notes

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        for row in out["estimates"]:
            row.update(
                model=self.model, outcome=self.outcome, conf_level=self.conf_level,
                inference_reason=self.inference_reason, vcov_convention=self.vcov_convention,
                n_obs=self.n_obs, n_units=self.n_units, n_years=self.n_years,
                n_clusters=self.n_clusters,
            )
        out["cumulative"] = (
            None if self.cumulative is None
            else json_safe(self.cumulative.reset_index().to_dict(orient="records"))
        )
        out["leads_test"] = json_safe(self.leads_test)
        return out

    def with_inference(
        self,
        inference: str | None = None,
        *,
        reps: int | None = None,
        wild_weights: str | None = None,
        seed: int | None = None,
        conf_level: float | None = None,
    ) -> PanelFEResult:
        """The same fit with different inference, as a new result (this one is unchanged).

        Examples
        --------
        >>> from evaluation.estimate import panel_fe, example_panel
        >>> res = panel_fe(example_panel(), "ikm", ["jp_per_asn"], "unit_id", "year",
        ...                inference="cluster")
        >>> res.with_inference("hetero").inference
        'hetero'
        """
        changes = {
            k: v for k, v in dict(inference=inference, reps=reps, wild_weights=wild_weights,
                                  seed=seed, conf_level=conf_level).items() if v is not None
        }
        config = replace(self._config, **changes)
        _check_config(config)
        return _infer(self._fit, config, self._design)



# ---- example data -------------------------------------------------------------------------


def example_panel(n_units: int = 30, n_years: int = 9, *, beta: float = 0.06,
                  seed: int = 2026) -> pd.DataFrame:
    """A small seeded synthetic unit-year panel (IKM on JP per ASN) for examples and tests.

    Unit and year effects, JP per ASN around 20-40 with unit-specific levels, IKM around
    80 responding to last year's JP with slope ``beta``. Synthetic: not about any real unit.

    >>> example_panel(n_units=5, n_years=3).shape
    (15, 5)
    """
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(n_units), n_years)
    year = np.tile(np.arange(2016, 2016 + n_years), n_units)
    unit_level = rng.normal(30, 6, n_units)[unit]
    jp = np.clip(unit_level + rng.normal(0, 6, unit.size) + 0.8 * (year - 2016), 0, None)
    year_eff = rng.normal(0, 0.8, n_years)[year - 2016]
    unit_eff = rng.normal(80, 4, n_units)[unit]
    df = pd.DataFrame({"unit_id": [f"U{u:02d}" for u in unit], "year": year, "jp_per_asn": jp})
    lag1 = _shift(df.assign(unit_id=unit), "unit_id", "year", "jp_per_asn", 1)
    lag1 = np.where(np.isnan(lag1), jp, lag1)
    df["ikm"] = unit_eff + year_eff + beta * lag1 + rng.normal(0, 1.5, unit.size)
    df["asn_count"] = rng.integers(20, 400, n_units)[unit]
    return df


# Staged programmes, the chain and the diagnostics live in their own modules; the façade


__all__ = ["PanelFEConfig", "PanelFEResult", "example_panel", "panel_fe"]
