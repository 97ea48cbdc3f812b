"""Fitting :func:`~evaluation.estimate.panel_fe` with pyfixest, and the fit's state that
inference reuses (the bootstrap design, the sample counts).
"""

from __future__ import annotations

import logging
import re
import sys
import warnings
from typing import Any

import numpy as np
import pandas as pd

from ..errors import EstimationError
from ._fe_config import PanelFEConfig
from ._fe_frame import _Spec
from ._wild import WildDesign


def _vcov_arg(inference: str, clusters: tuple[str, ...]) -> str | dict[str, str]:
    """pyfixest's ``vcov`` argument: CR1 by the cluster column(s), or HC1/iid."""
    if inference in ("cluster", "wild", "auto"):
        return {"CRV1": "+".join(clusters)}
    return inference


def _ssc(pf: Any, clusters: tuple[str, ...]) -> Any:
    """pyfixest's small-sample settings: its defaults, except that with two-way clustering
    each one-way covariance gets its own G/(G-1) (Cameron, Gelbach and Miller 2011; pyfixest
    and fixest default to the smaller G for all three)."""
    return pf.ssc(G_df="conventional") if len(clusters) > 1 else pf.ssc()


def _pyfixest() -> Any:
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
    _keep_fixed_effect_order()
    return pf


_FE_TERM = "__fixed_effect__({})"


def _keep_fixed_effect_order() -> None:
    """Make pyfixest absorb the fixed effects in the order the formula names them.

    pyfixest (0.60) collects the fixed effects of ``y ~ x | unit + year`` in a Python
    ``set``, whose order follows the process's string-hash seed (``PYTHONHASHSEED``,
    random per process by default). Its alternating projections stop at a tolerance of
    1e-6, so demeaning by unit then year or by year then unit gives standard errors that
    differ around the 8th significant digit, and the same data and seed gave a
    results.json that differed from one run to the next. The wrapper keeps pyfixest's
    encoding (and its side effects on the data) and only puts the terms back in the
    formula's order, so every run absorbs unit first, then year. Idempotent; a pyfixest
    without the function (another version) is left alone.
    """
    module = sys.modules.get("pyfixest.estimation.formula.model_matrix")
    original = getattr(module, "_encode_fixed_effects", None)
    if original is None or getattr(original, "_evaluation_ordered", False):
        return

    def encode_in_formula_order(fixed_effects: str, data: pd.DataFrame) -> str:
        encoded = str(original(fixed_effects=fixed_effects, data=data))
        names = dict.fromkeys(
            name.strip().replace("^", "_") for name in re.split(r"\s*\+\s*", fixed_effects)
        )
        terms = [_FE_TERM.format(name) for name in names]
        ordered = f"{' + '.join(terms)} - 1"
        same_terms = sorted(encoded.removesuffix(" - 1").split(" + ")) == sorted(terms)
        return ordered if same_terms else encoded

    encode_in_formula_order._evaluation_ordered = True  # type: ignore[attr-defined]
    module._encode_fixed_effects = encode_in_formula_order  # type: ignore[union-attr]


def _fit(frame: pd.DataFrame, spec: _Spec, cfg: PanelFEConfig) -> Any:
    pf = _pyfixest()

    fe = [{"unit": spec.unit, "time": spec.time}[f] for f in cfg.fixed_effects]
    fml = f"{spec.y} ~ {' + '.join(spec.x_internal)}"
    if fe:
        fml += f" | {' + '.join(fe)}"
    vcov = _vcov_arg(cfg.inference, spec.clusters)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # `frame` is the wrapper's own object (a lazy copy-on-write selection of the
            # caller's columns), so pyfixest need not copy it: by default it copies the
            # whole frame twice, the largest memory cost on big panels
            fit = pf.feols(fml, data=frame, vcov=vcov, weights=spec.weights, copy_data=False,
                           ssc=_ssc(pf, spec.clusters))
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
    counts = tuple(int(pd.unique(fit._data[c]).size) for c in spec.clusters)
    fit._evaluation_n_clusters = counts  # reused by the result; saves a pass over big data
    for G, name in zip(counts, cfg.clusters, strict=True):
        if G < 2:
            raise EstimationError(
                f"only {G} cluster of {name!r} in the estimation sample; clustered "
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

    def __init__(self, fit: Any, spec: _Spec) -> None:
        self.fit = fit
        self.spec = spec
        self._design: WildDesign | None = None
        self.input_index: pd.Index | None = None
        self.vcov_used: str | dict[str, str] | None = None
        self._counts: dict[str, Any] | None = None
        #: complete rows pyfixest left out as singletons (units, or years, seen once)
        self.n_singletons = 0

    @property
    def row_index(self) -> pd.Index:
        """Input-frame labels of the rows pyfixest kept (missing values, singletons out)."""
        fit = self.fit
        data_index: pd.Index = fit._data.index
        if self.input_index is None:
            return data_index
        kept = np.ones(len(self.input_index), dtype=bool)
        if fit._na_index:
            kept[np.fromiter(fit._na_index, dtype=np.int64)] = False
        return self.input_index[kept] if int(kept.sum()) == fit._N else data_index

    def counts(self) -> dict[str, Any]:
        """Units, years and clusters in the estimation sample (computed once)."""
        if self._counts is None:
            data = self.fit._data
            self._counts = {
                name: int(pd.unique(data[col]).size)
                for name, col in (("units", self.spec.unit), ("years", self.spec.time))
            }
            by = getattr(self.fit, "_evaluation_n_clusters", None) or tuple(
                int(pd.unique(data[c]).size) for c in self.spec.clusters)
            self._counts["clusters_by"] = tuple(by)
            # two-way: the smaller dimension limits inference (t with min(G) - 1 df)
            self._counts["clusters"] = min(by)
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
