"""The brief's page-1 chart as an SVG data URI (deterministic bytes, alt text, a caption).

With a headline estimate: the relationship within units that the headline measures
(:func:`.plot_within.within_unit_chart`). A year without one (too few years of data) shows
the units per IKM category instead.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

from .._options import Language
from ..columns import lag_column
from ..i18n import Formatter, catalogue
from . import plot
from .plot_within import thresholds_near, within_unit_chart
from .sentences import Words, capitalise, lag_earlier, words_for
from .view import as_dict, as_list, headline_estimate, is_finite


@dataclass(frozen=True)
class Chart:
    """A rendered figure: an SVG data URI, its alt text, size in CSS pixels and caption;
    ``heading`` when the figure is not the within-unit chart the brief's heading names."""

    src: str
    alt: str
    width: int
    height: int
    note: str = ""
    heading: str = ""


def headline_columns(results: Mapping[str, Any]) -> tuple[str, str]:
    """The per-unit columns of the headline's exposure (as lagged) and outcome."""
    est = headline_estimate(results) or {}
    cfg = as_dict(results.get("headline"))
    exposure = est.get("exposure") or cfg.get("exposure") or "jp_per_asn"
    outcome = est.get("outcome") or cfg.get("outcome") or "ikm"
    lag = est.get("lag", cfg.get("lag", 0)) or 0
    column = lag_column(exposure, int(lag))
    rows = [u for u in as_list(results.get("units")) if isinstance(u, dict)]
    if rows and not any(column in u for u in rows) and any(exposure in u for u in rows):
        column = exposure
    return column, outcome


def source_text(results: Mapping[str, Any], lang: Language) -> str:
    """The chart's source line: the study, its region and years; synthetic data said so."""
    study, window = as_dict(results.get("study")), as_dict(results.get("window"))
    title = (study.get("title_en") if lang == "en" else None) or study.get("title") or ""
    text = ", ".join(x for x in (title, study.get("region", "")) if x)
    if window:
        text += f" ({window.get('first', '?')}–{window.get('last', '?')})"
    if study.get("synthetic"):
        text += "; " + catalogue(lang)["synthetic_short"]
    return text or Formatter(lang).msg("chart.source_default")


def headline_chart_svg(results: Mapping[str, Any], *, lang: Language = "id") -> Chart | None:
    """The brief's page-1 chart, or ``None`` when there is nothing to draw.

    Deterministic: the same results give the same bytes (fixed SVG hash salt, no date).
    """
    c = words_for(results, Formatter(lang))
    bins = as_dict(results.get("headline_bins"))
    if bins and as_list(bins.get("bins")) and c.evidence != "missing":
        return _render(lambda ax: _within(c, bins, ax), (7.2, 2.6), _within_note(c, bins))
    cats = [x for x in as_list(as_dict(results.get("descriptives")).get("ikm_categories"))
            if isinstance(x, dict)]
    if cats and any(is_finite(x.get("n_units")) and x["n_units"] > 0 for x in cats):
        # an early year's categories chart sat under "Within the same unit: IKU by JP"
        return _render(lambda ax: plot.ikm_category_plot(
            cats, lang=lang, year=results.get("year"), source=source_text(results, lang),
            ax=ax), (7.2, 2.4), "",
            heading=c.f.msg("chart.categories_heading", year=results.get("year", "")))
    return None


def _within(c: Words, bins: Mapping[str, Any], ax: Axes) -> Axes:
    f, est = c.f, c.est
    window = as_dict(c.results.get("window"))
    first = (int(window["first"]) + c.lag) if is_finite(window.get("first")) else ""
    # the title starts with the outcome's name, which is written lower-case ("capaian IKU")
    title = capitalise(f.msg("chart.within_title", outcome=c.outcome["name"],
                             exposure=c.exposure["name"], lag_earlier=lag_earlier(f, c.lag),
                             first=first, last=window.get("last", "")))
    return within_unit_chart(bins, slope=est["estimate"], slope_low=est["conf_low"],
                             slope_high=est["conf_high"], scale=c.scale,
                             increment=c.increment, title=title, lang=c.f.lang,
                             source=source_text(c.results, c.f.lang), ax=ax)


def _within_note(c: Words, bins: Mapping[str, Any]) -> str:
    points = [b for b in as_list(bins.get("bins")) if isinstance(b, dict)]
    lows = [b["conf_low"] for b in points if is_finite(b.get("conf_low"))]
    highs = [b["conf_high"] for b in points if is_finite(b.get("conf_high"))]
    drawn = (c.outcome_key == "ikm" and lows and highs
             and thresholds_near(min(lows), max(highs)))
    key = "chart.within_note" if drawn else "chart.within_note_plain"
    return c.f.msg(key, outcome=c.outcome["name"], exposure=c.exposure["name"])


def _render(draw: Any, size: tuple[float, float], note: str, *, heading: str = "") -> Chart:
    plot.set_theme()
    fig, ax = plt.subplots(figsize=size, layout="constrained")
    try:
        ax = draw(ax)
        plot.fit_title(ax)
        alt = str(getattr(ax, "alt_text", ""))
        buf = io.BytesIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    finally:
        plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return Chart(src=f"data:image/svg+xml;base64,{data}", alt=alt,
                 width=round(size[0] * 96), height=round(size[1] * 96), note=note,
                 heading=heading)


__all__ = ["Chart", "headline_chart_svg", "headline_columns", "source_text"]
