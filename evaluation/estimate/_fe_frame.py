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
    display: dict[str, str]  # internal -> display
    term_exposure: dict[str, tuple[str | None, int | None]]  # term -> (exposure, lag)
    unit: str
    time: str
    cluster: str  # the first (or only) cluster column
    clusters: tuple[str, ...]  # every cluster column (two for two-way clustering)
    weights: str | None
    n_trend: int


def _safe(name: str, taken: set[str], prefix: str) -> str:
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
    return np.asarray(source.reindex(target).to_numpy(), dtype=float)


class _Columns:
    """Internal column names handed out so far, and the columns to add to the frame."""

    def __init__(self) -> None:
        self.taken: set[str] = set()
        self.new: dict[str, np.ndarray] = {}

    def name(self, wanted: str, prefix: str) -> str:
        out = _safe(wanted, self.taken, prefix)
        self.taken.add(out)
        return out

    def add(self, wanted: str, prefix: str, values: np.ndarray) -> str:
        out = self.name(wanted, prefix)
        self.new[out] = values
        return out


def _needed_columns(df: pd.DataFrame, cfg: PanelFEConfig) -> list[str]:
    """Every input column the model reads, each given one role."""
    needed = [cfg.outcome, *cfg.exposures, *cfg.controls, cfg.unit, cfg.time]
    needed += [c for c in cfg.clusters if c not in needed]
    if cfg.weights is not None:
        needed.append(cfg.weights)
    _check_columns(df, needed)
    dup = sorted({c for c in needed if needed.count(c) > 1} - set(cfg.clusters))
    if dup:
        raise EstimationError(
            f"column(s) {dup} given in more than one role (outcome, exposure, control, unit, "
            "time). Give each column one role."
        )
    return needed


def _check_values(frame: pd.DataFrame, names: dict[str, str], cfg: PanelFEConfig) -> None:
    """Numeric model columns, an outcome somewhere, unique unit-years when shifting."""
    numeric = [cfg.outcome, *cfg.exposures, *cfg.controls] + ([cfg.weights] if cfg.weights else [])
    for c in numeric:
        col = frame[names[c]]
        if not pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
            raise EstimationError(
                f"column {c!r} must be numeric; got dtype {col.dtype}. Convert it "
                "(e.g. with pandas.to_numeric) before estimating."
            )
    if frame[names[cfg.outcome]].notna().sum() == 0:
        raise EstimationError(
            f"outcome {cfg.outcome!r} is missing in every row; nothing to estimate. Check that "
            "the column was filled for the years you are estimating."
        )
    if cfg.lags is None and cfg.leads is None and not cfg.trends:
        return
    unit, time = names[cfg.unit], names[cfg.time]
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


def _exposure_terms(
    frame: pd.DataFrame, names: dict[str, str], cfg: PanelFEConfig, cols: _Columns
) -> tuple[list[str], list[str], dict[str, tuple[str | None, int | None]]]:
    """Reported terms, their internal columns and (exposure, lag) of each: leads, then the
    exposure or its lags, per exposure; then the controls."""
    unit, time = names[cfg.unit], names[cfg.time]
    terms: list[str] = []
    x_internal: list[str] = []
    term_exposure: dict[str, tuple[str | None, int | None]] = {}

    def add(term: str, internal: str, exposure: str | None, lag: int | None) -> None:
        terms.append(term)
        x_internal.append(internal)
        term_exposure[term] = (exposure, lag)

    for exp in cfg.exposures:
        xe = names[exp]
        for k in sorted(cfg.leads or (), reverse=True):
            term = lag_term(exp, -k)
            add(term, cols.add(term, "lead_", _shift(frame, unit, time, xe, -k)), exp, -k)
        if cfg.lags is None:
            add(exp, xe, exp, 0)
            continue
        for k in cfg.lags:
            term = lag_term(exp, k)
            values = frame[xe].to_numpy(dtype=float) if k == 0 else _shift(frame, unit, time, xe, k)
            add(term, cols.add(term, "lag_", values), exp, k)
    for c in cfg.controls:
        add(c, names[c], None, None)
    return terms, x_internal, term_exposure


def _cluster_column(frame: pd.DataFrame, name: str, cols: _Columns) -> str:
    """The cluster column as integer codes (missing stays missing)."""
    if pd.api.types.is_integer_dtype(frame[name]):
        return name
    # numba inside pyfixest's bootstrap crashes on strings: cluster on integer codes
    codes, _ = pd.factorize(frame[name], use_na_sentinel=True)
    return cols.add("cluster_code", "cl_", np.where(codes < 0, np.nan, codes))


def _coded(frame: pd.DataFrame, name: str, cols: _Columns) -> str:
    """A text fixed-effect column as integer codes in order of first appearance (missing
    stays missing): the codes pyfixest would give it, without its slow handling of text
    columns in every fit."""
    if pd.api.types.is_numeric_dtype(frame[name]):
        return name
    codes, _ = pd.factorize(frame[name], use_na_sentinel=True)
    values = codes if (codes >= 0).all() else np.where(codes < 0, np.nan, codes)
    return cols.add(f"{name}_code", "fe_", values)


def _trend_columns(frame: pd.DataFrame, unit: str, time: str, cols: _Columns) -> list[str]:
    """One linear trend per unit (centred years inside the unit, 0 elsewhere)."""
    ucodes, uniques = pd.factorize(frame[unit])
    if len(uniques) > 500:
        raise EstimationError(
            f"trends=True adds one trend per unit; {len(uniques)} units is too many "
            "(at most 500). Use trends on a unit-year panel."
        )
    t = frame[time].to_numpy(dtype=float)
    t = t - np.nanmean(t)
    return [cols.add(f"trend_{j}", "trend_", np.where(ucodes == j, t, 0.0))
            for j in range(len(uniques))]


def _build_frame(df: pd.DataFrame, cfg: PanelFEConfig) -> tuple[pd.DataFrame, _Spec]:
    """The model frame (needed columns under identifier names, generated columns added)."""
    cols = _Columns()
    names = {c: cols.name(str(c), f"v{i}_")
             for i, c in enumerate(dict.fromkeys(_needed_columns(df, cfg)))}
    # one selection of the needed columns; renaming is lazy under copy-on-write
    frame = df[list(names)]
    if any(k != v for k, v in names.items()):
        frame = frame.rename(columns=names)
    _check_values(frame, names, cfg)
    unit, time = names[cfg.unit], names[cfg.time]
    terms, x_internal, term_exposure = _exposure_terms(frame, names, cfg, cols)
    clusters = tuple(_cluster_column(frame, names[c], cols) for c in cfg.clusters)
    trends = _trend_columns(frame, unit, time, cols) if cfg.trends else []
    unit = _coded(frame, unit, cols)
    if cols.new:
        frame = frame.assign(**cols.new)
    display = {v: k for k, v in zip(terms, x_internal, strict=False)}
    spec = _Spec(
        y=names[cfg.outcome], terms=tuple(terms), x_internal=tuple(x_internal + trends),
        display=display, term_exposure=term_exposure, unit=unit, time=time,
        cluster=clusters[0], clusters=clusters,
        weights=names.get(cfg.weights) if cfg.weights else None, n_trend=len(trends),
    )
    return frame, spec


def _check_estimable(frame: pd.DataFrame, spec: _Spec, cfg: PanelFEConfig) -> int:
    """Refuse designs the fixed effects leave nothing to estimate from.

    pyfixest's demeaning aborts the whole process (a panic in compiled code, not an
    exception) when, for example, every unit has a single complete row; a kernel that dies
    tells the user nothing, so such designs are caught here with the reason. Returns the
    number of complete rows (before singleton units are dropped).
    """
    cols = [spec.y, *spec.x_internal, *spec.clusters, spec.unit, spec.time]
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
    return n
