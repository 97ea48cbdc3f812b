"""Checks around the headline estimate: its shape, the power of the design, its robustness.

* :func:`dose_response` — a binned scatter of the outcome on the exposure after absorbing
  unit and year fixed effects (both residualised by Frisch-Waugh-Lovell, the exposure
  residual cut into quantile bins, the means added back for display; in the spirit of
  Cattaneo, Crump, Farrell and Feng's binscatter), and a cluster-robust Wald test of the
  linear TWFE against one that adds bin dummies.
* :func:`mde` (defined in :mod:`evaluation.power`, re-exported here) — the minimum
  detectable effect of the panel design, by simulation from the study's own residuals.
* :func:`robustness` — the main estimate across specifications (lags, controls,
  unit-specific trends, winsorised exposure, leave-one-sector-out, placebo lead) and how
  many agree with it in sign and significance.

The chain training -> IKM -> outcome lives in :mod:`evaluation.chain`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._options import Inference, Language, check_option
from ..errors import DataQualityWarning, EstimationError, FewClustersWarning
from ..i18n import Formatter
from ._base import TIDY_COLUMNS, ResultBase, json_safe
from ._twfe import (
    check_conf_level,
    check_positive_int,
    check_seed,
    codes,
    demean,
    fe_frame,
    lag_name,
    require_columns,
    require_frame,
    require_numeric,
    require_unique_unit_time,
    shifted,
)
from .fixed_effects import panel_fe
from .power import MdeResult, mde

# =========================================================================================
# dose-response
# =========================================================================================


@dataclass(frozen=True)
class _DoseConfig:
    outcome: str
    exposure: str
    unit: str
    time: str
    bins: int
    lag: int
    cluster: str | None
    conf_level: float


def dose_response(
    df: pd.DataFrame,
    outcome: str,
    exposure: str,
    unit: str,
    time: str,
    *,
    bins: int = 10,
    lag: int = 0,
    cluster: str | None = None,
    conf_level: float = 0.95,
) -> DoseResponseResult:
    """Binned scatter of the outcome on the exposure within units and years, with a
    test of linearity.

    Both variables are residualised on unit and year fixed effects; the exposure residual
    is cut into ``bins`` quantile bins; each bin shows the mean exposure and mean outcome
    residual with the overall means added back (so the axes read in the variables' own
    units). The interval of each bin mean is cluster-robust (CR1, t with G-1 df). The
    linearity test compares the linear TWFE with one adding bin dummies (cluster-robust
    Wald F test of the dummies, F(bins-1, G-1)).

    Parameters
    ----------
    df : DataFrame
        Unit-year panel.
    outcome, exposure, unit, time : str
        Column names.
    bins : int
        Number of quantile bins (at least 2; fewer if the residuals tie).
    lag : int
        Use the exposure ``lag`` years earlier.
    cluster : str, optional
        Cluster column (default: ``unit``).
    conf_level : float
        Confidence level of the bin intervals and the slope.

    Returns
    -------
    DoseResponseResult

    Examples
    --------
    >>> from evaluation.estimate import example_panel
    >>> from evaluation.estimate import dose_response
    >>> res = dose_response(example_panel(), "ikm", "jp_per_asn", "unit_id", "year", bins=5)
    >>> list(res.bins.columns)
    ['bin', 'x', 'y', 'n', 'conf_low', 'conf_high']
    """

    what = "dose_response"
    if cluster is not None and not isinstance(cluster, str):
        raise EstimationError(
            f"{what}: cluster must be one column (the bin intervals and the linearity test "
            f"cluster one way). Got {cluster!r}; for two-way clustering of the slope use "
            "panel_fe(..., cluster=[a, b])."
        )
    bins = check_positive_int(bins, "bins", what, minimum=2)
    conf_level = check_conf_level(conf_level, what)
    frame = fe_frame(df, outcome, exposure, unit, time, lag, what,
                     extra=(cluster,) if cluster and cluster not in (unit, time) else ())
    config = _DoseConfig(outcome, exposure, unit, time, bins, int(lag), cluster, conf_level)
    fe = [codes(frame["u"]), codes(frame["t"])]
    resid = demean(frame[["y", "x"]].to_numpy(dtype="float64"), fe)
    ry, rx = resid[:, 0], resid[:, 1]
    scale = max(1.0, float(np.abs(frame["x"]).max()))
    if float(np.std(rx)) <= 1e-10 * scale:
        raise EstimationError(
            f"{what}: the exposure '{exposure}' does not vary within units and years (it is "
            f"constant once unit and year means are removed). Nothing to plot or test."
        )
    bin_id = _quantile_bins(rx, bins, what)
    clus = codes(frame[cluster] if cluster and cluster not in (unit, time) else
                 frame["u"] if cluster in (None, unit) else frame["t"])
    G = int(clus.max()) + 1
    ybar, xbar = float(frame["y"].mean()), float(frame["x"].mean())
    bins_frame = _bin_means(rx, ry, bin_id, clus, xbar, ybar, conf_level)
    slope, test = _linearity_test(frame, bin_id, config, G, what)
    line = {k: float(slope[k]) for k in TIDY_COLUMNS[1:]}
    line.update({"intercept_at_mean": ybar - float(slope["estimate"]) * xbar,
                 "x_mean": xbar, "y_mean": ybar})
    return DoseResponseResult(
        config=config, bins=bins_frame, linearity_test=test, line=line,
        n_obs=len(frame), n_units=int(fe[0].max()) + 1, n_clusters=G,
    )


def _quantile_bins(rx: np.ndarray, bins: int, what: str) -> np.ndarray:
    """Quantile bin (0..k-1) of each exposure residual; fewer bins when they tie."""
    bin_id = np.asarray(pd.qcut(rx, bins, labels=False, duplicates="drop"), dtype="int64")
    n_bins = int(bin_id.max()) + 1
    if n_bins < 2:
        raise EstimationError(f"{what}: the exposure residuals fall into a single bin.")
    if n_bins < bins:
        warnings.warn(f"{what}: only {n_bins} distinct quantile bins (ties).",
                      DataQualityWarning, stacklevel=3)
    return bin_id


def _bin_means(rx: np.ndarray, ry: np.ndarray, bin_id: np.ndarray, clus: np.ndarray,
               xbar: float, ybar: float, conf_level: float) -> pd.DataFrame:
    """Mean exposure and outcome per bin (means added back) with a CR1 interval."""
    G = int(clus.max()) + 1
    tcrit = stats.t.ppf(0.5 + conf_level / 2, max(G - 1, 1))
    rows = []
    for b in range(int(bin_id.max()) + 1):
        inb = bin_id == b
        nb = int(inb.sum())
        my = float(ry[inb].mean())
        dev = np.bincount(clus[inb], weights=ry[inb] - my, minlength=G)
        se = float(np.sqrt(G / (G - 1) * np.sum(dev**2)) / nb) if G > 1 else np.nan
        rows.append({"bin": b + 1, "x": float(rx[inb].mean()) + xbar, "y": my + ybar, "n": nb,
                     "conf_low": my + ybar - tcrit * se, "conf_high": my + ybar + tcrit * se})
    return pd.DataFrame(rows)


def _linearity_test(frame: pd.DataFrame, bin_id: np.ndarray, c: _DoseConfig, G: int,
                    what: str) -> tuple[pd.Series, dict[str, Any]]:
    """The linear TWFE slope, and the Wald test that bin dummies added to it are all 0."""
    work = pd.DataFrame({"y": frame["y"].to_numpy(), "x": frame["x"].to_numpy(),
                         "u": frame["u"].to_numpy(), "t": frame["t"].to_numpy()})
    if c.cluster and c.cluster not in (c.unit, c.time):
        work["cl"] = frame[c.cluster].to_numpy()
    cl = "cl" if "cl" in work else ("u" if c.cluster in (None, c.unit) else "t")
    linear = panel_fe(work, "y", ["x"], "u", "t", cluster=cl, inference="cluster",
                      conf_level=c.conf_level)
    dummies = []
    for b in range(1, int(bin_id.max()) + 1):
        name = f"bin{b + 1}"
        work[name] = (bin_id == b).astype("float64")
        dummies.append(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        flex = panel_fe(work, "y", ["x", *dummies], "u", "t", cluster=cl, inference="cluster",
                        conf_level=c.conf_level)
    kept = [d for d in dummies if d in flex.params.index]
    bvec = flex.params.loc[kept].to_numpy(dtype="float64")
    vmat = flex.vcov.loc[kept, kept].to_numpy(dtype="float64")
    q = int(np.linalg.matrix_rank(vmat))
    df2 = max(G - 1, 1)
    test: dict[str, Any] = {
        "test": "Wald F, bin dummies added to the linear TWFE jointly zero",
        "covariance": "CR1 cluster-robust", "df1": len(kept), "df2": df2}
    if len(kept) == 0 or q < len(kept) or len(kept) > G - 1:
        # a cluster-robust covariance has rank at most G - 1: more restrictions than that
        # cannot be tested jointly
        warnings.warn(
            f"{what}: {len(kept)} bin restrictions but only {G} clusters; the linearity "
            f"test needs fewer bins than clusters (bins <= {G - 1}). No test reported.",
            FewClustersWarning, stacklevel=3)
        test.update(statistic=None, p_value=None, wald_chi2=None, p_value_chi2=None,
                    note=f"not testable: {len(kept)} restrictions, {G} clusters")
    else:
        wald = float(bvec @ np.linalg.solve(vmat, bvec))
        test.update(statistic=wald / q, p_value=float(stats.f.sf(wald / q, q, df2)),
                    wald_chi2=wald, p_value_chi2=float(stats.chi2.sf(wald, q)))
    return linear.tidy().iloc[0], test


@dataclass(frozen=True)
class DoseResponseResult(ResultBase):
    """Binned scatter after absorbing unit and year effects, and a linearity test.

    Attributes
    ----------
    bins : DataFrame
        bin, x (mean exposure), y (mean outcome), n, conf_low, conf_high (of y).
    linearity_test : dict
        statistic (F), df1, df2, p_value; small p means the relation is not linear.
    line : dict
        The linear TWFE slope (estimate, std_error, ...) and the point
        (x_mean, y_mean) it passes through, for drawing the fitted line.
    """

    config: _DoseConfig
    bins: pd.DataFrame = field(repr=False)
    linearity_test: dict[str, Any]
    line: dict[str, Any]
    n_obs: int
    n_units: int
    n_clusters: int

    def tidy(self) -> pd.DataFrame:
        """The slope and one row per bin mean (term ``bin<k>``)."""
        rows = [{"term": lag_name(self.config.exposure, self.config.lag),
                 **{k: self.line[k] for k in TIDY_COLUMNS[1:]}}]
        for _, r in self.bins.iterrows():
            rows.append({"term": f"bin{int(r['bin'])}", "estimate": r["y"], "std_error": np.nan,
                         "statistic": np.nan, "p_value": np.nan, "conf_low": r["conf_low"],
                         "conf_high": r["conf_high"]})
        return pd.DataFrame(rows)[list(TIDY_COLUMNS)]

    def plot_data(self) -> pd.DataFrame:
        """x, y, n, conf_low, conf_high per bin, for the binned scatter."""
        return self.bins[["x", "y", "n", "conf_low", "conf_high"]].copy()

    def _title(self) -> str:
        return f"Dose-response: {self.config.outcome} on {self.config.exposure}"

    def _meta(self) -> dict[str, Any]:
        c = self.config
        return {"model": "dose_response", "outcome": c.outcome, "exposure": c.exposure,
                "lag": c.lag, "n_bins": len(self.bins), "fixed_effects": [c.unit, c.time],
                "binning": "quantiles of the exposure residual after unit and year effects",
                "n_obs": self.n_obs, "n_units": self.n_units, "n_clusters": self.n_clusters,
                "conf_level": c.conf_level}

    def _notes(self) -> list[str]:
        t = self.linearity_test
        if t.get("p_value") is None:
            return [f"Linearity test: {t.get('note')}"]
        return [f"Linearity test: F({t['df1']}, {t['df2']}) = {t['statistic']:.3f}, "
                f"p = {t['p_value']:.4f} (small p: not linear)"]

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out.update(json_safe({"bins": self.bins, "linearity_test": self.linearity_test,
                              "line": self.line}))
        return out


# =========================================================================================
# robustness
# =========================================================================================


@dataclass(frozen=True)
class _RobustnessConfig:
    outcome: str
    exposure: str
    unit: str
    time: str
    lag: int
    controls: tuple[str, ...]
    sector: str | None
    winsor: tuple[float, float]
    seed: int
    inference: Inference
    conf_level: float


def robustness(
    df: pd.DataFrame,
    outcome: str,
    exposure: str,
    unit: str,
    time: str,
    *,
    lag: int = 1,
    controls: Sequence[str] = (),
    sector: str | None = None,
    winsor: tuple[float, float] = (0.01, 0.99),
    seed: int = 2026,
    inference: Inference = "cluster",
    conf_level: float = 0.95,
) -> RobustnessResult:
    """The main TWFE estimate across specifications, and how many agree with it.

    Specifications (each a :func:`~evaluation.estimate.panel_fe` fit, clustered by unit):
    the main one (exposure lagged ``lag`` years, with ``controls``); lags 0, 1 and 2;
    without (or with) the controls; unit-specific linear trends; the exposure winsorised
    at the ``winsor`` quantiles; one fit per sector leaving that sector's units out (with
    ``sector``); and a placebo: next year's exposure added beside the main one (its
    coefficient should be near 0). Agreement counts every specification except the
    placebo: same sign as the main estimate, and significant at 1 - conf_level.

    Parameters
    ----------
    df : DataFrame
        Unit-year panel.
    outcome, exposure, unit, time : str
        Column names.
    lag : int
        Lag of the main specification.
    controls : sequence of str
        Controls of the main specification.
    sector : str, optional
        Column giving each unit's sector, for leave-one-sector-out.
    winsor : (float, float)
        Lower and upper quantiles for winsorising the exposure.
    seed : int
        Seed for wild-bootstrap inference (used when ``inference`` is "wild"/"auto").
    inference : {"cluster", "auto", "wild", "hetero", "iid"}
        Inference of every specification (default CR1: fast and comparable).
    conf_level : float
        Confidence level.

    Returns
    -------
    RobustnessResult

    Examples
    --------
    >>> from evaluation.estimate import example_panel
    >>> from evaluation.estimate import robustness
    >>> res = robustness(example_panel(), "ikm", "jp_per_asn", "unit_id", "year", lag=1)
    >>> "placebo_lead" in set(res.table["name"])
    True
    """
    what = "robustness"
    check_option("inference", inference, Inference, error=EstimationError)
    controls = tuple(controls)
    if (not isinstance(winsor, (tuple, list)) or len(winsor) != 2
            or not 0 <= winsor[0] < winsor[1] <= 1):
        raise EstimationError(f"{what}: winsor must be two quantiles (low, high) with "
                              f"0 <= low < high <= 1, e.g. (0.01, 0.99). Got {winsor!r}.")
    if not isinstance(lag, (int, np.integer)) or isinstance(lag, bool) or lag < 0:
        raise EstimationError(f"{what}: lag must be a whole number >= 0. Got {lag!r}.")
    seed = check_seed(seed, what)
    conf_level = check_conf_level(conf_level, what)
    df = require_frame(df, what)
    require_columns(df, [outcome, exposure, unit, time, *controls,
                         *([sector] if sector else [])], what)
    require_unique_unit_time(df, unit, time, what)
    require_numeric(df, outcome, what)
    require_numeric(df, exposure, what)
    config = _RobustnessConfig(outcome, exposure, unit, time, int(lag), controls, sector,
                               (float(winsor[0]), float(winsor[1])), seed, inference,
                               conf_level)
    return _run_robustness(df, config)


def spec_label(key: str, lang: Language, **values: object) -> str:
    """The name of a robustness specification in ``lang`` (``messages/<lang>/estimate.yaml``)."""
    return Formatter(lang).msg(f"estimate.robustness.specifications.{key}", **values)


Spec = tuple[str, dict[str, Any], dict[str, Any]]  # name, panel_fe arguments, label values


def _robustness_specs(df: pd.DataFrame, c: _RobustnessConfig) -> tuple[pd.DataFrame, list[Spec]]:
    """The working frame (lags, lead and winsorised exposure added) and the specifications."""
    work = df.copy()
    taken = set(work.columns)

    def col(name: str, values: Any) -> str:
        while name in taken:
            name = "_" + name
        taken.add(name)
        work[name] = values
        return name

    lagged = {k: col(lag_name(c.exposure, k), shifted(df, c.exposure, c.unit, c.time, k))
              for k in sorted({0, 1, 2, c.lag})}
    lead = col(lag_name(c.exposure, -1), shifted(df, c.exposure, c.unit, c.time, -1))
    main_x = lagged[c.lag]
    lo_q, hi_q = work[main_x].quantile([c.winsor[0], c.winsor[1]])
    wins = col(f"{main_x}_winsor", work[main_x].clip(lo_q, hi_q))

    specs: list[Spec] = [("main", dict(x=main_x, controls=c.controls), {})]
    for k in (0, 1, 2):
        if k != c.lag:
            specs.append((f"lag{k}", dict(x=lagged[k], controls=c.controls), {}))
    if c.controls:
        specs.append(("no_controls", dict(x=main_x, controls=()), {}))
    specs.append(("unit_trends", dict(x=main_x, controls=c.controls, trends=True), {}))
    specs.append(("winsorised", dict(x=wins, controls=c.controls),
                  {"lo": 100 * c.winsor[0], "hi": 100 * c.winsor[1]}))
    if c.sector:
        per_unit = df.groupby(c.unit)[c.sector].nunique(dropna=False)
        if (per_unit > 1).any():
            raise EstimationError(
                f"robustness: the sector column '{c.sector}' must be constant within a unit; "
                f"unit {per_unit[per_unit > 1].index[0]!r} has several values.")
        for s in sorted(df[c.sector].dropna().unique().tolist(), key=str):
            specs.append((f"leave_out_{s}", dict(x=main_x, controls=c.controls,
                                                 drop_sector=s), {"sector": s}))
    specs.append(("placebo_lead", dict(x=lead, controls=c.controls, also=main_x), {}))
    return work, specs


def _fit_specs(work: pd.DataFrame, specs: list[Spec], c: _RobustnessConfig
               ) -> tuple[list[dict[str, Any]], list[str]]:
    """One row per specification that could be estimated; a note for each that could not."""
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    for name, spec, fmt_args in specs:
        data = work
        if "drop_sector" in spec:
            data = work[work[c.sector] != spec["drop_sector"]].reset_index(drop=True)
        exposures = [spec["x"]] + ([spec["also"]] if "also" in spec else [])
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = panel_fe(data, c.outcome, exposures, c.unit, c.time,
                               controls=spec["controls"], inference=c.inference,
                               trends=spec.get("trends", False), seed=c.seed,
                               conf_level=c.conf_level)
        except EstimationError as exc:
            if name == "main":
                raise
            notes.append(f"{name}: not estimated ({exc})")
            continue
        r = res.tidy().set_index("term").loc[spec["x"]].to_dict()
        key = "leave_out" if name.startswith("leave_out_") else name
        rows.append({
            "name": name, "label_id": spec_label(key, "id", **fmt_args),
            "label_en": spec_label(key, "en", **fmt_args),
            "term": spec["x"], **{k: float(r[k]) for k in TIDY_COLUMNS[1:]},
            "n_obs": int(res.n_obs), "n_clusters": res.n_clusters, "inference": res.inference,
            "placebo": name == "placebo_lead",
        })
    return rows, notes


def _run_robustness(df: pd.DataFrame, c: _RobustnessConfig) -> RobustnessResult:
    work, specs = _robustness_specs(df, c)
    rows, notes = _fit_specs(work, specs, c)
    table = pd.DataFrame(rows)
    alpha = 1 - c.conf_level
    main = table.iloc[0]
    checks = table[~table["placebo"]]
    same_sign = np.sign(checks["estimate"]) == np.sign(main["estimate"])
    signif = checks["p_value"] < alpha
    table["same_sign"] = (np.sign(table["estimate"]) == np.sign(main["estimate"])) & ~table[
        "placebo"]
    table["significant"] = table["p_value"] < alpha
    main_sig = bool(main["p_value"] < alpha)
    placebo = table[table["placebo"]]
    return RobustnessResult(
        config=c, table=table, n_total=len(checks), n_same_sign=int(same_sign.sum()),
        n_significant=int(signif.sum()),
        n_agree=int((same_sign & (signif == main_sig)).sum()), main_significant=main_sig,
        placebo_significant=bool(placebo["significant"].iloc[0]) if len(placebo) else None,
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class RobustnessResult(ResultBase):
    """The main estimate across specifications.

    Attributes
    ----------
    table : DataFrame
        name, label_id, label_en, term, estimate, std_error, statistic, p_value, conf_low,
        conf_high, n_obs, n_clusters, inference, placebo, same_sign, significant.
    n_total, n_same_sign, n_significant, n_agree : int
        Over every specification but the placebo (the main one included): how many,
        how many with the main estimate's sign, how many significant, and how many agree
        in both sign and significance with the main one.
    """

    config: _RobustnessConfig
    table: pd.DataFrame = field(repr=False)
    n_total: int
    n_same_sign: int
    n_significant: int
    n_agree: int
    main_significant: bool
    placebo_significant: bool | None
    notes: tuple[str, ...] = ()

    def tidy(self) -> pd.DataFrame:
        out = self.table.copy()
        out["term"] = out["name"]
        return out[[*TIDY_COLUMNS, "label_id", "label_en", "n_obs"]]

    def _title(self) -> str:
        return f"Robustness: {self.config.outcome} on {self.config.exposure}"

    def _meta(self) -> dict[str, Any]:
        c = self.config
        return {"model": "robustness", "outcome": c.outcome, "exposure": c.exposure,
                "lag": c.lag, "controls": list(c.controls), "sector": c.sector,
                "winsor": list(c.winsor), "inference": c.inference,
                "conf_level": c.conf_level, "n_total": self.n_total,
                "n_same_sign": self.n_same_sign, "n_significant": self.n_significant,
                "n_agree": self.n_agree, "main_significant": self.main_significant,
                "placebo_significant": self.placebo_significant}

    def _notes(self) -> list[str]:
        return [f"{self.n_same_sign} of {self.n_total} specifications have the main sign; "
                f"{self.n_agree} agree in sign and significance.", *self.notes]

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        cols = ["name", "label_id", "label_en", "term", *TIDY_COLUMNS[1:], "n_obs",
                "n_clusters", "inference", "placebo", "same_sign", "significant"]
        out["specifications"] = json_safe(self.table[cols])
        out["notes"] = list(self.notes)
        return out


__all__ = ["DoseResponseResult", "MdeResult", "RobustnessResult", "dose_response", "mde",
           "robustness"]
