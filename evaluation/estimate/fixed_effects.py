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
  more than ``reps``; p-value ``P(|t*| > |t|)`` and interval by test inversion. The
  reported ``std_error`` is the CR1 one; ``p_value``, ``conf_low`` and ``conf_high`` come
  from the bootstrap.
- ``auto``: ``wild`` below 50 clusters, ``cluster`` otherwise. The result says which
  inference it used and why (``inference``, ``inference_reason``).
"""

from __future__ import annotations

import copy
import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .._options import Inference, check_option
from ..columns import lag_term
from ..errors import EstimationError, FewClustersWarning
from ._wild import WildDesign, choose_weights, wild_test
from .correlation import CorrelationMatrixResult, CorrelationResult, correlate, correlation_matrix
from .results import PanelFEResult, compare

#: Below this many clusters ``inference="auto"`` uses the wild cluster bootstrap.
WILD_BELOW = 50
WildWeightsOption = ("auto", "rademacher", "webb")

VCOV_CONVENTION = {
    "cluster": "CR1, fixest/Stata small-sample factor G/(G-1)*(N-1)/(N-K), "
    "fixed effects nested in the cluster not counted in K; t(G-1)",
    "wild_cluster_restricted": "wild cluster restricted bootstrap (null imposed) p-value and "
    "test-inversion interval; std_error is CR1 (fixest/Stata factor, nested fixed effects "
    "not counted)",
    "hetero": "HC1, N/(N-K), K without nested fixed effects; t(N-K)",
    "iid": "iid, (N-1)/(N-K); t(N-K)",
}


# ---- configuration ----------------------------------------------------------------------


@dataclass(frozen=True)
class PanelFEConfig:
    """Everything :func:`panel_fe` was asked to do (frozen; results keep it)."""

    outcome: str
    exposures: tuple[str, ...]
    unit: str
    time: str
    controls: tuple[str, ...] = ()
    cluster: str | None = None
    inference: str = "auto"
    lags: tuple[int, ...] | None = None
    leads: tuple[int, ...] | None = None
    weights: str | None = None
    trends: bool = False
    reps: int = 9999
    wild_weights: str = "auto"
    seed: int = 2026
    conf_level: float = 0.95
    fixed_effects: tuple[str, ...] = ("unit", "time")


def _check_config(cfg: PanelFEConfig) -> None:
    check_option("inference", cfg.inference, Inference, error=EstimationError)
    check_option("wild_weights", cfg.wild_weights, WildWeightsOption, error=EstimationError)
    if not 0 < cfg.conf_level < 1:
        raise EstimationError(
            f"conf_level: expecting a number between 0 and 1 (e.g. 0.95). Got {cfg.conf_level!r}."
        )
    bad = [f for f in cfg.fixed_effects if f not in ("unit", "time")]
    if bad or len(set(cfg.fixed_effects)) != len(cfg.fixed_effects):
        raise EstimationError(
            f"fixed_effects: expecting any of ['unit', 'time'] (the roles, not column names). "
            f"Got {list(cfg.fixed_effects)}."
        )
    if int(cfg.reps) != cfg.reps or cfg.reps < 99:
        raise EstimationError(
            f"reps: expecting a whole number of bootstrap draws, at least 99 (9999 is the "
            f"default). Got {cfg.reps!r}."
        )


def _as_tuple(name: str, value, *, ints: bool = False) -> tuple | None:
    if value is None:
        return None
    if isinstance(value, (str, int, np.integer)):
        value = [value]
    out = tuple(value)
    if ints:
        bad = [v for v in out if not isinstance(v, (int, np.integer)) or v < 0]
        if bad:
            raise EstimationError(
                f"{name}: expecting non-negative whole numbers of years, e.g. [0, 1, 2]. "
                f"Got {list(out)}."
            )
        out = tuple(sorted({int(v) for v in out}))
    return out


def _check_columns(df: pd.DataFrame, cols: Sequence[str], what: str = "column") -> None:
    if not isinstance(df, pd.DataFrame):
        raise EstimationError(
            f"expecting a pandas DataFrame with one row per unit and year. Got {type(df).__name__}."
        )
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise EstimationError(
            f"{what}(s) {missing} not found in the data. Available columns: "
            f"{[str(c) for c in df.columns]}. Check the spelling or build the column first."
        )


# ---- panel_fe ---------------------------------------------------------------------------


def panel_fe(
    df: pd.DataFrame,
    outcome: str,
    exposures: str | Sequence[str],
    unit: str,
    time: str,
    *,
    controls: Sequence[str] = (),
    cluster: str | None = None,
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
    exposures
        Exposure column(s), e.g. ``"jp_per_asn"``.
    unit, time
        Unit identifier and calendar year; both are absorbed as fixed effects.
    controls
        Time-varying control columns.
    cluster
        Column to cluster on; default ``unit``. Clustering uses integer codes of it.
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
        fixed effects are absorbed, a single cluster, too few observations.

    Examples
    --------
    >>> panel = example_panel(n_units=20, n_years=8, seed=1)
    >>> res = panel_fe(panel, "ikm", "jp_per_asn", "unit_id", "year", lags=[0, 1], reps=999)
    >>> res.inference, res.n_clusters
    ('wild_cluster_restricted', 20)
    >>> list(res.tidy()["term"])
    ['jp_per_asn_lag0', 'jp_per_asn_lag1']
    """
    exposures_t = _as_tuple("exposures", exposures)
    if not exposures_t:
        raise EstimationError("exposures: expecting at least one exposure column. Got none.")
    cfg = PanelFEConfig(
        outcome=outcome,
        exposures=exposures_t,
        unit=unit,
        time=time,
        controls=_as_tuple("controls", controls) or (),
        cluster=cluster if cluster is not None else unit,
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
    _check_estimable(frame, spec, cfg)
    # rows pyfixest keeps are labelled as in the input; read the labels before fitting,
    # because pyfixest resets the index of the frame it is given (it is not copied)
    input_index = frame.index
    fit = _fit(frame, spec, cfg)
    design = _WildInputs(fit, spec)
    design.vcov_used = _vcov_arg(cfg.inference, spec.cluster)
    design.input_index = input_index
    return _infer(fit, cfg, design)


@dataclass(frozen=True)
class _Spec:
    """Internal names of the model's columns (pyfixest formulas need identifiers)."""

    y: str
    terms: tuple[str, ...]  # reported terms (display names)
    x_internal: tuple[str, ...]  # internal names, same order as terms, then trend terms
    display: dict  # internal -> display
    term_exposure: dict  # display term -> (exposure or None, lag or None)
    unit: str
    time: str
    cluster: str
    weights: str | None
    n_trend: int


def _safe(name: str, taken: set, prefix: str) -> str:
    if name.isidentifier() and not name.startswith("_") and name not in taken:
        return name
    i = 0
    while f"{prefix}{i}" in taken:
        i += 1
    return f"{prefix}{i}"


def _shift(frame: pd.DataFrame, unit: str, time: str, col: str, k: int) -> np.ndarray:
    """``col`` of the same unit ``k`` calendar years earlier (``k < 0``: later)."""
    key = pd.MultiIndex.from_arrays([frame[unit].to_numpy(), frame[time].to_numpy()])
    source = pd.Series(frame[col].to_numpy(dtype=float), index=key)
    target = pd.MultiIndex.from_arrays([frame[unit].to_numpy(), frame[time].to_numpy() - k])
    return source.reindex(target).to_numpy()


def _build_frame(df: pd.DataFrame, cfg: PanelFEConfig) -> tuple[pd.DataFrame, _Spec]:
    needed = [cfg.outcome, *cfg.exposures, *cfg.controls, cfg.unit, cfg.time]
    if cfg.cluster not in needed:
        needed.append(cfg.cluster)
    if cfg.weights is not None:
        needed.append(cfg.weights)
    _check_columns(df, needed)
    dup = sorted({c for c in needed if needed.count(c) > 1} - {cfg.cluster})
    if dup:
        raise EstimationError(
            f"column(s) {dup} given in more than one role (outcome, exposure, control, unit, "
            "time). Give each column one role."
        )
    taken: set = set()
    names = {}
    for i, c in enumerate(dict.fromkeys(needed)):
        names[c] = _safe(str(c), taken, f"v{i}_")
        taken.add(names[c])
    # one selection of the needed columns; renaming is lazy under copy-on-write
    frame = df[list(names)]
    if any(k != v for k, v in names.items()):
        frame = frame.rename(columns=names)
    y = names[cfg.outcome]
    for c in [cfg.outcome, *cfg.exposures, *cfg.controls] + ([cfg.weights] if cfg.weights else []):
        if not pd.api.types.is_numeric_dtype(frame[names[c]]) or pd.api.types.is_bool_dtype(frame[names[c]]):
            raise EstimationError(
                f"column {c!r} must be numeric; got dtype {frame[names[c]].dtype}. Convert it "
                "(e.g. with pandas.to_numeric) before estimating."
            )
    if frame[y].notna().sum() == 0:
        raise EstimationError(
            f"outcome {cfg.outcome!r} is missing in every row; nothing to estimate. Check that "
            "the column was filled for the years you are estimating."
        )
    unit, time = names[cfg.unit], names[cfg.time]
    terms, x_internal, term_exposure = [], [], {}
    need_shift = cfg.lags is not None or cfg.leads is not None or cfg.trends
    if need_shift:
        if not pd.api.types.is_numeric_dtype(frame[time]):
            raise EstimationError(
                f"time column {cfg.time!r} must hold calendar years as numbers for lags, leads "
                f"or trends; got dtype {frame[time].dtype}."
            )
        keys = pd.MultiIndex.from_arrays([frame[unit].to_numpy(), frame[time].to_numpy()])
        if not keys.is_unique:
            raise EstimationError(
                f"lags/leads/trends need one row per {cfg.unit!r} and {cfg.time!r}; the data "
                "have duplicate unit-year rows. Aggregate to unit-year first."
            )
    new_cols = {}
    for exp in cfg.exposures:
        xe = names[exp]
        if cfg.leads:
            for k in sorted(cfg.leads, reverse=True):
                term = lag_term(exp, -k)
                internal = _safe(term, taken, "lead_")
                taken.add(internal)
                new_cols[internal] = _shift(frame, unit, time, xe, -k)
                terms.append(term)
                x_internal.append(internal)
                term_exposure[term] = (exp, -k)
        if cfg.lags is None:
            terms.append(exp)
            x_internal.append(xe)
            term_exposure[exp] = (exp, 0)
        else:
            for k in cfg.lags:
                term = lag_term(exp, k)
                internal = _safe(term, taken, "lag_")
                taken.add(internal)
                new_cols[internal] = (
                    frame[xe].to_numpy(dtype=float) if k == 0 else _shift(frame, unit, time, xe, k)
                )
                terms.append(term)
                x_internal.append(internal)
                term_exposure[term] = (exp, k)
    for c in cfg.controls:
        terms.append(c)
        x_internal.append(names[c])
        term_exposure[c] = (None, None)
    cl = names[cfg.cluster]
    if not pd.api.types.is_integer_dtype(frame[cl]):
        # numba inside pyfixest's bootstrap crashes on strings: cluster on integer codes
        codes, _ = pd.factorize(frame[cl], use_na_sentinel=True)
        cl_internal = _safe("cluster_code", taken, "cl_")
        taken.add(cl_internal)
        new_cols[cl_internal] = np.where(codes < 0, np.nan, codes)
        cl = cl_internal
    n_trend = 0
    if cfg.trends:
        ucodes, uniques = pd.factorize(frame[unit])
        if len(uniques) > 500:
            raise EstimationError(
                f"trends=True adds one trend per unit; {len(uniques)} units is too many "
                "(at most 500). Use trends on a unit-year panel."
            )
        t = frame[time].to_numpy(dtype=float)
        t = t - np.nanmean(t)
        for j in range(len(uniques)):
            name = _safe(f"trend_{j}", taken, "trend_")
            taken.add(name)
            new_cols[name] = np.where(ucodes == j, t, 0.0)
            x_internal.append(name)
            n_trend += 1
    if new_cols:
        frame = frame.assign(**new_cols)
    display = {v: k for k, v in zip(terms, x_internal, strict=False)}
    spec = _Spec(
        y=y, terms=tuple(terms), x_internal=tuple(x_internal), display=display,
        term_exposure=term_exposure, unit=unit, time=time, cluster=cl,
        weights=names.get(cfg.weights) if cfg.weights else None, n_trend=n_trend,
    )
    return frame, spec


def _check_estimable(frame: pd.DataFrame, spec: _Spec, cfg: PanelFEConfig) -> None:
    """Refuse designs the fixed effects leave nothing to estimate from.

    pyfixest's demeaning aborts the whole process (a panic in compiled code, not an
    exception) when, for example, every unit has a single complete row; a kernel that dies
    tells the user nothing, so such designs are caught here with the reason.
    """
    cols = [spec.y, *spec.x_internal, spec.cluster, spec.unit, spec.time]
    if spec.weights:
        cols.append(spec.weights)
    complete = frame[list(dict.fromkeys(cols))].notna().all(axis=1).to_numpy()
    rows = frame.loc[complete, [spec.unit, spec.time]]
    n = len(rows)
    terms = ", ".join(spec.terms)
    if n == 0:
        raise EstimationError(
            f"no row has the outcome {cfg.outcome!r} and every term ({terms}) at once; with lags, "
            "the first years have no lagged value. Check for missing values or use a longer "
            "window.")
    n_units, n_years = rows[spec.unit].nunique(), rows[spec.time].nunique()
    if "unit" in cfg.fixed_effects and int((rows[spec.unit].value_counts() > 1).sum()) == 0:
        raise EstimationError(
            f"every unit has a single complete row ({n} rows, years "
            f"{sorted(rows[spec.time].unique().tolist())[:5]}): with unit fixed effects nothing "
            "is left to compare within a unit. Use a window with at least two years that have "
            "the outcome and the (lagged) exposure.")
    if "time" in cfg.fixed_effects and n_years < 2 and "unit" in cfg.fixed_effects:
        raise EstimationError(
            f"only one year ({rows[spec.time].iloc[0]}) has the outcome and every term: "
            "with unit and year fixed effects at least two years are needed.")
    k = len(spec.x_internal)
    absorbed = (n_units if "unit" in cfg.fixed_effects else 0) + (
        n_years if "time" in cfg.fixed_effects else 0)
    if n - absorbed - k < 1:
        raise EstimationError(
            f"too few observations: {n} complete rows for {k} slope(s) plus {absorbed} fixed "
            "effects; use a longer window or fewer terms.")


def _vcov_arg(inference: str, cluster: str):
    if inference in ("cluster", "wild", "auto"):
        return {"CRV1": cluster}
    return inference


def _pyfixest():
    """Import pyfixest without letting it configure the root logger.

    One of its modules calls ``logging.basicConfig(level=INFO)`` when first imported,
    which would flood every later log (WeasyPrint, fontTools) of a run; the root logger is
    put back as it was.
    """
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    import pyfixest as pf
    import pyfixest.estimation.models.feols_compressed_  # noqa: F401

    root.handlers[:] = handlers
    root.setLevel(level)
    return pf


def _fit(frame: pd.DataFrame, spec: _Spec, cfg: PanelFEConfig):
    pf = _pyfixest()

    fe = [{"unit": spec.unit, "time": spec.time}[f] for f in cfg.fixed_effects]
    fml = f"{spec.y} ~ {' + '.join(spec.x_internal)}"
    if fe:
        fml += f" | {' + '.join(fe)}"
    vcov = _vcov_arg(cfg.inference, spec.cluster)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # `frame` is the wrapper's own object (a lazy copy-on-write selection of the
            # caller's columns), so pyfixest need not copy it: by default it copies the
            # whole frame twice, the largest memory cost on big panels
            fit = pf.feols(fml, data=frame, vcov=vcov, weights=spec.weights, copy_data=False)
    except Exception as exc:  # pyfixest raises many types; never let one reach the user
        raise EstimationError(_explain_fit_error(exc, cfg)) from None
    dropped = [spec.display.get(c, c) for c in fit._collin_vars if c in spec.display]
    if dropped:
        raise EstimationError(
            f"{dropped} cannot be estimated: constant within units over time once unit and "
            f"year fixed effects are absorbed, or collinear with other terms. An exposure "
            "must change over time within units, and not in the same way in every unit."
        )
    n_obs = int(fit._N)
    k = len(spec.x_internal)
    if n_obs <= int(fit._df_k) + 1 or n_obs < k + 3:
        raise EstimationError(
            f"too few observations: {n_obs} rows for {int(fit._df_k)} parameters (slopes and "
            "non-nested fixed effects). Add years or units, or drop lags and controls."
        )
    G = int(pd.unique(fit._data[spec.cluster]).size)
    fit._evaluation_n_clusters = G  # reused by the result; saves a pass over big data
    if G < 2:
        raise EstimationError(
            f"only {G} cluster of {cfg.cluster!r} in the estimation sample; clustered "
            "inference needs at least 2 (and is only trustworthy with many more). Use "
            "inference='hetero' or a different cluster variable."
        )
    return fit


def _explain_fit_error(exc: Exception, cfg: PanelFEConfig) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    low = text.lower()
    if "collinear" in low or "all variables" in low or "singular" in low:
        return (
            f"the exposures {list(cfg.exposures)} cannot be estimated: they do not vary once "
            f"unit and year fixed effects are absorbed (constant within units, or moving the "
            f"same way everywhere). Library message: {text}"
        )
    if "zero" in low and "observ" in low or "empty" in low:
        return (
            "no rows left to estimate after dropping rows with a missing outcome, exposure, "
            "lag or control, and singleton units. Library message: " + text
        )
    return (
        f"the fixed-effects regression of {cfg.outcome!r} on {list(cfg.exposures)} failed: "
        f"{text}. Check for missing or constant columns."
    )


class _WildInputs:
    """Lazily built bootstrap design for one fit (reused by ``with_inference``)."""

    def __init__(self, fit, spec: _Spec):
        self.fit = fit
        self.spec = spec
        self._design: WildDesign | None = None
        self.input_index: pd.Index | None = None
        self.vcov_used = None
        self._counts: dict | None = None

    @property
    def row_index(self) -> pd.Index:
        """Input-frame labels of the rows pyfixest kept (missing values, singletons out)."""
        fit = self.fit
        if self.input_index is None:
            return fit._data.index
        kept = np.ones(len(self.input_index), dtype=bool)
        if fit._na_index:
            kept[np.fromiter(fit._na_index, dtype=np.int64)] = False
        return self.input_index[kept] if int(kept.sum()) == fit._N else fit._data.index

    def counts(self) -> dict:
        """Units, years and clusters in the estimation sample (computed once)."""
        if self._counts is None:
            data = self.fit._data
            self._counts = {
                name: int(pd.unique(data[col]).size)
                for name, col in (("units", self.spec.unit), ("years", self.spec.time))
            }
            self._counts["clusters"] = getattr(self.fit, "_evaluation_n_clusters", None) or int(
                pd.unique(data[self.spec.cluster]).size
            )
        return self._counts

    @property
    def design(self) -> WildDesign:
        if self._design is None:
            fit, spec = self.fit, self.spec
            data = fit._data
            cl_codes, _ = pd.factorize(data[spec.cluster])
            n = len(cl_codes)
            fe = fit._fe.to_numpy() if fit._fe is not None else np.empty((n, 0), dtype=np.int64)
            # a fixed effect nested in the cluster needs no re-projection
            keep = []
            for j in range(fe.shape[1]):
                pairs = pd.DataFrame({"fe": fe[:, j], "cl": cl_codes}).drop_duplicates()
                if pairs["fe"].duplicated().any():
                    keep.append(j)
            self._design = WildDesign(
                X=np.asarray(fit._X, dtype=float),
                y=np.asarray(fit._Y, dtype=float).ravel(),
                clusters=cl_codes.astype(np.int64),
                fe=fe.astype(np.uint64) if keep else None,
                sqrt_w=np.sqrt(np.asarray(fit._weights, dtype=float).ravel())
                if fit._has_weights else None,
            )
        return self._design


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


def _infer(fit, cfg: PanelFEConfig, inputs: _WildInputs) -> PanelFEResult:
    spec = inputs.spec
    counts = inputs.counts()
    G = counts["clusters"]
    inference, reason = _resolve_inference(cfg, G)
    analytic = {"wild_cluster_restricted": "cluster"}.get(inference, inference)
    if _vcov_arg(analytic, spec.cluster) != inputs.vcov_used:
        fit = copy.copy(fit)  # vcov() sets attributes; keep the caller's fit untouched
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit.vcov(_vcov_arg(analytic, spec.cluster))
    names = [spec.display.get(c, c) for c in fit._coefnames]
    beta = pd.Series(np.asarray(fit._beta_hat, dtype=float), index=names)
    vcov = pd.DataFrame(np.asarray(fit._vcov, dtype=float), index=names, columns=names)
    df_t = float(fit._df_t)
    crit = stats.t.ppf(0.5 + cfg.conf_level / 2, df_t)
    rows = []
    terms = list(spec.terms)
    for term in terms:
        b = beta[term]
        se = float(np.sqrt(vcov.loc[term, term]))
        tstat = b / se
        exp, lag = spec.term_exposure[term]
        row = dict(
            term=term, estimate=b, std_error=se, statistic=tstat,
            p_value=2 * stats.t.sf(abs(tstat), df_t),
            conf_low=b - crit * se, conf_high=b + crit * se,
            exposure=exp, lag=lag, inference=analytic,
        )
        rows.append(row)
    wild_w = None
    if inference == "wild_cluster_restricted":
        wild_w = choose_weights(G, cfg.wild_weights)
        for row in rows:
            if row["exposure"] is None:
                row["inference"] = "cluster"  # controls: CR1 (not bootstrapped)
                continue
            R = (np.array(names) == row["term"]).astype(float)
            w = wild_test(inputs.design, R, reps=cfg.reps, weights_type=wild_w, seed=cfg.seed,
                          conf_level=cfg.conf_level, se_hint=row["std_error"])
            row.update(p_value=w.p_value, conf_low=w.conf_low, conf_high=w.conf_high,
                       inference="wild_cluster_restricted")
            reason_reps = w.reps if w.enumerated else cfg.reps
            enum = ", full enumeration" if w.enumerated else ""
        reason += f"; {wild_w} weights, {reason_reps} draws{enum}"
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
        vcov_convention=VCOV_CONVENTION[inference],
        n_obs=n_obs,
        n_units=counts["units"],
        n_years=counts["years"],
        n_clusters=G if analytic == "cluster" else G,
        cluster=cfg.cluster,
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


def _cumulative(cfg, names, beta, vcov, df_t, crit, inference, wild_w, inputs):
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
                   lags=list(cfg.lags), inference="cluster" if inference != "hetero" and inference != "iid" else inference)
        if inference == "wild_cluster_restricted":
            w = wild_test(inputs.design, R, reps=cfg.reps, weights_type=wild_w, seed=cfg.seed,
                          conf_level=cfg.conf_level, se_hint=se)
            row.update(p_value=w.p_value, conf_low=w.conf_low, conf_high=w.conf_high,
                       inference="wild_cluster_restricted")
        rows.append(row)
    return pd.DataFrame(rows).set_index("exposure")


def _leads_test(cfg, spec, beta, vcov, df_t):
    if not cfg.leads:
        return None
    terms = [t for t in spec.terms if spec.term_exposure[t][1] is not None
             and spec.term_exposure[t][1] < 0]
    b = beta[terms].to_numpy()
    V = vcov.loc[terms, terms].to_numpy()
    wald = float(b @ np.linalg.solve(V, b))
    q = len(terms)
    return {
        "terms": terms, "statistic": wald / q, "wald": wald, "df": q, "df_resid": df_t,
        "p_value": float(stats.f.sf(wald / q, q, df_t)),
        "method": "Wald F test with the analytic covariance (CR1/HC1/iid)",
    }


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
# re-exports them (they import panel_fe lazily, so there is no import cycle).
from .chain import chain  # noqa: E402
from .diagnostics import dose_response, mde, robustness  # noqa: E402
from .staggered import event_study, staggered_did  # noqa: E402

__all__ = [
    "CorrelationMatrixResult",
    "CorrelationResult",
    "PanelFEConfig",
    "PanelFEResult",
    "chain",
    "compare",
    "correlate",
    "correlation_matrix",
    "dose_response",
    "event_study",
    "example_panel",
    "mde",
    "panel_fe",
    "robustness",
    "staggered_did",
]
