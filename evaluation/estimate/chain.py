"""The chain training -> service quality (IKM) -> outcome, as three two-way FE regressions.

For exposure ``X`` (training, lagged), mediator ``M`` (e.g. IKM) and outcome ``Y``
(e.g. IKU achievement), all with unit and year fixed effects and the same controls, on
the same rows:

* ``a``: ``M ~ X``                      (exposure -> mediator)
* ``b``, ``direct``: ``Y ~ M + X``      (mediator -> outcome holding the exposure; and
  exposure -> outcome holding the mediator)
* ``indirect = a * b`` and ``total = direct + indirect``, which equals the coefficient of
  ``Y ~ X`` exactly (a property of least squares on one sample; checked in the tests).

Intervals come from a cluster bootstrap that resamples whole units with replacement (a
unit drawn twice enters as two units with their own fixed effects), percentile method,
seeded. The product ``a * b`` is not normal in small samples, which is why the bootstrap
is used rather than the delta method (Sobel).

The decomposition is causal only under sequential ignorability: no unmeasured
confounding of the mediator-outcome relation given the exposure and the fixed effects
(Imai, Keele and Tingley 2010). Otherwise the pieces are associations. The result says so
in both languages (the words live in ``messages/<lang>/estimate.yaml``).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._options import Language
from ..errors import EstimationError, FewClustersWarning
from ..i18n import Formatter
from ._base import TIDY_COLUMNS, ResultBase, json_safe
from ._compat import chain_call, legacy_call
from ._twfe import (
    check_conf_level,
    check_positive_int,
    check_seed,
    codes,
    demean,
    lag_name,
    require_columns,
    require_frame,
    require_numeric,
    require_unique_unit_time,
    shifted,
)

PATHS = ("a", "b", "direct", "indirect", "total")


def assumption(lang: Language) -> str:
    """When the split into direct and indirect effects is causal, in ``lang``."""
    return Formatter(lang).msg("estimate.chain.assumption")


def path_label(path: str, lang: Language) -> str:
    """What a path (a, b, direct, indirect, total) means, in ``lang``."""
    return Formatter(lang).msg(f"estimate.chain.paths.{path}")


@dataclass(frozen=True)
class _ChainConfig:
    exposure: str
    mediator: str
    outcome: str
    unit: str
    time: str
    lag: int
    controls: tuple[str, ...]
    reps: int
    seed: int
    conf_level: float


@legacy_call(chain_call)
def chain(
    df: pd.DataFrame,
    outcome: str,
    exposure: str,
    unit: str,
    time: str,
    *,
    mediator: str,
    lag: int = 1,
    controls: Sequence[str] = (),
    reps: int = 999,
    seed: int = 2026,
    conf_level: float = 0.95,
) -> ChainResult:
    """Direct, indirect and total effects of an exposure through a mediator (TWFE).

    Parameters
    ----------
    df : DataFrame
        Unit-year panel.
    outcome : str
        The development outcome (e.g. ``"iku_achievement"``).
    exposure : str
        The investment measure (e.g. ``"jp_per_asn"``); used lagged by ``lag`` years.
    unit, time : str
        Unit and year columns (both get fixed effects).
    mediator : str
        The service-quality measure (e.g. ``"ikm"``), same year as the outcome.
        The previous release's order ``chain(df, exposure, mediator, outcome, unit, time)``
        still works for one release, with a DeprecationWarning.
    lag : int
        Years between the exposure and the mediator/outcome (0 = same year).
    controls : sequence of str
        Extra regressors, included in all three regressions.
    reps : int
        Cluster-bootstrap draws (units resampled with replacement).
    seed : int
        Seed of the bootstrap: the same seed gives the same numbers.
    conf_level : float
        Level of the percentile intervals.

    Returns
    -------
    ChainResult
        ``a``, ``b``, ``direct``, ``indirect``, ``total`` with bootstrap intervals, and the
        assumption in English and Indonesian.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from evaluation.estimate import chain
    >>> rng = np.random.default_rng(3)
    >>> df = pd.DataFrame([(u, t) for u in range(40) for t in range(2016, 2024)],
    ...                   columns=["unit", "year"])
    >>> df["jp"] = rng.normal(20, 5, len(df))
    >>> df["ikm"] = 0.5 * df["jp"] + rng.normal(0, 1, len(df))
    >>> df["iku"] = 0.8 * df["ikm"] + 0.1 * df["jp"] + rng.normal(0, 1, len(df))
    >>> res = chain(df, "iku", "jp", "unit", "year", mediator="ikm", lag=0, reps=199)
    >>> round(res.estimate("total") - res.estimate("direct") - res.estimate("indirect"), 12)
    0.0
    """
    what = "chain"
    df = require_frame(df, what)
    controls = tuple(controls)
    require_columns(df, [exposure, mediator, outcome, unit, time, *controls], what)
    if len({exposure, mediator, outcome}) < 3:
        raise EstimationError(
            f"{what}: exposure, mediator and outcome must be three different columns. "
            f"Got {exposure!r}, {mediator!r}, {outcome!r}."
        )
    if not isinstance(lag, (int, np.integer)) or isinstance(lag, bool) or lag < 0:
        raise EstimationError(f"{what}: lag must be a whole number >= 0. Got {lag!r}.")
    reps = check_positive_int(reps, "reps", what, minimum=99)
    seed = check_seed(seed, what)
    conf_level = check_conf_level(conf_level, what)
    require_unique_unit_time(df, unit, time, what)
    config = _ChainConfig(exposure, mediator, outcome, unit, time, int(lag), controls, reps,
                          seed, conf_level)
    return _run_chain(df, config)


def _paths(data: np.ndarray, fe: list[np.ndarray], k_controls: int) -> np.ndarray | None:
    """a, b, direct, indirect, total from columns [x, m, y, controls...]; None if singular."""
    z = demean(data, fe)
    x, m, y, c = z[:, 0], z[:, 1], z[:, 2], z[:, 3:3 + k_controls]
    scale = np.abs(data[:, :3]).max(axis=0) + 1.0
    if np.sum(x**2) <= 1e-20 * scale[0] ** 2 * len(x):
        return None
    try:
        a = _ols(np.column_stack([x, c]), m)[0]
        bd = _ols(np.column_stack([m, x, c]), y)
        tot = _ols(np.column_stack([x, c]), y)[0]
    except np.linalg.LinAlgError:
        return None
    b, direct = bd[0], bd[1]
    return np.array([a, b, direct, a * b, tot])


def _ols(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    xtx = x.T @ x
    # the condition number of a symmetric positive semi-definite matrix is the ratio of
    # its extreme eigenvalues (eigvalsh: far cheaper than the SVD that np.linalg.cond runs)
    eig = np.abs(np.linalg.eigvalsh(xtx))
    if not eig.min() > 0 or eig.max() / eig.min() > 1e12:
        raise np.linalg.LinAlgError("singular design")
    return np.linalg.solve(xtx, x.T @ y)


def _chain_frame(df: pd.DataFrame, c: _ChainConfig) -> pd.DataFrame:
    """Columns x (lagged exposure), m, y, c0.. (controls), u, t; complete rows only."""
    what = "chain"
    x_now = require_numeric(df, c.exposure, what)
    frame = pd.DataFrame({
        "x": shifted(df, c.exposure, c.unit, c.time, c.lag).to_numpy() if c.lag else x_now,
        "m": require_numeric(df, c.mediator, what),
        "y": require_numeric(df, c.outcome, what),
        **{f"c{i}": require_numeric(df, col, what) for i, col in enumerate(c.controls)},
        "u": df[c.unit].to_numpy(),
        "t": df[c.time].to_numpy(),
    })
    num = frame.drop(columns=["u", "t"])
    ok = np.isfinite(num.to_numpy(dtype="float64")).all(axis=1)
    frame = frame[ok].reset_index(drop=True)
    if len(frame) == 0:
        raise EstimationError(
            f"{what}: no row has {lag_name(c.exposure, c.lag)}, {c.mediator} and {c.outcome} "
            f"all present{' (the lag needs the previous year of the same unit)' if c.lag else ''}."
        )
    return pd.DataFrame(frame)


def _bootstrap(data: np.ndarray, units: np.ndarray, years: np.ndarray, k: int,
               c: _ChainConfig) -> np.ndarray:
    """Paths of ``c.reps`` cluster-bootstrap samples (units drawn with replacement; a
    unit drawn twice enters as two units); NaN rows where a sample cannot be estimated."""
    n_units = int(units.max()) + 1
    order = np.argsort(units, kind="stable")
    starts = np.searchsorted(units[order], np.arange(n_units))
    ends = np.append(starts[1:], len(units))
    rows_of = [order[s:e] for s, e in zip(starts, ends, strict=True)]
    rng = np.random.default_rng(c.seed)
    draws = np.full((c.reps, len(PATHS)), np.nan)
    for r in range(c.reps):
        pick = rng.integers(0, n_units, n_units)
        idx = np.concatenate([rows_of[j] for j in pick])
        new_unit = np.repeat(np.arange(n_units), [len(rows_of[j]) for j in pick])
        est = _paths(data[idx], [new_unit, years[idx]], k)
        if est is not None:
            draws[r] = est
    return draws


def _path_rows(point: np.ndarray, good: np.ndarray, conf_level: float) -> list[dict[str, Any]]:
    """Tidy rows of the five paths from the point estimates and the good draws."""
    alpha = 1 - conf_level
    rows = []
    for j, name in enumerate(PATHS):
        d = good[:, j]
        se = float(np.std(d, ddof=1)) if len(d) > 1 else np.nan
        # (count + 1) / (draws + 1): a bootstrap p-value is never exactly 0
        p = (float(min(1.0, 2 * (min((d <= 0).sum(), (d >= 0).sum()) + 1) / (len(d) + 1)))
             if len(d) else np.nan)
        rows.append({
            "term": name, "estimate": float(point[j]), "std_error": se,
            "statistic": float(point[j] / se) if se and np.isfinite(se) else np.nan,
            "p_value": p,
            "conf_low": float(np.quantile(d, alpha / 2)) if len(d) else np.nan,
            "conf_high": float(np.quantile(d, 1 - alpha / 2)) if len(d) else np.nan,
            # share of bootstrap draws above 0 (ties at 0 counted half)
            "prob_positive": (float(np.mean(d > 0) + 0.5 * np.mean(d == 0))
                              if len(d) else np.nan),
            "label_en": path_label(name, "en"), "label_id": path_label(name, "id"),
        })
    return rows


def _run_chain(df: pd.DataFrame, c: _ChainConfig) -> ChainResult:
    what = "chain"
    xname = lag_name(c.exposure, c.lag)
    frame = _chain_frame(df, c)
    units = codes(frame["u"])
    years = codes(frame["t"])
    n_units = int(units.max()) + 1
    if n_units < 3 or int(years.max()) + 1 < 2:
        raise EstimationError(
            f"{what}: expecting at least 3 units and 2 years with complete data. Got "
            f"{n_units} units and {int(years.max()) + 1} years."
        )
    data = frame.drop(columns=["u", "t"]).to_numpy(dtype="float64")
    k = len(c.controls)
    point = _paths(data, [units, years], k)
    if point is None:
        raise EstimationError(
            f"{what}: the exposure {xname!r} does not vary within units and years once the "
            f"fixed effects{' and controls' if k else ''} are removed (constant exposure, "
            f"or collinear with the controls). Nothing can be estimated."
        )
    if n_units < 30:
        warnings.warn(
            f"{what}: only {n_units} units; the cluster bootstrap is approximate with so few "
            f"clusters.", FewClustersWarning, stacklevel=3)
    draws = _bootstrap(data, units, years, k, c)
    failed = int(np.isnan(draws[:, 0]).sum())
    if failed > 0.05 * c.reps:
        warnings.warn(
            f"{what}: {failed} of {c.reps} bootstrap samples could not be estimated (no "
            f"exposure variation left); the intervals use the others.",
            FewClustersWarning, stacklevel=3)
    good = draws[~np.isnan(draws[:, 0])]
    return ChainResult(
        config=c, table=pd.DataFrame(_path_rows(point, good, c.conf_level)),
        exposure_term=xname, n_obs=len(frame), n_units=n_units,
        n_years=int(years.max()) + 1, n_failed_draws=failed,
        assumption_en=assumption("en"), assumption_id=assumption("id"),
    )


@dataclass(frozen=True)
class ChainResult(ResultBase):
    """a, b, direct, indirect (a x b) and total effects with cluster-bootstrap intervals.

    ``table`` has the tidy columns plus ``label_en`` and ``label_id``. ``std_error`` is
    the standard deviation of the bootstrap draws; ``p_value`` is the two-sided
    percentile-bootstrap p-value; the interval is the percentile interval.
    ``assumption_en`` / ``assumption_id`` state when the split is causal.
    """

    config: _ChainConfig
    table: pd.DataFrame = field(repr=False)
    exposure_term: str
    n_obs: int
    n_units: int
    n_years: int
    n_failed_draws: int
    assumption_en: str
    assumption_id: str

    def estimate(self, path: str) -> float:
        """Point estimate of ``path`` (one of a, b, direct, indirect, total)."""
        if path not in PATHS:
            raise EstimationError(f"estimate: expecting one of {list(PATHS)}. Got {path!r}.")
        row = self.table[self.table["term"] == path].iloc[0]
        return float(row["estimate"])

    def tidy(self) -> pd.DataFrame:
        return self.table[[*TIDY_COLUMNS, "prob_positive", "label_en", "label_id"]].reset_index(
            drop=True)

    def _title(self) -> str:
        c = self.config
        return f"Chain: {self.exposure_term} -> {c.mediator} -> {c.outcome}"

    def _meta(self) -> dict[str, Any]:
        c = self.config
        return {
            "model": "chain", "exposure": c.exposure, "exposure_term": self.exposure_term,
            "mediator": c.mediator, "outcome": c.outcome, "lag": c.lag,
            "controls": list(c.controls), "fixed_effects": [c.unit, c.time],
            "inference": "cluster_bootstrap",
            "inference_reason": (f"units resampled with replacement, {c.reps} draws, "
                                 f"percentile intervals, seed {c.seed}"),
            "reps": c.reps, "seed": c.seed, "conf_level": c.conf_level,
            "n_obs": self.n_obs, "n_units": self.n_units, "n_years": self.n_years,
            "n_clusters": self.n_units, "n_failed_draws": self.n_failed_draws,
        }

    def _notes(self) -> list[str]:
        return [f"Assumption: {self.assumption_en}", f"Asumsi: {self.assumption_id}"]

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: the description, ``estimates`` and one block per path (the ``chain``
        block of results.json), plus the assumption in both languages."""
        out = super().to_dict()
        for row in self.tidy().to_dict(orient="records"):
            out[row["term"]] = json_safe({k: row[k] for k in (*TIDY_COLUMNS[1:], "prob_positive")})
        out["assumption"] = self.assumption_en
        out["assumption_en"] = self.assumption_en
        out["assumption_id"] = self.assumption_id
        return out
