"""``engine: auto`` (the default): which engine loads a study, why, and where the reason is
recorded. The demo stays in memory (pandas); the same files over a lowered threshold, a
folder of Parquet files, or an explicit setting choose otherwise."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml

from evaluation import study as study_mod
from evaluation.brief.report import data_sources
from evaluation.config import read_study_config
from evaluation.errors import StudyConfigError
from evaluation.study import choose_engine, load_study

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
SKM_RECORDS = len(pq.read_table(DEMO / "skm.parquet", columns=["u1"]))
DEMO_RECORDS = len(pq.read_table(DEMO / "training.parquet", columns=["jp"])) + SKM_RECORDS


def _load(folder: Path, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the demo is synthetic
        return load_study(folder, cache_dir=False, **kwargs)


def _study_with(tmp_path: Path, demo_dir: Path, **changes) -> Path:
    """A copy of the demo's study.yaml (and small tables) with ``changes`` to its keys; the
    heavy tables are hard links to the demo's files (nothing is read unless loaded)."""
    out = tmp_path / "study"
    out.mkdir()
    for f in demo_dir.iterdir():
        if f.is_file() and f.name != "study.yaml":
            try:
                (out / f.name).hardlink_to(f)
            except OSError:
                shutil.copy2(f, out / f.name)
    spec = yaml.safe_load((demo_dir / "study.yaml").read_text(encoding="utf-8"))
    spec.update(changes)
    (out / "study.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return out


def test_the_default_is_auto_and_the_demo_stays_in_memory(demo_dir):
    config = read_study_config(demo_dir)
    assert config.engine.name == "auto"
    name, reason = choose_engine(config)
    assert name == "pandas"
    assert reason == f"auto: {DEMO_RECORDS:,} training and SKM records, at most 1,000,000"
    study = _load(demo_dir)
    assert study.engine == "pandas" and study.aggregates is None
    assert "training" in study.tables and "skm" in study.tables
    assert study.notes[-1] == f"engine: pandas ({reason})"
    assert "engine" not in data_sources(study.panel())  # results.json as before


def test_auto_chooses_duckdb_over_the_threshold_and_records_why(demo_dir, monkeypatch):
    monkeypatch.setattr(study_mod, "AUTO_DUCKDB_RECORDS", DEMO_RECORDS - 1)
    name, reason = choose_engine(read_study_config(demo_dir))
    assert name == "duckdb"
    assert reason == (f"auto: {DEMO_RECORDS:,} training and SKM records in Parquet, more than "
                      f"{DEMO_RECORDS - 1:,}")
    study = _load(demo_dir)
    assert study.engine == "duckdb" and study.aggregates is not None
    assert "training" not in study.tables and "skm" not in study.tables
    assert study.notes[-1] == f"engine: duckdb ({reason})"
    panel = study.panel()
    assert data_sources(panel)["engine"] == {"name": "duckdb", "reason": reason}
    assert data_sources(panel)["training_source"] == "training (out of core)"


def test_explicit_settings_win_over_auto(demo_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(study_mod, "AUTO_DUCKDB_RECORDS", 10)  # auto alone would say duckdb
    pinned = _study_with(tmp_path, demo_dir, engine={"name": "pandas"})
    assert choose_engine(read_study_config(pinned)) == ("pandas",
                                                        "set in study.yaml (engine: name)")
    assert choose_engine(read_study_config(demo_dir), "pandas") == (
        "pandas", "asked for by load_study(engine=...)")
    # the argument wins over study.yaml, both ways
    assert choose_engine(read_study_config(pinned), "duckdb")[0] == "duckdb"
    assert choose_engine(read_study_config(pinned), "auto")[0] == "duckdb"
    study = _load(pinned)
    assert study.engine == "pandas" and "training" in study.tables
    assert study.notes[-1] == "engine: pandas (set in study.yaml (engine: name))"
    monkeypatch.setattr(study_mod, "AUTO_DUCKDB_RECORDS", 10**9)  # auto alone: pandas
    assert _load(demo_dir, engine="duckdb").engine == "duckdb"


def test_text_files_that_look_large_stay_in_memory_with_advice(demo_dir, tmp_path,
                                                                monkeypatch):
    folder = _study_with(tmp_path, demo_dir, tables={
        **yaml.safe_load((demo_dir / "study.yaml").read_text(encoding="utf-8"))["tables"],
        "training": "training.csv"})
    (folder / "training.csv").write_bytes(b"x" * 250_000)  # about 2,500 records by its size
    config = read_study_config(folder)
    about = SKM_RECORDS + 2_500
    monkeypatch.setattr(study_mod, "AUTO_DUCKDB_RECORDS", SKM_RECORDS + 1_000)
    name, reason = choose_engine(config)
    assert name == "pandas" and "save them as Parquet" in reason
    assert reason.startswith(f"auto: about {about:,} training and SKM records")
    monkeypatch.setattr(study_mod, "AUTO_DUCKDB_RECORDS", 1_000_000)
    assert choose_engine(config) == (
        "pandas", f"auto: about {about:,} training and SKM records, at most 1,000,000")


def test_a_folder_of_parquet_files_needs_the_engine(demo_dir, tmp_path):
    folder = _study_with(tmp_path, demo_dir)
    (folder / "skm.parquet").unlink()
    (folder / "skm.parquet").mkdir()
    (folder / "skm.parquet" / "2015.parquet").hardlink_to(demo_dir / "skm.parquet")
    assert choose_engine(read_study_config(folder)) == (
        "duckdb", "auto: skm in a folder of Parquet files")
    with pytest.raises(StudyConfigError, match="name: auto"):
        _load(folder, engine="pandas")


def test_an_unreadable_parquet_file_is_left_to_the_reader(demo_dir, tmp_path):
    folder = _study_with(tmp_path, demo_dir)
    (folder / "training.parquet").unlink()
    (folder / "training.parquet").write_bytes(b"not parquet")
    assert choose_engine(read_study_config(folder)) == (
        "pandas", "auto: training.parquet is not readable as Parquet")


def test_an_unknown_engine_is_refused(demo_dir):
    with pytest.raises(StudyConfigError, match="auto"):
        load_study(demo_dir, engine="spark")  # type: ignore[arg-type]


def test_the_entitlement_gap_is_the_same_out_of_core(demo_dir):
    """The scenario's JP gap to the entitlement per unit needs persons: in memory from the
    records, out of core from the sums the engine makes; the two agree."""
    from evaluation.brief.sections.scenario import unit_inputs

    gaps = []
    for engine in ("pandas", "duckdb"):
        study = _load(demo_dir, engine=engine)
        panel = study.panel()
        for year in (2016, 2024):
            units = unit_inputs(study, panel[panel["year"] == year], year)
            gaps.append(units.set_index("unit_id")["jp_gap_entitlement"])
    assert len(gaps) == 4 and gaps[0].notna().sum() > 40 and (gaps[0] > 0).all()
    for in_memory, out_of_core in ((gaps[0], gaps[2]), (gaps[1], gaps[3])):
        pd.testing.assert_series_equal(in_memory, out_of_core, rtol=1e-10, atol=1e-9)
