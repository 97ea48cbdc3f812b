"""Result objects shared by every estimator, and ``compare`` for side-by-side tables.

Every estimator returns a frozen dataclass that mixes in :class:`ResultBase`, which gives

- ``tidy()``: one row per term, snake_case columns starting with ``term, estimate,
  std_error, statistic, p_value, conf_low, conf_high`` (estimators may add columns after
  these, e.g. ``exposure`` and ``lag``);
- ``summary()``: plain text; ``__str__`` and ``_repr_html_`` render the same content;
- ``to_dict()``: JSON-safe (no NaN or infinity: ``None``; numpy scalars become Python
  numbers), ready for ``results.json``.

A subclass implements ``tidy()`` and ``_meta()`` (the descriptive fields: model, outcome,
inference, sample sizes, ...); ``_title()`` is optional.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import EstimationError

#: The columns every ``tidy()`` starts with, in this order.
TIDY_COLUMNS: tuple[str, ...] = (
    "term",
    "estimate",
    "std_error",
    "statistic",
    "p_value",
    "conf_low",
    "conf_high",
)


def json_safe(value: Any) -> Any:
    """Convert ``value`` into plain JSON types: NaN and infinities become ``None``.

    >>> json_safe({"a": np.float64("nan"), "b": (np.int64(3), 1.5)})
    {'a': None, 'b': [3, 1.5]}
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, pd.DataFrame):
        return [json_safe(r) for r in value.to_dict(orient="records")]
    if isinstance(value, pd.Series):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return [json_safe(v) for v in value.tolist()]
    if isinstance(value, (list, tuple, set, frozenset)):
        return [json_safe(v) for v in value]
    if value is pd.NA or value is pd.NaT:
        return None
    return str(value)


def _fmt(value: Any, digits: int = 4) -> str:
    if value is None:
        return ""
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(float(value)):
            return "NA"
        v = float(value)
        if v != 0 and (abs(v) < 10 ** (-digits) or abs(v) >= 10**7):
            return f"{v:.{digits - 1}e}"
        return f"{v:.{digits}f}"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) if value else "-"
    return str(value)


class ResultBase:
    """Mixin for frozen result dataclasses: tidy, summary, HTML, JSON-safe dict."""

    # -- to implement ---------------------------------------------------------------------
    def tidy(self) -> pd.DataFrame:  # pragma: no cover - abstract
        raise NotImplementedError

    def _meta(self) -> dict[str, Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _title(self) -> str:
        return type(self).__name__

    def _notes(self) -> list[str]:
        """Extra lines printed under the table (e.g. the cumulative effect)."""
        return []

    # -- provided ---------------------------------------------------------------------------
    def _header_items(self) -> list[tuple[str, str]]:
        skip = {"estimates"}
        return [(k, _fmt(v)) for k, v in self._meta().items() if k not in skip and v is not None]

    def summary(self) -> str:
        """Plain-text summary: header fields, the tidy table, notes."""
        lines = [self._title(), "=" * len(self._title())]
        items = self._header_items()
        width = max((len(k) for k, _ in items), default=0)
        lines += [f"{k.ljust(width)} : {v}" for k, v in items]
        table = self.tidy()
        if len(table):
            shown = table.copy()
            for col in shown.columns:
                if pd.api.types.is_float_dtype(shown[col]):
                    shown[col] = [_fmt(v) for v in shown[col]]
            lines += ["", shown.to_string(index=False)]
        notes = self._notes()
        if notes:
            lines += [""] + notes
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
            f"<td style='text-align:left'>{html.escape(v)}</td></tr>"
            for k, v in self._header_items()
        )
        table = self.tidy()
        body = table.to_html(index=False, float_format=lambda v: _fmt(v), na_rep="NA")
        notes = "".join(f"<p>{html.escape(n)}</p>" for n in self._notes())
        return (
            f"<div><strong>{html.escape(self._title())}</strong>"
            f"<table>{rows}</table>{body}{notes}</div>"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary: the descriptive fields plus ``estimates`` (tidy rows)."""
        out = dict(self._meta())
        out["estimates"] = self.tidy()
        return json_safe(out)


def compare(
    results: Sequence[ResultBase] | Mapping[str, ResultBase],
    *,
    stats: Sequence[str] = ("estimate", "std_error", "p_value"),
) -> pd.DataFrame:
    """Side-by-side table of several results.

    Parameters
    ----------
    results
        A list of results (columns named ``(1)``, ``(2)``, ...) or a mapping of name to
        result.
    stats
        Which tidy columns to show for each model.

    Returns
    -------
    pandas.DataFrame
        Index: term. Columns: a two-level index (model name, statistic). The model
        descriptions (``to_dict()`` without estimates) are in ``.attrs["models"]``.
        A term a model does not have is NaN in that model's columns (it is absent, not
        zero).

    Examples
    --------
    >>> import pandas as pd
    >>> from evaluation.estimate import correlate
    >>> df = pd.DataFrame({"a": [1.0, 2, 3, 4, 5], "b": [2.0, 1, 4, 3, 5]})
    >>> table = compare({"pearson": correlate(df, "a", "b"),
    ...                  "spearman": correlate(df, "a", "b", method="spearman")})
    >>> list(table.columns.get_level_values(0).unique())
    ['pearson', 'spearman']
    """
    if isinstance(results, Mapping):
        named = list(results.items())
    else:
        named = [(f"({i + 1})", r) for i, r in enumerate(results)]
    if not named:
        raise EstimationError("compare: expecting at least one result. Got an empty list.")
    bad = [name for name, r in named if not isinstance(r, ResultBase)]
    if bad:
        raise EstimationError(
            f"compare: expecting result objects (from panel_fe, correlate, ...). "
            f"Got something else for {bad}."
        )
    frames = []
    models = {}
    for name, res in named:
        tidy = res.tidy()
        missing = [s for s in stats if s not in tidy.columns]
        if missing:
            raise EstimationError(
                f"compare: statistic(s) {missing} not in the tidy table of {name}; "
                f"available: {list(tidy.columns)}"
            )
        part = tidy.set_index("term")[list(stats)]
        part.columns = pd.MultiIndex.from_product([[name], list(stats)])
        frames.append(part)
        meta = res.to_dict()
        meta.pop("estimates", None)
        models[name] = meta
    order: list[str] = []
    for f in frames:
        order += [t for t in f.index if t not in order]
    table = pd.concat(frames, axis=1).reindex(order)
    table.index.name = "term"
    table.attrs["models"] = models
    return table


__all__ = ["TIDY_COLUMNS", "ResultBase", "compare", "json_safe"]


# ---- concrete results ---------------------------------------------------------------------

from dataclasses import dataclass, field, replace  # noqa: E402


@dataclass(frozen=True)
class PanelFEResult(ResultBase):
    """Two-way fixed-effects estimate with its inference, from :func:`~evaluation.estimate.panel_fe`.

    Attributes
    ----------
    table
        One row per reported term (exposures, their lags and leads, controls; not the
        unit-trend nuisance terms), indexed by term, with the tidy columns plus
        ``exposure`` (the exposure a term belongs to, or ``None`` for a control), ``lag``
        (``0, 1, ...``; negative for leads; ``None`` for controls) and ``inference``.
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
    cluster: str | None
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
    leads_test: dict | None = None
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
        return data.set_axis(index) if index is not None and len(index) == len(data) else data

    @property
    def terms(self) -> list[str]:
        return list(self.table.index)

    # ---- ResultBase ---------------------------------------------------------------------
    def _title(self) -> str:
        return f"Two-way fixed effects: {self.outcome} on {', '.join(self.exposures)}"

    def tidy(self) -> pd.DataFrame:
        out = self.table.reset_index()
        return out[[*TIDY_COLUMNS, "exposure", "lag", "inference"]]

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
            "cluster": self.cluster,
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
        from .fixed_effects import _infer  # the runner lives beside panel_fe

        changes = {
            k: v for k, v in dict(inference=inference, reps=reps, wild_weights=wild_weights,
                                  seed=seed, conf_level=conf_level).items() if v is not None
        }
        config = replace(self._config, **changes)
        from .fixed_effects import _check_config

        _check_config(config)
        return _infer(self._fit, config, self._design)


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
            "ci_method": self.ci_method,
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


__all__ += ["CorrelationMatrixResult", "CorrelationResult", "PanelFEResult"]
