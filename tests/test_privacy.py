"""Pseudonyms, the study secret, and small-cell suppression."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from evaluation.config import StudyConfig
from evaluation.errors import PrivacyError, SyntheticDataWarning
from evaluation.privacy import (
    NIP_PATTERN,
    PSEUDONYM_PATTERN,
    pseudonym,
    pseudonymise,
    resolve_secret,
    suppress_small,
)

NIP = "199001012015011001"


def _config(tmp_path, **privacy) -> StudyConfig:
    synthetic = privacy.pop("synthetic", False)
    return StudyConfig.model_validate(
        {
            "name": "t",
            "title": "t",
            "synthetic": synthetic,
            "years": {"first": 2020, "last": 2021},
            "tables": {"units": "units.csv"},
            "privacy": privacy,
            "root": tmp_path,
        }
    )


def test_pseudonymise_is_keyed_and_drops_names():
    df = pd.DataFrame(
        {
            "nip": [NIP, NIP, "198503122010011002", None],
            "name": ["Ani", "Ani", "Budi", "Citra"],
            "jp": [8.0, 16.0, 4.0, 2.0],
        }
    )
    a = pseudonymise(df, key=b"one")
    b = pseudonymise(df, key=b"two")
    assert "name" not in a.columns
    assert a["nip"].iloc[0] == a["nip"].iloc[1] != a["nip"].iloc[2]
    assert a["nip"].iloc[0] != b["nip"].iloc[0]
    assert pd.isna(a["nip"].iloc[3])
    assert a["nip"].dropna().str.fullmatch(PSEUDONYM_PATTERN.pattern).all()
    assert not a.astype("str").apply(lambda s: s.str.contains(NIP)).any().any()
    assert df["nip"].iloc[0] == NIP  # the input is not modified
    assert pseudonym("19900101 201501 1 001", b"one") == a["nip"].iloc[0]
    with pytest.raises(PrivacyError):
        pseudonymise(df, key=b"")


def test_nip_pattern():
    assert NIP_PATTERN.search(f"x {NIP} y")
    assert not NIP_PATTERN.search("1" * 19)
    assert not NIP_PATTERN.search("P" + "a" * 16)


def test_secret_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("EVALUATION_SECRET", "s3cret")
    key, source = resolve_secret(_config(tmp_path))
    assert key == b"s3cret" and "EVALUATION_SECRET" in source
    monkeypatch.setenv("OTHER_VAR", "x2")
    key, _ = resolve_secret(_config(tmp_path, secret_env="OTHER_VAR"))
    assert key == b"x2"


def test_missing_secret_says_how_to_set_it(tmp_path, monkeypatch):
    monkeypatch.delenv("EVALUATION_SECRET", raising=False)
    with pytest.raises(PrivacyError) as info:
        resolve_secret(_config(tmp_path))
    assert "export EVALUATION_SECRET=" in str(info.value)
    assert "secret_file" in str(info.value)


def test_secret_file_outside_and_inside_repository(tmp_path, monkeypatch):
    monkeypatch.delenv("EVALUATION_SECRET", raising=False)
    outside = tmp_path / "secret.txt"
    outside.write_text("from-file\n", encoding="utf-8")
    key, source = resolve_secret(_config(tmp_path, secret_file=str(outside)))
    assert key == b"from-file" and source == "privacy.secret_file"
    # a study folder inside a repository may not keep its secret there
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    study = repo / "data" / "s"
    study.mkdir(parents=True)
    (study / "secret").write_text("x", encoding="utf-8")
    with pytest.raises(PrivacyError, match="inside the repository"):
        resolve_secret(_config(study, secret_file="secret"))
    with pytest.raises(PrivacyError, match="not found"):
        resolve_secret(_config(tmp_path, secret_file=str(tmp_path / "missing")))


def test_synthetic_fixed_key_warns(tmp_path, monkeypatch):
    monkeypatch.delenv("EVALUATION_SECRET", raising=False)
    config = _config(tmp_path, synthetic=True, pseudonym_key="fixed")
    with pytest.warns(SyntheticDataWarning, match="synthetic"):
        key, source = resolve_secret(config)
    assert key == b"fixed" and "synthetic" in source
    with pytest.raises(ValueError, match="synthetic"):
        _config(tmp_path, pseudonym_key="fixed")  # only synthetic studies may carry a key


def test_suppress_small():
    df = pd.DataFrame(
        {
            "unit_id": ["a", "b", "c"],
            "year": [2023, 2023, 2023],
            "n": pd.array([3, 12, None], dtype="Int64"),
            "ikm": [80.0, 82.5, 90.0],
            "label": ["x", "y", "z"],
        }
    )
    out = suppress_small(df, "n", k=5)
    assert out["suppressed"].tolist() == [True, False, True]
    assert out["ikm"].isna().tolist() == [True, False, True]
    assert out["n"].isna().tolist() == [True, False, True]
    assert out["year"].tolist() == [2023, 2023, 2023]  # keys stay
    assert out["label"].tolist() == ["x", "y", "z"]
    assert df["ikm"].notna().all()
    assert suppress_small(df, "n", k=2)["suppressed"].tolist() == [False, False, True]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        suppress_small(df, "n", k=5, value_cols=["ikm"])
