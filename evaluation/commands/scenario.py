"""`evaluation scenario`: what a training-budget change would buy, if the association held.

Prints the table (units, the JP the change buys at each unit's own cost per JP, the cost and
the implied IKM change with its 95% interval, the units' ranks by gap to the entitlement and
by cost per JP) and writes it beside the brief: ``<out>/<study>/<year>/scenario_<what>.csv``
and ``.json``. The dose-response is the brief's headline, estimated the same way (same
window, controls, clustering, inference and seed), so the numbers match the brief's
``scenario`` block.
"""

from __future__ import annotations

import argparse
import re
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from .. import _io
from ..brief.sentences import lag_earlier
from ..errors import ParameterError
from ..estimate import ScenarioResult, scenario
from ..i18n import Formatter
from ._common import add_lang, add_out, add_study

HELP = ("what a training-budget change (or every ASN reaching the 20-JP entitlement) would "
        "buy per unit, if the estimated association held; prints the table and writes it "
        "beside the brief")


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_study(p)
    p.add_argument("--year", type=int, default=None, help="year of the brief (default: the last)")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--budget-change", metavar="PCT",
                      help="relative change of every unit's training budget, e.g. "
                           "--budget-change=-10%% or --budget-change=+25%%")
    what.add_argument("--target", choices=["entitlement"],
                      help="entitlement: every ASN reaching the 20-JP entitlement")
    add_lang(p)
    add_out(p)
    p.add_argument("--seed", type=int, default=2026, help="seed of the bootstrap (default 2026)")
    p.add_argument("--reps", type=int, default=9999,
                   help="wild bootstrap draws of the dose-response (default 9999, as the brief)")


def parse_change(text: str) -> float:
    """``"-10%"`` -> -0.10, ``"+25%"`` -> 0.25 (a number without ``%`` is read as percent)."""
    match = re.fullmatch(r"\s*([+-]?\d+(?:[.,]\d+)?)\s*%?\s*", str(text))
    if not match:
        raise ParameterError(
            f"--budget-change: expecting a percentage such as -10% or +25%. Got {text!r}.")
    return float(match.group(1).replace(",", ".")) / 100.0


def _tag(change: float | None) -> str:
    if change is None:
        return "entitlement"
    pct = f"{change * 100:+g}".replace(".", "_")
    return f"budget{pct}pct"


def compute(study_dir: str, year: int | None, change: float | None, target: str | None,
            *, seed: int = 2026, reps: int = 9999) -> tuple[Any, int, ScenarioResult]:
    """The study's config, the year, and the scenario (headline estimated as the brief does)."""
    # imported when the command runs, so that `evaluation --help` starts quickly
    from ..brief.sections.scenario import headline_effect, unit_inputs
    from ..brief.steps import design_for
    from ..errors import EstimationError
    from ..study import load_study

    study = load_study(study_dir)
    config = study.config
    year = config.years.last if year is None else int(year)
    if year not in config.years.span:
        raise ParameterError(
            f"--year: expecting a year in {config.years.first}-{config.years.last} "
            f"(study.yaml: years). Got {year}.")
    panel = study.panel()
    window = panel[(panel["year"] >= config.years.first) & (panel["year"] <= year)]
    window = window.reset_index(drop=True)
    d = design_for(config, window, seed=seed, reps=reps, chain_reps=0, mde_reps=0,
                   staggered_reps=0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            headline = d.fe(d.outcome, [d.term])
    except EstimationError:
        headline = None
    units = unit_inputs(study, window[window["year"] == year], year)
    res = scenario(units, headline_effect(config, headline), budget_change=change,
                   target="entitlement" if target else None,
                   entitlement=float(config.jp.entitlement))
    return config, year, res


def _table(res: ScenarioResult, f: Formatter) -> pd.DataFrame:
    c = "estimate.scenario.columns."
    t = res.table
    names = t["unit_name"] if "unit_name" in t.columns else t["unit_id"]
    ikm = [f.na if pd.isna(m) else f"{f.number(m, 2)} ({f.ci(lo, hi, 2)})"
           for m, lo, hi in zip(t["ikm_change"], t["ikm_change_low"], t["ikm_change_high"],
                                strict=True)]
    return pd.DataFrame({
        f.msg(c + "unit"): [str(n) for n in names],
        f.msg(c + "asn"): [f.integer(v) for v in t["asn_count"]],
        f.msg(c + "jp_per_asn"): [f.number(v) for v in t["jp_per_asn"]],
        f.msg(c + "cost_per_jp"): [f.na if pd.isna(v) else f.rupiah(v) for v in t["cost_per_jp"]],
        f.msg(c + "jp_change"): [f.number(v, 0) for v in t["jp_change"]],
        f.msg(c + "spend_change"): [f.na if pd.isna(v) else f.rupiah(v)
                                    for v in t["spend_change"]],
        f.msg(c + "ikm_change"): ikm,
        f.msg(c + "rank_gap"): [f.na if pd.isna(v) else str(int(v)) for v in t["rank_gap"]],
        f.msg(c + "rank_cost"): [f.na if pd.isna(v) else str(int(v))
                                 for v in t["rank_cost_per_jp"]],
    })


def _percent(f: Formatter, change: float) -> str:
    """``-10%``, ``+25%``, ``-2,5%``: the change as the user typed it, in the language."""
    pct = change * 100
    text = f.number(abs(pct), 0 if float(round(pct, 6)).is_integer() else 1)
    return f"{'+' if pct > 0 else '-' if pct < 0 else ''}{text}%"


def _lines(res: ScenarioResult, f: Formatter, config: Any, table: pd.DataFrame) -> list[str]:
    s = "estimate.scenario."
    cfg = res.config
    title = (f.msg(s + "title_budget", change=_percent(f, cfg.budget_change))
             if cfg.budget_change is not None
             else f.msg(s + "title_entitlement", entitlement=f.number(cfg.entitlement, 0)))
    lines = [title, "", table.to_string(index=False), ""]
    tot = res.totals
    city = (f"{f.msg(s + 'city')}: {f.number(tot['jp_change'], 0)} JP, "
            f"{f.rupiah(tot['spend_change'])}")
    if tot["ikm_change_mean"] is not None:
        city += (f", IKM {f.number(tot['ikm_change_mean'], 2)} "
                 f"({f.ci(tot['ikm_change_low'], tot['ikm_change_high'], 2)})")
    lines.append(city)
    e = cfg.effect
    if e is not None:
        lines.append(f.msg(s + "effect", estimate=f.number(e["estimate"], 3),
                           low=f.number(e["conf_low"], 3), high=f.number(e["conf_high"], 3),
                           lag_earlier=lag_earlier(f, getattr(config.headline, "lag", 1))))
    if res.refused:
        lines.append(f.msg(s + f"refused.{res.refusal}"))
    else:
        lines.append(f.msg(s + "assumption",
                           year=getattr(config, "price_base_year", None) or ""))
    if tot["n_units_cost_imputed"]:
        lines.append(f.msg(s + "imputed", n=tot["n_units_cost_imputed"]))
    return lines


def run(args: argparse.Namespace) -> int:
    change = None if args.budget_change is None else parse_change(args.budget_change)
    config, year, res = compute(args.study, args.year, change, args.target, seed=args.seed,
                                reps=args.reps)
    f = Formatter(args.lang or config.language)
    table = _table(res, f)
    for line in _lines(res, f, config, table):
        print(line)
    folder = Path(args.out) / config.name / str(year)
    stem = f"scenario_{_tag(change)}"
    csv = res.table.map(_io.spreadsheet_text).to_csv(index=False)
    for path in (_io.write_text(folder / f"{stem}.csv", csv),
                 _io.write_json(folder / f"{stem}.json", res.to_dict())):
        print(f.msg("estimate.scenario.written", path=path))
    return 0
