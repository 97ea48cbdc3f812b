"""The overview page (index.html): the city's one page across years, in the study's language."""

from __future__ import annotations

import json
import re

import pytest
from fixtures_results import scenario

from evaluation.batch import render_index
from evaluation.batch.overview import headline_rows


def _study(tmp_path, years=(2016, 2017), langs=("id", "en"), failed=()):
    not_estimable = scenario("not_estimable")
    estimated = scenario("through_zero")
    estimated["year"] = 2017
    estimated["window"] = {"first": 2015, "last": 2017}
    for year in years:
        folder = tmp_path / str(year)
        folder.mkdir()
        res = not_estimable if year == years[0] else estimated
        (folder / "results.json").write_text(json.dumps(res))
        for lang in langs:
            (folder / f"tables.{lang}.xlsx").write_bytes(b"x")
    runs = {}
    for year in years:
        runs[f"{year}/estimate"] = {"year": year, "stage": "estimate", "lang": None,
                                    "status": "failed" if year in failed else "ok"}
        for lang in langs:
            runs[f"{year}/brief.{lang}"] = {"year": year, "stage": "brief", "lang": lang,
                                           "status": "cached"}
    return {"runs": runs}


def test_each_year_links_its_briefs_and_workbooks_in_every_language(tmp_path):
    manifest = _study(tmp_path)
    page = render_index(tmp_path, manifest, lang="id", synthetic=True, title="Demo",
                        issuer="BKPP Kota Semarang")
    for year in (2016, 2017):
        for lang in ("id", "en"):
            for name in (f"brief.{lang}.pdf", f"brief.{lang}.html", f"tables.{lang}.xlsx"):
                assert f'href="{year}/{name}"' in page, (year, name)
        assert f'href="{year}/notebook.ipynb"' in page
    assert "Diterbitkan oleh BKPP Kota Semarang" in page and "DATA SINTETIS" in page
    # leadership sees no run statuses
    cells = re.findall(r"<td[^>]*>(.*?)</td>", page)
    assert cells and not {"ok", "cached", "failed"} & {c.strip() for c in cells}


def test_headline_with_its_window_and_the_city_picture(tmp_path):
    page = render_index(tmp_path, _study(tmp_path), lang="id", title="Demo")
    assert "belum dapat ditaksir" in page
    assert "0,12 poin (-0,27 sampai 0,51)" in page  # scaled estimate, unit, 95% CI
    assert "2015–2017" in page and "jendela kumulatif" in page
    assert "81,2 (B)" in page  # city IKM and its category
    assert "64%" in page  # ASN reaching 20 JP
    assert "Rp4,2 juta" in page and "harga konstan 2024" in page
    assert "tambahan 10 JP pelatihan per ASN" in page


def test_the_page_speaks_the_study_language(tmp_path):
    manifest = _study(tmp_path)
    en = render_index(tmp_path, manifest, lang="en", title="Demo")
    assert '<html lang="en">' in en and "Overview by year" in en
    assert "not estimable yet" in en and "0.12 points (-0.27 to 0.51)" in en
    assert "Ikhtisar" not in en


def test_a_failed_year_says_only_that_it_is_not_available(tmp_path):
    manifest = _study(tmp_path, failed=(2017,))
    (tmp_path / "2017" / "results.json").unlink()
    rows = headline_rows(tmp_path, manifest)
    assert [r["ok"] for r in rows] == [True, False]
    page = render_index(tmp_path, manifest, lang="id", title="Demo")
    assert "run belum berhasil" in page


@pytest.mark.parametrize("lang", ["id", "en"])
def test_self_contained(tmp_path, lang):
    page = render_index(tmp_path, _study(tmp_path), lang=lang, title="Demo")
    assert "http://" not in page and "https://" not in page
    assert "<script" not in page


def test_page_says_who_issued_it_and_when_its_figures_were_made(tmp_path):
    manifest = _study(tmp_path)
    runs = list(manifest["runs"].values())
    assert len(runs) > 2
    for i, run in enumerate(runs):
        run["start"] = f"2026-11-{10 + i:02d}T08:00:00+00:00"
    runs[-1]["status"] = "failed"  # a failed run made no figure: its date is not the page's
    newest = 10 + len(runs) - 2
    page = render_index(tmp_path, manifest, lang="id", title="Demo", issuer="BKPP Kota Semarang")
    assert f"Diterbitkan oleh BKPP Kota Semarang · diperbarui {newest} November 2026" in page
    page = render_index(tmp_path, manifest, lang="en", title="Demo", issuer="BKPP Kota Semarang")
    assert f"Issued by BKPP Kota Semarang · updated {newest} November 2026" in page
