"""The message catalogue: one definition per label, the same keys in both languages."""

from __future__ import annotations

import pytest

from evaluation import i18n
from evaluation.i18n import CatalogueError, Formatter, catalogue, key_paths
from evaluation.indicators import IKM_CATEGORIES, ikm_category


def test_both_languages_have_the_same_keys():
    ids, ens = set(key_paths(catalogue("id"))), set(key_paths(catalogue("en")))
    assert len(ids) > 200  # the whole catalogue, not an empty file
    assert sorted(ids - ens) == [], "keys only in the Indonesian catalogue"
    assert sorted(ens - ids) == [], "keys only in the English catalogue"


def test_both_languages_have_the_same_files():
    names = {lang: [p.name for p in i18n.catalogue_files(lang)] for lang in ("id", "en")}
    assert names["id"] == names["en"] and "core.yaml" in names["id"]


def test_a_key_defined_twice_in_one_file_is_refused(tmp_path, monkeypatch):
    (tmp_path / "id").mkdir()
    (tmp_path / "id" / "core.yaml").write_text("locale: id\nlocale: en\n", encoding="utf-8")
    monkeypatch.setattr(i18n, "MESSAGES", tmp_path)
    i18n.catalogue.cache_clear()
    try:
        with pytest.raises(CatalogueError, match="defined twice"):
            catalogue("id")
    finally:
        monkeypatch.undo()
        i18n.catalogue.cache_clear()


def test_a_key_defined_in_two_files_is_refused(tmp_path, monkeypatch):
    (tmp_path / "id").mkdir()
    (tmp_path / "id" / "a.yaml").write_text("ikm_labels: {A: x}\n", encoding="utf-8")
    (tmp_path / "id" / "b.yaml").write_text("ikm_labels: {A: y}\n", encoding="utf-8")
    monkeypatch.setattr(i18n, "MESSAGES", tmp_path)
    i18n.catalogue.cache_clear()
    try:
        with pytest.raises(CatalogueError, match="a.yaml and b.yaml"):
            catalogue("id")
    finally:
        monkeypatch.undo()
        i18n.catalogue.cache_clear()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_ikm_category_labels_agree_everywhere(lang):
    """The ikm table, the indicator constants and the brief name each category alike."""
    pick = 2 if lang == "id" else 3
    values = {"A": 95.0, "B": 80.0, "C": 70.0, "D": 50.0}
    for row in IKM_CATEGORIES:
        code = row[1]
        printed = Formatter(lang).msg(f"ikm_labels.{code}")
        assert row[pick] == printed
        assert ikm_category([values[code]], label=True, lang=lang).iloc[0] == printed
    assert Formatter("en").msg("ikm_labels.C") == "Poor"
