"""``scenario``: what a training-budget change would buy, if the association held (issue 13,
item 2).

Three scenarios on the brief year's units: the budget cut by 10%, raised by 25%, and every
ASN reaching the 20-JP entitlement (:func:`~evaluation.estimate.scenario`): per unit the JP
bought at its own cost per JP (constant prices), the cost, and the implied IKM change through
the headline with its interval; units ranked by gap to the entitlement and by cost per JP.
When the headline is not estimable or its interval includes zero, IKM figures are refused
with the reason and only the JP and costs are given. The same function serves the
``evaluation scenario`` command (:func:`unit_inputs`, :func:`headline_effect`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ...config import StudyConfig
from ...estimate import PanelFEResult, ScenarioResult, scenario
from ...estimate.results import json_safe
from ...indicators import credited_jp
from ...study import Study
from ..context import AnalysisContext
from ..steps import lagged

#: The scenarios results.json always carries: (name, budget change, target).
DEFAULT_SCENARIOS: tuple[tuple[str, float | None, str | None], ...] = (
    ("budget_minus_10", -0.10, None),
    ("budget_plus_25", 0.25, None),
    ("entitlement", None, "entitlement"),
)
UNIT_FIELDS = ("unit_id", "unit_name", "asn_count", "jp_total", "jp_per_asn", "spend_real",
               "ikm", "share_20jp")


def headline_effect(config: StudyConfig, headline: PanelFEResult | None
                    ) -> dict[str, Any] | None:
    """The headline's dose-response (IKM points per JP per ASN a year earlier) as the
    scenario uses it, or ``None`` when it could not be estimated."""
    if headline is None:
        return None
    term = lagged(config.headline.exposure, config.headline.lag)
    row = headline.tidy().set_index("term").loc[term].to_dict()
    return {"term": term, "estimate": float(row["estimate"]),
            "conf_low": float(row["conf_low"]), "conf_high": float(row["conf_high"]),
            "prob_positive": float(row["prob_positive"]), "inference": str(row["inference"]),
            "conf_level": headline.conf_level}


def _entitlement_gap(study: Study, year: int, entitlement: float, asn: pd.Series,
                     trained: pd.Series) -> pd.Series | None:
    """JP needed per unit for every ASN to reach ``entitlement`` in ``year``: the shortfall
    of each trained person plus ``entitlement`` for each ASN without training."""
    events = study.tables.get("training")
    by_engine = study.aggregates.entitlement_short if study.aggregates is not None else None
    if events is None and by_engine is not None:
        # loaded out of core: the same sum, made where the records lie (load_study)
        short = by_engine[by_engine["year"] == year].set_index("unit_id")["jp_short"]
    elif events is None or "nip" not in events.columns:
        return None
    else:
        ev = events[events["year"] == year]
        jp, _ = credited_jp(ev, config=study.config)
        person = pd.DataFrame({"unit_id": ev["unit_id"].to_numpy(),
                               "nip": ev["nip"].to_numpy(), "jp": jp.to_numpy(dtype=float)})
        per_person = person.groupby(["unit_id", "nip"], observed=True)["jp"].sum()
        short = (entitlement - per_person).clip(lower=0).groupby(level="unit_id").sum()
    untrained = (asn - trained).clip(lower=0) * entitlement
    return untrained.add(short.reindex(asn.index), fill_value=0.0)


def unit_inputs(study: Study, panel_year: pd.DataFrame, year: int) -> pd.DataFrame:
    """The brief year's units as :func:`~evaluation.estimate.scenario` reads them, with the
    JP gap to the entitlement when person-level records exist."""
    cols = [c for c in UNIT_FIELDS if c in panel_year.columns]
    units = panel_year[cols].reset_index(drop=True)
    entitlement = float(study.config.jp.entitlement)
    if "n_trained" in panel_year.columns:
        asn = pd.Series(panel_year["asn_count"].to_numpy(dtype=float),
                        index=panel_year["unit_id"].to_numpy())
        trained = pd.Series(panel_year["n_trained"].to_numpy(dtype=float), index=asn.index)
        gap = _entitlement_gap(study, year, entitlement, asn, trained)
        if gap is not None:
            units["jp_gap_entitlement"] = gap.reindex(units["unit_id"]).to_numpy()
    return units


def _block(res: ScenarioResult, name: str, min_cell: int) -> dict[str, Any]:
    table = res.table.copy()
    small = table["asn_count"] < min_cell
    if small.any():
        # a unit this small would let a person-level shortfall be read off: suppress it
        for col in ("jp_gap_entitlement", "gap_per_asn"):
            if col in table.columns:
                table[col] = table[col].astype("float64").where(~small, np.nan)
        table["suppressed"] = small
    meta = res.to_dict()
    return {"name": name, "budget_change": meta["budget_change"], "target": meta["target"],
            "totals": meta["totals"], "units": json_safe(table)}


def build(ctx: AnalysisContext) -> dict[str, Any] | None:
    """The ``scenario`` block of results.json (documented in docs/results-json.md)."""
    units = unit_inputs(ctx.study, ctx.panel_year, ctx.year)
    effect = headline_effect(ctx.config, ctx.headline)
    blocks, refusal = [], None
    for name, change, target in DEFAULT_SCENARIOS:
        if target == "entitlement" and "jp_gap_entitlement" not in units.columns:
            continue
        res = scenario(units, effect, budget_change=change,
                       target="entitlement" if target else None,
                       entitlement=float(ctx.config.jp.entitlement))
        refusal = res.refusal
        blocks.append(_block(res, name, ctx.min_cell_size))
    first = blocks[0]["units"] if blocks else []
    return json_safe({
        "available": True, "refused": refusal is not None, "refusal": refusal,
        "effect": effect, "entitlement": float(ctx.config.jp.entitlement),
        "price_base_year": getattr(ctx.config, "price_base_year", None),
        "scenarios": blocks,
        "rank_by_gap": [u["unit_id"] for u in sorted(first, key=lambda u: u["rank_gap"] or 1e9)],
        "rank_by_cost_per_jp": [u["unit_id"] for u in sorted(
            first, key=lambda u: u["rank_cost_per_jp"] or 1e9)],
        "assumptions": ["association_causal_and_linear", "constant_cost_per_jp",
                        "budget_scales_paid_and_free_jp_alike"],
        "entitlement_available": any(b["target"] == "entitlement" for b in blocks),
    })
