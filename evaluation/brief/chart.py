"""The brief's headline chart as an SVG data URI (deterministic bytes, alt text)."""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

from .._options import Language
from ..columns import lag_column
from ..i18n import Formatter, catalogue
from . import plot
from .view import as_dict, as_list, headline_estimate


@dataclass(frozen=True)
class Chart:
    """A rendered figure: an SVG data URI, its alt text and its size in CSS pixels."""

    src: str
    alt: str
    width: int
    height: int


def _units_frame(results: Mapping[str, Any]) -> pd.DataFrame:
    return pd.DataFrame([u for u in as_list(results.get("units")) if isinstance(u, dict)])


def headline_columns(results: Mapping) -> tuple[str, str]:
    est = headline_estimate(results) or {}
    cfg = as_dict(results.get("headline"))
    exposure = est.get("exposure") or cfg.get("exposure") or "jp_per_asn"
    outcome = est.get("outcome") or cfg.get("outcome") or "ikm"
    lag = est.get("lag", cfg.get("lag", 0)) or 0
    column = lag_column(exposure, int(lag))
    units = [u for u in as_list(results.get("units")) if isinstance(u, dict)]
    if units and not any(column in u for u in units) and any(exposure in u for u in units):
        column = exposure
    return column, outcome


def _source_text(results: Mapping, lang: Language) -> str:
    study, window = as_dict(results.get("study")), as_dict(results.get("window"))
    title = (study.get("title_en") if lang == "en" else None) or study.get("title") or ""
    text = ", ".join(x for x in (title, study.get("region", "")) if x)
    if window:
        text += f" ({window.get('first', '?')}–{window.get('last', '?')})"
    if study.get("synthetic"):
        text += "; " + catalogue(lang)["synthetic_short"]
    return text or Formatter(lang).msg("chart.source_default")


def headline_chart_svg(results: Mapping, *, lang: Language = "id") -> Chart | None:
    """The brief's headline chart as an SVG data URI with alt text, or ``None`` without units.

    Deterministic: the same results give the same bytes (fixed SVG hash salt, no date).
    """
    frame = _units_frame(results)
    if frame.empty:
        return None
    exposure, outcome = headline_columns(results)
    plot.set_theme()
    width_in, height_in = 7.2, 3.3
    fig, ax = plt.subplots(figsize=(width_in, height_in), layout="constrained")
    try:
        study = as_dict(results.get("study"))
        plot.headline_chart(frame, exposure=exposure, outcome=outcome, lang=lang,
                            year=results.get("year"), source=_source_text(results, lang),
                            min_cell_size=study.get("min_cell_size"), ax=ax)
        alt = str(getattr(ax, "alt_text", ""))
        buf = io.BytesIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    finally:
        plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return Chart(src=f"data:image/svg+xml;base64,{data}", alt=alt,
                 width=round(width_in * 96), height=round(height_in * 96))


__all__ = ["Chart", "headline_chart_svg", "headline_columns"]
