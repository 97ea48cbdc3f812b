"""Issue 13, item 5, end to end: a study made from the demo by summing its training per
unit-year into ``training_summary`` (no NIPs, no names) gives the demo's headline and
training-type estimates to many digits through the whole analysis, and its brief says what it
cannot show (who is left behind, topics) instead of showing it."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest
import yaml

from evaluation.brief.narrate import narrate
from evaluation.brief.report import analyse
from evaluation.columns import TABLE_COLUMNS
from evaluation.indicators import credited_jp
from evaluation.study import load_study

YEAR = 2024
SMALL = {"year": YEAR, "reps": 199, "chain_reps": 19, "mde_reps": 10, "staggered_reps": 19}


def summary_study(demo_dir: Path, folder: Path) -> pd.DataFrame:
    """Copy the demo into ``folder`` with ``training.parquet`` replaced by the per unit-year
    sums an analyst without person-level records receives; return the summary."""
    study = load_study(demo_dir, cache_dir=False)
    shutil.copytree(demo_dir, folder)
    (folder / "training.parquet").unlink()
    tr = study.tables["training"]
    jp = credited_jp(tr, config=study.config)[0]
    keys = [tr["unit_id"].astype(str), tr["year"]]
    per_person = jp.groupby([*keys, tr["nip"]]).sum()

    def jp_where(column: str, value: str) -> pd.Series:
        return jp.where(tr[column] == value, 0.0).groupby(keys).sum()

    summary = pd.DataFrame({
        "jumlah_jp": jp.groupby(keys).sum(),
        "jumlah_asn_20jp": (per_person >= 20 - 1e-9).groupby(level=[0, 1]).sum(),
        "biaya": tr["cost_rp"].groupby(keys).sum(),
        **{f"jp_{t}": jp_where("competency_type", t)
           for t in ("teknis", "manajerial", "sosial_kultural")},
        **{f"jp_{p}": jp_where("learning_path", p) for p in ("klasikal", "nonklasikal")},
        "jumlah_peserta": per_person.groupby(level=[0, 1]).size(),
    }).rename_axis(["kode_opd", "tahun"]).reset_index()
    # the demo's CSVs are Indonesian exports: semicolons, decimal commas
    summary.to_csv(folder / "training_summary.csv", sep=";", decimal=",", index=False)
    cfg = yaml.safe_load((folder / "study.yaml").read_text(encoding="utf-8"))
    del cfg["tables"]["training"]
    cfg["tables"]["training_summary"] = "training_summary.csv"
    (folder / "study.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True),
                                       encoding="utf-8")
    return summary


@pytest.fixture(scope="module")
def both(demo_dir, tmp_path_factory):
    folder = tmp_path_factory.mktemp("summary") / "study"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the demo is synthetic, and says so
        summary = summary_study(demo_dir, folder)
        demo = analyse(demo_dir, **SMALL).results
        summ = analyse(folder, **SMALL).results
    return demo, summ, summary, folder


def test_the_summary_holds_no_person(both):
    _, _, summary, folder = both
    assert len(summary) > 400 and not any("nip" in c or "nama" in c for c in summary.columns)
    text = (folder / "training_summary.csv").read_text(encoding="utf-8")
    assert not any(len(cell) == 18 and cell.isdigit() for cell in text.replace("\n", ";")
                   .split(";"))  # no 18-digit NIP anywhere


def test_summary_study_gives_the_demos_headline_to_many_digits(both):
    demo, summ, _, _ = both
    a, b = demo["estimates"][0], summ["estimates"][0]
    assert a["id"] == b["id"] == "headline" and a["term"] == b["term"] == "jp_per_asn_lag1"
    assert a["n_obs"] == b["n_obs"] and a["n_clusters"] == b["n_clusters"]
    for key in ("estimate", "std_error", "conf_low", "conf_high", "p_value"):
        assert b[key] == pytest.approx(a[key], rel=1e-10, abs=0), key
    assert summ["headline"]["scaled"]["estimate"] == pytest.approx(
        demo["headline"]["scaled"]["estimate"], rel=1e-10)
    # every association estimated from the panel's training measures agrees as well
    rows = {e["id"]: e for e in demo["estimates"]}
    same = [e for e in summ["estimates"] if e["id"] in rows and e.get("estimate") is not None
            and e["model"] == "panel_fe"]
    assert len(same) >= 6
    for e in same:
        assert e["estimate"] == pytest.approx(rows[e["id"]]["estimate"], rel=1e-8), e["id"]


def test_summary_study_gives_the_demos_training_type_estimates(both):
    demo, summ, _, _ = both
    for grouping in ("competency_type", "learning_path"):
        mine = summ["by_training_type"]["groupings"][grouping]["kinds"]
        theirs = demo["by_training_type"]["groupings"][grouping]["kinds"]
        assert [k["label"] for k in mine] == [k["label"] for k in theirs] and mine
        for m, t in zip(mine, theirs, strict=True):
            for key in ("estimate", "conf_low", "conf_high"):
                assert m[key] == pytest.approx(t[key], rel=1e-8), (grouping, m["label"], key)
    # topics need programme titles, which a summary does not have
    assert summ["by_training_type"]["groupings"]["topic"] is None
    assert "topic" in summ["by_training_type"]["not_estimated"]


def test_summary_study_brief_says_what_it_cannot_show(both):
    demo, summ, _, _ = both
    assert demo["training_access"]["available"]
    assert summ["training_access"] == {"available": False, "reason": "training_summary"}
    assert summ["data_sources"]["person_level"] is False
    assert set(summ["data_sources"]["unavailable"]) == {"training_access", "topics"}
    for lang, says, finding in (("id", "siapa yang tertinggal", "Siapa yang tertinggal"),
                                ("en", "who is left behind", "Who is left behind")):
        n = narrate(summ, lang=lang)
        assert says in n.caveats[0] and "per ASN" in n.caveats[0]
        assert not any(x.startswith(finding) for x in n.findings)
        assert any(x.startswith(finding) for x in narrate(demo, lang=lang).findings)


def test_the_demos_results_hold_the_three_questions(both):
    """Issue 13's done-when on the demo: which training, what a budget buys, who is left
    behind are all in results.json from the analysis the brief runs."""
    demo, summ, _, _ = both
    assert demo["by_training_type"]["available"] and demo["by_training_type"]["groupings"][
        "competency_type"]["differ"]
    assert demo["scenario"]["available"] and not demo["scenario"]["refused"]
    assert {s["budget_change"] for s in demo["scenario"]["scenarios"]} >= {-0.10, 0.25}
    assert demo["training_access"]["available"] and demo["training_access"]["units"]
    # the scenario needs no person: the summary study prices the same JP the same way
    assert summ["scenario"]["available"]
    mine = {u["unit_id"]: u for u in summ["scenario"]["scenarios"][0]["units"]}
    units = demo["scenario"]["scenarios"][0]["units"]
    assert units and len(mine) == len(units)
    for u in units:
        assert mine[u["unit_id"]]["jp_change"] == pytest.approx(u["jp_change"], rel=1e-9)


def test_the_one_part_a_summary_leaves_out_is_the_total_minus_the_others(demo_dir, tmp_path):
    """A summary giving JP for two competency types and only e-learning (nonklasikal) JP:
    the third type and the classroom JP are the rest of the total, as in the records."""
    folder = tmp_path / "study"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summary = summary_study(demo_dir, folder)
        summary.drop(columns=["jp_sosial_kultural", "jp_klasikal"]).to_csv(
            folder / "training_summary.csv", sep=";", decimal=",", index=False)
        demo = load_study(demo_dir, cache_dir=False).panel()
        summ = load_study(folder, cache_dir=False).panel()
    assert summ.attrs["training_source"] == "training_summary"
    for col in ("jp_per_asn_sosial_kultural", "jp_per_asn_klasikal", "jp_per_asn_teknis"):
        assert summ[col].notna().sum() > 400
        pd.testing.assert_series_equal(summ[col], demo[col], rtol=1e-9, atol=1e-9,
                                       check_names=False)


TYPES = ("jenis kompetensi pelatihan (teknis, manajerial, sosial kultural)",
         "competency types (technical, managerial, socio-cultural)")
PATHS = ("pelatihan klasikal dan nonklasikal", "classroom and non-classroom training")


@pytest.mark.parametrize(("dropped", "grouping", "says", "not_said"), [
    (("jp_teknis", "jp_manajerial", "jp_sosial_kultural"), "competency_type", TYPES, PATHS),
    (("jp_manajerial", "jp_sosial_kultural"), "competency_type", TYPES, PATHS),
    (("jp_klasikal", "jp_nonklasikal"), "learning_path", PATHS, TYPES),
])
def test_a_summary_without_two_parts_of_a_grouping_says_so_in_the_brief(
        demo_dir, tmp_path, both, dropped, grouping, says, not_said):
    """Two or more parts of a grouping missing from training_summary: by_training_type cannot
    compare it, and the brief's first caveat says which comparison it cannot show, which JP
    are missing and which columns to add; the reason in results.json stays the estimation's."""
    folder = tmp_path / "study"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summary = summary_study(demo_dir, folder)
        summary.drop(columns=list(dropped)).to_csv(
            folder / "training_summary.csv", sep=";", decimal=",", index=False)
        results = analyse(folder, **SMALL).results
    block = results["by_training_type"]
    gone = [c.removeprefix("jp_") for c in dropped]
    assert block["missing_parts"] == {grouping: gone}
    # without the types the path model (which holds them fixed) cannot run either
    reason = (block["reason"] if grouping == "competency_type"
              else block["not_estimated"][grouping])
    assert block["available"] is (grouping != "competency_type")
    assert reason.startswith(f"{'competency_type: ' if block['available'] is False else ''}"
                             f"no JP per ASN of {gone} in any unit-year"), reason
    assert all(c in TABLE_COLUMNS["training_summary"] for c in dropped)  # named in the brief
    for lang, say, other in (("id", says[0], not_said[0]), ("en", says[1], not_said[1])):
        caveat = narrate(results, lang=lang).caveats[0]
        assert say in caveat and ", ".join(dropped) in caveat and other not in caveat, caveat
        assert caveat.count("(") == caveat.count(")")
    # the full summary (and the demo) can compare both groupings: no such words
    demo, summ, _, _ = both
    for r in (demo, summ):
        assert r["by_training_type"]["missing_parts"] == {}
        for lang in ("id", "en"):
            assert "jp_" not in " ".join(narrate(r, lang=lang).caveats)
