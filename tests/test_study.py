"""load_study: validated, pseudonymised tables with input hashes."""

from __future__ import annotations

import re
import shutil
import sys
import types
from pathlib import Path

import pandas as pd
import pytest

from evaluation.errors import DataValidationError, PrivacyError, SyntheticDataWarning
from evaluation.study import Study, load_study

VALID = Path(__file__).resolve().parent / "broken" / "_valid"
NIPS = (
    "198503122010011002",
    "199001012015011001",
    "198712052012012003",
    "199203152019031004",
    "198801202014022005",
)
NAMES = ("Ani Lestari", "Budi Santoso", "Citra Maharani", "Dedi Kurniawan", "Eka Pratiwi")


def _no_personal_data(study: Study) -> None:
    for name, df in study.tables.items():
        assert "name" not in df.columns, name
        text = df.astype("str").to_csv(index=False)
        assert not re.search(r"(?<!\d)\d{18}(?!\d)", text), name
        for person in NAMES:
            assert person not in text


def test_load_valid_study():
    with pytest.warns(SyntheticDataWarning):
        study = load_study(VALID)
    assert sorted(study.tables) == [
        "cpi",
        "performance",
        "programme",
        "skm",
        "staff",
        "training",
        "units",
    ]
    training = study.tables["training"]
    assert training["nip"].str.fullmatch(r"P[0-9a-f]{16}").all()
    assert training["nip"].nunique() == len(NIPS)
    _no_personal_data(study)
    assert study.tables["staff"]["year"].dtype == "int64"
    assert study.tables["staff"]["asn_count"].dtype == "int64"
    assert set(study.inputs) == {
        "units.csv",
        "staff.csv",
        "training.csv",
        "skm.csv",
        "iku.csv",
        "cpi.csv",
        "programme.csv",
        "study.yaml",
    }
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in study.inputs.values())
    assert re.fullmatch(r"[0-9a-f]{64}", study.data_sha256)
    with pytest.raises(TypeError):
        study.tables["x"] = pd.DataFrame()  # type: ignore[index]
    assert "SYNTHETIC" in repr(study)


def test_same_key_same_pseudonyms_and_hash_tracks_inputs(tmp_path):
    with pytest.warns(SyntheticDataWarning):
        a = load_study(VALID)
    folder = tmp_path / "copy"
    shutil.copytree(VALID, folder)
    with pytest.warns(SyntheticDataWarning):
        b = load_study(folder)
    assert a.data_sha256 == b.data_sha256
    assert a.tables["training"]["nip"].tolist() == b.tables["training"]["nip"].tolist()
    (folder / "cpi.csv").write_text(
        "tahun;ihk\n2021;106,55\n2022;113,59\n2023;116,57\n", encoding="utf-8"
    )
    with pytest.warns(SyntheticDataWarning):
        c = load_study(folder)
    assert c.data_sha256 != a.data_sha256
    assert c.inputs["cpi.csv"] != a.inputs["cpi.csv"]


def test_broken_study_raises_with_every_problem(tmp_path):
    folder = tmp_path / "bad"
    shutil.copytree(VALID, folder)
    (folder / "cpi.csv").write_bytes(b"")
    text = (folder / "staff.csv").read_text(encoding="utf-8").replace("D02;2022;", "D02;2035;")
    (folder / "staff.csv").write_text(text, encoding="utf-8")
    with pytest.raises(DataValidationError) as info, pytest.warns(SyntheticDataWarning):
        load_study(folder)
    files = {p.file for p in info.value.problems}
    assert files == {"cpi.csv", "staff.csv"}
    assert "evaluation validate" in str(info.value)


def _real_study(tmp_path) -> Path:
    folder = tmp_path / "real"
    shutil.copytree(VALID, folder)
    text = (folder / "study.yaml").read_text(encoding="utf-8")
    text = text.replace("synthetic: true", "synthetic: false")
    text = text.replace('  pseudonym_key: "tiny-synthetic-key"\n', "  secret_env: TINY_SECRET\n")
    (folder / "study.yaml").write_text(text, encoding="utf-8")
    return folder


def test_real_study_needs_a_secret(tmp_path, monkeypatch):
    folder = _real_study(tmp_path)
    monkeypatch.delenv("TINY_SECRET", raising=False)
    with pytest.raises(PrivacyError, match="export TINY_SECRET="):
        load_study(folder)
    monkeypatch.setenv("TINY_SECRET", "k1")
    one = load_study(folder)
    monkeypatch.setenv("TINY_SECRET", "k2")
    two = load_study(folder)
    assert set(one.tables["training"]["nip"]).isdisjoint(two.tables["training"]["nip"])
    assert (
        load_study(folder, secret="k1").tables["training"]["nip"].tolist()
        == one.tables["training"]["nip"].tolist()
    )
    _no_personal_data(one)


def test_study_without_nips_needs_no_secret(tmp_path, monkeypatch):
    folder = _real_study(tmp_path)
    text = (
        (folder / "study.yaml")
        .read_text(encoding="utf-8")
        .replace("  training: training.csv\n", "")
    )
    (folder / "study.yaml").write_text(text, encoding="utf-8")
    monkeypatch.delenv("TINY_SECRET", raising=False)
    study = load_study(folder)
    assert "training" not in study.tables
    assert study.pseudonym_source is None


def test_panel_delegates_to_build_panel(monkeypatch):
    calls = {}

    def build_panel(config, tables):
        calls["args"] = (config, tables)
        return pd.DataFrame({"unit_id": ["D01"], "year": [2021]})

    fake = types.ModuleType("evaluation.panel")
    fake.build_panel = build_panel
    monkeypatch.setitem(sys.modules, "evaluation.panel", fake)
    with pytest.warns(SyntheticDataWarning):
        study = load_study(VALID)
    panel = study.panel()
    assert calls["args"][0] is study.config and calls["args"][1] is study.tables
    assert list(panel.columns) == ["unit_id", "year"]


def test_demo_loads_without_personal_data(demo_dir):
    if not (demo_dir / "units.csv").exists():
        pytest.skip("the demo data have not been generated")
    with pytest.warns(SyntheticDataWarning):
        study = load_study(demo_dir)
    assert study.tables["training"]["nip"].str.fullmatch(r"P[0-9a-f]{16}").all()
    assert "name" not in study.tables["training"].columns
    raw = pd.read_parquet(demo_dir / "training.parquet", columns=["nip"])
    assert set(raw["nip"]).isdisjoint(study.tables["training"]["nip"])
