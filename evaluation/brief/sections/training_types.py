"""``by_training_type``: which training goes with better service (issue 13, item 1).

One model per grouping, with the JP per ASN of each kind as exposures at the headline's lag,
controls, clustering and inference (:func:`~evaluation.estimate.compare_exposures`):
competency type (teknis, manajerial, sosial kultural) and learning path (klasikal,
nonklasikal). Each gives the estimates, a test that they differ, partially pooled estimates
and the probability that each kind is the largest. Learning paths and topics (``study.yaml``
``topics:``, e.g. IT training) can matter only through what their training teaches, so each
also gets its estimate *given the competency types* (added to the type model): the learning
path as its nonklasikal JP, each topic as its own JP. The JP per ASN of a kind is the panel's
``jp_per_asn_<kind>`` (``jp_per_asn_topic_<name>``) column; for types and paths, a panel
without them gives the share of JP of that kind times JP per ASN (the same number).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import pandas as pd

from ...errors import EstimationError
from ...estimate import compare_exposures, panel_fe
from ...estimate.results import json_safe
from ..context import AnalysisContext
from ..steps import HEADLINE_SCALE, design_for, lagged

COMPETENCY_TYPES = ("teknis", "manajerial", "sosial_kultural")
LEARNING_PATHS = ("klasikal", "nonklasikal")


def kind_columns(window: pd.DataFrame, kinds: Sequence[str], *, topic: bool = False
                 ) -> tuple[pd.DataFrame, list[str], str]:
    """``window`` with a ``jp_per_asn_<kind>`` column for each kind, the column names and
    where they came from (``"panel"`` or ``"shares"``)."""
    prefix = "jp_per_asn_topic_" if topic else "jp_per_asn_"
    cols = [f"{prefix}{k}" for k in kinds]
    if all(c in window.columns for c in cols):
        empty = [k for k, c in zip(kinds, cols, strict=True) if window[c].isna().all()]
        if empty:  # a training_summary without that part: not zero, not reported
            raise EstimationError(
                f"no JP per ASN of {empty} in any unit-year: the training records (or the "
                f"training_summary's jp_<kind> columns) do not give them; add "
                f"{[f'jp_{k}' for k in empty]} to training_summary to compare kinds.")
        return window, cols, "panel"
    shares = [f"share_jp_{k}" for k in kinds]
    if topic or not all(s in window.columns for s in shares):
        raise EstimationError(
            f"no JP per ASN by {'topic' if topic else 'kind'} for {list(kinds)}: the panel "
            f"has neither {cols} nor {shares}.")
    extra = {c: window["jp_per_asn"] * window[s] for c, s in zip(cols, shares, strict=True)}
    return window.assign(**extra), cols, "shares"


def missing_parts(window: pd.DataFrame) -> dict[str, list[str]]:
    """grouping -> the kinds with no JP in any unit-year (neither ``jp_per_asn_<kind>`` nor
    ``share_jp_<kind>``): what the data would need to compare that grouping. A
    ``training_summary`` giving all parts but one has none missing (the last is the total
    minus the others), so a grouping here lacks two or more."""
    def given(kind: str) -> bool:
        return any(c in window.columns and window[c].notna().any()
                   for c in (f"jp_per_asn_{kind}", f"share_jp_{kind}"))
    out = {name: [k for k in kinds if not given(k)]
           for name, kinds in (("competency_type", COMPETENCY_TYPES),
                               ("learning_path", LEARNING_PATHS))}
    return {name: kinds for name, kinds in out.items() if kinds}


def _grouping(ctx: AnalysisContext, kinds: Sequence[str], *, topic: bool = False
              ) -> dict[str, Any]:
    d = design_for(ctx.config, ctx.window, seed=ctx.seed, reps=ctx.options.get("reps", 9999),
                   chain_reps=0, mde_reps=0, staggered_reps=0)
    frame, cols, source = kind_columns(ctx.window, kinds, topic=topic)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = compare_exposures(frame, d.outcome, cols, d.unit, d.time, lag=d.lag,
                                labels=list(kinds), controls=list(d.controls),
                                cluster=d.cluster, inference="auto", reps=d.reps, seed=d.seed)
    scale = HEADLINE_SCALE.get(d.exposure, 1.0)
    rows = []
    for row, col in zip(res.table.to_dict(orient="records"), cols, strict=True):
        rows.append({**row, "column": col, "scale": scale,
                     "mean_jp_per_asn": float(frame.loc[frame[d.time] == ctx.year, col].mean()),
                     "scaled": {k: None if row[k] is None else row[k] * scale for k in
                                ("estimate", "conf_low", "conf_high", "shrunken_estimate",
                                 "shrunken_low", "shrunken_high")}})
    meta = res.to_dict()
    return json_safe({
        "kinds": rows, "source": source, "difference_test": res.difference_test,
        "differ": res.differ, "prob_greater": meta["prob_greater"],
        "inference": meta["inference"], "inference_reason": meta["inference_reason"],
        "vcov_convention": meta["vcov_convention"], "pooling": meta["pooling"],
        "n_obs": meta["n_obs"], "n_units": meta["n_units"], "n_clusters": meta["n_clusters"],
        "conf_level": meta["conf_level"],
    })


def _given_types(ctx: AnalysisContext, column: str, frame: pd.DataFrame) -> dict[str, Any]:
    """The coefficient of ``column`` added to the competency-type model (and alone)."""
    d = design_for(ctx.config, ctx.window, seed=ctx.seed, reps=ctx.options.get("reps", 9999),
                   chain_reps=0, mde_reps=0, staggered_reps=0)
    typed, types, _ = kind_columns(frame, COMPETENCY_TYPES)
    out: dict[str, Any] = {"column": column}
    for key, exposures in (("given_types", [*types, column]), ("alone", [column])):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = panel_fe(typed, d.outcome, exposures, d.unit, d.time, lags=[d.lag],
                           controls=list(d.controls), cluster=d.cluster, inference="auto",
                           reps=d.reps, seed=d.seed)
        row = res.tidy().set_index("term").loc[lagged(column, d.lag)].to_dict()
        out[key] = {k: row[k] for k in ("estimate", "std_error", "p_value", "conf_low",
                                        "conf_high", "prob_positive", "inference")}
    return json_safe(out)


def _path_given_types(ctx: AnalysisContext) -> dict[str, Any]:
    frame, cols, _ = kind_columns(ctx.window, LEARNING_PATHS)
    return _given_types(ctx, cols[1], frame)


def _topic_block(ctx: AnalysisContext, topics: list[str]) -> dict[str, Any]:
    frame, cols, _ = kind_columns(ctx.window, topics, topic=True)
    block: dict[str, Any] = {t: _given_types(ctx, c, frame) for t, c in zip(topics, cols,
                                                                         strict=True)}
    if len(topics) >= 2:
        block["comparison"] = _grouping(ctx, topics, topic=True)
    return block


def _topics(ctx: AnalysisContext) -> list[str]:
    topics = getattr(ctx.config, "topics", None) or {}
    return list(topics) if isinstance(topics, dict) else []


def build(ctx: AnalysisContext) -> dict[str, Any] | None:
    """The ``by_training_type`` block of results.json (documented in docs/results-json.md)."""
    groupings: dict[str, Any] = {}
    reasons: dict[str, str] = {}
    topics = _topics(ctx)
    steps: list[tuple[str, Any]] = [
        ("competency_type", lambda: _grouping(ctx, COMPETENCY_TYPES)),
        ("learning_path", lambda: {**_grouping(ctx, LEARNING_PATHS),
                                   "nonklasikal_given_types": _path_given_types(ctx)}),
    ]
    if topics:
        steps.append(("topic", lambda: _topic_block(ctx, topics)))
    for name, step in steps:
        try:
            groupings[name] = step()
        except EstimationError as exc:
            groupings[name] = None
            reasons[name] = str(exc)
    # said in the brief (what a summary study cannot show), not only in the reason
    missing = missing_parts(ctx.window) if reasons else {}
    if not any(groupings.values()):
        return {"available": False, "reason": "; ".join(f"{k}: {v}" for k, v in reasons.items()),
                "missing_parts": missing}
    d = ctx.config.headline
    return {"available": True, "outcome": d.outcome, "exposure": d.exposure, "lag": d.lag,
            "groupings": groupings, "not_estimated": reasons, "missing_parts": missing,
            "topics_defined": bool(topics)}
