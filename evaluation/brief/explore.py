"""Interactive exploration for ``notebooks/01_explore.ipynb``: pickers and seaborn views.

``select`` (pure) filters the panel to a sector, years and a lag; ``explore_figure``
draws the three views (trend, distribution, scatter with fit) for one selection;
``explorer`` wraps them in ipywidgets pickers for JupyterLab. Run headless (papermill,
the tests), a notebook shows ``explore_figure`` for its parameters, so its output is
complete without a widget frontend.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..columns import is_shifted, lag_column


def select(panel: pd.DataFrame, *, sector: str = "", units: Sequence[str] = (),
           first_year: int = 0, last_year: int = 0, measure: str = "ikm",
           exposure: str = "jp_per_asn", lag: int = 1) -> pd.DataFrame:
    """Rows of ``panel`` for a sector and years, with ``exposure`` lagged ``lag`` years.

    Adds ``x`` (the lagged exposure), ``y`` (the measure) and ``highlight`` (unit in
    ``units``). Raises ``KeyError`` naming the missing column.
    """
    x_col = lag_column(exposure, lag)
    for col in (x_col, measure):
        if col not in panel.columns:
            raise KeyError(f"{col!r} is not a panel column; columns: {sorted(panel.columns)}")
    frame = panel
    if sector:
        frame = frame[frame["sector"] == sector]
    if first_year:
        frame = frame[frame["year"] >= first_year]
    if last_year:
        frame = frame[frame["year"] <= last_year]
    frame = frame.assign(x=frame[x_col], y=frame[measure],
                         highlight=frame["unit_id"].isin(list(units)))
    return frame.reset_index(drop=True)


def explore_figure(frame: pd.DataFrame, *, measure: str, exposure: str, lag: int):
    """Trend by year (mean and 95% band), distribution, and scatter with a linear fit."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    fig, axes = plt.subplots(1, 3, figsize=(14, 4))
    sns.lineplot(data=frame, x="year", y="y", errorbar=("ci", 95), ax=axes[0])
    if frame["highlight"].any():
        sns.lineplot(data=frame[frame["highlight"]], x="year", y="y", hue="unit_id",
                     ax=axes[0], legend=False, linewidth=0.8)
    axes[0].set(title=f"{measure}: trend", xlabel="year", ylabel=measure)
    sns.histplot(data=frame, x="y", ax=axes[1])
    axes[1].set(title=f"{measure}: distribution", xlabel=measure, ylabel="unit-years")
    sns.regplot(data=frame, x="x", y="y", ax=axes[2], scatter_kws={"s": 10, "alpha": 0.5})
    axes[2].set(title=f"{measure} vs {exposure} (lag {lag})", xlabel=lag_column(exposure, lag),
                ylabel=measure)
    fig.tight_layout()
    return fig


def explorer(panel: pd.DataFrame, *, sector: str = "", units: Sequence[str] = (),
             first_year: int = 0, last_year: int = 0, measure: str = "ikm",
             exposure: str = "jp_per_asn", lag: int = 1):
    """Pickers (sector, units, years, measure, exposure, lag) redrawing the three views."""
    import ipywidgets as w
    import matplotlib.pyplot as plt
    from IPython.display import display

    numeric = sorted(c for c in panel.select_dtypes("number").columns
                     if not is_shifted(c) and c != "year")
    years = sorted(int(y) for y in panel["year"].unique())
    controls = {
        "sector": w.Dropdown(options=["", *sorted(panel["sector"].dropna().unique())],
                             value=sector, description="sector"),
        "units": w.SelectMultiple(options=sorted(panel["unit_id"].unique()), value=tuple(units),
                                  description="units", rows=5),
        "years": w.IntRangeSlider(min=years[0], max=years[-1],
                                  value=(first_year or years[0], last_year or years[-1]),
                                  description="years"),
        "measure": w.Dropdown(options=numeric, value=measure, description="measure"),
        "exposure": w.Dropdown(options=numeric, value=exposure, description="exposure"),
        "lag": w.IntSlider(min=0, max=5, value=lag, description="lag"),
    }
    out = w.Output()

    def redraw(_change=None):
        with out:
            out.clear_output(wait=True)
            try:
                frame = select(panel, sector=controls["sector"].value,
                               units=controls["units"].value,
                               first_year=controls["years"].value[0],
                               last_year=controls["years"].value[1],
                               measure=controls["measure"].value,
                               exposure=controls["exposure"].value, lag=controls["lag"].value)
                fig = explore_figure(frame, measure=controls["measure"].value,
                                     exposure=controls["exposure"].value,
                                     lag=controls["lag"].value)
                display(fig)
                plt.close(fig)
            except KeyError as exc:
                print(exc)

    for c in controls.values():
        c.observe(redraw, names="value")
    redraw()
    return w.VBox([w.HBox(list(controls.values())[:3]), w.HBox(list(controls.values())[3:]), out])


__all__ = ["explore_figure", "explorer", "select"]
