"""``by_sector``: the headline within each sector, with the power each has (issue 13, item 7).

Each sector's estimate (the headline's specification on that sector's units) comes with its
minimum detectable effect, so that a small sector's wide interval reads as "too little data"
(``detectable`` false: it could not have detected an effect the size of the city-wide one),
not as "no effect"; one model with an exposure per sector tests whether sectors differ and
gives partially pooled estimates (:func:`~evaluation.estimate.by_subgroup`).
"""

from __future__ import annotations

import warnings
from typing import Any

from ...estimate import by_subgroup
from ...estimate.results import json_safe
from ..context import AnalysisContext
from ..steps import HEADLINE_SCALE, design_for

GROUP = "sector"


def _times(value: Any, scale: float) -> float | None:
    return float(value) * scale if isinstance(value, int | float) else None


def build(ctx: AnalysisContext) -> dict[str, Any] | None:
    """The ``by_sector`` block of results.json (documented in docs/results-json.md)."""
    if GROUP not in ctx.window.columns or ctx.window[GROUP].nunique() < 2:
        return {"available": False, "reason": "the study has fewer than two sectors"}
    d = design_for(ctx.config, ctx.window, seed=ctx.seed, reps=ctx.options.get("reps", 9999),
                   chain_reps=0, mde_reps=ctx.options.get("mde_reps", 500), staggered_reps=0)
    reference = None
    if ctx.headline is not None:
        reference = float(ctx.headline.coef(d.term))
    controls = [c for c in d.controls if c != GROUP]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = by_subgroup(ctx.window, d.outcome, d.exposure, d.unit, d.time, group=GROUP,
                          lag=d.lag, controls=controls, inference="auto", reps=d.reps,
                          mde_reps=d.mde_reps, reference=reference, seed=d.seed)
    scale = HEADLINE_SCALE.get(d.exposure, 1.0)
    rows = []
    for row in res.rows:
        scaled = {k: _times(row.get(k), scale) for k in ("estimate", "conf_low", "conf_high", "mde")}
        rows.append({**row, "scale": scale, "scaled": scaled})
    out = res.to_dict()
    return json_safe({
        "available": True, "group": GROUP, "outcome": d.outcome, "exposure": d.exposure,
        "lag": d.lag, "reference_effect": reference, "scale": scale,
        "mde_alpha": out["mde_alpha"], "mde_power": out["mde_power"],
        "min_units": out["min_units"], "sectors": rows,
        "difference_test": out["difference_test"], "pooled": out["pooled"],
    })
