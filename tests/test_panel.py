"""The unit-year panel: rows, measures, lags by calendar year, restructured units, and the
demo study against the generator's truth."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from evaluation.config import StudyConfig
from evaluation.errors import DataQualityWarning, DataValidationError, StudyConfigError
from evaluation.indicators import ikm, required_sample
from evaluation.panel import PANEL_COLUMNS, add_lags, build_panel, describe_panel

U = [f"u{i}" for i in range(1, 10)]


def config(**kw) -> StudyConfig:
    base = dict(
        name="t", title="t", years={"first": 2020, "last": 2023}, tables={"units": "units.csv"},
        measures={"investment": ["jp_per_asn", "share_20jp", "spend_per_asn_real"],
                  "quality": ["ikm"], "outcome": ["iku_achievement"],
                  "control": ["log_asn_count"]},
        lags=(0, 1, 2), leads=(1,), price_base_year=2023,
        jp={"nonklasikal_credit": {"coaching": 1.0}},
    )
    base.update(kw)
    return StudyConfig(**base)


def tables() -> dict[str, pd.DataFrame]:
    # A: 2020-2023; B closed after 2021 (restructured), C created 2022 (its successor)
    units = pd.DataFrame({
        "unit_id": ["A", "B", "C"], "unit_name": ["Dinas A", "Dinas B", "Badan C"],
        "unit_type": ["dinas", "dinas", "badan"], "sector": ["s1", "s2", "s2"],
        "population_served": [100, 2000, None],
        "created_year": pd.array([None, None, 2022], dtype="Int64"),
        "closed_year": pd.array([None, 2021, None], dtype="Int64"),
    })
    staff = pd.DataFrame({"unit_id": ["A"] * 4 + ["B"] * 2 + ["C"] * 2,
                          "year": [2020, 2021, 2022, 2023, 2020, 2021, 2022, 2023],
                          "asn_count": [10, 10, 8, 10, 20, 20, 25, 25]})
    training = pd.DataFrame({
        "nip": ["p1", "p2", "p3", "p4", "p5"], "unit_id": ["A", "A", "A", "B", "C"],
        "year": [2020, 2021, 2023, 2021, 2023], "jp": [20.0, 5.0, 40.0, 40.0, 10.0],
        "cost_rp": [1e6, 1e6, 1e6, 2e6, 5e5],
        "competency_type": ["teknis", "manajerial", "teknis", "teknis", "teknis"],
        "learning_path": ["klasikal", "nonklasikal", "klasikal", "klasikal", "klasikal"],
        "activity": ["pelatihan", "coaching", "pelatihan", "pelatihan", "pelatihan"],
    })
    cpi = pd.DataFrame({"year": [2020, 2021, 2022, 2023], "cpi": [100.0, 102.0, 105.0, 110.0]})
    rows = []
    # A 2020: 10 respondents answering 4 everywhere (IKM 100); A 2021: 10 answering 3 (75);
    # B 2020: 5 answering 2 (50)
    for unit, year, value, n in (("A", 2020, 4, 10), ("A", 2021, 3, 10), ("B", 2020, 2, 5)):
        rows += [{"unit_id": unit, "year": year, "respondent_id": f"{unit}{year}{i}",
                  **{u: float(value) for u in U}} for i in range(n)]
    skm = pd.DataFrame(rows)
    perf = pd.DataFrame({"unit_id": ["A", "A", "A", "B", "C"], "year": [2020, 2021, 2023, 2020, 2023],
                         "iku_achievement": [90.0, 95.0, 97.0, 80.0, 85.0],
                         "complaints": [1, 2, 3, 4, 5]})
    programme = pd.DataFrame({"unit_id": ["A"], "cohort_year": [2021]})
    return {"units": units, "staff": staff, "training": training, "cpi": cpi, "skm": skm,
            "performance": perf, "programme": programme}


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return build_panel(config(), tables())


def row(panel, unit, year):
    hit = panel[(panel["unit_id"] == unit) & (panel["year"] == year)]
    assert len(hit) == 1, (unit, year)
    return hit.iloc[0]


def test_one_row_per_unit_year_the_unit_existed(panel):
    got = list(zip(panel["unit_id"], panel["year"], strict=True))
    assert got == [("A", 2020), ("A", 2021), ("A", 2022), ("A", 2023),
                   ("B", 2020), ("B", 2021), ("C", 2022), ("C", 2023)]
    assert row(panel, "C", 2022)["unit_name"] == "Badan C"
    assert row(panel, "B", 2021)["sector"] == "s2"


def test_restructured_unit_rows_outside_its_life_are_ignored_with_a_warning():
    t = tables()
    t["performance"] = pd.concat([t["performance"], pd.DataFrame(
        {"unit_id": ["B"], "year": [2023], "iku_achievement": [70.0], "complaints": [0]})])
    with pytest.warns(DataQualityWarning, match="did not exist"):
        p = build_panel(config(), t)
    assert not ((p["unit_id"] == "B") & (p["year"] == 2023)).any()


def test_training_measures_and_zeros_for_staff_without_training(panel):
    a20 = row(panel, "A", 2020)
    # A 2020: 20 JP over 10 ASN; p1 reaches 20 JP -> 1/10
    assert a20["jp_per_asn"] == pytest.approx(2.0) and a20["share_20jp"] == pytest.approx(0.1)
    # A 2020 spending: 1,000,000 x 110/100 at 2023 prices over 10 ASN
    assert a20["spend_per_asn_real"] == pytest.approx(110_000)
    a22 = row(panel, "A", 2022)  # staff, no training: zeros, not missing
    assert a22["jp_per_asn"] == 0 and a22["share_20jp"] == 0 and a22["spend_per_asn_real"] == 0
    assert row(panel, "A", 2022)["asn_count"] == 8
    assert row(panel, "A", 2022)["log_asn_count"] == pytest.approx(math.log(8))
    assert panel.attrs["jp_credit_unlisted"] == []


def test_ikm_columns_use_the_study_weighting_and_flag_small_samples(panel):
    a20 = row(panel, "A", 2020)
    assert a20["ikm"] == pytest.approx(100.0) and a20["ikm_category"] == "A"
    assert a20["ikm_n_respondents"] == 10
    # A serves 100 people -> Krejcie-Morgan 80 respondents; 10 is too few: flagged, kept
    assert a20["ikm_required_sample"] == 80 and not a20["ikm_sample_adequate"]
    assert row(panel, "B", 2020)["ikm_required_sample"] == 322
    assert pd.isna(row(panel, "A", 2022)["ikm"])
    assert pd.isna(row(panel, "A", 2022)["ikm_sample_adequate"])
    assert str(panel["ikm_sample_adequate"].dtype) == "boolean"
    assert panel.attrs["ikm_weighting"] == "exact" and panel.attrs["ikm_source"] == "skm"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        reg = build_panel(config(ikm={"weighting": "regulation"}), tables())
    assert row(reg, "A", 2021)["ikm"] == pytest.approx(75.0 * 0.99)
    assert reg.attrs["ikm_weighting"] == "regulation"


def test_precomputed_ikm_table_is_used_when_there_are_no_answers():
    t = tables()
    del t["skm"]
    t["ikm"] = pd.DataFrame({"unit_id": ["A", "B"], "year": [2020, 2020], "ikm": [88.31, 64.99],
                             "n_respondents": [90, None]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        p = build_panel(config(), t)
    a, b = row(p, "A", 2020), row(p, "B", 2020)
    assert (a["ikm_category"], b["ikm_category"]) == ("A", "D")
    assert bool(a["ikm_sample_adequate"]) and pd.isna(b["ikm_sample_adequate"])
    assert p.attrs["ikm_source"] == "ikm"


def test_lags_follow_calendar_years_within_unit(panel):
    assert math.isnan(row(panel, "A", 2020)["jp_per_asn_lag1"])
    assert row(panel, "A", 2021)["jp_per_asn_lag1"] == pytest.approx(2.0)
    assert row(panel, "A", 2023)["jp_per_asn_lag2"] == pytest.approx(row(panel, "A", 2021)["jp_per_asn"])
    assert row(panel, "A", 2020)["ikm_lead1"] == pytest.approx(75.0)
    # C exists from 2022: its first year has no lag, and nothing leaks from B
    assert math.isnan(row(panel, "C", 2022)["jp_per_asn_lag1"])
    # lag 0 is the measure itself: no _lag0 column
    assert "jp_per_asn_lag0" not in panel.columns
    for m in ("jp_per_asn", "share_20jp", "spend_per_asn_real", "ikm"):
        assert {f"{m}_lag1", f"{m}_lag2", f"{m}_lead1"} <= set(panel.columns)
    assert "iku_achievement_lag1" not in panel.columns  # outcomes are not lagged


def test_a_gap_year_gives_a_missing_lag_not_the_previous_row():
    df = pd.DataFrame({"unit_id": ["A", "A", "A", "B", "B"], "year": [2020, 2021, 2023, 2021, 2022],
                       "ikm": [70.0, 72.0, 80.0, 60.0, 61.0]})
    out = add_lags(df, ["ikm"], lags=(1, 2), leads=(1,))
    # A has no 2022 row: 2023's lag 1 is missing (shift() would wrongly give 72)
    assert out["ikm_lag1"].iloc[1] == 70.0 and math.isnan(out["ikm_lag1"].iloc[2])
    assert out["ikm_lag2"].iloc[2] == 72.0
    assert math.isnan(out["ikm_lead1"].iloc[1])
    assert out["ikm_lag1"].iloc[4] == 60.0 and math.isnan(out["ikm_lag1"].iloc[3])


def test_lag_across_a_missing_data_year_in_the_panel():
    t = tables()
    t["staff"] = t["staff"][~((t["staff"]["unit_id"] == "A") & (t["staff"]["year"] == 2022))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        p = build_panel(config(), t)
    assert math.isnan(row(p, "A", 2022)["jp_per_asn"])  # no ASN count: unknown, not zero
    assert math.isnan(row(p, "A", 2023)["jp_per_asn_lag1"])
    assert row(p, "A", 2023)["jp_per_asn_lag2"] == pytest.approx(0.5)


def test_programme_and_performance_columns(panel):
    assert row(panel, "A", 2020)["event_time"] == -1 and not row(panel, "A", 2020)["programme_active"]
    assert row(panel, "A", 2023)["event_time"] == 2 and row(panel, "A", 2023)["programme_active"]
    assert pd.isna(row(panel, "B", 2020)["cohort_year"])
    assert row(panel, "C", 2023)["iku_achievement"] == 85.0
    assert math.isnan(row(panel, "A", 2022)["iku_achievement"])


def test_regional_outcomes_and_ipm_series():
    t = tables()
    t["regional"] = pd.DataFrame({"unit_id": ["A", "A"], "year": [2020, 2021], "ipm": [79.99, 80.0],
                                  "series": ["metode_baru"] * 2})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        p = build_panel(config(), t)
        assert row(p, "A", 2021)["ipm_category"] == "sangat tinggi"
        assert row(p, "A", 2020)["ipm_category"] == "tinggi"
        assert p.attrs["ipm_series"] == "metode_baru"
        t["regional"]["series"] = ["metode_lama", "metode_baru"]
        with pytest.raises(DataValidationError, match="mixes"):
            build_panel(config(), t)


def test_sorted_and_attrs(panel):
    assert panel[["unit_id", "year"]].equals(panel[["unit_id", "year"]].sort_values(["unit_id", "year"]))
    assert panel.attrs["base_year"] == 2023 and panel.attrs["synthetic"] is False
    assert panel.attrs["lags"] == [0, 1, 2] and panel.attrs["leads"] == [1]


def test_measure_the_tables_cannot_provide_is_a_study_error():
    t = tables()
    del t["performance"]
    with pytest.raises(StudyConfigError) as err, warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        build_panel(config(), t)
    assert err.value.problems[0].value == "iku_achievement"


def test_duplicate_unit_years_and_bad_lifetimes_are_errors():
    t = tables()
    t["performance"] = pd.concat([t["performance"], t["performance"].head(1)])
    with pytest.raises(DataValidationError, match="repeat"):
        build_panel(config(), t)
    t = tables()
    t["units"].loc[2, "closed_year"] = 2020  # closes before created (2022)
    with pytest.raises(DataValidationError, match="closes before"):
        build_panel(config(), t)


def test_every_column_is_documented(panel):
    documented = set(PANEL_COLUMNS)
    for col in panel.columns:
        if "_lag" in col or "_lead" in col:
            continue
        if col.startswith("jp_per_asn_topic_"):
            col = "jp_per_asn_topic_<name>"
        assert col in documented, col
    for name, (unit, text_id, text_en) in PANEL_COLUMNS.items():
        assert unit and text_id and text_en, name


def test_describe_panel(panel):
    d = describe_panel(panel)
    assert d["n_units"] == 3 and d["n_unit_years"] == 8 and d["years"] == [2020, 2023]
    assert d["balanced"] is False
    assert d["n_units_per_year"] == {2020: 2, 2021: 2, 2022: 2, 2023: 2}
    assert d["asn_last_year"] == 35.0  # A 10 + C 25
    # IKM is known for 3 of 8 unit-years
    assert d["missing_share"]["ikm"] == pytest.approx(5 / 8)
    assert d["n_ikm_sample_inadequate"] == 3
    import json

    json.dumps(d)


# ---- the demo study against the generator's truth -------------------------------------------


@pytest.fixture(scope="module")
def demo():
    study_mod = pytest.importorskip("evaluation.study")
    demo_mod = pytest.importorskip("evaluation.demo")
    from tests.conftest import DEMO

    if not (DEMO / "skm.parquet").exists():
        pytest.skip("demo data not generated (run: evaluation demo-data)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = study_mod.load_study(DEMO)
        panel = study.panel()
        truth = demo_mod.truth(study.config.seed)
    return study, panel, truth


def test_demo_training_measures_match_the_generator(demo):
    _, panel, truth = demo
    m = panel.merge(truth["unit_year"], on=["unit_id", "year"], suffixes=("", "_true"),
                    validate="one_to_one")
    assert len(m) == len(panel) == len(truth["unit_year"])
    parts = ["jp_per_asn_teknis", "jp_per_asn_manajerial", "jp_per_asn_sosial_kultural",
             "jp_per_asn_klasikal", "jp_per_asn_nonklasikal", "jp_per_asn_topic_digital"]
    for col in ("jp_per_asn", "share_20jp", "spend_per_asn_real", *parts,
                *[f"{c}_lag1" for c in ("jp_per_asn", *parts)]):
        np.testing.assert_allclose(m[col], m[f"{col}_true"], rtol=1e-9, atol=1e-6, err_msg=col)
    # every part has the study's lags and leads, like the investment measures
    assert {f"{c}_lag2" for c in parts} | {f"{c}_lead1" for c in parts} <= set(panel.columns)


def test_demo_ikm_matches_the_truth_within_sampling_error(demo):
    study, panel, truth = demo
    uy = truth["unit_year"]
    res = ikm(study.tables["skm"], weighting=study.config.ikm.weighting, reps=199, seed=1)
    t = res.table.merge(uy, on=["unit_id", "year"], suffixes=("", "_true"),
                        validate="one_to_one")
    np.testing.assert_array_equal(t["n_respondents"], t["n_respondents_true"])
    # the answers the generator drew give exactly the IKM computed here
    np.testing.assert_allclose(t["ikm"], t["ikm_sample"], atol=1e-9)
    # and the true expected IKM lies inside the 95% bootstrap interval about 95% of the time
    covered = ((t["conf_low"] <= t["ikm_expected"]) & (t["ikm_expected"] <= t["conf_high"])).mean()
    assert 0.88 <= covered <= 0.995, covered
    assert abs((t["ikm"] - t["ikm_expected"]).mean()) < 0.1


def test_demo_units_below_the_required_sample_are_flagged(demo):
    study, panel, truth = demo
    units = study.tables["units"].set_index("unit_id")["population_served"]
    has = panel["ikm"].notna()
    need = required_sample(panel.loc[has, "unit_id"].map(units).to_numpy(dtype=float))
    expected = panel.loc[has, "ikm_n_respondents"].to_numpy(dtype=float) >= need
    np.testing.assert_array_equal(panel.loc[has, "ikm_sample_adequate"].to_numpy(dtype=bool),
                                  expected)
    assert (~expected).any() and expected.any()  # the demo has both kinds


# ---- the out-of-core engine gives the same panel -----------------------------------------------


def _same_panel(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.columns) == list(b.columns)
    for col in a.columns:
        if pd.api.types.is_float_dtype(a[col]):
            np.testing.assert_allclose(a[col].to_numpy(float), b[col].to_numpy(float),
                                       rtol=1e-10, atol=1e-9, err_msg=col)
        else:
            assert a[col].astype(str).tolist() == b[col].astype(str).tolist(), col


def test_out_of_core_engine_gives_the_demo_panel(demo):
    study, panel, _ = demo
    from evaluation.study import load_study

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = load_study(study.config.root, cache_dir=False, engine="duckdb")
    assert "training" not in out.tables and "skm" not in out.tables
    assert out.inputs == study.inputs and out.data_sha256 == study.data_sha256
    _same_panel(panel, out.panel())


def test_out_of_core_engine_reads_a_study_partitioned_by_year(demo, tmp_path):
    study, panel, _ = demo
    from evaluation.demo.scale import generate_scaled
    from evaluation.study import load_study

    generate_scaled(tmp_path / "x2", scale=2, layout="partitioned")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(StudyConfigError, match="engine"):
            load_study(tmp_path / "x2", cache_dir=False, engine="pandas")
        out = load_study(tmp_path / "x2", cache_dir=False, engine="duckdb", memory_limit="1GB")
        assert load_study(tmp_path / "x2", cache_dir=False).engine == "duckdb"  # auto
    p = out.panel()
    assert len(p) == 2 * len(panel) and any(k.endswith("parquet") for k in out.inputs)
    copy2 = p[p["unit_id"].str.endswith("_K0002")].reset_index(drop=True)
    copy2["unit_id"] = copy2["unit_id"].str.removesuffix("_K0002")
    copy2["unit_name"] = copy2["unit_name"].str.removesuffix(" (salinan 2)")
    _same_panel(panel.drop(columns=[]), copy2.sort_values(["unit_id", "year"],
                                                          ignore_index=True))


def test_out_of_core_engine_reports_problems_with_file_and_row(demo, tmp_path):
    import shutil

    import pyarrow as pa
    import pyarrow.parquet as pq

    from evaluation.study import load_study

    study = tmp_path / "broken"
    shutil.copytree(demo[0].config.root, study)
    tr = pq.read_table(study / "training.parquet")
    jp = tr.column("jp").to_numpy().copy()
    jp[5] = -4.0
    units = tr.column("kode_opd").to_pylist()
    units[7] = "NO_SUCH_UNIT"
    tr = tr.set_column(tr.schema.get_field_index("jp"), "jp", pa.array(jp))
    tr = tr.set_column(tr.schema.get_field_index("kode_opd"), "kode_opd", pa.array(units))
    pq.write_table(tr, study / "training.parquet")
    skm = pq.read_table(study / "skm.parquet")
    u3 = skm.column("u3").to_pylist()
    u3[2] = 7
    skm = skm.set_column(skm.schema.get_field_index("u3"), "u3", pa.array(u3, pa.int8()))
    pq.write_table(pa.concat_tables([skm, skm.slice(10, 1)]), study / "skm.parquet")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(DataValidationError) as err:
            load_study(study, cache_dir=False, engine="duckdb")
    found = {(p.file, p.row, p.rule) for p in err.value.problems}
    assert ("training.parquet", 7, "jp_or_hours") in found
    assert ("training.parquet", 9, "unit_in_units_table") in found
    assert ("skm.parquet", 4, "skm_answer_1_4") in found
    assert any(p.rule == "unique_key" and p.file == "skm.parquet" for p in err.value.problems)
    assert all(p.value is None or not str(p.value).isdigit() or len(str(p.value)) != 18
               for p in err.value.problems)  # no NIP in a message


# ---- studies without person-level records --------------------------------------------------------


def _summary_study(demo_study, folder):
    """The demo with its training summed per unit-year into training_summary (no NIPs)
    and its SKM answers reduced to the element means an SKM report prints."""
    import shutil

    import yaml

    from evaluation.indicators import credited_jp

    shutil.copytree(demo_study.config.root, folder)
    (folder / "training.parquet").unlink()
    (folder / "skm.parquet").unlink()
    tr = demo_study.tables["training"]
    jp = credited_jp(tr, config=demo_study.config)[0]
    keys = [tr["unit_id"].astype(str), tr["year"]]
    person = jp.groupby([*keys, tr["nip"]]).sum()
    summary = pd.DataFrame({
        "jumlah_jp": jp.groupby(keys).sum(),
        "jumlah_asn_20jp": (person >= 20 - 1e-9).groupby(level=[0, 1]).sum(),
        "biaya": tr["cost_rp"].groupby(keys).sum(),
        "jp_teknis": jp.where(tr["competency_type"] == "teknis", 0.0).groupby(keys).sum(),
        "jp_nonklasikal": jp.where(tr["learning_path"] == "nonklasikal", 0.0)
        .groupby(keys).sum(),
    }).rename_axis(["kode_opd", "tahun"]).reset_index()
    summary.to_csv(folder / "training_summary.csv", index=False)
    skm = demo_study.tables["skm"]
    answers = skm[[f"u{k}" for k in range(1, 10)]].astype(float)
    g = answers.groupby([skm["unit_id"].astype(str), skm["year"]])
    report = g.mean().round(12).rename(columns=lambda c: f"nrr_{c}")
    report.insert(0, "jumlah_responden", answers.notna().any(axis=1).groupby(
        [skm["unit_id"].astype(str), skm["year"]]).sum())
    report.rename_axis(["kode_opd", "tahun"]).reset_index().to_csv(
        folder / "skm_summary.csv", index=False)
    cfg = yaml.safe_load((folder / "study.yaml").read_text(encoding="utf-8"))
    del cfg["tables"]["training"], cfg["tables"]["skm"]
    cfg["tables"].update(training_summary="training_summary.csv", skm_summary="skm_summary.csv")
    cfg["number_locale"] = "en"
    (folder / "study.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return folder


def test_a_study_of_summaries_gives_the_demo_panel_and_headline(demo, tmp_path):
    study, panel, _ = demo
    from evaluation.estimate import panel_fe
    from evaluation.study import load_study

    folder = _summary_study(study, tmp_path / "summaries")
    for name in ("units.csv", "staff.csv"):  # the demo's CSVs use decimal commas
        df = pd.read_csv(folder / name, sep=";", decimal=",")
        df.to_csv(folder / name, index=False)
    for name in ("iku.csv", "cpi.csv", "programme.csv"):
        pd.read_csv(folder / name, sep=";", decimal=",").to_csv(folder / name, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summ = load_study(folder, cache_dir=False)
        p = summ.panel()
    assert "training" not in summ.tables and not p.attrs["person_level"]
    assert p.attrs["training_source"] == "training_summary"
    assert p.attrs["unavailable"] == {"training_access": "training_summary",
                                      "topics": "training_summary"}
    assert p.attrs["ikm_source"] == "skm_summary"
    for col in ("jp_per_asn", "jp_per_asn_lag1", "share_20jp", "spend_per_asn_real",
                "jp_per_asn_teknis", "jp_per_asn_nonklasikal", "ikm", "ikm_category",
                "ikm_n_respondents", "ikm_sample_adequate"):
        a, b = panel[col], p[col]
        if pd.api.types.is_float_dtype(a):
            np.testing.assert_allclose(a.to_numpy(float), b.to_numpy(float), rtol=1e-9,
                                       atol=1e-9, equal_nan=True, err_msg=col)
        else:
            assert a.astype(str).tolist() == b.astype(str).tolist(), col
    # what the summary does not record stays missing, not zero
    assert p["jp_per_asn_manajerial"].isna().all() and p["n_trained"].isna().all()
    assert not any(c.startswith("jp_per_asn_topic_") for c in p.columns)
    fits = [panel_fe(df, "ikm", "jp_per_asn_lag1", "unit_id", "year") for df in (panel, p)]
    assert fits[0].tidy()["estimate"].iloc[0] == pytest.approx(
        fits[1].tidy()["estimate"].iloc[0], rel=1e-9)
    assert fits[0].tidy()["std_error"].iloc[0] == pytest.approx(
        fits[1].tidy()["std_error"].iloc[0], rel=1e-9)


@pytest.mark.parametrize("weighting", ["exact", "regulation"])
def test_ikm_from_element_means_equals_ikm_from_answers(demo, weighting):
    from evaluation.indicators import ikm_from_skm_summary

    study, _, _ = demo
    skm = study.tables["skm"]
    answers = skm[[f"u{k}" for k in range(1, 10)]].astype(float)
    keys = [skm["unit_id"].astype(str), skm["year"]]
    report = answers.groupby(keys).mean().rename(columns=lambda c: f"nrr_{c}")
    report.insert(0, "n_respondents", answers.notna().any(axis=1).groupby(keys).sum())
    report = report.rename_axis(["unit_id", "year"]).reset_index()
    from_report = ikm_from_skm_summary(report, weighting=weighting).table
    from_answers = ikm(skm, weighting=weighting).table
    assert len(from_report) == len(from_answers) > 400
    np.testing.assert_allclose(from_report["ikm"], from_answers["ikm"], rtol=1e-12)
    assert (from_report["category"] == from_answers["category"]).all()
    assert (from_report["n_respondents"] == from_answers["n_respondents"]).all()
