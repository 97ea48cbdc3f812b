from pathlib import Path

import pytest
from pydantic import ValidationError

from evaluation import StudyConfigError, read_study_config

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "study.yaml").write_text(text, encoding="utf-8")
    return tmp_path


MINIMAL = """
name: t
title: T
years: {first: 2018, last: 2020}
tables: {units: units.csv}
"""


def test_demo_study_file_is_valid():
    cfg = read_study_config(DEMO)
    assert cfg.synthetic is True
    assert cfg.years.first == 2015 and cfg.years.last == 2024
    assert cfg.language == "id"
    assert cfg.base_year == 2024
    with pytest.raises(ValidationError):  # frozen
        cfg.language = "en"  # type: ignore[misc]


def test_minimal_study_gets_defaults(tmp_path):
    cfg = read_study_config(_write(tmp_path, MINIMAL))
    assert cfg.cluster == "unit" and cfg.fixed_effects == ("unit", "year")
    assert cfg.base_year == 2020
    assert cfg.table_path("units") == (tmp_path / "units.csv").resolve()


@pytest.mark.parametrize(
    "patch, key, needle",
    [
        ("language: fr", "language", "'id' or 'en'"),
        ("unit_level: desa", "unit_level", "opd"),
        ("cluster: province", "cluster", "unit"),
        ("min_cell_size: 0", "min_cell_size", "greater than or equal to 1"),
        ("lags: [0, 9]", "lags", "between 0 and 5"),
        ("colour: blue", "colour", "unknown key"),
    ],
)
def test_bad_values_name_key_and_allowed_values(tmp_path, patch, key, needle):
    with pytest.raises(StudyConfigError) as info:
        read_study_config(_write(tmp_path, MINIMAL + patch + "\n"))
    text = str(info.value)
    assert "study.yaml" in text and key in text and needle in text


def test_fixed_key_refused_for_real_data(tmp_path):
    with pytest.raises(StudyConfigError, match="synthetic: true"):
        read_study_config(_write(tmp_path, MINIMAL + "privacy: {pseudonym_key: abc}\n"))


def test_table_outside_study_folder_is_refused(tmp_path):
    study = _write(tmp_path / "s" if (tmp_path / "s").mkdir() is None else tmp_path,
                   MINIMAL.replace("units.csv", "../elsewhere.csv"))
    cfg = read_study_config(study)
    with pytest.raises(StudyConfigError, match="outside the study folder"):
        cfg.table_path("units")


def test_missing_and_broken_files(tmp_path):
    with pytest.raises(StudyConfigError, match="not found"):
        read_study_config(tmp_path)
    with pytest.raises(StudyConfigError, match="baris"):
        read_study_config(_write(tmp_path, "name: [unclosed\n"))


def test_a_section_with_only_comments_takes_the_defaults(tmp_path):
    cfg = read_study_config(_write(tmp_path, MINIMAL + "privacy:\n  # secret from the environment\n"))
    assert cfg.privacy.secret_env == "EVALUATION_SECRET"
