"""The estimation steps of one analysis, each a small function ``report.analyse`` calls in turn.

Every step reads the same frozen :class:`Design` (the window, the headline's outcome,
exposure and lag, controls, cluster, seed and bootstrap sizes) and records what it estimated
in a :class:`Collected` (result objects for display, rows of ``results["estimates"]``, notes).
Optional steps run through :func:`optional`: a step the data cannot support is noted, not
fatal, and the brief then says the piece is missing instead of inventing it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..columns import lag_column, lag_of
from ..config import StudyConfig
from ..errors import EvaluationError
from ..estimate import correlation_matrix, panel_fe
from ..estimate.chain import chain
from ..estimate.diagnostics import dose_response, mde, robustness
from ..estimate.results import PanelFEResult, json_safe
from ..estimate.staggered import event_study, staggered_did

#: The headline effect is reported per this many units of exposure ("per 10 JP per ASN").
HEADLINE_SCALE = {"jp_per_asn": 10.0, "share_20jp": 0.1, "spend_per_asn_real": 1_000_000.0}

#: Units of the measures, written into each estimate row (language-independent record).
UNITS_OF = {
    "ikm": ("poin IKM (skala 25-100)", "IKM points (25-100 scale)"),
    "iku_achievement": ("poin persen capaian IKU", "percentage points of IKU achievement"),
    "jp_per_asn": ("JP per ASN per tahun", "JP per ASN per year"),
    "share_20jp": ("proporsi ASN yang mencapai 20 JP", "share of ASN reaching 20 JP"),
    "spend_per_asn_real": ("rupiah per ASN (harga konstan)", "rupiah per ASN (constant prices)"),
}

_MEASURE_FIELDS = ("estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high",
                   "prob_positive")


def lagged(measure: str, lag: int) -> str:
    """Panel column of ``measure`` lagged ``lag`` years (``jp_per_asn_lag1``)."""
    return lag_column(measure, lag)


@dataclass(frozen=True)
class Design:
    """What every estimation step of one analysis shares."""

    config: StudyConfig
    window: pd.DataFrame = field(repr=False)
    outcome: str
    exposure: str
    lag: int
    controls: tuple[str, ...]
    cluster: str
    seed: int
    reps: int
    chain_reps: int
    mde_reps: int
    staggered_reps: int
    unit: str = "unit_id"
    time: str = "year"

    @property
    def term(self) -> str:
        """The headline's regressor: the exposure lagged ``lag`` years."""
        return lagged(self.exposure, self.lag)

    @property
    def scale(self) -> float:
        """The headline is reported per this much exposure."""
        return HEADLINE_SCALE.get(self.exposure, 1.0)

    def fe(self, outcome: str, exposures: list[str], **kwargs: Any) -> PanelFEResult:
        """``panel_fe`` on the window with this design's controls, cluster and inference."""
        return panel_fe(self.window, outcome, exposures, self.unit, self.time,
                        controls=list(self.controls), cluster=self.cluster, inference="auto",
                        reps=self.reps, seed=self.seed, **kwargs)


def design_for(config: StudyConfig, window: pd.DataFrame, *, seed: int, reps: int,
               chain_reps: int, mde_reps: int, staggered_reps: int) -> Design:
    """The design of the study's headline on ``window``."""
    return Design(
        config=config, window=window, outcome=config.headline.outcome,
        exposure=config.headline.exposure, lag=config.headline.lag,
        controls=tuple(c for c in config.measures.control if c in window.columns),
        cluster="sector" if config.cluster == "sector" else "unit_id",
        seed=seed, reps=reps, chain_reps=chain_reps, mde_reps=mde_reps,
        staggered_reps=staggered_reps,
    )


@dataclass
class Collected:
    """What the steps produced so far: result objects, estimate rows and notes."""

    models: dict[str, Any] = field(default_factory=dict)
    estimates: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def optional(name: str, fn: Callable[[], Any], notes: list[str]) -> Any:
    """Run an optional analysis step; a step that cannot run is noted, not fatal.

    The headline is not optional (it is not run through here). Optional steps may fail
    for reasons of the data (no programme, too few treated units): the brief then says
    the piece is missing instead of inventing it.
    """
    try:
        return fn()
    except EvaluationError as exc:
        notes.append(f"{name}: {exc}")
        return None


def estimate_rows(est_id: str, model: str, res: Any, *, outcome: str, exposure: str,
                  lag: int | None, extra: Mapping[str, Any] | None = None
                  ) -> list[dict[str, Any]]:
    """The ``results["estimates"]`` rows of one fitted model (first term keeps ``est_id``)."""
    meta = res.to_dict()
    tidy = meta.pop("estimates")
    rows = []
    for i, row in enumerate(tidy):
        term = row["term"]
        rows.append(json_safe({
            "id": est_id if i == 0 else f"{est_id}:{term}",
            "model": model,
            "outcome": outcome,
            "exposure": exposure,
            "term": term,
            "lag": lag,
            **{k: row.get(k) for k in _MEASURE_FIELDS},
            "conf_level": meta.get("conf_level", 0.95),
            "inference": meta.get("inference"),
            "inference_reason": meta.get("inference_reason"),
            "vcov_convention": meta.get("vcov_convention"),
            "n_obs": meta.get("n_obs"),
            "n_units": meta.get("n_units"),
            "n_years": meta.get("n_years"),
            "n_clusters": meta.get("n_clusters"),
            "n_singletons_dropped": meta.get("n_singletons_dropped"),
            "fixed_effects": meta.get("fixed_effects", ["unit", "year"]),
            "controls": meta.get("controls", []),
            "sample": "all units",
            "outcome_unit": UNITS_OF.get(outcome, (None, None))[0],
            "exposure_unit": UNITS_OF.get(exposure, (None, None))[0],
            **(extra or {}),
        }))
    return rows


def interval(estimate: Any, low: Any, high: Any, scale: float = 1.0) -> dict[str, Any]:
    """An estimate and its interval multiplied by ``scale`` (``None`` stays ``None``)."""
    return json_safe({
        "estimate": None if estimate is None else estimate * scale,
        "conf_low": None if low is None else low * scale,
        "conf_high": None if high is None else high * scale,
    })


# ---- the steps, in the order analyse runs them -------------------------------------------


def headline(d: Design, out: Collected) -> dict[str, Any]:
    """The headline association (raises ``EstimationError`` when it cannot be estimated)."""
    out.models["headline"] = d.fe(d.outcome, [d.term])
    out.estimates += estimate_rows("headline", "panel_fe", out.models["headline"],
                                   outcome=d.outcome, exposure=d.exposure, lag=d.lag)
    return out.estimates[0]


def associations(d: Design, out: Collected) -> tuple[list[str], list[str]]:
    """Every investment x quality/outcome association at the headline lag.

    Returns the targets and investments found in the window (for the correlations).
    """
    window = d.window
    targets = [m for m in (*d.config.measures.quality, *d.config.measures.outcome) if m in window]
    investments = [m for m in d.config.measures.investment if lagged(m, d.lag) in window]
    for y in targets:
        for x in investments:
            if (x, y) == (d.exposure, d.outcome):
                continue
            key = f"fe:{y}:{x}"
            res = optional(key, partial(d.fe, y, [lagged(x, d.lag)]), out.notes)
            if res is not None:
                out.models[key] = res
                out.estimates += estimate_rows(key, "panel_fe", res, outcome=y, exposure=x,
                                               lag=d.lag)
    return targets, investments


def correlations(d: Design, out: Collected, targets: list[str], investments: list[str]
                 ) -> Any:
    """Within-unit correlations of every investment with every target (Holm-adjusted)."""
    corr = optional("correlations", lambda: correlation_matrix(
        d.window, [lagged(x, d.lag) for x in investments], targets, method="pearson",
        within=True, unit=d.unit, time=d.time, adjust="holm"), out.notes)
    if corr is None:
        return None
    out.models["correlations"] = corr
    return corr.to_dict().get("estimates")


def _lag_number(term: str, exposure: str) -> int | None:
    """Lag of a distributed-lag term (``jp_per_asn`` or ``jp_per_asn_lag0`` -> 0)."""
    lag = lag_of(term, exposure)
    return lag if lag is not None and lag >= 0 else None


def distributed_lags(d: Design, out: Collected) -> dict[str, Any] | None:
    """Each lag and their sum, and a placebo lead beside the headline."""
    dl = optional("distributed_lags", lambda: d.fe(d.outcome, [d.exposure],
                                                   lags=list(d.config.lags)), out.notes)
    lead = None
    if d.config.leads:
        lead = optional("placebo_lead", lambda: d.fe(
            d.outcome, [d.exposure], lags=[d.lag], leads=[min(d.config.leads)]), out.notes)
    block: dict[str, Any] | None = None
    if dl is not None:
        out.models["distributed_lags"] = dl
        out.estimates += estimate_rows("distributed_lags", "panel_fe_distributed_lags", dl,
                                       outcome=d.outcome, exposure=d.exposure, lag=None)
        meta = dl.to_dict()
        cumulative = meta.get("cumulative")
        if isinstance(cumulative, list):
            cumulative = cumulative[0] if cumulative else None
        block = {
            "outcome": d.outcome, "exposure": d.exposure,
            "lags": [{**r, "lag": _lag_number(r["term"], d.exposure)} for r in meta["estimates"]
                     if _lag_number(r["term"], d.exposure) is not None],
            "cumulative": cumulative,
            "placebo_lead": None,
        }
    if lead is not None:
        out.models["placebo_lead"] = lead
        out.estimates += estimate_rows("placebo_lead", "panel_fe_placebo_lead", lead,
                                       outcome=d.outcome, exposure=d.exposure, lag=d.lag)
        lead_row = next((r for r in lead.to_dict()["estimates"] if "_lead" in r["term"]), None)
        if block is None:
            block = {"outcome": d.outcome, "exposure": d.exposure, "lags": [],
                     "cumulative": None}
        block["placebo_lead"] = json_safe({**(lead_row or {}),
                                           "test": lead.to_dict().get("leads_test")})
    return block


def programme(d: Design, out: Collected) -> dict[str, Any] | None:
    """The staged programme: an event study and a heterogeneity-robust estimator."""
    window = d.window
    if "cohort_year" not in window.columns or not window["cohort_year"].notna().any():
        return None
    es = optional("event_study", lambda: event_study(
        window, d.outcome, "cohort_year", d.unit, d.time, cluster=d.unit, seed=d.seed),
        out.notes)
    cs = optional("staggered_did", lambda: staggered_did(
        window, d.outcome, "cohort_year", d.unit, d.time, control_group="not_yet_treated",
        reps=d.staggered_reps, seed=d.seed), out.notes)
    block = programme_block(d.config, window, es, cs)
    if es is not None:
        out.models["event_study"] = es
    if cs is not None:
        out.models["staggered_did"] = cs
        overall = block["staggered"]["overall"] if block.get("staggered") else None
        if overall:
            out.estimates.append(_programme_row(d, block, overall))
    return block


def _programme_row(d: Design, block: Mapping[str, Any], overall: Mapping[str, Any]
                   ) -> dict[str, Any]:
    return json_safe({
        "id": "programme_att", "model": "staggered_did", "outcome": d.outcome,
        "exposure": "programme", "term": "att_overall", "lag": None,
        **{k: overall.get(k) for k in _MEASURE_FIELDS},
        "conf_level": 0.95, "inference": overall.get("inference"),
        "inference_reason": overall.get("inference_reason"),
        "vcov_convention": None, "n_obs": overall.get("n_obs"),
        "n_units": block.get("n_units"), "n_years": d.window[d.time].nunique(),
        "n_clusters": block.get("n_units"), "fixed_effects": [],
        "controls": [], "sample": "all units",
        "outcome_unit": UNITS_OF.get(d.outcome, (None,))[0], "exposure_unit": None,
    })


#: Quantile bins of the headline's exposure in the brief's binned chart.
HEADLINE_BINS = 8
#: z(0.975) + z(0.80): a difference this many standard errors from zero is found by a
#: two-sided 5% test four times out of five.
DETECTABLE_SE = 2.80


def headline_bins(d: Design, out: Collected, bins: int = HEADLINE_BINS
                  ) -> dict[str, Any] | None:
    """The headline's relationship within units, as a binned scatter done the careful way.

    The exposure (as the headline uses it, lagged) is cut into quantile bins; the outcome is
    regressed on the bins (effect-coded, so every bin gets an interval) with the same unit
    and year fixed effects, controls and clusters as the headline (CR1). Each point is the
    window's mean outcome plus its bin's effect, at the bin's mean exposure: the
    relationship the fixed-effects headline measures, not the cross-unit one. Never
    residualise first and then bin (Cattaneo, Crump, Farrell and Feng, "On Binscatter").
    """
    cols = [d.unit, d.time, d.outcome, d.term, *d.controls]
    if d.cluster not in cols:
        cols.append(d.cluster)
    frame = d.window[[c for c in dict.fromkeys(cols) if c in d.window]].dropna().copy()
    if len(frame) < 3 * bins:
        return None
    codes = pd.qcut(frame[d.term].astype(float), bins, labels=False, duplicates="drop")
    frame["_bin"] = np.asarray(codes, dtype="int64")
    k = int(frame["_bin"].max()) + 1
    if k < 3:
        return None
    names = [f"_bin_effect{b}" for b in range(k - 1)]
    for b, name in enumerate(names):  # effect coding: bin b against the last bin
        frame[name] = (frame["_bin"] == b).astype(float) - (frame["_bin"] == k - 1).astype(float)
    res = optional("headline_bins", lambda: panel_fe(
        frame, d.outcome, names, d.unit, d.time, controls=list(d.controls),
        cluster=d.cluster, inference="cluster", seed=d.seed), out.notes)
    if res is None:
        return None
    weights = np.vstack([np.eye(k - 1), -np.ones((1, k - 1))])
    effects = weights @ res.params[names].to_numpy()
    se = np.sqrt(np.einsum("ij,jk,ik->i", weights, res.vcov.loc[names, names].to_numpy(),
                           weights))
    tcrit = float(stats.t.ppf(0.975, max((res.n_clusters or 2) - 1, 1)))
    level = float(frame[d.outcome].mean())
    points = []
    for b in range(k):
        members = frame.loc[frame["_bin"] == b, d.term]
        points.append({"bin": b + 1, "x": float(members.mean()), "n": int(len(members)),
                       "y": level + float(effects[b]),
                       "conf_low": level + float(effects[b] - tcrit * se[b]),
                       "conf_high": level + float(effects[b] + tcrit * se[b])})
    return json_safe({
        "outcome": d.outcome, "exposure": d.exposure, "term": d.term, "lag": d.lag,
        "bins": points, "n_obs": int(res.n_obs), "n_units": int(res.n_units),
        "n_clusters": res.n_clusters, "method": "binned_fixed_effects",
        "x_mean": float(frame[d.term].mean()), "y_mean": level,
        "x_min": float(frame[d.term].min()), "x_max": float(frame[d.term].max()),
    })


def dose(d: Design, out: Collected) -> dict[str, Any] | None:
    """The dose-response shape of the headline (binned, with a linearity test)."""
    res = optional("dose_response", lambda: dose_response(
        d.window, d.outcome, d.exposure, d.unit, d.time, lag=d.lag), out.notes)
    if res is None:
        return None
    out.models["dose_response"] = res
    return res.to_dict()


def training_chain(d: Design, out: Collected) -> dict[str, Any] | None:
    """The chain training -> quality -> development outcome (quality headlines only)."""
    mediator_outcome = next((m for m in d.config.measures.outcome if m in d.window), None)
    if d.outcome not in d.config.measures.quality or mediator_outcome is None:
        return None
    ch = optional("chain", lambda: chain(
        d.window, mediator_outcome, d.exposure, d.unit, d.time, mediator=d.outcome, lag=d.lag,
        controls=list(d.controls), reps=d.chain_reps, seed=d.seed), out.notes)
    if ch is None:
        return None
    out.models["chain"] = ch
    return ch.to_dict()


def detectable(d: Design, out: Collected) -> dict[str, Any] | None:
    """The minimum detectable effect of the headline design (simulated power)."""
    m = optional("mde", lambda: mde(
        d.window, d.outcome, d.term, d.unit, d.time, reps=d.mde_reps, seed=d.seed), out.notes)
    if m is None:
        return None
    out.models["mde"] = m
    block = m.to_dict()
    value = block.get("mde", block.get("value"))
    block.update(json_safe({
        "outcome": d.outcome, "exposure": d.term, "value": value, "scale": d.scale,
        "scaled_value": None if value is None else value * d.scale,
        "unit": UNITS_OF.get(d.outcome, (None,))[0],
    }))
    return block


def robust(d: Design, out: Collected) -> dict[str, Any] | None:
    """The headline across alternative specifications."""
    rob = optional("robustness", lambda: robustness(
        d.window, d.outcome, d.exposure, d.unit, d.time, lag=d.lag, controls=list(d.controls),
        sector="sector" if "sector" in d.window else None, seed=d.seed), out.notes)
    if rob is None:
        return None
    out.models["robustness"] = rob
    return rob.to_dict()


# ---- the staged programme's block ---------------------------------------------------------


def programme_block(config: StudyConfig, window: pd.DataFrame, es: Any, cs: Any
                    ) -> dict[str, Any]:
    """The ``programme`` block from the event study and the robust estimator (either may
    be missing)."""
    treated = window.groupby("unit_id")["cohort_year"].first()
    block: dict[str, Any] = {
        "name": config.programme.name,
        "name_en": config.programme.name_en,
        "n_cohorts": int(treated.dropna().nunique()),
        "n_treated_units": int(treated.notna().sum()),
        "n_never_treated": int(treated.isna().sum()),
        "n_units": int(len(treated)),
        "event_study": None, "staggered": None, "pretrend": None, "agree": None,
    }
    if es is not None:
        meta = es.to_dict()
        block["event_study"] = meta.get("estimates")
        block["event_study_pretrend"] = meta.get("pretrend")
    if cs is not None:
        meta = cs.to_dict()
        block["staggered"] = {
            "estimator": "callaway_santanna",
            "control_group": meta.get("control_group", "not_yet_treated"),
            "overall": meta.get("overall"),
            "by_event_time": meta.get("dynamic") or meta.get("by_event_time"),
        }
        block["pretrend"] = meta.get("pretrend")
    if block["pretrend"] is None and es is not None:
        block["pretrend"] = block.get("event_study_pretrend")
    pre = block["pretrend"]
    if pre is not None and "passed" not in pre and pre.get("p_value") is not None:
        pre["passed"] = bool(pre["p_value"] >= 0.05)
    if pre is not None:
        pre.update(pretrend_power(block))
    block["agree"] = twfe_and_robust_agree(block)
    return json_safe(block)


def pretrend_power(block: Mapping[str, Any]) -> dict[str, Any]:
    """What size of pre-programme difference the pre-trend test could have noticed.

    A test that does not reject shows only that no difference large enough for it to see
    was found. From the pre-programme event-time estimates (the robust estimator's when
    present, else the event study's; the reference year left out): a difference of
    ``DETECTABLE_SE`` standard errors in one year is found four times out of five by a
    two-sided 5% test. The median over the pre-programme years is reported, with the
    smallest and largest.
    """
    staggered = block.get("staggered") or {}
    rows = staggered.get("by_event_time") or block.get("event_study") or []
    ses = sorted(float(r["std_error"]) for r in rows
                 if (t := event_time(r)) is not None and t < 0 and not r.get("reference")
                 and isinstance(r.get("std_error"), (int, float)) and r["std_error"] > 0)
    if not ses:
        return {"detectable_difference": None}
    return {
        "detectable_difference": DETECTABLE_SE * float(np.median(ses)),
        "detectable_range": [DETECTABLE_SE * ses[0], DETECTABLE_SE * ses[-1]],
        "detectable_power": 0.8, "detectable_alpha": 0.05,
        "detectable_n_years": len(ses),
        "detectable_method": "2.80 x the median standard error of the pre-programme "
                             "event-time estimates (80% power, two-sided 5% test, one year)",
    }


def twfe_and_robust_agree(block: Mapping[str, Any]) -> bool | None:
    """TWFE event study and the robust estimator agree in sign and significance
    on the average post-period effect."""
    es, st = block.get("event_study"), block.get("staggered")
    if not es or not st or not st.get("overall"):
        return None
    post = [r for r in es if (t := event_time(r)) is not None and t >= 0
            and r.get("estimate") is not None]
    if not post:
        return None
    twfe = float(np.mean([r["estimate"] for r in post]))
    twfe_sig = all((r.get("conf_low") or 0) > 0 or (r.get("conf_high") or 0) < 0 for r in post)
    o = st["overall"]
    if o.get("estimate") is None:
        return None
    cs_sig = (o.get("conf_low") or 0) > 0 or (o.get("conf_high") or 0) < 0
    return bool(math.copysign(1, twfe) == math.copysign(1, o["estimate"]) and twfe_sig == cs_sig)


def event_time(row: Mapping[str, Any]) -> int | None:
    """Years since the programme started, from a row's ``event_time`` or its term."""
    if row.get("event_time") is not None:
        return int(row["event_time"])
    term = str(row.get("term", ""))
    digits = "".join(ch for ch in term.split("::")[-1] if ch.isdigit() or ch == "-")
    try:
        return int(digits)
    except ValueError:
        return None


__all__ = [
    "HEADLINE_SCALE",
    "UNITS_OF",
    "Collected",
    "Design",
    "design_for",
    "estimate_rows",
    "event_time",
    "headline_bins",
    "interval",
    "lagged",
    "optional",
    "pretrend_power",
    "programme_block",
    "twfe_and_robust_agree",
]
