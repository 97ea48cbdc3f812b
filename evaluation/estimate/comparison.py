"""Several exposures in one model: which goes with the outcome more strongly, and how sure.

:func:`compare_exposures` answers "which training goes with better service?": one two-way
fixed-effects regression with the JP per ASN of each competency type (or learning path, or
topic, or sector interaction) as exposures, so each coefficient holds the others fixed;

- each type's estimate with the headline's inference (the wild cluster restricted
  bootstrap below 50 clusters), and its ``P(effect > 0)`` from the same distribution;
- a test that the types differ: ``H0: b_1 = b_2 = ... = b_k``, a Wald test of the ``k - 1``
  differences, bootstrapped the same way (:func:`~evaluation.estimate._wild_wald.wild_wald_test`)
  or, with many clusters, an F test with the CR1 covariance;
- partially pooled estimates and the probability that each type is the largest
  (:func:`~evaluation.estimate._shrinkage.pool`): a comparison without a league table.

"Type A goes more strongly with IKM than type B" is only supported when the difference test
rejects; otherwise the result says the data cannot tell the types apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._options import Inference
from ..columns import lag_term
from ..errors import EstimationError
from ._base import TIDY_COLUMNS, ResultBase, json_safe
from ._shrinkage import PooledEstimates, pool
from ._wild import choose_weights
from ._wild_wald import wild_wald_test
from .fixed_effects import PanelFEResult, panel_fe


@dataclass(frozen=True)
class _ComparisonConfig:
    outcome: str
    exposures: tuple[str, ...]
    unit: str
    time: str
    lag: int
    controls: tuple[str, ...]
    labels: tuple[str, ...]
    seed: int
    conf_level: float
    draws: int


def compare_exposures(
    df: pd.DataFrame,
    outcome: str,
    exposure: Sequence[str],
    unit: str,
    time: str,
    *,
    lag: int = 1,
    labels: Sequence[str] | None = None,
    controls: Sequence[str] = (),
    cluster: str | None = None,
    inference: Inference = "auto",
    reps: int = 9999,
    seed: int = 2026,
    conf_level: float = 0.95,
    draws: int = 4000,
) -> ExposureComparisonResult:
    """Several exposures in one two-way fixed-effects model, compared honestly.

    Parameters
    ----------
    df
        Unit-year panel.
    outcome
        Outcome column, e.g. ``"ikm"``.
    exposure
        Two or more exposure columns (e.g. ``jp_per_asn_teknis``, ``jp_per_asn_manajerial``,
        ``jp_per_asn_sosial_kultural``), entered together.
    unit, time
        Unit and year columns (both absorbed).
    lag
        Years between exposure and outcome (each exposure is lagged by year, as the
        headline).
    labels
        A short name per exposure (default: the column names), used in the result.
    controls, cluster, inference, reps, seed, conf_level
        As in :func:`~evaluation.estimate.panel_fe`; the difference test uses the same
        inference (wild bootstrap Wald below 50 clusters, CR1 F test otherwise).
    draws
        Monte Carlo draws of the partial-pooling model (seeded by ``seed``).

    Returns
    -------
    ExposureComparisonResult

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame([(u, t) for u in range(30) for t in range(2016, 2024)],
    ...                   columns=["unit", "year"])
    >>> df["a"], df["b"] = rng.gamma(4, 3, len(df)), rng.gamma(4, 3, len(df))
    >>> df["ikm"] = 0.1 * df["a"] + rng.normal(0, 1, len(df))
    >>> res = compare_exposures(df, "ikm", ["a", "b"], "unit", "year", lag=0, reps=999)
    >>> bool(res.difference_test["p_value"] < 0.05), bool(res.table["prob_best"].iloc[0] > 0.9)
    (True, True)
    """
    cols = tuple(exposure) if not isinstance(exposure, str) else (exposure,)
    if len(cols) < 2:
        raise EstimationError(
            f"compare_exposures: expecting two or more exposure columns to compare. Got {cols}.")
    names = tuple(labels) if labels is not None else cols
    if len(names) != len(cols):
        raise EstimationError(
            f"compare_exposures: {len(names)} labels for {len(cols)} exposures; give one each.")
    if not isinstance(lag, int | np.integer) or isinstance(lag, bool) or lag < 0:
        raise EstimationError(f"compare_exposures: lag must be a whole number >= 0. Got {lag!r}.")
    config = _ComparisonConfig(outcome, cols, unit, time, int(lag), tuple(controls), names,
                               int(seed), float(conf_level), int(draws))
    fit = panel_fe(df, outcome, list(cols), unit, time, controls=list(controls),
                   cluster=cluster, inference=inference, lags=[lag] if lag else None,
                   reps=reps, seed=seed, conf_level=conf_level)
    terms = [lag_term(c, lag) if lag else c for c in cols]
    beta = fit.params.loc[terms].to_numpy(dtype=float)
    V = fit.vcov.loc[terms, terms].to_numpy(dtype=float)
    pooled = pool(beta, V, conf_level=conf_level, draws=draws, seed=seed)
    test = _difference_test(fit, terms, reps, seed)
    return ExposureComparisonResult(config=config, fit=fit, terms=tuple(terms),
                                    pooled=pooled, difference_test=test)


def _difference_test(fit: PanelFEResult, terms: list[str], reps: int, seed: int
                     ) -> dict[str, Any]:
    """``H0``: every term has the same coefficient (the ``k - 1`` differences from the first
    are 0), with the fit's inference."""
    names = list(fit.vcov.index)
    q = len(terms) - 1
    R = np.zeros((q, len(names)))
    first = names.index(terms[0])
    for i, term in enumerate(terms[1:]):
        R[i, first], R[i, names.index(term)] = 1.0, -1.0
    out: dict[str, Any] = {"hypothesis": "all coefficients equal", "df": q,
                           "terms": list(terms)}
    G = fit.n_clusters or 0
    if fit.inference == "wild_cluster_restricted" and q < G:
        weights = choose_weights(G, fit.wild_weights or "auto")
        w = wild_wald_test(fit._design.design, R, reps=reps, weights_type=weights, seed=seed)
        out.update(statistic=w.statistic / q, p_value=w.p_value,
                   method=(f"wild cluster restricted bootstrap Wald test, {weights} weights, "
                           f"{w.reps} draws{', full enumeration' if w.enumerated else ''}"))
        return out
    b = R @ fit.params.reindex(names).to_numpy(dtype=float)
    V = R @ fit.vcov.to_numpy(dtype=float) @ R.T
    wald = float(b @ np.linalg.solve(V, b))
    out.update(statistic=wald / q, p_value=float(stats.f.sf(wald / q, q, fit.df_resid)),
               method=f"Wald F test with the {fit.vcov_convention.split(',')[0]} covariance")
    return out


@dataclass(frozen=True)
class ExposureComparisonResult(ResultBase):
    """Exposures compared in one model.

    Attributes
    ----------
    table
        One row per exposure: ``label``, ``term``, the tidy columns and ``prob_positive``
        from the model (the headline's inference), then the partially pooled
        ``shrunken_estimate``, ``shrunken_low``, ``shrunken_high``,
        ``shrunken_prob_positive`` and ``prob_best``.
    difference_test
        ``H0``: every exposure has the same coefficient: ``statistic`` (Wald/q), ``df`` (q),
        ``p_value``, ``method``.
    prob_greater
        ``P(b_row > b_column)`` from the partial-pooling model, labelled.
    """

    config: _ComparisonConfig
    fit: PanelFEResult = field(repr=False)
    terms: tuple[str, ...]
    pooled: PooledEstimates = field(repr=False)
    difference_test: dict[str, Any]

    @property
    def table(self) -> pd.DataFrame:
        tidy = self.fit.tidy().set_index("term").loc[list(self.terms)].reset_index()
        out = tidy[[*TIDY_COLUMNS, "prob_positive", "inference"]].copy()
        out.insert(0, "label", list(self.config.labels))
        p = self.pooled
        out["shrunken_estimate"] = p.mean
        out["shrunken_low"] = p.conf_low
        out["shrunken_high"] = p.conf_high
        out["shrunken_prob_positive"] = p.prob_positive
        out["prob_best"] = p.prob_best
        return out

    @property
    def prob_greater(self) -> pd.DataFrame:
        labels = list(self.config.labels)
        return pd.DataFrame(self.pooled.prob_greater, index=labels, columns=labels)

    @property
    def differ(self) -> bool:
        """Whether the difference test rejects equal effects at ``1 - conf_level``."""
        p = self.difference_test.get("p_value")
        return p is not None and p < 1 - self.config.conf_level

    def tidy(self) -> pd.DataFrame:
        t = self.table
        cols = [c for c in t.columns if c not in TIDY_COLUMNS]
        return t[[*TIDY_COLUMNS, *cols]]

    def _title(self) -> str:
        return f"Exposures compared: {self.config.outcome} on {', '.join(self.config.labels)}"

    def _meta(self) -> dict[str, Any]:
        c, f = self.config, self.fit
        return {
            "model": "compare_exposures", "outcome": c.outcome, "exposures": list(c.exposures),
            "labels": list(c.labels), "lag": c.lag, "controls": list(c.controls),
            "inference": f.inference, "inference_reason": f.inference_reason,
            "vcov_convention": f.vcov_convention, "n_obs": f.n_obs, "n_units": f.n_units,
            "n_years": f.n_years, "n_clusters": f.n_clusters, "conf_level": c.conf_level,
            "seed": c.seed, "differ": self.differ,
            "pooling": ("normal hierarchical model, half-Cauchy(0, A) prior on the spread, "
                        f"A = {self.pooled.prior_scale:.4g} (largest standard error); "
                        f"{self.pooled.draws} draws"),
            "spread_of_true_effects": self.pooled.tau_mean,
        }

    def _notes(self) -> list[str]:
        t = self.difference_test
        verdict = ("they differ" if self.differ else
                   "the data cannot tell them apart")
        return [f"Equal effects: statistic {t['statistic']:.3f} on {t['df']} df, "
                f"p = {t['p_value']:.4f} ({t['method']}): {verdict}."]

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out["difference_test"] = json_safe(self.difference_test)
        out["prob_greater"] = json_safe({k: v for k, v in self.prob_greater.to_dict(
            orient="index").items()})
        return out


__all__ = ["ExposureComparisonResult", "compare_exposures"]
