"""The brief's HTML, PDF and XLSX: content, self-containment, page count, privacy."""

from __future__ import annotations

import io
import logging
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fixtures_results import SCENARIOS, scenario
from openpyxl import load_workbook
from pypdf import PdfReader

from evaluation.brief import render as brief
from evaluation.brief.narrate import catalogue, narrate
from evaluation.errors import EvaluationError, PrivacyError

NIP = re.compile(rb"(?<![0-9A-Za-z])\d{18}(?![0-9A-Za-z])")


class _Outline(HTMLParser):
    """Headings, images and every URL-bearing attribute of a page."""

    def __init__(self):
        super().__init__()
        self.headings: list[int] = []
        self.images: list[dict] = []
        self.urls: list[str] = []
        self.tags: list[str] = []
        self.html_lang = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if tag == "html":
            self.html_lang = a.get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "img":
            self.images.append(a)
        for key in ("src", "href", "action", "poster", "data"):
            if a.get(key):
                self.urls.append(a[key])


def _outline(html: str) -> _Outline:
    p = _Outline()
    p.feed(html)
    return p


def _pdf_pages(data: bytes) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages]


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def synthetic_outputs(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("brief")
    return brief.write_brief(scenario("synthetic"), out, lang="id")


# ---- HTML ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SCENARIOS))
@pytest.mark.parametrize("lang", ["id", "en"])
def test_html_is_self_contained_and_accessible(name, lang):
    html = brief.render_html(scenario(name), lang=lang)
    page = _outline(html)
    assert page.html_lang == lang
    assert "script" not in page.tags and "link" not in page.tags and "iframe" not in page.tags
    assert all(u.startswith("data:") for u in page.urls), page.urls
    stripped = re.sub(r"data:[^\"]+", "", html)
    assert "http://" not in stripped and "https://" not in stripped and "@import" not in stripped
    assert "url(" not in stripped
    # headings: one h1 first, and no level skipped on the way down
    assert page.headings[0] == 1 and page.headings.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(page.headings, page.headings[1:], strict=False))
    for img in page.images:
        assert len(img.get("alt", "")) > 40
    assert narrate(scenario(name), lang=lang).headline in _flat(html)


def test_html_content_in_order():
    html = brief.render_html(scenario("synthetic"), lang="id")
    n = narrate(scenario("synthetic"), lang="id")
    h = catalogue("id")["headings"]
    body = html.split("<body>", 1)[1]
    text = _flat(re.sub(r"<[^>]+>", " ", re.sub(r"data:[^\"]+", "", body)))
    order = [n.synthetic_notice, n.title, "Periode 2017–2024", h["key_messages"],
             h["recommendations"], h["chart"], h["found"], h["sure"], h["next"],
             h["provenance"], h["methods"]]
    positions = [text.find(_flat(x)) for x in order]
    assert -1 not in positions, dict(zip(order, positions, strict=True))
    assert positions == sorted(positions)
    assert "0123456789ab" in text  # shortened data hash
    assert "01234567 89abcdef" in text  # full hash, grouped
    assert "fedcba987654" in text  # commit
    assert "pandas 3.1.1" in text and "seed=2026" in text


def test_synthetic_notice_only_for_synthetic_data():
    banner = catalogue("id")["synthetic_banner"].split(":")[0]
    assert banner in brief.render_html(scenario("synthetic"), lang="id")
    assert banner not in brief.render_html(scenario("clear_positive"), lang="id")


def test_html_is_deterministic():
    res = scenario("synthetic")
    assert brief.render_html(res, lang="id") == brief.render_html(scenario("synthetic"), lang="id")


def test_suppressed_units_show_as_less_than_k():
    res = scenario("suppressed_cells")
    hidden = {u["unit_name"] for u in res["units"][:3]}
    book = load_workbook(io.BytesIO(brief.render_xlsx(res, lang="id")))
    rows = [r for ws in book.worksheets for r in ws.iter_rows(values_only=True)]
    shown = [r for r in rows if len(r) > 1 and r[1] in hidden]
    assert len(shown) == len(hidden)
    for row in shown:
        values = [c for c in row[2:] if c is not None]
        assert values and all(c == "< 5" for c in values), row
    html = brief.render_html(res, lang="id")
    assert "3 unit tidak ditampilkan" in html
    for name in hidden:  # names are public, but their per-person figures are not shown
        assert name not in html or "&lt; 5" in html


def test_nip_in_results_is_refused():
    res = scenario("clear_positive")
    res["units"][0]["unit_name"] = "Dinas Sosial 198501012010011001"
    with pytest.raises(PrivacyError, match="NIP"):
        brief.render_html(res, lang="id")
    with pytest.raises(PrivacyError, match="NIP"):
        brief.render_xlsx(res, lang="id")
    spaced = scenario("clear_positive")
    spaced["units"][0]["unit_name"] = "19850101 201001 1 001"
    with pytest.raises(PrivacyError):
        brief.render_html(spaced, lang="en")


def test_find_nips_ignores_hashes_and_data_uris():
    assert brief.find_nips("sha 0123456789abcdef0123456789abcdef") == []
    assert brief.find_nips('src="data:image/svg+xml;base64,123456789012345678901"') == []
    assert brief.find_nips("NIP: 198501012010011001.") == ["198501012010011001"]


def test_bad_input_is_an_evaluation_error():
    with pytest.raises(EvaluationError, match="results dict"):
        brief.render_html([1, 2], lang="id")
    with pytest.raises(EvaluationError, match="expecting one of"):
        brief.write_brief(scenario("minimal"), "unused", formats=("docx",))


# ---- PDF -------------------------------------------------------------------------------------


def test_pdf_two_pages_plus_methods_with_headline_and_notice(synthetic_outputs):
    pdf = synthetic_outputs["pdf"]
    assert pdf.name == "brief.id.pdf"
    pages = _pdf_pages(pdf.read_bytes())
    methods = catalogue("id")["headings"]["methods"]
    first_methods = next(i for i, p in enumerate(pages) if methods in p)
    assert first_methods == 2, "the brief proper must fit on two A4 pages"
    n = narrate(scenario("synthetic"), lang="id")
    brief_text = " ".join(pages[:2])
    assert n.headline in brief_text
    assert _flat(n.synthetic_notice) in brief_text
    box = PdfReader(pdf).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points


@pytest.mark.parametrize(("name", "lang"), [("through_zero", "en"), ("few_clusters", "id"),
                                            ("failed_pretrend", "en")])
def test_pdf_without_methods_is_at_most_two_pages(name, lang, caplog):
    html = brief.render_html(scenario(name), lang=lang, methods=False)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        data = brief.render_pdf(html)
    assert not [r for r in caplog.records if r.name.startswith("weasyprint")], \
        [r.getMessage() for r in caplog.records]
    pages = _pdf_pages(data)
    assert len(pages) <= 2
    assert narrate(scenario(name), lang=lang).headline in " ".join(pages)


def test_pdf_refuses_to_fetch_anything():
    html = '<html lang="id"><body><img src="https://example.invalid/x.png" alt="x"></body></html>'
    fetcher = brief._offline_fetcher()
    with pytest.raises(ValueError, match="disallowed protocol"):
        fetcher("https://example.invalid/x.png")
    with pytest.raises(ValueError, match="disallowed protocol"):
        fetcher("file:///etc/hostname")
    assert brief.render_pdf(html).startswith(b"%PDF")


# ---- XLSX ------------------------------------------------------------------------------------


def test_xlsx_notice_first_numbers_as_numbers(synthetic_outputs):
    wb = load_workbook(synthetic_outputs["xlsx"])
    x = catalogue("id")["xlsx"]
    assert wb.sheetnames[0] == x["notice_sheet"]
    assert wb.worksheets[0]["A1"].value.startswith("DATA SINTETIS")
    est = wb[x["estimates_sheet"]]
    header = [c.value for c in est[1]]
    row = [c.value for c in est[2]]
    assert row[0] == "headline"
    assert row[header.index("conf_low")] == pytest.approx(0.058)
    units = wb[x["units_sheet"]]
    assert units.max_row == 41
    assert {s for s in (x["categories_sheet"], x["robustness_sheet"], x["lags_sheet"],
                        x["provenance_sheet"])} <= set(wb.sheetnames)


def test_xlsx_suppressed_and_not_synthetic():
    data = brief.render_xlsx(scenario("suppressed_cells"), lang="en")
    wb = load_workbook(io.BytesIO(data))
    assert not str(wb.worksheets[0]["A1"].value).startswith("SYNTHETIC")
    units = wb["Units"]
    rows = [[c.value for c in r] for r in units.iter_rows(min_row=2)]
    hidden = [r for r in rows if r[2] == "< 5"]
    assert len(hidden) == 3 and all(v == "< 5" for r in hidden for v in r[2:])


# ---- the writing edge --------------------------------------------------------------------------


def test_write_brief_files_and_no_nip_anywhere(synthetic_outputs):
    assert {k: p.name for k, p in synthetic_outputs.items()} == {
        "html": "brief.id.html", "pdf": "brief.id.pdf", "xlsx": "tables.xlsx"}
    folder = synthetic_outputs["html"].parent
    assert not [p for p in folder.iterdir() if p.name.startswith(".tmp-")]
    for path in folder.iterdir():
        data = path.read_bytes()
        assert not NIP.search(data), path.name
    # the compressed formats, read through their own libraries
    for page in _pdf_pages(synthetic_outputs["pdf"].read_bytes()):
        assert not NIP.search(page.encode()), page[:80]
    wb = load_workbook(synthetic_outputs["xlsx"])
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            for value in row:
                assert not NIP.search(str(value).encode()), (ws.title, value)


def test_write_brief_renders_everything_before_writing(tmp_path, monkeypatch):
    first = brief.write_brief(scenario("clear_positive"), tmp_path, lang="en",
                              formats=("html",))
    before = first["html"].read_bytes()

    def broken(html):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(brief, "render_pdf", broken)
    with pytest.raises(RuntimeError):
        brief.write_brief(scenario("through_zero"), tmp_path, lang="en")
    assert first["html"].read_bytes() == before  # the earlier good output survives
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brief.en.html"]


def test_write_brief_single_format(tmp_path):
    paths = brief.write_brief(scenario("minimal"), tmp_path / "2024", lang="id",
                              formats=("xlsx",))
    assert list(paths) == ["xlsx"] and paths["xlsx"].exists()


@pytest.mark.browser
def test_tables_xlsx_opens_in_libreoffice(tmp_path):
    """The analysts' workbook converts sheet by sheet in LibreOffice (headless Calc)."""
    import os
    import shutil
    import subprocess

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("LibreOffice is required in CI (installed by .ci/run)")
        pytest.skip("LibreOffice not installed")
    path = tmp_path / "tables.xlsx"
    path.write_bytes(brief.render_xlsx(scenario("synthetic"), lang="id"))
    done = subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
         "--convert-to", 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1',
         "--outdir", str(tmp_path / "csv"), str(path)],
        capture_output=True, text=True, timeout=180)
    sheets = sorted((tmp_path / "csv").glob("*.csv"))
    assert done.returncode == 0 and len(sheets) >= 3, done.stderr[-2000:]
    notice = next(p for p in sheets if "Catatan" in p.name)
    assert "DATA SINTETIS" in notice.read_text(encoding="utf-8")
