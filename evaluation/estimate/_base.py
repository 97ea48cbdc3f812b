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
        safe: dict[str, Any] = json_safe(out)
        return safe


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
