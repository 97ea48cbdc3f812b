"""Correlations between investment and quality/outcome measures, raw or within units.

:func:`correlate` gives one coefficient with a Fisher-z interval (Bonett-Wright variance for
Spearman) and a t-test p-value; :func:`correlation_matrix` crosses measures and adjusts the
p-values (Holm or Benjamini-Hochberg). ``within=True`` first removes unit and year means
(exact two-way demeaning), with degrees of freedom counted as in the two-way fixed-effects
regression. Also reachable as ``evaluation.estimate.correlate`` (the documented API).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._options import Alternative, CorrelationMethod, PAdjust, check_option
from ..errors import EstimationError
from ._base import ResultBase
from ._fe_config import _as_tuple, _check_columns
from ._rank_tests import (
    KENDALL_EXACT_BELOW_N,
    SPEARMAN_AS89_MAX_N,
    kendall_exact_p_value,
    kendall_normal,
    normal_p_value,
    spearman_p_value,
)


def _two_way_demean(values: np.ndarray, unit: np.ndarray, time: np.ndarray) -> np.ndarray:
    """Remove unit and year means (exact on unbalanced panels: alternating projections)."""
    from pyfixest.core.demean import demean

    u = pd.factorize(unit)[0]
    t = pd.factorize(time)[0]
    values = np.asarray(values, dtype=np.float64)
    # the tolerance is absolute: scale each column to unit spread first, so that rupiah
    # (millions) converge as readily as shares (0-1), then scale back
    scale = np.std(values, axis=0)
    scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
    out, ok = demean(np.ascontiguousarray(values / scale),
                     np.column_stack([u, t]).astype(np.uint64), np.ones(len(u)),
                     tol=1e-10, maxiter=100_000)
    if not ok:
        raise EstimationError(
            "within correlation: removing unit and year means did not converge; a measure "
            "may be (nearly) collinear with the unit and year effects.")
    return out * scale


def _interval(r: float, var_z: float, conf_level: float, alternative: str
              ) -> tuple[float, float]:
    """Fisher-z interval ``tanh(atanh(r) -/+ z sqrt(var_z))``; one-sided as R's cor.test."""
    if not abs(r) < 1 or not np.isfinite(var_z):
        return (r, r) if abs(r) >= 1 else (np.nan, np.nan)
    zr = np.arctanh(r)
    if alternative == "greater":
        return float(np.tanh(zr - stats.norm.ppf(conf_level) * np.sqrt(var_z))), 1.0
    if alternative == "less":
        return -1.0, float(np.tanh(zr + stats.norm.ppf(conf_level) * np.sqrt(var_z)))
    z = stats.norm.ppf(0.5 + conf_level / 2)
    return float(np.tanh(zr - z * np.sqrt(var_z))), float(np.tanh(zr + z * np.sqrt(var_z)))


def _t_test(r: float, df_resid: int, alternative: str) -> tuple[float, float]:
    """t = r sqrt(df/(1 - r^2)) and its p-value for ``alternative``."""
    if not abs(r) < 1:
        t = float(np.sign(r) * np.inf)
        one = 0.0 if (alternative == "greater") == (r > 0) else 1.0
        return t, 0.0 if alternative == "two-sided" else one
    tstat = r * np.sqrt(df_resid / (1 - r * r))
    if alternative == "greater":
        return float(tstat), float(stats.t.sf(tstat, df_resid))
    if alternative == "less":
        return float(tstat), float(stats.t.cdf(tstat, df_resid))
    return float(tstat), float(2 * stats.t.sf(abs(tstat), df_resid))


def _correlation_core(x: np.ndarray, y: np.ndarray, method: str, df_fe: int,
                      conf_level: float, alternative: str = "two-sided",
                      exact: bool | None = None) -> dict[str, Any]:
    """Estimate, test and interval; ``df_fe`` > 0 when unit and year means were removed."""
    n = len(x)
    ties = min(len(np.unique(x)), len(np.unique(y))) < n
    if method == "kendall":
        return _kendall_core(x, y, conf_level, alternative, exact)
    if method == "spearman":
        x = stats.rankdata(x)
        y = stats.rankdata(y)
    sx, sy = np.std(x), np.std(y)
    if sx == 0 or sy == 0:
        return {}
    r = float(np.clip(np.corrcoef(x, y)[0, 1], -1.0, 1.0))
    # effective sample size: n minus the parameters the demeaning used up (0 when raw)
    n_eff = n - df_fe
    df_resid = n_eff - 2
    if method == "pearson":
        var_z = 1.0 / (n_eff - 3)
        ci_method = "Fisher z: tanh(atanh(r) +/- z/sqrt(n-3))"
    else:
        var_z = (1.0 + r * r / 2.0) / (n_eff - 3)
        ci_method = "Fisher z with Bonett-Wright (2000) variance (1 + r^2/2)/(n-3)"
    lo, hi = _interval(r, var_z, conf_level, alternative)
    tstat, p = _t_test(r, df_resid, alternative)
    out = dict(estimate=r, statistic=tstat, p_value=p, conf_low=lo, conf_high=hi, n=n,
               df_resid=int(df_resid), ci_method=ci_method,
               std_error=float(np.sqrt((1 - r * r) / df_resid)), statistic_name="t",
               p_value_method=f"Student t with {int(df_resid)} df")
    if method == "spearman" and df_fe == 0:
        use_exact = (exact is not False) and not ties and n <= SPEARMAN_AS89_MAX_N
        out.update(statistic=(n**3 - n) * (1 - r) / 6, statistic_name="S",
                   p_value=spearman_p_value(r, n, alternative, exact=use_exact),
                   p_value_method=(
                       "exact permutation distribution of S (AS 89)" if use_exact and n <= 9
                       else "Edgeworth series for S (AS 89), as R's cor.test" if use_exact
                       else f"Student t with {n - 2} df (ties, or exact=False)"))
    return out


def _kendall_core(x: np.ndarray, y: np.ndarray, conf_level: float, alternative: str,
                  exact: bool | None) -> dict[str, Any]:
    """Kendall's tau-b with R's cor.test p-value and a Fisher-z interval with the Fieller,
    Hartley and Pearson (1957) variance 0.437/(n - 4)."""
    n = len(x)
    if np.std(x) == 0 or np.std(y) == 0:
        return {}
    tau = float(stats.kendalltau(x, y, variant="b").statistic)
    ties = min(len(np.unique(x)), len(np.unique(y))) < n
    z, null_se = kendall_normal(tau, x, y)
    use_exact = (n < KENDALL_EXACT_BELOW_N if exact is None else exact) and not ties
    if use_exact:
        p, t_count = kendall_exact_p_value(tau, n, alternative)
        statistic, name, how = float(t_count), "T", "exact distribution of T (no ties)"
    else:
        p, statistic, name = normal_p_value(z, alternative), z, "z"
        how = "normal approximation of S, tie-corrected variance"
    lo, hi = _interval(tau, 0.437 / (n - 4) if n > 4 else np.nan, conf_level, alternative)
    return dict(estimate=tau, statistic=statistic, p_value=p, conf_low=lo, conf_high=hi, n=n,
                df_resid=n - 2, std_error=null_se, statistic_name=name, p_value_method=how,
                ci_method="Fisher z with Fieller-Hartley-Pearson (1957) variance 0.437/(n-4)")


def adjust_p_values(p: np.ndarray, method: str) -> np.ndarray:
    """Holm (``"holm"``) or Benjamini-Hochberg (``"fdr_bh"``) adjusted p-values, computed as
    statsmodels' ``multipletests`` computes them (bit for bit; tested).

    >>> adjust_p_values(np.array([0.01, 0.04, 0.03]), "holm").round(4).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p, dtype=float)
    order = np.argsort(p)
    s = np.take(p, order)
    n = len(s)
    if method == "holm":
        adjusted = np.maximum.accumulate(s * np.arange(n, 0, -1))
    elif method == "fdr_bh":
        raw = s / (np.arange(1, n + 1) / float(n))
        adjusted = np.minimum.accumulate(raw[::-1])[::-1]
    else:
        raise EstimationError(f"adjust: expecting 'holm' or 'fdr_bh'. Got {method!r}.")
    adjusted[adjusted > 1] = 1
    out = np.empty_like(adjusted)
    out[order] = adjusted
    return out


def correlate(
    df: pd.DataFrame,
    x: str,
    y: str,
    unit: str | None = None,
    time: str | None = None,
    *,
    method: CorrelationMethod = "pearson",
    within: bool = False,
    alternative: Alternative = "two-sided",
    exact: bool | None = None,
    conf_level: float = 0.95,
) -> CorrelationResult:
    """Correlation of two columns with a confidence interval and a p-value.

    Parameters
    ----------
    df
        Data with columns ``x`` and ``y`` (rows with either missing are dropped).
    x, y
        The two columns. A correlation is symmetric, so unlike the estimators (data,
        outcome, exposure, unit, time) it takes the pair as ``x, y``; swapping them to
        ``outcome, exposure`` would silently relabel every existing call.
    unit, time
        Unit and year columns, needed with ``within=True``.
    method
        ``"pearson"``, ``"spearman"`` (Pearson on ranks) or ``"kendall"`` (tau-b).
    within
        Remove unit and year means first (two-way demeaning, exact also on unbalanced
        panels), so the correlation is of changes within units relative to the year's
        average. Needs ``unit`` and ``time``. The degrees of freedom are those of the
        two-way fixed-effects regression of ``y`` on ``x``: ``df = n - units - years``
        (instead of ``n - 2``), and Fisher's ``n - 3`` becomes ``df - 1``. For Spearman
        the ranks are taken after demeaning. Not for Kendall (its null distribution
        assumes exchangeable pairs, which demeaned values are not).
    alternative
        ``"two-sided"`` (default), ``"greater"`` (positive association) or ``"less"``;
        a one-sided test gets a one-sided interval, as R's ``cor.test``.
    exact
        Small-sample p-values for Spearman and Kendall as R's ``cor.test``: ``None``
        (default) uses them where R does (Spearman: no ties and n <= 1290; Kendall: no
        ties and n < 50); ``False`` uses the large-sample approximation.
    conf_level
        Level of the interval.

    Notes
    -----
    Pearson: interval Fisher z, ``tanh(atanh(r) +/- z_{1-a/2} / sqrt(n - 3))``; p-value
    from ``t = r sqrt(df/(1 - r^2))``, ``df = n - 2``.
    Spearman: interval Fisher z with the Bonett and Wright (2000, Psychometrika 65:23-28)
    variance ``(1 + r^2/2) / (n - 3)``; p-value as R's ``cor.test``: from
    ``S = (n^3 - n)(1 - rho)/6`` by algorithm AS 89 (exact for n <= 9, Edgeworth series up
    to 1290) without ties, Student t otherwise (and always for ``within=True``).
    Kendall: tau-b; p-value as R's ``cor.test``: the exact distribution of T (concordant
    pairs) without ties and n < 50, otherwise the normal approximation with the
    tie-corrected variance; interval Fisher z with the Fieller, Hartley and Pearson (1957)
    variance ``0.437 / (n - 4)``.
    ``statistic`` is the test statistic R prints (t, S, T or z; named in
    ``statistic_name``); ``std_error`` is ``sqrt((1 - r^2)/df)`` for Pearson and Spearman
    and the null standard error of tau-b for Kendall.

    Examples
    --------
    >>> from evaluation.estimate import example_panel
    >>> panel = example_panel(n_units=20, n_years=6, seed=3)
    >>> res = correlate(panel, "jp_per_asn", "ikm", within=True, unit="unit_id", time="year")
    >>> res.n, res.df_resid
    (120, 94)
    """
    check_option("method", method, CorrelationMethod, error=EstimationError)
    check_option("alternative", alternative, Alternative, error=EstimationError)
    if method == "kendall" and within:
        raise EstimationError(
            "correlate: method='kendall' with within=True is not offered: Kendall's null "
            "distribution assumes exchangeable pairs, which values with unit and year means "
            "removed are not. Use method='spearman' or 'pearson' for within-unit correlations."
        )
    if not 0 < conf_level < 1:
        raise EstimationError(f"conf_level: expecting a number between 0 and 1. Got {conf_level!r}.")
    cols = [x, y]
    if within:
        if unit is None or time is None:
            raise EstimationError(
                "within=True removes unit and year means: expecting unit= and time= column "
                f"names. Got unit={unit!r}, time={time!r}."
            )
        cols += [unit, time]
    _check_columns(df, cols)
    for c in (x, y):
        if not pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c]):
            raise EstimationError(f"column {c!r} must be numeric; got dtype {df[c].dtype}.")
    data = df[list(dict.fromkeys(cols))].dropna()
    n = len(data)
    xv = data[x].to_numpy(dtype=float)
    yv = data[y].to_numpy(dtype=float)
    df_fe = 0
    if within:
        n_u, n_t = data[unit].nunique(), data[time].nunique()
        df_fe = n_u + n_t - 1 - 1  # means removed, minus the overall mean Pearson removes anyway
        demeaned = _two_way_demean(np.column_stack([xv, yv]), data[unit].to_numpy(),
                                   data[time].to_numpy())
        xv, yv = demeaned[:, 0], demeaned[:, 1]
    if n - df_fe < 4:
        raise EstimationError(
            f"correlation of {x!r} and {y!r}: {n} complete rows"
            + (f" ({n - df_fe} after removing unit and year means)" if within else "")
            + "; at least 4 are needed for an interval."
        )
    core = _correlation_core(xv, yv, method, df_fe, conf_level, alternative, exact)
    if not core:
        raise EstimationError(
            f"correlation of {x!r} and {y!r}: one of them is constant"
            + (" within units once unit and year means are removed" if within else "")
            + "; a correlation is not defined."
        )
    inference = {"pearson": "fisher_z", "spearman": "fisher_z_bonett_wright",
                 "kendall": "fisher_z_fieller"}[method]
    return CorrelationResult(
        x=x, y=y, method=method, within=bool(within), conf_level=float(conf_level),
        inference=inference, alternative=alternative, **core,
    )


def correlation_matrix(
    df: pd.DataFrame,
    xs: Sequence[str],
    ys: Sequence[str],
    unit: str | None = None,
    time: str | None = None,
    *,
    method: CorrelationMethod = "pearson",
    within: bool = False,
    adjust: PAdjust = "holm",
    conf_level: float = 0.95,
) -> CorrelationMatrixResult:
    """Correlations of every ``x`` with every ``y``, p-values adjusted for multiple tests.

    Each pair uses its complete rows (see :func:`correlate`). ``adjust``: ``"holm"``
    (family-wise error), ``"fdr_bh"`` (Benjamini-Hochberg false discovery rate) or
    ``"none"``, applied over all pairs together (:func:`adjust_p_values`: the same
    arithmetic as statsmodels' ``multipletests``, which we leave because its Holm branch
    runs a full garbage collection on every call, a tenth of a second in a large process).

    Examples
    --------
    >>> from evaluation.estimate import example_panel
    >>> panel = example_panel(n_units=20, n_years=6, seed=3)
    >>> m = correlation_matrix(panel, ["jp_per_asn"], ["ikm", "asn_count"])
    >>> list(m.tidy()["y"])
    ['ikm', 'asn_count']
    """
    check_option("adjust", adjust, PAdjust, error=EstimationError)
    x_cols, y_cols = _as_tuple("xs", xs), _as_tuple("ys", ys)
    if not x_cols or not y_cols:
        raise EstimationError("correlation_matrix: expecting at least one x and one y column.")
    rows = []
    for xc in x_cols:
        for yc in y_cols:
            if xc == yc:
                continue
            rows.append(correlate(df, xc, yc, method=method, within=within, unit=unit,
                                  time=time, conf_level=conf_level).tidy().iloc[0].to_dict())
    table = pd.DataFrame(rows)
    if adjust == "none":
        table["p_adjusted"] = table["p_value"]
    else:
        table["p_adjusted"] = adjust_p_values(table["p_value"].to_numpy(), adjust)
    table["adjustment"] = adjust
    return CorrelationMatrixResult(table=table, method=method, within=bool(within),
                                   adjust=adjust, conf_level=float(conf_level))


# ---- results --------------------------------------------------------------------------


@dataclass(frozen=True)
class CorrelationResult(ResultBase):
    """One correlation with its interval, from :func:`~evaluation.estimate.correlate`."""

    x: str
    y: str
    method: str
    within: bool
    estimate: float
    std_error: float | None
    statistic: float
    p_value: float
    conf_low: float
    conf_high: float
    conf_level: float
    n: int
    df_resid: int
    inference: str
    ci_method: str
    statistic_name: str = "t"
    p_value_method: str = ""
    alternative: str = "two-sided"

    def _title(self) -> str:
        kind = "within-unit-and-year " if self.within else ""
        return f"{kind}{self.method.capitalize()} correlation of {self.x} and {self.y}"

    def tidy(self) -> pd.DataFrame:
        return pd.DataFrame(
            [{
                "term": f"{self.x}~{self.y}", "estimate": self.estimate,
                "std_error": self.std_error, "statistic": self.statistic,
                "p_value": self.p_value, "conf_low": self.conf_low,
                "conf_high": self.conf_high, "x": self.x, "y": self.y, "n": self.n,
            }]
        ).astype({"std_error": float})

    def _meta(self) -> dict[str, Any]:
        return {
            "model": "correlation", "x": self.x, "y": self.y, "method": self.method,
            "within": self.within, "n": self.n, "df_resid": self.df_resid,
            "conf_level": self.conf_level, "inference": self.inference,
            "ci_method": self.ci_method, "statistic_name": self.statistic_name,
            "p_value_method": self.p_value_method, "alternative": self.alternative,
        }


@dataclass(frozen=True)
class CorrelationMatrixResult(ResultBase):
    """Correlations of every x with every y, with multiple-testing adjustment."""

    table: pd.DataFrame = field(repr=False)
    method: str
    within: bool
    adjust: str
    conf_level: float

    def _title(self) -> str:
        return f"{self.method.capitalize()} correlations ({'within' if self.within else 'raw'}), p adjusted: {self.adjust}"

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def matrix(self, value: str = "estimate") -> pd.DataFrame:
        """A wide x-by-y table of one column (``estimate``, ``p_adjusted``, ...)."""
        return self.table.pivot(index="x", columns="y", values=value)

    def _meta(self) -> dict[str, Any]:
        return {
            "model": "correlation_matrix", "method": self.method, "within": self.within,
            "adjustment": self.adjust, "conf_level": self.conf_level,
            "n_pairs": len(self.table),
        }


__all__ = ["CorrelationMatrixResult", "CorrelationResult", "correlate", "correlation_matrix"]
