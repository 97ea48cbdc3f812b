"""Interactive exploration for ``notebooks/01_explore.ipynb``: choices, views, an estimate.

``choices`` lists the measures (with their role in the study) and the sectors a researcher can
pick; ``select`` (pure) filters the panel to a sector and years, with the exposure lagged;
``explore_figure`` draws the three views (trend, distribution, relationship) in the chosen
language, with a legend for highlighted units; ``estimate_selection`` runs the headline's
fixed-effects model on the selection (e.g. one sector). ``explorer`` wraps them in
ipywidgets pickers, but only when a frontend is attached: a headless run (papermill,
nbconvert) never creates a widget, so it can never wait on one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from .._options import Language, check_option
from ..columns import is_shifted, lag_column
from ..config import StudyConfig
from ..errors import EvaluationError
from ..estimate import PanelFEResult, panel_fe
from ..i18n import Formatter
from .sentences import lag_earlier, measure


def choices(panel: pd.DataFrame, config: StudyConfig | None = None, *,
            lang: Language = "id") -> tuple[pd.DataFrame, pd.DataFrame]:
    """The measures one can plot (column, name, role) and the sectors (with unit counts)."""
    check_option("lang", lang, Language)
    f = Formatter(lang)
    x = f.cat["explore"]
    roles: dict[str, str] = {}
    if config is not None:
        for role in ("investment", "quality", "outcome", "control"):
            for m in getattr(config.measures, role):
                roles[m] = role
    numeric = [c for c in panel.select_dtypes("number").columns
               if not is_shifted(c) and c != "year"]
    measures = pd.DataFrame({
        x["choices_column"]: numeric,
        x["choices_measure"]: [measure(f, c)["name"] for c in numeric],
        x["choices_role"]: [x["roles"][roles.get(c, "other")] for c in numeric],
    }).sort_values([x["choices_role"], x["choices_column"]], ignore_index=True)
    sectors = (panel.groupby("sector", observed=True)["unit_id"].nunique()
               .rename(x["choices_units"]).rename_axis(x["choices_sector"]).reset_index()
               if "sector" in panel else pd.DataFrame())
    return measures, sectors


def select(panel: pd.DataFrame, *, sector: str = "", units: Sequence[str] = (),
           first_year: int = 0, last_year: int = 0, measure: str = "ikm",
           exposure: str = "jp_per_asn", lag: int = 1) -> pd.DataFrame:
    """Rows of ``panel`` for a sector and years, with ``exposure`` lagged ``lag`` years.

    Adds ``x`` (the lagged exposure), ``y`` (the measure) and ``highlight`` (unit in
    ``units``). Raises ``KeyError`` naming the missing column or sector.
    """
    x_col = lag_column(exposure, lag)
    for col in (x_col, measure):
        if col not in panel.columns:
            raise KeyError(f"{col!r} is not a panel column; columns: {sorted(panel.columns)}")
    frame = panel
    if sector:
        known = sorted(str(s) for s in panel["sector"].dropna().unique())
        if sector not in known:
            raise KeyError(f"sector {sector!r} is not in this study; sectors: {known}")
        frame = frame[frame["sector"] == sector]
    if first_year:
        frame = frame[frame["year"] >= first_year]
    if last_year:
        frame = frame[frame["year"] <= last_year]
    frame = frame.assign(x=frame[x_col], y=frame[measure],
                         highlight=frame["unit_id"].isin(list(units)))
    return frame.reset_index(drop=True)


def explore_figure(frame: pd.DataFrame, *, measure: str, exposure: str, lag: int,
                   lang: Language = "id") -> Figure:
    """Trend by year (mean and 95% band, highlighted units named in a legend),
    distribution, and the relationship with a linear fit; labels in ``lang``."""
    check_option("lang", lang, Language)
    f = Formatter(lang)
    x = f.cat["explore"]
    y_name, x_name = _name(f, measure), _name(f, exposure)
    fig, axes = plt.subplots(1, 3, figsize=(14, 4))
    sns.lineplot(data=frame, x="year", y="y", errorbar=("ci", 95), ax=axes[0],
                 label=x["all_units"], color="#1d5a8c")
    picked = frame[frame["highlight"]]
    if not picked.empty:
        names = picked["unit_name"] if "unit_name" in picked else picked["unit_id"]
        sns.lineplot(data=picked.assign(unit=names), x="year", y="y", hue="unit", ax=axes[0],
                     linewidth=0.9, palette="tab10")
        axes[0].legend(title=x["highlighted"], fontsize=7, title_fontsize=7)
    axes[0].set(title=x["trend"].format(measure=y_name), xlabel=x["year"], ylabel=y_name)
    sns.histplot(data=frame, x="y", ax=axes[1], color="#5b93c7")
    axes[1].set(title=x["distribution"].format(measure=y_name), xlabel=y_name,
                ylabel=x["unit_years"])
    sns.regplot(data=frame, x="x", y="y", ax=axes[2], scatter_kws={"s": 10, "alpha": 0.5},
                color="#1d5a8c")
    axes[2].set(title=x["scatter"].format(measure=y_name, exposure=x_name,
                                          lag_earlier=lag_earlier(f, lag)),
                xlabel=f"{x_name} ({lag_earlier(f, lag)})", ylabel=y_name)
    fig.tight_layout()
    return fig


def _name(f: Formatter, column: str) -> str:
    return measure(f, column)["name"]


def estimate_selection(frame: pd.DataFrame, *, measure: str, exposure: str, lag: int,
                       reps: int = 999, seed: int = 2026) -> PanelFEResult:
    """The headline's model on a selection (``select``'s rows, e.g. one sector): ``measure``
    on ``exposure`` lagged ``lag`` years, unit and year fixed effects, clustered by unit
    (wild bootstrap below 50 clusters)."""
    return panel_fe(frame, measure, [lag_column(exposure, lag)], "unit_id", "year",
                    cluster="unit_id", inference="auto", reps=reps, seed=seed)


def has_frontend() -> bool:
    """Whether a person is looking: a frontend that can show widgets is attached.

    Headless clients (papermill, nbconvert, nbclient) send ``allow_stdin=False`` with every
    execute request; JupyterLab and the classic notebook send ``True``.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with the kernel
        return False
    shell = get_ipython()
    kernel = getattr(shell, "kernel", None)
    return bool(getattr(kernel, "_allow_stdin", False))


def explorer(panel: pd.DataFrame, *, sector: str = "", units: Sequence[str] = (),
             first_year: int = 0, last_year: int = 0, measure: str = "ikm",
             exposure: str = "jp_per_asn", lag: int = 1, lang: Language = "id") -> Any:
    """Pickers (sector, units, years, measure, exposure, lag) redrawing the three views, and a
    button estimating the model for the selection. Without a frontend: a short note only."""
    check_option("lang", lang, Language)
    x = Formatter(lang).cat["explore"]
    if not has_frontend():
        return x["no_widgets"]
    return _widgets(panel, sector=sector, units=units, first_year=first_year,
                    last_year=last_year, measure=measure, exposure=exposure, lag=lag, lang=lang)


def _widgets(panel: pd.DataFrame, *, sector: str, units: Sequence[str], first_year: int,
             last_year: int, measure: str, exposure: str, lag: int, lang: Language) -> Any:
    import ipywidgets as w
    from IPython.display import display

    f = Formatter(lang)
    x = f.cat["explore"]
    labels = x["widgets"]
    numeric = sorted(c for c in panel.select_dtypes("number").columns
                     if not is_shifted(c) and c != "year")
    years = sorted(int(y) for y in panel["year"].unique())
    unit_names = (panel.drop_duplicates("unit_id").set_index("unit_id")["unit_name"]
                  if "unit_name" in panel else pd.Series(dtype=str))
    controls = {
        "sector": w.Dropdown(options=[(x["sector_all"], ""),
                                      *[(s, s) for s in sorted(panel["sector"].dropna().unique())]],
                             value=sector, description=labels["sector"]),
        "units": w.SelectMultiple(options=[(unit_names.get(u, u), u)
                                           for u in sorted(panel["unit_id"].unique())],
                                  value=tuple(units), description=labels["units"], rows=5),
        "years": w.IntRangeSlider(min=years[0], max=years[-1],
                                  value=(first_year or years[0], last_year or years[-1]),
                                  description=labels["years"]),
        "measure": w.Dropdown(options=[(_name(f, c), c) for c in numeric], value=measure,
                              description=labels["measure"]),
        "exposure": w.Dropdown(options=[(_name(f, c), c) for c in numeric], value=exposure,
                               description=labels["exposure"]),
        "lag": w.IntSlider(min=0, max=5, value=lag, description=labels["lag"]),
    }
    out, result = w.Output(), w.Output()
    button = w.Button(description=x["estimate_button"])

    def current() -> pd.DataFrame:
        return select(panel, sector=controls["sector"].value, units=controls["units"].value,
                      first_year=controls["years"].value[0],
                      last_year=controls["years"].value[1],
                      measure=controls["measure"].value, exposure=controls["exposure"].value,
                      lag=controls["lag"].value)

    def redraw(_change: object = None) -> None:
        with out:
            out.clear_output(wait=True)
            try:
                fig = explore_figure(current(), measure=controls["measure"].value,
                                     exposure=controls["exposure"].value,
                                     lag=controls["lag"].value, lang=lang)
                display(fig)
                plt.close(fig)
            except KeyError as exc:
                print(exc)

    def estimate(_button: object = None) -> None:
        with result:
            result.clear_output(wait=True)
            try:
                display(estimate_selection(current(), measure=controls["measure"].value,
                                           exposure=controls["exposure"].value,
                                           lag=controls["lag"].value))
            except (KeyError, EvaluationError) as exc:
                print(exc)

    for c in controls.values():
        c.observe(redraw, names="value")
    button.on_click(estimate)
    redraw()
    return w.VBox([w.HBox(list(controls.values())[:3]), w.HBox(list(controls.values())[3:]),
                   out, button, result])


__all__ = ["choices", "estimate_selection", "explore_figure", "explorer", "has_frontend",
           "select"]
