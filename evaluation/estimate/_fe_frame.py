"""The model frame of :func:`~evaluation.estimate.panel_fe`: columns renamed to identifiers,
lags, leads, unit trends and integer cluster codes added, and designs refused that the fixed
effects leave nothing to estimate from.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..columns import lag_term
from ..errors import EstimationError
from ._fe_config import PanelFEConfig, _check_columns


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
