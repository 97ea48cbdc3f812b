"""The brief's page-1 chart: the headline's relationship within units, not across them.

A cross-unit scatter with a cross-unit line contradicts a fixed-effects headline (its slope
mixes in every fixed difference between agencies). This chart shows what the headline
measures: the binned relationship estimated with the unit and year fixed effects
(``results["headline_bins"]``, see :func:`evaluation.brief.steps.headline_bins`) and the
headline's own line with its 95% interval. Reference lines (the IKM category thresholds)
are labelled on the chart.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from .._options import Language, check_option
from ..i18n import Formatter, digits_for
from .plot import (
    BLUE,
    BLUE_LIGHT,
    GREY,
    IKM_THRESHOLDS,
    apply_axis_format,
    axes_or_new,
    finish,
    measure_labels,
    source_line,
)


def alt_text_within(bins: pd.DataFrame, *, outcome: str, exposure: str, slope: float,
                    increment: str, lang: Language = "id") -> str:
    """Alt text of :func:`within_unit_chart`: what a sighted reader would take from it."""
    f = Formatter(lang)
    y_lab, _ = measure_labels(lang, outcome)
    x_lab, _ = measure_labels(lang, exposure)
    d = digits_for(bins["y"].min(), bins["y"].max())
    return f.msg("chart.alt_within", n=f.integer(len(bins)), outcome=y_lab["name"],
                 exposure=x_lab["name"], y_low=f.number(bins["y"].iloc[0], d),
                 y_high=f.number(bins["y"].iloc[-1], d), unit=y_lab["unit"],
                 x_low=f.number(bins["x"].iloc[0], 0), x_high=f.number(bins["x"].iloc[-1], 0),
                 slope=f.number(slope, digits_for(slope)), increment=increment)


def within_unit_chart(block: Mapping[str, Any], *, slope: float, slope_low: float,
                      slope_high: float, scale: float, increment: str, title: str,
                      lang: Language = "id", source: str | None = None,
                      ax: Axes | None = None) -> Axes:
    """Binned within-unit points with intervals, the headline line and its 95% band.

    Parameters
    ----------
    block
        ``results["headline_bins"]``: ``bins`` (``x``, ``y``, ``conf_low``, ``conf_high``),
        ``x_mean``, ``y_mean``, ``outcome``, ``term``.
    slope, slope_low, slope_high
        The headline estimate and its interval, per one unit of exposure.
    scale, increment
        The headline's step and its words, for the alt text.
    title
        The chart title.
    """
    check_option("lang", lang, Language)
    f = Formatter(lang)
    ax = axes_or_new(ax)
    bins = pd.DataFrame(block["bins"]).sort_values("x")
    outcome, term = str(block["outcome"]), str(block["term"])
    x_lab, _ = measure_labels(lang, term)
    y_lab, _ = measure_labels(lang, outcome)
    x0, y0 = float(block["x_mean"]), float(block["y_mean"])
    grid = np.linspace(float(bins["x"].min()), float(bins["x"].max()), 50)
    ax.fill_between(grid, y0 + slope_low * (grid - x0), y0 + slope_high * (grid - x0),
                    color=BLUE_LIGHT, alpha=0.55, linewidth=0, zorder=1,
                    label=f.msg("chart.within_line"))
    ax.plot(grid, y0 + slope * (grid - x0), color=BLUE, linewidth=1.8, zorder=2)
    ax.errorbar(bins["x"], bins["y"], yerr=[bins["y"] - bins["conf_low"],
                                            bins["conf_high"] - bins["y"]],
                fmt="o", color=BLUE, ecolor=GREY, markersize=4.5, capsize=2, linewidth=0.9,
                zorder=3, label=f.msg("chart.within_points"))
    if outcome == "ikm":
        _thresholds(ax, f, float(bins["conf_low"].min()), float(bins["conf_high"].max()))
    ax.set_title(title)
    ax.set_xlabel(x_lab["axis"])
    ax.set_ylabel(y_lab["axis"])
    apply_axis_format(ax, f, y_digits=1)
    # a strip above the data for a one-row legend: in the corner it hid a bin's dot
    low, high = ax.get_ylim()
    ax.set_ylim(low, high + 0.16 * (high - low))
    ax.legend(loc="upper left", ncol=2)
    source_line(ax, f, source)
    return finish(ax, alt_text_within(bins, outcome=outcome, exposure=term,
                                      slope=slope * scale, increment=increment, lang=lang))


def thresholds_near(low: float, high: float) -> dict[str, float]:
    """The IKM category thresholds close enough to the data to draw without flattening it."""
    span = max(high - low, 1.0)
    return {k: v for k, v in IKM_THRESHOLDS.items() if low - 0.6 * span <= v <= high + 0.6 * span}


def _thresholds(ax: Axes, f: Formatter, low: float, high: float) -> None:
    """IKM category thresholds near the data, each labelled where it is drawn."""
    for category, value in thresholds_near(low, high).items():
        ax.axhline(value, color=GREY, linewidth=0.7, linestyle=(0, (3, 3)), zorder=0)
        ax.annotate(f.msg("chart.threshold", category=category, value=f.number(value, 2)),
                    xy=(1, value), xycoords=("axes fraction", "data"), xytext=(-2, 2),
                    textcoords="offset points", ha="right", va="bottom", fontsize=7,
                    color=GREY)


__all__ = ["alt_text_within", "thresholds_near", "within_unit_chart"]
