"""From a study folder and a year to the ``results.json`` document behind a brief.

:func:`analyse` is the recipe the estimation notebook runs, one named step at a time:

1. load and validate the study (:func:`evaluation.load_study`), build the unit-year panel;
2. keep the estimation window (the study's first year up to the brief's year);
3. the headline association (two-way fixed effects, honest few-cluster inference);
4. every investment x quality/outcome association, and the within correlations;
5. distributed lags and a placebo lead; the staged programme (event study and a
   heterogeneity-robust estimator); the dose-response shape; the chain training -> IKM ->
   outcome; the minimum detectable effect; robustness across specifications;
6. descriptives for the brief's year (IKM categories, the 20-JP entitlement, cost per IKM
   point), per-unit rows (small units suppressed) and the caveats.

The returned :class:`Analysis` keeps the result objects for display in a notebook and the
JSON-safe ``results`` dict (documented in ``docs/results-json.md``). Nothing here writes
to disk except :func:`save_results`, atomically.
"""

from __future__ import annotations

import json
import math
import os
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._io import write_json
from ..columns import lag_column, lag_of
from ..config import StudyConfig
from ..errors import EstimationError, EvaluationError, RunError
from ..estimate.results import json_safe
from ..i18n import ikm_label
from ..indicators import IKM_CATEGORIES
from .context import AnalysisContext
from .sections import build_sections

SCHEMA_VERSION = 1
RESULTS_FILE = "results.json"
#: The headline effect is reported per this many units of exposure ("per 10 JP per ASN").
HEADLINE_SCALE = {"jp_per_asn": 10.0, "share_20jp": 0.1, "spend_per_asn_real": 1_000_000.0}
FEW_CLUSTERS = 50
VERY_FEW_CLUSTERS = 20


UNITS_OF = {
    "ikm": ("poin IKM (skala 25-100)", "IKM points (25-100 scale)"),
    "iku_achievement": ("poin persen capaian IKU", "percentage points of IKU achievement"),
    "jp_per_asn": ("JP per ASN per tahun", "JP per ASN per year"),
    "share_20jp": ("proporsi ASN yang mencapai 20 JP", "share of ASN reaching 20 JP"),
    "spend_per_asn_real": ("rupiah per ASN (harga konstan)", "rupiah per ASN (constant prices)"),
}


@dataclass(frozen=True)
class AnalysisOptions:
    """Knobs of one analysis run (the notebook's parameters pass through here)."""

    year: int
    first_year: int
    seed: int = 2026
    reps: int = 9999  # wild bootstrap draws
    chain_reps: int = 999
    mde_reps: int = 500
    staggered_reps: int = 999


@dataclass(frozen=True)
class Analysis:
    """Everything one analysis produced: result objects for display, and ``results``."""

    config: StudyConfig
    options: AnalysisOptions
    panel: pd.DataFrame = field(repr=False)
    models: Mapping[str, Any] = field(repr=False)
    results: Mapping[str, Any] = field(repr=False)

    @property
    def headline(self):
        """The headline result object, or ``None`` for a descriptive-only year."""
        return self.models.get("headline")

    def event_study_frame(self) -> pd.DataFrame | None:
        """Event-time estimates of both programme estimators, for ``plot.event_study_plot``."""
        parts = [self.models[k].plot_data() for k in ("event_study", "staggered_did")
                 if k in self.models]
        return pd.concat(parts, ignore_index=True) if parts else None

    def estimates(self) -> pd.DataFrame:
        """All estimates as one table (the ``estimates`` block of results.json)."""
        return pd.DataFrame(self.results["estimates"])

    def summary(self) -> str:
        h = self.results["headline"]
        if h.get("estimate_id") is None:
            return (f"{self.config.title} - {self.options.year}\n"
                    f"descriptive only: {h.get('reason')}")
        est = next(e for e in self.results["estimates"] if e["id"] == h["estimate_id"])
        return (
            f"{self.config.title} - {self.options.year}\n"
            f"window {self.options.first_year}-{self.options.year}, "
            f"{est['n_units']} units, {est['n_obs']} unit-years\n"
            f"headline: {est['outcome']} on {est['term']}: {est['estimate']:.4f} "
            f"[{est['conf_low']:.4f}, {est['conf_high']:.4f}] ({est['inference']})"
        )

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        import html

        return f"<pre>{html.escape(self.summary())}</pre>"


# ---- helpers ----------------------------------------------------------------------------


IKM_CODES = tuple(code for _, code, _, _ in IKM_CATEGORIES)


def lagged(measure: str, lag: int) -> str:
    """Panel column of ``measure`` lagged ``lag`` years (``jp_per_asn_lag1``)."""
    return lag_column(measure, lag)


def _step(name: str, fn: Callable[[], Any], notes: list[str]) -> Any:
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


def _estimate_rows(est_id: str, model: str, res, *, outcome: str, exposure: str,
                   lag: int | None, extra: Mapping[str, Any] | None = None) -> list[dict]:
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
            **{k: row.get(k) for k in ("estimate", "std_error", "statistic", "p_value",
                                       "conf_low", "conf_high")},
            "conf_level": meta.get("conf_level", 0.95),
            "inference": meta.get("inference"),
            "inference_reason": meta.get("inference_reason"),
            "vcov_convention": meta.get("vcov_convention"),
            "n_obs": meta.get("n_obs"),
            "n_units": meta.get("n_units"),
            "n_years": meta.get("n_years"),
            "n_clusters": meta.get("n_clusters"),
            "fixed_effects": meta.get("fixed_effects", ["unit", "year"]),
            "controls": meta.get("controls", []),
            "sample": "all units",
            "outcome_unit": UNITS_OF.get(outcome, (None, None))[0],
            "exposure_unit": UNITS_OF.get(exposure, (None, None))[0],
            **(extra or {}),
        }))
    return rows


def _lag_of(term: str, exposure: str) -> int | None:
    """Lag of a distributed-lag term (``jp_per_asn`` or ``jp_per_asn_lag0`` -> 0)."""
    lag = lag_of(term, exposure)
    return lag if lag is not None and lag >= 0 else None


def _interval(estimate, low, high, scale: float = 1.0) -> dict:
    return json_safe({
        "estimate": None if estimate is None else estimate * scale,
        "conf_low": None if low is None else low * scale,
        "conf_high": None if high is None else high * scale,
    })


def _cost_per_ikm_point(panel_year: pd.DataFrame, headline: dict, base_year: int) -> dict | None:
    """Rupiah per ASN (constant prices) that go with one more IKM point.

    Average real spending per JP in the brief's year divided by the IKM points per JP per
    ASN; the interval inverts the headline's interval, and is open when that interval
    reaches zero (then no finite cost can be stated).
    """
    if headline.get("exposure") != "jp_per_asn" or headline.get("outcome") != "ikm":
        return None
    spend = panel_year.get("spend_real")
    jp = panel_year.get("jp_total")
    if spend is None or jp is None or jp.sum() <= 0:
        return None
    rp_per_jp = float(spend.sum() / jp.sum())
    b, lo, hi = headline["estimate"], headline["conf_low"], headline["conf_high"]
    if b is None or b <= 0:
        return {"estimate": None, "conf_low": None, "conf_high": None, "rp_per_jp": rp_per_jp,
                "defined": False, "unit": f"Rp per ASN, harga konstan {base_year}",
                "unit_en": f"IDR per ASN, constant {base_year} prices"}
    finite = lo is not None and lo > 0
    return json_safe({
        "estimate": rp_per_jp / b,
        "conf_low": rp_per_jp / hi if hi else None,
        "conf_high": rp_per_jp / lo if finite else None,
        "rp_per_jp": rp_per_jp,
        "defined": True,
        "upper_open": not finite,
        "unit": f"Rp per ASN, harga konstan {base_year}",
        "unit_en": f"IDR per ASN, constant {base_year} prices",
    })


def _ikm_categories(panel_year: pd.DataFrame) -> list[dict]:
    out = []
    for cat in IKM_CODES:
        rows = panel_year[panel_year["ikm_category"].astype("string") == cat]
        out.append({
            "category": cat,
            "label_id": ikm_label(cat, "id"),
            "label_en": ikm_label(cat, "en"),
            "n_units": int(len(rows)),
            "units": sorted(rows["unit_name"].astype(str).tolist()),
        })
    return out


def _jp20(panel_year: pd.DataFrame, entitlement: float) -> dict:
    asn = panel_year["asn_count"].astype(float)
    share = panel_year["share_20jp"].astype(float)
    reached = float((share * asn).sum())
    total = float(asn.sum())
    top = panel_year.sort_values("share_20jp", ascending=False)
    return json_safe({
        "entitlement_jp": entitlement,
        "share_asn": reached / total if total else None,
        "n_asn": total,
        "n_units": int(len(panel_year)),
        "n_units_all_reach": int((share >= 0.999).sum()),
        "n_units_below_half": int((share < 0.5).sum()),
        "lowest_units": top.tail(3)["unit_name"].astype(str).tolist()[::-1],
        "highest_units": top.head(3)["unit_name"].astype(str).tolist(),
    })


def _unit_rows(panel_year: pd.DataFrame, exposure: str, lag: int, k: int) -> list[dict]:
    cols = ["unit_id", "unit_name", "sector", "asn_count", "jp_per_asn", lagged(exposure, lag),
            "ikm", "ikm_category", "ikm_n_respondents", "ikm_sample_adequate", "share_20jp",
            "iku_achievement"]
    cols = list(dict.fromkeys(c for c in cols if c in panel_year.columns))
    rows = []
    for rec in panel_year[cols].to_dict(orient="records"):
        small = rec.get("asn_count") is not None and rec["asn_count"] < k
        if small:
            # a unit with fewer ASN than the minimum cell: its per-person figures could
            # identify people; show "< k" instead
            for c in ("asn_count", "jp_per_asn", lagged(exposure, lag), "share_20jp"):
                if c in rec:
                    rec[c] = None
        rec["suppressed"] = bool(small)
        rows.append(json_safe(rec))
    return rows


def _caveats(config: StudyConfig, headline: dict, panel_win: pd.DataFrame,
             programme: dict | None, outcome: str, exposure_col: str) -> list[str]:
    caveats = []
    if config.synthetic:
        caveats.append("synthetic")
    n_clusters = headline.get("n_clusters") or 0
    if n_clusters < FEW_CLUSTERS:
        caveats.append("few_clusters")
    if n_clusters < VERY_FEW_CLUSTERS:
        caveats.append("very_few_clusters")
    if (headline.get("n_obs") or 0) < 100:
        caveats.append("small_sample")
    miss = panel_win[[outcome, exposure_col]].isna().any(axis=1).mean()
    if miss > 0.05:
        caveats.append("missing_data")
    if "ikm_sample_adequate" in panel_win:
        adequate = panel_win["ikm_sample_adequate"].astype("boolean")
        if (adequate == False).any():  # noqa: E712 - nullable boolean
            caveats.append("ikm_sample_inadequate")
    if programme and programme.get("pretrend") and programme["pretrend"].get("passed") is False:
        caveats.append("pretrend_failed")
    lo, hi = headline.get("conf_low"), headline.get("conf_high")
    if lo is not None and hi is not None and lo <= 0 <= hi:
        caveats.append("headline_includes_zero")
    return caveats


def _descriptives(config: StudyConfig, window: pd.DataFrame, panel_year: pd.DataFrame,
                  headline_row: dict | None) -> dict:
    from ..panel import describe_panel

    desc = describe_panel(window)
    desc = dict(desc) if isinstance(desc, Mapping) else {}
    # missing shares of the measures the analysis uses (a never-treated unit's empty
    # cohort year is not missing data)
    roles = {*config.measures.investment, *config.measures.quality,
             *config.measures.outcome, *config.measures.control}
    desc["missing_share"] = {k: v for k, v in desc.get("missing_share", {}).items() if k in roles}
    desc.update({
        "ikm_categories": _ikm_categories(panel_year) if "ikm_category" in panel_year else [],
        "jp20": _jp20(panel_year, config.jp.entitlement) if "share_20jp" in panel_year else None,
        "cost_per_ikm_point": (_cost_per_ikm_point(panel_year, headline_row, config.base_year)
                               if headline_row else None),
        "n_units_year": int(len(panel_year)),
        "ikm_sample_inadequate_units": sorted(
            panel_year.loc[panel_year["ikm_sample_adequate"].astype("boolean") == False,  # noqa: E712
                           "unit_name"].astype(str).tolist()
        ) if "ikm_sample_adequate" in panel_year else [],
        "price_base_year": config.base_year,
    })
    return desc


def _common_blocks(config: StudyConfig, opts: AnalysisOptions, study, window: pd.DataFrame,
                   panel_year: pd.DataFrame, headline_row: dict | None,
                   parameters: Mapping[str, Any] | None) -> dict:
    """The blocks every results.json has, estimated or descriptive."""
    from .. import provenance

    prov = provenance.collect(config.root)
    return {
        "schema_version": SCHEMA_VERSION,
        "study": {
            "name": config.name, "title": config.title, "title_en": config.title_en,
            "region": config.region, "synthetic": config.synthetic,
            "unit_level": config.unit_level, "min_cell_size": config.min_cell_size,
            "programme_name": config.programme.name, "programme_name_en": config.programme.name_en,
        },
        "year": opts.year,
        "window": {"first": opts.first_year, "last": opts.year},
        "parameters": json_safe({
            **(parameters or {}), "year": opts.year, "seed": opts.seed,
            "first_year": opts.first_year, "reps": opts.reps, "chain_reps": opts.chain_reps,
            "mde_reps": opts.mde_reps, "staggered_reps": opts.staggered_reps,
        }),
        "provenance": json_safe({
            **prov, "run_id": f"{config.name}-{opts.year}-{study.data_sha256[:12]}",
            "data_sha256": study.data_sha256, "inputs": dict(study.inputs)}),
        "descriptives": _descriptives(config, window, panel_year, headline_row),
    }


def _context(study, opts: AnalysisOptions, panel: pd.DataFrame, window: pd.DataFrame,
             panel_year: pd.DataFrame, headline_row: dict | None, headline) -> AnalysisContext:
    return AnalysisContext(
        config=study.config, study=study, panel=panel, window=window, panel_year=panel_year,
        year=opts.year, first_year=opts.first_year, headline_row=headline_row,
        headline=headline, seed=opts.seed, min_cell_size=study.config.min_cell_size,
        options={"reps": opts.reps, "chain_reps": opts.chain_reps, "mde_reps": opts.mde_reps,
                 "staggered_reps": opts.staggered_reps},
    )


def _with_sections(results: dict, ctx: AnalysisContext, notes: list[str]) -> dict:
    """Add the registered sections' blocks (``brief/sections``) to ``results``."""
    blocks = build_sections(ctx, notes)
    clash = sorted(set(blocks) & set(results))
    if clash:
        raise RunError(f"results.json section(s) {clash} would replace a core block; "
                       "choose another key in evaluation/brief/sections/__init__.py")
    return {**results, **blocks}


def _descriptive_analysis(config: StudyConfig, opts: AnalysisOptions, study,
                          window: pd.DataFrame, panel_year: pd.DataFrame, *, reason: str,
                          parameters, term: str, scale: float,
                          panel: pd.DataFrame) -> Analysis:
    """results.json for a year whose headline cannot be estimated: descriptives only."""
    outcome, exposure, lag = (config.headline.outcome, config.headline.exposure,
                              config.headline.lag)
    both = window[[outcome, term]].notna().all(axis=1) if term in window else window[outcome] * 0
    years_with_data = sorted(int(y) for y in window.loc[both.astype(bool), "year"].unique())
    caveats = ["synthetic"] if config.synthetic else []
    caveats.append("headline_not_estimable")
    results = {
        **_common_blocks(config, opts, study, window, panel_year, None, parameters),
        "estimates": [],
        "headline": {
            "estimate_id": None, "status": "not_estimable", "reason": reason,
            "exposure": exposure, "outcome": outcome, "lag": lag, "term": term, "scale": scale,
            "years_with_data": years_with_data, "years_needed": 2, "scaled": None,
        },
        "correlations": None, "distributed_lags": None, "programme": None,
        "dose_response": None, "chain": None, "mde": None, "robustness": None,
        "units": _unit_rows(panel_year, exposure, lag, config.min_cell_size),
        "caveats": caveats,
        "notes": [reason],
    }
    ctx = _context(study, opts, panel, window, panel_year, None, None)
    results = _with_sections(results, ctx, results["notes"])
    results = json_safe(results)
    json.dumps(results, allow_nan=False)
    return Analysis(config=config, options=opts, panel=window, models={}, results=results)


# ---- the recipe ---------------------------------------------------------------------------


def analyse(
    study_dir: str | os.PathLike,
    *,
    year: int | None = None,
    seed: int = 2026,
    first_year: int | None = None,
    reps: int = 9999,
    chain_reps: int = 999,
    mde_reps: int = 500,
    staggered_reps: int = 999,
    parameters: Mapping[str, Any] | None = None,
) -> Analysis:
    """Run the full analysis of a study for the brief of ``year``.

    Parameters
    ----------
    study_dir
        Study folder (with ``study.yaml``).
    year
        The brief's year (default: the study's last year). Estimates use the window
        ``first_year``..``year``.
    seed
        Seed of every random step (bootstraps, simulations): same seed, same numbers.
    reps, chain_reps, mde_reps, staggered_reps
        Bootstrap and simulation sizes (smaller values make quick previews).
    parameters
        The run's parameters as given by the user, recorded in ``results["parameters"]``.

    Returns
    -------
    Analysis

    Examples
    --------
    >>> a = analyse("data/demo", year=2024, reps=999, mde_reps=100)  # doctest: +SKIP
    >>> print(a)  # doctest: +SKIP
    """
    from ..estimate.chain import chain
    from ..estimate.diagnostics import dose_response, mde, robustness
    from ..estimate.fixed_effects import correlation_matrix, panel_fe
    from ..estimate.staggered import event_study, staggered_did
    from ..study import load_study

    study = load_study(study_dir)
    config = study.config
    year = config.years.last if year is None else int(year)
    first = config.years.first if first_year is None else int(first_year)
    if year not in config.years.span:
        raise RunError(
            f"year {year} is outside the study's years {config.years.first}-{config.years.last} "
            f"(study.yaml: years)."
        )
    opts = AnalysisOptions(year=year, first_year=first, seed=seed, reps=reps,
                           chain_reps=chain_reps, mde_reps=mde_reps, staggered_reps=staggered_reps)

    panel = study.panel()
    window = panel[(panel["year"] >= first) & (panel["year"] <= year)].reset_index(drop=True)
    panel_year = window[window["year"] == year]
    if panel_year.empty:
        raise RunError(f"no unit has data for {year} in {config.root}")

    unit, time = "unit_id", "year"
    exposure = config.headline.exposure
    outcome = config.headline.outcome
    lag = config.headline.lag
    term = lagged(exposure, lag)
    controls = [c for c in config.measures.control if c in window.columns]
    cluster = "sector" if config.cluster == "sector" else unit
    notes: list[str] = []
    models: dict[str, Any] = {}
    estimates: list[dict] = []

    # 3. the headline: not optional: if it cannot be estimated, the run fails and says why
    scale = HEADLINE_SCALE.get(exposure, 1.0)
    try:
        models["headline"] = panel_fe(
            window, outcome, [term], unit, time, controls=controls, cluster=cluster,
            inference="auto", reps=reps, seed=seed,
        )
    except EstimationError as exc:
        # Early years (a window shorter than the lag needs) or data that cannot identify
        # the headline: the brief is descriptive and says why, rather than no brief at all.
        reason = (f"{config.name} {year}: the headline ({outcome} on {term}, window "
                  f"{first}-{year}) cannot be estimated: {exc}")
        return _descriptive_analysis(config, opts, study, window, panel_year, reason=reason,
                                     parameters=parameters, term=term, scale=scale,
                                     panel=panel)
    estimates += _estimate_rows("headline", "panel_fe", models["headline"], outcome=outcome,
                                exposure=exposure, lag=lag)
    headline_row = estimates[0]

    # 4. every investment x quality/outcome association at the headline lag
    targets = [m for m in (*config.measures.quality, *config.measures.outcome) if m in window]
    investments = [m for m in config.measures.investment if lagged(m, lag) in window]
    for y in targets:
        for x in investments:
            if (x, y) == (exposure, outcome):
                continue
            key = f"fe:{y}:{x}"
            res = _step(key, lambda x=x, y=y: panel_fe(
                window, y, [lagged(x, lag)], unit, time, controls=controls, cluster=cluster,
                inference="auto", reps=reps, seed=seed), notes)
            if res is not None:
                models[key] = res
                estimates += _estimate_rows(key, "panel_fe", res, outcome=y, exposure=x, lag=lag)

    correlations = None
    corr = _step("correlations", lambda: correlation_matrix(
        window, [lagged(x, lag) for x in investments], targets, method="pearson",
        within=True, unit=unit, time=time, adjust="holm"), notes)
    if corr is not None:
        models["correlations"] = corr
        correlations = corr.to_dict().get("estimates")

    # 5a. distributed lags (each lag and their sum), and a placebo lead beside the headline
    dl_block = None
    dl = _step("distributed_lags", lambda: panel_fe(
        window, outcome, [exposure], unit, time, controls=controls, cluster=cluster,
        lags=list(config.lags), inference="auto", reps=reps, seed=seed), notes)
    lead = None
    if config.leads:
        lead = _step("placebo_lead", lambda: panel_fe(
            window, outcome, [exposure], unit, time, controls=controls, cluster=cluster,
            lags=[lag], leads=[min(config.leads)], inference="auto", reps=reps, seed=seed),
            notes)
    if dl is not None:
        models["distributed_lags"] = dl
        estimates += _estimate_rows("distributed_lags", "panel_fe_distributed_lags", dl,
                                    outcome=outcome, exposure=exposure, lag=None)
        d = dl.to_dict()
        cumulative = d.get("cumulative")
        if isinstance(cumulative, list):
            cumulative = cumulative[0] if cumulative else None
        dl_block = {
            "outcome": outcome, "exposure": exposure,
            "lags": [{**r, "lag": _lag_of(r["term"], exposure)} for r in d["estimates"]
                     if _lag_of(r["term"], exposure) is not None],
            "cumulative": cumulative,
            "placebo_lead": None,
        }
    if lead is not None:
        models["placebo_lead"] = lead
        estimates += _estimate_rows("placebo_lead", "panel_fe_placebo_lead", lead,
                                    outcome=outcome, exposure=exposure, lag=lag)
        lead_row = next((r for r in lead.to_dict()["estimates"] if "_lead" in r["term"]), None)
        if dl_block is None:
            dl_block = {"outcome": outcome, "exposure": exposure, "lags": [], "cumulative": None}
        dl_block["placebo_lead"] = json_safe({**(lead_row or {}),
                                              "test": lead.to_dict().get("leads_test")})

    # 5b. the staged programme
    programme = None
    if "cohort_year" in window.columns and window["cohort_year"].notna().any():
        es = _step("event_study", lambda: event_study(
            window, outcome, unit, time, "cohort_year", cluster=unit, seed=seed), notes)
        cs = _step("staggered_did", lambda: staggered_did(
            window, outcome, unit, time, "cohort_year", control_group="not_yet_treated",
            reps=staggered_reps, seed=seed), notes)
        programme = _programme_block(config, window, es, cs)
        if es is not None:
            models["event_study"] = es
        if cs is not None:
            models["staggered_did"] = cs
            overall = programme["staggered"]["overall"] if programme.get("staggered") else None
            if overall:
                estimates.append(json_safe({
                    "id": "programme_att", "model": "staggered_did", "outcome": outcome,
                    "exposure": "programme", "term": "att_overall", "lag": None,
                    **{k: overall.get(k) for k in ("estimate", "std_error", "statistic",
                                                   "p_value", "conf_low", "conf_high")},
                    "conf_level": 0.95, "inference": overall.get("inference"),
                    "inference_reason": overall.get("inference_reason"),
                    "vcov_convention": None, "n_obs": overall.get("n_obs"),
                    "n_units": programme.get("n_units"), "n_years": window[time].nunique(),
                    "n_clusters": programme.get("n_units"), "fixed_effects": [],
                    "controls": [], "sample": "all units",
                    "outcome_unit": UNITS_OF.get(outcome, (None,))[0], "exposure_unit": None,
                }))

    # 5c. dose-response, chain, power, robustness
    dose = _step("dose_response", lambda: dose_response(
        window, outcome, exposure, unit, time, lag=lag), notes)
    if dose is not None:
        models["dose_response"] = dose
    chain_block = None
    mediator_outcome = next((m for m in config.measures.outcome if m in window), None)
    if outcome in config.measures.quality and mediator_outcome is not None:
        ch = _step("chain", lambda: chain(
            window, exposure, outcome, mediator_outcome, unit, time, lag=lag,
            controls=controls, reps=chain_reps, seed=seed), notes)
        if ch is not None:
            models["chain"] = ch
            chain_block = ch.to_dict()
    m = _step("mde", lambda: mde(
        window, outcome, term, unit, time, reps=mde_reps, seed=seed), notes)
    mde_block = None
    if m is not None:
        models["mde"] = m
        mde_block = m.to_dict()
        value = mde_block.get("mde", mde_block.get("value"))
        mde_block.update(json_safe({
            "outcome": outcome, "exposure": term, "value": value, "scale": scale,
            "scaled_value": None if value is None else value * scale,
            "unit": UNITS_OF.get(outcome, (None,))[0],
        }))
    rob = _step("robustness", lambda: robustness(
        window, outcome, exposure, unit, time, lag=lag, controls=controls,
        sector="sector" if "sector" in window else None, seed=seed), notes)
    if rob is not None:
        models["robustness"] = rob

    # 6. descriptives of the brief's year, per-unit rows, caveats
    results = {
        **_common_blocks(config, opts, study, window, panel_year, headline_row, parameters),
        "estimates": estimates,
        "headline": {
            "estimate_id": "headline", "scale": scale, "exposure": exposure, "outcome": outcome,
            "lag": lag, "term": term,
            "scaled": _interval(headline_row["estimate"], headline_row["conf_low"],
                                headline_row["conf_high"], scale),
        },
        "correlations": correlations,
        "distributed_lags": dl_block,
        "programme": programme,
        "dose_response": dose.to_dict() if dose is not None else None,
        "chain": chain_block,
        "mde": mde_block,
        "robustness": rob.to_dict() if rob is not None else None,
        "units": _unit_rows(panel_year, exposure, lag, config.min_cell_size),
        "caveats": _caveats(config, headline_row, window, programme, outcome, term),
        "notes": notes,
    }
    ctx = _context(study, opts, panel, window, panel_year, headline_row, models["headline"])
    results = _with_sections(results, ctx, notes)
    results = json_safe(results)
    # fail here, not in the brief, if something is not JSON (NaN, numpy types)
    json.dumps(results, allow_nan=False)
    return Analysis(config=config, options=opts, panel=window, models=models, results=results)


def _programme_block(config: StudyConfig, window: pd.DataFrame, es, cs) -> dict:
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
        d = es.to_dict()
        block["event_study"] = d.get("estimates")
        block["event_study_pretrend"] = d.get("pretrend")
    if cs is not None:
        d = cs.to_dict()
        block["staggered"] = {
            "estimator": "callaway_santanna",
            "control_group": d.get("control_group", "not_yet_treated"),
            "overall": d.get("overall"),
            "by_event_time": d.get("dynamic") or d.get("by_event_time"),
        }
        block["pretrend"] = d.get("pretrend")
    if block["pretrend"] is None and es is not None:
        block["pretrend"] = block.get("event_study_pretrend")
    pre = block["pretrend"]
    if pre is not None and "passed" not in pre and pre.get("p_value") is not None:
        pre["passed"] = bool(pre["p_value"] >= 0.05)
    block["agree"] = _twfe_and_robust_agree(block)
    return json_safe(block)


def _twfe_and_robust_agree(block: dict) -> bool | None:
    """TWFE event study and the robust estimator agree in sign and significance
    on the average post-period effect."""
    es, st = block.get("event_study"), block.get("staggered")
    if not es or not st or not st.get("overall"):
        return None
    post = [r for r in es if _event_time(r) is not None and _event_time(r) >= 0
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


def _event_time(row: Mapping[str, Any]) -> int | None:
    if row.get("event_time") is not None:
        return int(row["event_time"])
    term = str(row.get("term", ""))
    digits = "".join(ch for ch in term.split("::")[-1] if ch.isdigit() or ch == "-")
    try:
        return int(digits)
    except ValueError:
        return None


# ---- the writing and reading edge --------------------------------------------------------


def save_results(results: Mapping[str, Any], out_dir: str | os.PathLike) -> Path:
    """Write ``results.json`` atomically (sorted keys, no NaN) into ``out_dir``."""
    return write_json(Path(out_dir) / RESULTS_FILE, json_safe(dict(results)))


def load_results(out_dir: str | os.PathLike) -> dict:
    """Read ``results.json`` from ``out_dir`` (a folder or the file itself)."""
    path = Path(out_dir)
    if path.is_dir():
        path = path / RESULTS_FILE
    if not path.is_file():
        raise RunError(
            f"{path}: not found. Run the estimation first "
            f"(notebooks/02_estimate.ipynb, or `evaluation brief`)."
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise RunError(f"{path}: not valid JSON (line {exc.lineno}); re-run the estimation.") from None
    if data.get("schema_version") != SCHEMA_VERSION:
        raise RunError(
            f"{path}: schema_version {data.get('schema_version')!r}, this toolkit reads "
            f"{SCHEMA_VERSION}; re-run the estimation with this version."
        )
    return data


def _quiet_warnings():  # pragma: no cover - used by notebooks
    warnings.filterwarnings("ignore", category=FutureWarning)


__all__ = ["Analysis", "AnalysisOptions", "analyse", "lagged", "load_results", "save_results"]
