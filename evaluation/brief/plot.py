"""Figures for notebooks and the brief: one theme, ``ax=None`` in, the ``Axes`` out.

Every figure has a title, axes labelled with their units, a source line and alt text. The
alt text is returned by a companion ``alt_text_*`` function (pure: same inputs, same text) and
is also attached to the returned axes as ``ax.alt_text``. Labels come from the language's
message catalogue (``evaluation/messages/<lang>/brief.yaml``), numbers are formatted with
Babel. Plot functions never save: only :mod:`evaluation.brief` writes figures.

Examples
--------
>>> import pandas as pd
>>> from evaluation import plot
>>> plot.set_theme()
>>> units = pd.DataFrame({"jp_per_asn_lag1": [10, 20, 30, 40], "ikm": [75, 79, 80, 86]})
>>> ax = plot.headline_chart(units, exposure="jp_per_asn_lag1", outcome="ikm", lang="en")
>>> ax.get_xlabel()
'JP of training per ASN per year'
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

# No matplotlib.use() here: in a notebook it would replace the inline backend and drop
# every figure from the executed notebook; without a display matplotlib picks Agg itself.
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, MaxNLocator
from scipy import stats

from .._options import Language, check_option
from ..i18n import Formatter, catalogue, digits_for

#: The brief's accent colours: one blue for data, a grey for context, a red for warnings.
BLUE = "#1d5a8c"
BLUE_LIGHT = "#b9d3ea"
GREY = "#6b7280"
RED = "#b42318"
CATEGORY_COLOURS = {"A": "#1d5a8c", "B": "#5b93c7", "C": "#e0a23b", "D": "#b42318"}
#: IKM category thresholds (PermenPANRB 14/2017), drawn as reference lines on IKM axes.
IKM_THRESHOLDS = {"A": 88.31, "B": 76.61, "C": 65.0}

_LAG = re.compile(r"^(?P<measure>.+?)_lag(?P<lag>\d+)$")


def set_theme() -> None:
    """The one theme of every figure: seaborn's white grid, DejaVu Sans, deterministic SVG.

    Text is drawn as paths in SVG so a figure looks the same without the font installed, and
    the SVG hash salt and metadata are fixed so the same data give byte-identical files.
    """
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="paper", font="DejaVu Sans")
    matplotlib.rcParams.update({
        "figure.dpi": 100,
        "savefig.dpi": 200,
        "axes.titlesize": 11,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "axes.labelsize": 9,
        "axes.edgecolor": "#9ca3af",
        "xtick.labelsize": 8,
        "ytick.labelsize": 8,
        "legend.fontsize": 8,
        "legend.frameon": False,
        "grid.color": "#e5e7eb",
        "svg.fonttype": "path",
        "svg.hashsalt": "evaluation-brief",
        "axes.formatter.use_locale": False,
    })


def axes_or_new(ax: Axes | None, size: tuple[float, float] = (6.4, 3.6)) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def measure_labels(lang: Language, column: str) -> tuple[dict, int | None]:
    match = _LAG.match(column)
    key, lag = (match["measure"], int(match["lag"])) if match else (column, None)
    measures = catalogue(lang)["measures"]
    if key in measures:
        return {**measures["generic"], **measures[key]}, lag
    return {k: str(v).replace("{measure}", key) for k, v in measures["generic"].items()}, lag


def source_line(ax: Axes, f: Formatter, source: str | None) -> str:
    text = f.msg("chart.source", source=source or f.msg("chart.source_default"))
    # wrap to the figure's width (7 pt text: about 17 characters per inch), so a long study
    # title never runs off the right edge; the line starts at the figure's left edge, not the
    # axes' (long category labels pushed the axes right and "DATA SINTETIS" off the edge)
    fig = ax.get_figure(root=True)
    width = max(40, int((fig.get_figwidth() if fig is not None else 6.4) * 16))
    shown = textwrap.fill(text, width=width)
    ax.annotate(shown, xy=(0.01, 0), xycoords=("figure fraction", "axes fraction"),
                xytext=(0, -30), textcoords="offset points", ha="left", va="top", fontsize=7,
                color=GREY)
    return text


def fit_title(ax: Axes) -> None:
    """Wrap the axes' title until it lies inside the figure.

    The theme puts titles at the axes' left edge, which the y-axis label pushes right; a long
    one (the IKU headline's "Capaian IKU menurut JP pelatihan per ASN (tahun sebelumnya),
    2016-2024") ran past the figure's right edge and the SVG cut it. Measured on the drawn
    figure, so it holds for any language, font or layout.
    """
    fig = ax.get_figure(root=True)
    if fig is None:
        return
    # matplotlib keeps the three title positions as separate texts
    places: tuple[tuple[Literal["left", "center", "right"], str], ...] = (
        ("left", "_left_title"), ("center", "title"), ("right", "_right_title"))
    for loc, name in places:
        artist = getattr(ax, name, None)
        text = ax.get_title(loc=loc)
        if artist is None or not text:
            continue
        width = len(text)
        while width > 20:
            fig.draw_without_rendering()
            box, edge = artist.get_window_extent(), fig.bbox
            if box.x0 >= edge.x0 and box.x1 <= edge.x1:
                break
            width = max(20, int(width * 0.85))
            artist.set_text(textwrap.fill(text, width=width))


def finish(ax: Axes, alt: str) -> Axes:
    ax.alt_text = alt  # type: ignore[attr-defined]
    return ax


def apply_axis_format(ax: Axes, f: Formatter, *, x_digits: int = 0, y_digits: int = 0) -> None:
    # Steps of 1, 2, 5 or 10 only, so whole-number tick labels are never rounded (77.5 -> 78).
    ax.xaxis.set_major_locator(MaxNLocator(steps=[1, 2, 5, 10], integer=x_digits == 0))
    ax.yaxis.set_major_locator(MaxNLocator(steps=[1, 2, 5, 10], integer=y_digits == 0))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f.number(v, x_digits)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f.number(v, y_digits)))


# ---- the fitted line -------------------------------------------------------------------------


@dataclass(frozen=True)
class LineFit:
    """An ordinary least-squares line ``y = intercept + slope * x`` with 95% intervals."""

    slope: float
    intercept: float
    slope_low: float
    slope_high: float
    n: int
    x: np.ndarray
    y: np.ndarray
    resid_var: float
    xtx_inv: np.ndarray

    def band(self, grid: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray,
                                                                    np.ndarray]:
        """Fitted values on ``grid`` and the pointwise confidence band of the mean."""
        design = np.column_stack([np.ones_like(grid), grid])
        fitted = design @ np.array([self.intercept, self.slope])
        se = np.sqrt(np.einsum("ij,jk,ik->i", design, self.xtx_inv, design) * self.resid_var)
        t = stats.t.ppf(0.5 + level / 2, self.n - 2)
        return fitted, fitted - t * se, fitted + t * se


def fit_line(x: Sequence[float] | np.ndarray | pd.Series,
             y: Sequence[float] | np.ndarray | pd.Series, level: float = 0.95) -> LineFit | None:
    """Least-squares line through the points, or ``None`` with fewer than three points.

    >>> fit = fit_line([1, 2, 3, 4], [2.0, 4.1, 5.9, 8.0])
    >>> round(fit.slope, 2)
    1.98
    """
    xs = np.asarray(x, dtype=float)
    ys = np.asarray(y, dtype=float)
    keep = np.isfinite(xs) & np.isfinite(ys)
    xs, ys = xs[keep], ys[keep]
    if len(xs) < 3 or np.ptp(xs) == 0:
        return None
    design = np.column_stack([np.ones_like(xs), xs])
    xtx_inv = np.linalg.inv(design.T @ design)
    beta = xtx_inv @ design.T @ ys
    resid = ys - design @ beta
    resid_var = float(resid @ resid / (len(xs) - 2))
    se_slope = float(np.sqrt(resid_var * xtx_inv[1, 1]))
    t = stats.t.ppf(0.5 + level / 2, len(xs) - 2)
    return LineFit(slope=float(beta[1]), intercept=float(beta[0]),
                   slope_low=float(beta[1] - t * se_slope), slope_high=float(beta[1] + t * se_slope),
                   n=len(xs), x=xs, y=ys, resid_var=resid_var, xtx_inv=xtx_inv)


def _visible_units(units_frame: pd.DataFrame, exposure: str, outcome: str
                   ) -> tuple[pd.DataFrame, int]:
    frame = pd.DataFrame(units_frame)
    hidden = 0
    if "suppressed" in frame.columns:
        mask = frame["suppressed"].astype("boolean").fillna(False).astype(bool)
        hidden = int(mask.sum())
        frame = frame.loc[~mask]
    for col in (exposure, outcome):
        if col not in frame.columns:
            frame = frame.assign(**{col: np.nan})
    xy = frame[[exposure, outcome]].apply(pd.to_numeric, errors="coerce").dropna()
    return xy, hidden


def _x_step(lo: float, hi: float) -> float:
    """A round step of the exposure to state a slope in (10 JP rather than 1 JP)."""
    span = hi - lo
    if span <= 0:
        return 1.0
    return float(10 ** np.floor(np.log10(span)))


# ---- headline chart --------------------------------------------------------------------------


def alt_text_headline(units_frame: pd.DataFrame, *, exposure: str, outcome: str,
                      lang: Language = "id") -> str:
    """Alt text of :func:`headline_chart`: what a sighted reader would take from it."""
    check_option("lang", lang, Language)
    f = Formatter(lang)
    xy, _ = _visible_units(units_frame, exposure, outcome)
    x_lab, _ = measure_labels(lang, exposure)
    y_lab, _ = measure_labels(lang, outcome)
    fit = fit_line(xy[exposure], xy[outcome]) if len(xy) else None
    if fit is None:
        return f.msg("chart.alt_headline_empty")
    step = _x_step(float(xy[exposure].min()), float(xy[exposure].max()))
    values = [fit.slope * step, fit.slope_low * step, fit.slope_high * step]
    d = digits_for(*values)
    key = "chart.alt_headline" if fit.slope_low > 0 else "chart.alt_headline_flat"
    return f.msg(
        key, n=f.integer(fit.n), x_label=x_lab["axis"], y_label=y_lab["axis"],
        slope=f.number(values[0], d), low=f.number(values[1], d), high=f.number(values[2], d),
        y_unit=y_lab["unit"], x_step=f.number(step, 0), x_unit=x_lab["unit"],
        exposure_range=f.msg("chart.range", label=x_lab["name"], low=f.number(xy[exposure].min()),
                             high=f.number(xy[exposure].max())),
        outcome_range=f.msg("chart.range", label=y_lab["name"], low=f.number(xy[outcome].min()),
                            high=f.number(xy[outcome].max())),
    )


def headline_chart(units_frame: pd.DataFrame, *, exposure: str, outcome: str,
                   lang: Language = "id", year: int | str | None = None,
                   source: str | None = None, min_cell_size: int | None = None,
                   ax: Axes | None = None) -> Axes:
    """Scatter of units with the least-squares line and its 95% band.

    Parameters
    ----------
    units_frame
        One row per unit (``results["units"]``); rows with ``suppressed`` true are left out
        and counted in a note.
    exposure, outcome
        Column names, e.g. ``"jp_per_asn_lag1"`` and ``"ikm"``; a ``_lagK`` suffix is read as
        the lag for the title.
    lang, year, source, min_cell_size
        Language of the labels; year for the title; source line text; cell size for the note.
    ax
        Axes to draw on; a new figure when ``None``.

    Returns
    -------
    matplotlib.axes.Axes
        With ``ax.alt_text`` set (see :func:`alt_text_headline`).
    """
    check_option("lang", lang, Language)
    f = Formatter(lang)
    ax = axes_or_new(ax)
    xy, hidden = _visible_units(units_frame, exposure, outcome)
    x_lab, lag = measure_labels(lang, exposure)
    y_lab, _ = measure_labels(lang, outcome)
    ax.scatter(xy[exposure], xy[outcome], s=22, color=BLUE, alpha=0.8, linewidths=0.4,
               edgecolors="white", label=f.msg("chart.units_label"), zorder=3)
    fit = fit_line(xy[exposure], xy[outcome]) if len(xy) else None
    if fit is not None:
        grid = np.linspace(fit.x.min(), fit.x.max(), 100)
        fitted, low, high = fit.band(grid)
        ax.fill_between(grid, low, high, color=BLUE_LIGHT, alpha=0.6, linewidth=0, zorder=1,
                        label=f.msg("chart.fit_label"))
        ax.plot(grid, fitted, color=BLUE, linewidth=1.8, zorder=2)
    if outcome == "ikm" and len(xy):
        lo, hi = float(xy[outcome].min()), float(xy[outcome].max())
        for cat, threshold in IKM_THRESHOLDS.items():
            if lo - 3 <= threshold <= hi + 3:
                ax.axhline(threshold, color=GREY, linewidth=0.6, linestyle=(0, (3, 3)), zorder=0)
                ax.annotate(cat, xy=(1, threshold), xycoords=("axes fraction", "data"),
                            xytext=(3, 0), textcoords="offset points", va="center", fontsize=7,
                            color=GREY)
    lag_key = f"chart.lag_label_{lag or 0}"
    lag_label = (f.msg(lag_key) if (lag or 0) <= 1 else f.msg("chart.lag_label", lag=lag))
    ax.set_title(f.msg("chart.headline_title", exposure=x_lab["name"], outcome=y_lab["name"],
                       lag_label=lag_label, year=year if year is not None else "").rstrip(", "))
    ax.set_xlabel(x_lab["axis"])
    ax.set_ylabel(y_lab["axis"])
    apply_axis_format(ax, f)
    ax.legend(loc="lower right")
    source_text = source or f.msg("chart.source_default")
    if hidden and min_cell_size:
        source_text += "; " + f.msg("chart.hidden", n=hidden, k=min_cell_size)
    source_line(ax, f, source_text)
    return finish(ax, alt_text_headline(units_frame, exposure=exposure, outcome=outcome,
                                         lang=lang))


# ---- event study -----------------------------------------------------------------------------


def alt_text_event_study(frame: pd.DataFrame, *, lang: Language = "id") -> str:
    f = Formatter(lang)
    frame = pd.DataFrame(frame)
    estimators = sorted(frame["estimator"].dropna().unique()) if "estimator" in frame else []
    pre = frame.loc[frame["event_time"] < 0, "estimate"]
    post = frame.loc[frame["event_time"] >= 0, "estimate"]
    n_per = int(frame.groupby("estimator").size().max()) if estimators else len(frame)
    return f.msg("chart.alt_event", n=n_per, estimators=", ".join(map(str, estimators)) or "-",
                 first=int(frame["event_time"].min()), last=int(frame["event_time"].max()),
                 pre_low=f.number(pre.min()), pre_high=f.number(pre.max()),
                 post_low=f.number(post.min()), post_high=f.number(post.max()))


def event_study_plot(frame: pd.DataFrame, *, lang: Language = "id", outcome: str = "ikm",
                     source: str | None = None, ax: Axes | None = None) -> Axes:
    """Estimates by year relative to the programme start, with 95% intervals, per estimator.

    ``frame`` has columns ``event_time, estimate, conf_low, conf_high`` and optionally
    ``estimator`` (one series each, dodged sideways so intervals do not overlap).
    """
    check_option("lang", lang, Language)
    f = Formatter(lang)
    ax = axes_or_new(ax)
    frame = pd.DataFrame(frame).copy()
    if "estimator" not in frame:
        frame["estimator"] = "estimate"
    groups = list(frame.groupby("estimator", sort=True))
    colours = [BLUE, "#e0a23b", GREY, RED]
    width = 0.15 * (len(groups) - 1)
    for i, (name, g) in enumerate(groups):
        shift = -width / 2 + i * 0.15 if len(groups) > 1 else 0.0
        g = g.sort_values("event_time")
        x = g["event_time"].to_numpy(float) + shift
        ax.errorbar(x, g["estimate"], yerr=[g["estimate"] - g["conf_low"],
                                            g["conf_high"] - g["estimate"]],
                    fmt="o", color=colours[i % len(colours)], markersize=4, capsize=2,
                    linewidth=1, label=str(name))
    ax.axhline(0, color=GREY, linewidth=0.8)
    ax.axvline(-0.5, color=GREY, linewidth=0.8, linestyle=(0, (3, 3)))
    y_lab, _ = measure_labels(lang, outcome)
    ax.set_title(f.msg("chart.event_title", outcome=y_lab["name"]))
    ax.set_xlabel(f.msg("chart.event_x"))
    ax.set_ylabel(f.msg("chart.event_y", outcome=y_lab["name"], unit=y_lab["unit"]))
    apply_axis_format(ax, f, y_digits=1)
    if len(groups) > 1:
        ax.legend(loc="upper left")
    source_line(ax, f, source)
    return finish(ax, alt_text_event_study(frame, lang=lang))


# ---- binned scatter --------------------------------------------------------------------------


def alt_text_binned(frame: pd.DataFrame, *, lang: Language = "id", x: str = "x",
                    y: str = "y") -> str:
    f = Formatter(lang)
    frame = pd.DataFrame(frame)
    x_lab, _ = measure_labels(lang, x)
    y_lab, _ = measure_labels(lang, y)
    return f.msg("chart.alt_binned", n=len(frame), y=y_lab["name"],
                 low=f.number(frame["y"].min()), high=f.number(frame["y"].max()))


def binned_scatter_plot(frame: pd.DataFrame, *, lang: Language = "id", x: str = "jp_per_asn",
                        y: str = "ikm", source: str | None = None, ax: Axes | None = None
                        ) -> Axes:
    """Mean outcome per bin of the exposure, with 95% intervals; marker area follows ``n``.

    ``frame`` has columns ``x, y, n, conf_low, conf_high`` (``results["dose_response"]``);
    ``x`` and ``y`` name the measures for the labels.
    """
    check_option("lang", lang, Language)
    f = Formatter(lang)
    ax = axes_or_new(ax)
    frame = pd.DataFrame(frame).sort_values("x")
    x_lab, _ = measure_labels(lang, x)
    y_lab, _ = measure_labels(lang, y)
    if {"conf_low", "conf_high"} <= set(frame.columns):
        ax.vlines(frame["x"], frame["conf_low"], frame["conf_high"], color=BLUE_LIGHT,
                  linewidth=2)
    sizes = 12 + 60 * frame["n"] / frame["n"].max() if "n" in frame else 30
    ax.scatter(frame["x"], frame["y"], s=sizes, color=BLUE, zorder=3)
    ax.set_title(f.msg("chart.binned_title", y=y_lab["name"], x=x_lab["name"]))
    ax.set_xlabel(x_lab["axis"])
    ax.set_ylabel(y_lab["axis"])
    apply_axis_format(ax, f)
    source_line(ax, f, source)
    return finish(ax, alt_text_binned(frame, lang=lang, x=x, y=y))


# ---- estimate across years (batch index page) -------------------------------------------------


def alt_text_across_years(frame: pd.DataFrame, *, lang: Language = "id") -> str:
    f = Formatter(lang)
    frame = pd.DataFrame(frame)
    n_zero = int(((frame["conf_low"] <= 0) & (frame["conf_high"] >= 0)).sum())
    d = digits_for(frame["estimate"].min(), frame["estimate"].max())
    return f.msg("chart.alt_years", n=len(frame), first=int(frame["year"].min()),
                 last=int(frame["year"].max()), low=f.number(frame["estimate"].min(), d),
                 high=f.number(frame["estimate"].max(), d), n_zero=n_zero)


def estimate_across_years_plot(frame: pd.DataFrame, *, lang: Language = "id",
                               outcome: str = "ikm", source: str | None = None,
                               ax: Axes | None = None) -> Axes:
    """The headline estimate of each brief year with its 95% interval (batch index page).

    ``frame`` has columns ``year, estimate, conf_low, conf_high``; intervals through zero are
    drawn in grey, the others in blue.
    """
    check_option("lang", lang, Language)
    f = Formatter(lang)
    ax = axes_or_new(ax)
    frame = pd.DataFrame(frame).sort_values("year")
    through_zero = (frame["conf_low"] <= 0) & (frame["conf_high"] >= 0)
    for zero, g in frame.groupby(through_zero):
        ax.errorbar(g["year"], g["estimate"], yerr=[g["estimate"] - g["conf_low"],
                                                    g["conf_high"] - g["estimate"]],
                    fmt="o", color=GREY if zero else BLUE, capsize=2, markersize=4)
    ax.axhline(0, color=GREY, linewidth=0.8)
    y_lab, _ = measure_labels(lang, outcome)
    ax.set_title(f.msg("chart.years_title"))
    ax.set_xlabel(f.msg("chart.years_x"))
    ax.set_ylabel(f.msg("chart.years_y", unit=y_lab["unit"]))
    ax.set_xticks(frame["year"].astype(int).tolist())
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: str(int(v))))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f.number(v, 2)))
    source_line(ax, f, source)
    return finish(ax, alt_text_across_years(frame, lang=lang))


# ---- IKM categories --------------------------------------------------------------------------


def alt_text_categories(categories: Sequence[Mapping], *, lang: Language = "id") -> str:
    f = Formatter(lang)
    label_key = "label_en" if lang == "en" else "label_id"
    parts = [f"{c.get('category')} ({c.get(label_key, '')}) {f.integer(c.get('n_units'))}"
             for c in categories]
    return f.msg("chart.alt_categories", parts=", ".join(parts))


def ikm_category_plot(categories: Sequence[Mapping], *, lang: Language = "id",
                      year: int | str | None = None, source: str | None = None,
                      ax: Axes | None = None) -> Axes:
    """Horizontal bars: number of units per IKM category (``descriptives.ikm_categories``)."""
    check_option("lang", lang, Language)
    f = Formatter(lang)
    ax = axes_or_new(ax, size=(6.4, 2.2))
    label_key = "label_en" if lang == "en" else "label_id"
    cats = list(categories)[::-1]
    labels = [f"{c.get('category')} · {c.get(label_key, '')}" for c in cats]
    counts = [c.get("n_units") or 0 for c in cats]
    colours = [CATEGORY_COLOURS.get(str(c.get("category")), GREY) for c in cats]
    bars = ax.barh(labels, counts, color=colours)
    ax.bar_label(bars, labels=[f.integer(n) for n in counts], padding=3, fontsize=8)
    ax.set_title(f.msg("chart.categories_title", year=year if year is not None else ""))
    ax.set_xlabel(f.msg("chart.categories_x"))
    ax.set_ylabel(f.msg("table.category"))
    ax.grid(axis="y", visible=False)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f.number(v, 0)))
    source_line(ax, f, source)
    return finish(ax, alt_text_categories(categories, lang=lang))


__all__ = [
    "LineFit",
    "alt_text_across_years",
    "alt_text_binned",
    "alt_text_categories",
    "alt_text_event_study",
    "alt_text_headline",
    "binned_scatter_plot",
    "estimate_across_years_plot",
    "event_study_plot",
    "fit_line",
    "headline_chart",
    "ikm_category_plot",
    "apply_axis_format",
    "axes_or_new",
    "finish",
    "measure_labels",
    "set_theme",
    "source_line",
]
