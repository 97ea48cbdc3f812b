"""The results.json sections the estimation engineer owns: by_training_type, scenario and
by_sector, built on the demo study (reduced bootstrap sizes), and their privacy and refusal
rules."""

from __future__ import annotations

import dataclasses
import json
import warnings

import numpy as np
import pytest

from evaluation.brief.context import AnalysisContext
from evaluation.brief.sections import SECTIONS, sectors, training_types
from evaluation.brief.sections import scenario as scenario_section
from evaluation.brief.steps import design_for
from evaluation.study import load_study

YEAR = 2024
OPTIONS = {"reps": 999, "chain_reps": 199, "mde_reps": 100, "staggered_reps": 199}


@pytest.fixture(scope="module")
def ctx(demo_dir) -> AnalysisContext:
    study = load_study(demo_dir)
    panel = study.panel()
    window = panel[panel["year"] <= YEAR].reset_index(drop=True)
    d = design_for(study.config, window, seed=study.config.seed, reps=999, chain_reps=0,
                   mde_reps=0, staggered_reps=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        headline = d.fe(d.outcome, [d.term])
    return AnalysisContext(
        config=study.config, study=study, panel=panel, window=window,
        panel_year=window[window["year"] == YEAR], year=YEAR,
        first_year=study.config.years.first, headline_row={"id": "headline"},
        headline=headline, seed=study.config.seed, min_cell_size=study.config.min_cell_size,
        options=OPTIONS,
    )


def test_the_three_sections_are_registered():
    keys = [s.key for s in SECTIONS]
    assert {"by_training_type", "scenario", "by_sector"} <= set(keys)


def test_by_training_type_block(ctx):
    block = training_types.build(ctx)
    json.dumps(block, allow_nan=False)
    assert block["available"] and block["lag"] == 1
    comp = block["groupings"]["competency_type"]
    assert [k["label"] for k in comp["kinds"]] == ["teknis", "manajerial", "sosial_kultural"]
    assert comp["source"] in ("panel", "shares")
    assert comp["difference_test"]["df"] == 2 and 0 <= comp["difference_test"]["p_value"] <= 1
    assert sum(k["prob_best"] for k in comp["kinds"]) == pytest.approx(1.0)
    for kind in comp["kinds"]:
        assert kind["scaled"]["estimate"] == pytest.approx(10 * kind["estimate"])
        assert 0 <= kind["prob_positive"] <= 1
    path = block["groupings"]["learning_path"]
    assert [k["label"] for k in path["kinds"]] == ["klasikal", "nonklasikal"]
    assert set(path["prob_greater"]) == {"klasikal", "nonklasikal"}


def test_type_columns_from_shares_equal_the_panels_jp_by_type(ctx):
    """For a panel without jp_per_asn_<type>, share of the type x JP per ASN stands in: the
    same number as the panel's own column (credited JP of the type over ASN)."""
    kinds = list(training_types.COMPETENCY_TYPES)
    panel_frame, cols, source = training_types.kind_columns(ctx.window, kinds)
    assert source == "panel"
    without = ctx.window.drop(columns=[c for c in ctx.window.columns
                                       if c.startswith(tuple(cols))])
    shares_frame, same_cols, source = training_types.kind_columns(without, kinds)
    assert source == "shares" and same_cols == cols
    for col in cols:
        ok = panel_frame[col].notna()
        np.testing.assert_allclose(shares_frame.loc[ok, col], panel_frame.loc[ok, col],
                                   rtol=1e-9, atol=1e-9)


def test_scenario_block(ctx):
    block = scenario_section.build(ctx)
    json.dumps(block, allow_nan=False)
    assert block["available"] and block["refused"] is False
    names = [s["name"] for s in block["scenarios"]]
    assert names == ["budget_minus_10", "budget_plus_25", "entitlement"]
    cut = block["scenarios"][0]
    assert cut["totals"]["jp_change"] < 0 and cut["totals"]["ikm_change_high"] < 0
    plus = block["scenarios"][1]["totals"]
    assert plus["ikm_change_low"] <= plus["ikm_change_mean"] <= plus["ikm_change_high"]
    assert len(block["rank_by_gap"]) == len(ctx.panel_year) == len(cut["units"])
    effect = block["effect"]
    row = ctx.headline.tidy().iloc[0]
    assert effect["estimate"] == row["estimate"] and effect["conf_low"] == row["conf_low"]


def test_scenario_entitlement_gap_counts_untrained_and_short_asn(ctx):
    units = scenario_section.unit_inputs(ctx.study, ctx.panel_year, YEAR)
    gap = units["jp_gap_entitlement"].to_numpy()
    asn = units["asn_count"].to_numpy()
    share = ctx.panel_year["share_20jp"].to_numpy()
    # every ASN below 20 JP is short of at most 20 JP, and those are (1 - share) of ASN
    assert np.all(gap >= 0) and np.all(gap <= 20 * asn * (1 - share) + 1e-6)
    assert np.all((gap > 0) == (share < 1))


def test_scenario_refused_without_headline_keeps_jp_and_costs(ctx):
    refused = dataclasses.replace(ctx, headline=None, headline_row=None)
    block = scenario_section.build(refused)
    assert block["refused"] and block["refusal"] == "headline_not_estimable"
    units = block["scenarios"][0]["units"]
    assert all(u["ikm_change"] is None for u in units)
    assert all(u["jp_change"] is not None for u in units)


def test_scenario_suppresses_person_level_gaps_of_tiny_units(ctx):
    tiny = dataclasses.replace(ctx, min_cell_size=10**9)
    block = scenario_section.build(tiny)
    units = block["scenarios"][-1]["units"]
    assert units and all(u["suppressed"] and u["jp_gap_entitlement"] is None for u in units)


def test_by_sector_block(ctx):
    block = sectors.build(ctx)
    json.dumps(block, allow_nan=False)
    assert block["available"] and block["group"] == "sector"
    rows = block["sectors"]
    assert len(rows) == ctx.window["sector"].nunique()
    est = [r for r in rows if r["estimable"]]
    assert est and all(r["mde"] > 0 and isinstance(r["detectable"], bool) for r in est)
    assert block["reference_effect"] == pytest.approx(ctx.headline.tidy()["estimate"].iloc[0])
    assert block["difference_test"]["df"] == len(est) - 1
    n_units = ctx.panel_year.groupby("sector")["unit_id"].nunique()
    smallest = min(est, key=lambda r: n_units[r["group"]])
    largest = max(est, key=lambda r: n_units[r["group"]])
    assert smallest["mde"] > largest["mde"]


# ---- the `evaluation scenario` command ----------------------------------------------------


def test_scenario_command_prints_writes_and_matches_the_section(ctx, demo_dir, tmp_path, capsys):
    from evaluation.cli import main

    code = main(["scenario", "--study", str(demo_dir), "--year", str(YEAR),
                 "--budget-change=-10%", "--out", str(tmp_path), "--reps", "999",
                 "--lang", "en"])
    assert code == 0
    out = capsys.readouterr().out
    assert "if the association held" in out and "Cost per JP" in out
    folder = tmp_path / ctx.config.name / str(YEAR)
    written = json.loads((folder / "scenario_budget-10pct.json").read_text())
    assert (folder / "scenario_budget-10pct.csv").exists()
    section = scenario_section.build(ctx)["scenarios"][0]
    mine = {u["unit_id"]: u for u in written["units"]}
    for unit in section["units"]:
        assert mine[unit["unit_id"]]["jp_change"] == pytest.approx(unit["jp_change"])
        assert mine[unit["unit_id"]]["ikm_change"] == pytest.approx(unit["ikm_change"])


@pytest.mark.parametrize(("text", "value"), [("-10%", -0.10), ("+25%", 0.25), ("5", 0.05),
                                             ("-2,5%", -0.025)])
def test_budget_change_parsing(text, value):
    from evaluation.commands.scenario import parse_change

    assert parse_change(text) == pytest.approx(value)


def test_scenario_command_bad_input_exits_with_a_message(demo_dir, tmp_path, capsys):
    from evaluation.cli import main

    assert main(["scenario", "--study", str(demo_dir), "--budget-change=ten",
                 "--out", str(tmp_path)]) == 2  # a usage mistake
    assert "expecting a percentage" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["scenario", "--study", str(demo_dir), "--out", str(tmp_path)])
    assert exc.value.code == 2


# ---- the demo's known truth by training type (data/demo/TRUTH.md) -------------------------


def test_training_type_estimates_cover_the_demos_truth(ctx):
    from evaluation.demo import truth

    t = truth(seed=ctx.config.seed)
    block = training_types.build(ctx)
    comp = {k["label"]: k for k in block["groupings"]["competency_type"]["kinds"]}
    assert set(comp) == set(t["beta_type_lag1"])
    for label, beta in t["beta_type_lag1"].items():
        assert comp[label]["conf_low"] < beta < comp[label]["conf_high"], label
    # a type that matters (teknis 0.12) and one that does not (sosial kultural 0.0)
    assert block["groupings"]["competency_type"]["differ"]
    assert comp["teknis"]["prob_best"] > 0.9 and comp["teknis"]["prob_positive"] > 0.99
    assert comp["sosial_kultural"]["conf_low"] < 0 < comp["sosial_kultural"]["conf_high"]
    path = block["groupings"]["learning_path"]
    for k in path["kinds"]:
        projected = t["projection_lag1"]["paths"][k["term"]]
        assert k["conf_low"] < projected < k["conf_high"], k["label"]
    given = path["nonklasikal_given_types"]["given_types"]
    assert given["conf_low"] < t["beta_path_given_type"] < given["conf_high"]
    topic = block["groupings"]["topic"]["digital"]
    assert topic["given_types"]["conf_low"] < t["beta_topic_given_type"]["digital"] < \
        topic["given_types"]["conf_high"]
    alone = t["projection_lag1"]["topic_digital"]["jp_per_asn_topic_digital_lag1"]
    assert topic["alone"]["conf_low"] < alone < topic["alone"]["conf_high"]


def test_a_summary_without_some_kinds_says_which_columns_to_add(ctx):
    from evaluation.errors import EstimationError

    window = ctx.window.assign(jp_per_asn_manajerial=np.nan)  # not in the training_summary
    with pytest.raises(EstimationError, match=r"add \['jp_manajerial'\] to training_summary"):
        training_types.kind_columns(window, training_types.COMPETENCY_TYPES)
    frame, cols, source = training_types.kind_columns(ctx.window,
                                                      training_types.COMPETENCY_TYPES)
    assert source == "panel" and frame[cols].notna().any().all()


def test_scenario_command_says_the_change_and_the_dose_in_words(demo_dir, tmp_path, capsys):
    from evaluation.cli import main

    assert main(["scenario", "--study", str(demo_dir), "--year", str(YEAR),
                 "--budget-change=-2,5%", "--out", str(tmp_path), "--reps", "199"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Skenario: anggaran pelatihan -2,5% (jika hubungan ini berlaku)")
    assert "poin IKM per JP per ASN, tahun sebelumnya (IK 95%" in out
    assert "jp_per_asn_lag1" not in out  # no column name reaches the reader
