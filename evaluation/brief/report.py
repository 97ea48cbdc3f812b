"""From a study folder and a year to the ``results.json`` document behind a brief.

:func:`analyse` is the recipe the estimation notebook runs, one named step at a time
(the steps are in :mod:`.steps`, the descriptive blocks in :mod:`.descriptives`):

1. load and validate the study (:func:`evaluation.load_study`), build the unit-year panel;
2. keep the estimation window (the study's first year up to the brief's year);
3. the headline association (two-way fixed effects, honest few-cluster inference); when it
   cannot be estimated (too few years), the year gets a descriptive results.json instead;
4. every investment x quality/outcome association, and the within correlations;
5. distributed lags and a placebo lead; the staged programme (event study and a
   heterogeneity-robust estimator); the dose-response shape; the chain training -> IKM ->
   outcome; the minimum detectable effect; robustness across specifications;
6. descriptives for the brief's year (IKM categories, the 20-JP entitlement, cost per IKM
   point), per-unit rows (small units suppressed) and the caveats;
7. the sections registered in :mod:`.sections`, each from the same :class:`AnalysisContext`.

The returned :class:`Analysis` keeps the result objects for display in a notebook and the
JSON-safe ``results`` dict (documented in ``docs/results-json.md``). Nothing here writes
to disk except :func:`save_results`, atomically.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .._io import write_json
from ..config import StudyConfig
from ..errors import EstimationError, RunError
from ..estimate.results import json_safe
from ..settings import RunSettings, resolve_run
from ..study import Study, load_study
from . import steps
from .context import AnalysisContext
from .descriptives import SCHEMA_VERSION, analysis_caveats, common_blocks, unit_rows
from .sections import build_sections
from .steps import HEADLINE_SCALE, UNITS_OF, Collected, Design, lagged

RESULTS_FILE = "results.json"


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
    def headline(self) -> Any:
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
        return f"<pre>{html.escape(self.summary())}</pre>"


# ---- the recipe ---------------------------------------------------------------------------


def analyse(
    study_dir: str | os.PathLike[str] | RunSettings,
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
        Study folder (with ``study.yaml``), or the run's checked settings
        (:class:`~evaluation.settings.RunSettings`, from ``setup_notebook``): their year,
        seed and window are then used as given.
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
    >>> print(analyse("data/demo", year=2024, reps=999, mde_reps=100))  # doctest: +SKIP
    """
    # the values are checked once, by the same rules and words as at the command line
    settings = study_dir if isinstance(study_dir, RunSettings) else resolve_run(
        study_dir, years=year, seed=seed, first_year=first_year, year_name="year",
        default_years="last")
    study = load_study(settings.study_dir)
    seed = settings.seed
    opts = _options(settings, reps=reps, chain_reps=chain_reps, mde_reps=mde_reps,
                    staggered_reps=staggered_reps)
    panel, window, panel_year = _frames(study, opts)
    design = steps.design_for(study.config, window, seed=seed, reps=reps,
                              chain_reps=chain_reps, mde_reps=mde_reps,
                              staggered_reps=staggered_reps)
    out = Collected()
    try:
        headline_row = steps.headline(design, out)
    except EstimationError as exc:
        # Early years (a window shorter than the lag needs) or data that cannot identify
        # the headline: the brief is descriptive and says why, rather than no brief at all.
        return _descriptive_analysis(study, opts, design, panel, panel_year, exc, parameters)
    targets, investments = steps.associations(design, out)
    blocks = {  # the steps run in this order (a dict literal is evaluated left to right)
        "correlations": steps.correlations(design, out, targets, investments),
        "distributed_lags": steps.distributed_lags(design, out),
        "programme": steps.programme(design, out),
        "dose_response": steps.dose(design, out),
        "chain": steps.training_chain(design, out),
        "mde": steps.detectable(design, out),
        "robustness": steps.robust(design, out),
        "headline_bins": steps.headline_bins(design, out),
    }
    results = {
        **_common(study, opts, design, panel, panel_year, headline_row, parameters),
        **blocks,
        "estimates": out.estimates,
        "headline": _headline_block(design, headline_row),
        "caveats": analysis_caveats(study.config, headline_row, window, blocks["programme"],
                                    design.outcome, design.term),
        "notes": out.notes,
    }
    ctx = _context(study, opts, panel, design, panel_year, headline_row,
                   out.models["headline"])
    return _finish(study.config, opts, window, out.models, results, ctx)


def _options(settings: RunSettings, *, reps: int, chain_reps: int, mde_reps: int,
             staggered_reps: int) -> AnalysisOptions:
    return AnalysisOptions(year=settings.year, first_year=settings.first_year,
                           seed=settings.seed, reps=reps, chain_reps=chain_reps,
                           mde_reps=mde_reps, staggered_reps=staggered_reps)


def _frames(study: Study, opts: AnalysisOptions
            ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The full panel, the estimation window and the brief year's rows."""
    panel = study.panel()
    window = panel[(panel["year"] >= opts.first_year)
                   & (panel["year"] <= opts.year)].reset_index(drop=True)
    panel_year = window[window["year"] == opts.year]
    if panel_year.empty:
        raise RunError(f"no unit has data for {opts.year} in {study.config.root}")
    return panel, window, panel_year


def _recorded_parameters(opts: AnalysisOptions, parameters: Mapping[str, Any] | None
                         ) -> dict[str, Any]:
    return {**(parameters or {}), "year": opts.year, "seed": opts.seed,
            "first_year": opts.first_year, "reps": opts.reps, "chain_reps": opts.chain_reps,
            "mde_reps": opts.mde_reps, "staggered_reps": opts.staggered_reps}


def _common(study: Study, opts: AnalysisOptions, design: Design, panel: pd.DataFrame,
            panel_year: pd.DataFrame, headline_row: Mapping[str, Any] | None,
            parameters: Mapping[str, Any] | None) -> dict[str, Any]:
    return {
        **common_blocks(study.config, study, year=opts.year, first_year=opts.first_year,
                        parameters=_recorded_parameters(opts, parameters),
                        window=design.window, panel_year=panel_year,
                        headline_row=headline_row),
        "units": unit_rows(panel_year, design.exposure, design.lag, study.config.min_cell_size),
        "data_sources": data_sources(panel),
    }


def data_sources(panel: pd.DataFrame) -> dict[str, Any]:
    """What the study's inputs let the analysis say about persons (from the panel's attrs):
    ``person_level`` false when training comes as summaries per unit and year, and
    ``unavailable``: measure -> reason (e.g. ``training_access`` -> ``training_summary``)."""
    attrs = panel.attrs
    out = {
        "training_source": attrs.get("training_source"),
        "person_level": attrs.get("person_level", True),
        "unavailable": dict(attrs.get("unavailable") or {}),
    }
    if attrs.get("engine"):  # loaded out of core: by which engine, and why (see load_study)
        out["engine"] = {"name": attrs["engine"], "reason": attrs.get("engine_reason")}
    return json_safe(out)


def _headline_block(design: Design, row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "estimate_id": "headline", "scale": design.scale, "exposure": design.exposure,
        "outcome": design.outcome, "lag": design.lag, "term": design.term,
        "scaled": steps.interval(row["estimate"], row["conf_low"], row["conf_high"],
                                 design.scale),
    }


def _context(study: Study, opts: AnalysisOptions, panel: pd.DataFrame, design: Design,
             panel_year: pd.DataFrame, headline_row: Mapping[str, Any] | None,
             headline: Any) -> AnalysisContext:
    return AnalysisContext(
        config=study.config, study=study, panel=panel, window=design.window,
        panel_year=panel_year, year=opts.year, first_year=opts.first_year,
        headline_row=headline_row, headline=headline, seed=opts.seed,
        min_cell_size=study.config.min_cell_size,
        options={"reps": opts.reps, "chain_reps": opts.chain_reps, "mde_reps": opts.mde_reps,
                 "staggered_reps": opts.staggered_reps},
    )


def _finish(config: StudyConfig, opts: AnalysisOptions, window: pd.DataFrame,
            models: Mapping[str, Any], results: dict[str, Any], ctx: AnalysisContext
            ) -> Analysis:
    """Add the registered sections, check the document is strict JSON, wrap it up."""
    blocks = build_sections(ctx, results["notes"])
    clash = sorted(set(blocks) & set(results))
    if clash:
        raise RunError(f"results.json section(s) {clash} would replace a core block; "
                       "choose another key in evaluation/brief/sections/__init__.py")
    results = json_safe({**results, **blocks})
    # fail here, not in the brief, if something is not JSON (NaN, numpy types)
    json.dumps(results, allow_nan=False)
    return Analysis(config=config, options=opts, panel=window, models=dict(models),
                    results=results)


def _descriptive_analysis(study: Study, opts: AnalysisOptions, design: Design,
                          panel: pd.DataFrame, panel_year: pd.DataFrame, exc: Exception,
                          parameters: Mapping[str, Any] | None) -> Analysis:
    """results.json for a year whose headline cannot be estimated: descriptives only."""
    config, window, term = study.config, design.window, design.term
    reason = (f"{config.name} {opts.year}: the headline ({design.outcome} on {term}, window "
              f"{opts.first_year}-{opts.year}) cannot be estimated: {exc}")
    both = (window[[design.outcome, term]].notna().all(axis=1) if term in window
            else window[design.outcome] * 0)
    years_with_data = sorted(int(y) for y in window.loc[both.astype(bool), "year"].unique())
    caveats = ["synthetic"] if config.synthetic else []
    caveats.append("headline_not_estimable")
    results = {
        **_common(study, opts, design, panel, panel_year, None, parameters),
        "estimates": [],
        "headline": {
            "estimate_id": None, "status": "not_estimable", "reason": reason,
            "exposure": design.exposure, "outcome": design.outcome, "lag": design.lag,
            "term": term, "scale": design.scale, "years_with_data": years_with_data,
            "years_needed": 2, "scaled": None,
        },
        "correlations": None, "distributed_lags": None, "programme": None,
        "dose_response": None, "chain": None, "mde": None, "robustness": None,
        "headline_bins": None,
        "caveats": caveats,
        "notes": [reason],
    }
    ctx = _context(study, opts, panel, design, panel_year, None, None)
    return _finish(config, opts, window, {}, results, ctx)


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


__all__ = [
    "HEADLINE_SCALE",
    "RESULTS_FILE",
    "SCHEMA_VERSION",
    "UNITS_OF",
    "Analysis",
    "AnalysisOptions",
    "analyse",
    "lagged",
    "load_results",
    "save_results",
]
