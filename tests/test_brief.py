"""The brief's HTML, PDF and XLSX: content, self-containment, page count, privacy."""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fixtures_results import HEADLINES, SCENARIOS, SHAPES, matrix_case, scenario
from openpyxl import load_workbook
from pypdf import PdfReader

from evaluation.brief import render as brief
from evaluation.brief.narrate import catalogue, narrate
from evaluation.errors import EvaluationError, PrivacyError

NIP = re.compile(rb"(?<![0-9A-Za-z])\d{18}(?![0-9A-Za-z])")
DATE = dt.date(2026, 11, 28)


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


@pytest.mark.parametrize("lang", ["id", "en"])
def test_chart_heading_names_the_chart_shown(lang):
    """An early year draws the IKM categories, not the within-unit chart: its heading said
    "Dalam unit yang sama: capaian IKU menurut JP ..." above a bar chart of categories."""
    charts = catalogue(lang)["chart"]
    early = _flat(re.sub(r"<[^>]+>", " ", brief.render_html(matrix_case("not_estimable", "iku"),
                                                           lang=lang, date=DATE)))
    assert charts["categories_heading"].format(year=2016) in early
    assert narrate(matrix_case("not_estimable", "iku"), lang=lang).chart_heading not in early
    estimated = _flat(re.sub(r"<[^>]+>", " ", brief.render_html(matrix_case("positive", "iku"),
                                                               lang=lang, date=DATE)))
    assert narrate(matrix_case("positive", "iku"), lang=lang).chart_heading in estimated


def test_html_content_in_order():
    html = brief.render_html(scenario("synthetic"), lang="id", date=DATE)
    n = narrate(scenario("synthetic"), lang="id", date=DATE)
    h = catalogue("id")["headings"]
    body = html.split("<body>", 1)[1]
    text = _flat(re.sub(r"<[^>]+>", " ", re.sub(r"data:[^\"]+", "", body)))
    order = [n.synthetic_notice, n.issuer, "28 November 2026", n.title, "Data 2017–2024",
             h["key_messages"], h["recommendations"], n.chart_heading, h["glossary"],
             h["found"], h["sure"], h["next"], h["categories"], h["methods"], h["provenance"]]
    positions = [text.find(_flat(x)) for x in order]
    assert -1 not in positions, dict(zip(order, positions, strict=True))
    assert positions == sorted(positions)
    methods = text[text.find(h["methods"]):]
    assert "0123456789ab" in methods  # shortened data hash, on the methods page only
    assert "01234567 89abcdef" in methods  # full hash, grouped
    assert "fedcba987654" in methods  # commit
    assert "pandas 3.1.1" in methods
    before = text[:text.find(h["methods"])]
    assert "0123456789ab" not in before and "pandas" not in before
    assert "uji-2024-" not in before  # the run id is not in the page-1 header


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
    sheet = book["Unit"]
    header = [c.value for c in sheet[1]]
    rows = [r for r in sheet.iter_rows(min_row=2, values_only=True) if r[1] in hidden]
    assert len(rows) == len(hidden)
    per_person = [header.index(h) for h in ("Jumlah ASN (orang)", "ASN mencapai 20 JP (%)",
                                            "ASN di bawah 20 JP (orang)")]
    for row in rows:
        assert all(row[i] == "< 5" for i in per_person), row
    html = brief.render_html(res, lang="id")
    assert "3 unit tidak ditampilkan" in html
    for name in hidden:  # names are public, but never named in a recommendation
        assert name not in narrate(res).recommendations[0]


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


#: A code identifier: lower-case words joined by underscores (``jp_per_asn_lag1``).
CODE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")
#: A hash or commit on pages 1-2 (12 or more hex digits) or a package list.
HASH = re.compile(r"\b[0-9a-f]{12,}\b")
PACKAGES = re.compile(r"\b(?:pandas|pyfixest|weasyprint|statsmodels)\s+\d")
#: The right edge of the text block: A4 width minus the 14 mm page margin, in points.
RIGHT_EDGE = 595.28 - 14 / 25.4 * 72


def _word_boxes(pdf: Path) -> list[tuple[int, float, float, str]]:
    """(page, x_min, x_max, word) of every word, from poppler's pdftotext."""
    import shutil
    import subprocess

    tool = shutil.which("pdftotext")
    if tool is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("pdftotext (poppler-utils) is required in CI (installed by .ci/run)")
        pytest.skip("pdftotext not installed")
    out = subprocess.run([tool, "-bbox", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    boxes, page = [], 0
    for line in out.splitlines():
        if "<page " in line:
            page += 1
        m = re.search(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">'
                      r"(.*)</word>", line)
        if m:
            boxes.append((page, float(m[1]), float(m[2]), m[3]))
    return boxes


@pytest.mark.parametrize(("shape", "headline", "lang"),
                         [(s, h, lg) for s in SHAPES for h in HEADLINES for lg in ("id", "en")])
def test_matrix_pdf_reads_as_a_brief(shape, headline, lang, tmp_path):
    """Every shape x headline x language: two pages plus the methods page, no code, no
    "(s)", no word past the page's edge, no hash or package list on pages 1-2, a date and
    an issuer on page 1."""
    res = matrix_case(shape, headline)
    html = brief.render_html(res, lang=lang, date=DATE)
    pdf = tmp_path / "brief.pdf"
    pdf.write_bytes(brief.render_pdf(html))
    pages = _pdf_pages(pdf.read_bytes())
    methods = catalogue(lang)["headings"]["methods"]
    assert len(pages) <= 3 and methods in pages[-1] and methods not in " ".join(pages[:-1]), \
        [p[:60] for p in pages]
    text = " ".join(pages)
    assert "(s)" not in text
    assert not CODE.findall(text), CODE.findall(text)
    front = " ".join(pages[:-1])
    assert not HASH.findall(front) and not PACKAGES.findall(front)
    n = narrate(res, lang=lang, date=DATE)
    assert "28 November 2026" in pages[0] and _flat(n.issuer) in pages[0]
    assert _flat(n.title) in pages[0]
    boxes = _word_boxes(pdf)
    assert boxes
    outside = [(p, round(x1), w) for p, x0, x1, w in boxes if x1 > RIGHT_EDGE + 1.5 or x0 < 0]
    assert not outside, outside[:5]


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


def test_xlsx_readme_first_formats_units_and_sorted_sheet(synthetic_outputs):
    wb = load_workbook(synthetic_outputs["xlsx"])
    x = catalogue("id")["xlsx"]
    assert wb.sheetnames[0] == x["sheets"]["readme"]
    assert wb.worksheets[0]["A1"].value.startswith("DATA SINTETIS")
    assert wb.sheetnames[1] == x["sheets"]["furthest"]
    furthest = wb[x["sheets"]["furthest"]]
    header = [c.value for c in furthest[1]]
    assert header[0] == "Tahun" and "ASN mencapai 20 JP (%)" in header
    col = header.index("ASN mencapai 20 JP (%)")
    shares = [r[col] for r in furthest.iter_rows(min_row=2, values_only=True)]
    assert shares == sorted(shares) and len(shares) == 40
    assert furthest.cell(row=2, column=col + 1).number_format == "0%"
    assert {r[0] for r in furthest.iter_rows(min_row=2, values_only=True)} == {2024}
    est = wb[x["sheets"]["estimates"]]
    header = [c.value for c in est[1]]
    scaled = header.index("Estimasi per 10 JP pelatihan per ASN (poin)")
    row = [c for c in est[2]]
    assert row[scaled].value == pytest.approx(0.81)
    assert row[scaled].number_format == "0.0"  # one decimal, as the brief prints 0,8
    assert row[header.index("Kode (untuk analis)")].value == "headline"
    units = wb[x["sheets"]["units"]]
    assert units.max_row == 41
    for ws in wb.worksheets[1:]:  # every data sheet has a year column
        assert ws["A1"].value in ("Tahun", x["columns"]["key"]), ws.title
    for ws in wb.worksheets:  # no number is left as a 16-digit "General" float
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, float):
                    assert cell.number_format != "General", (ws.title, cell.coordinate)


def test_xlsx_header_frozen_and_text_columns_fit_their_longest_name():
    """Seen in LibreOffice: a 56-character unit name was cut at the column's edge."""
    res = scenario("clear_positive")
    long_name = "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu X"
    res["units"][0]["unit_name"] = long_name
    wb = load_workbook(io.BytesIO(brief.render_xlsx(res, lang="id")))
    data_sheets = wb.worksheets[1:]
    assert data_sheets
    for ws in data_sheets:
        assert ws.freeze_panes == "A2", ws.title
    units = wb[catalogue("id")["xlsx"]["sheets"]["units"]]
    col = next(c.column_letter for c in units[1] if c.value == "Unit")
    assert long_name in [c.value for (c,) in units.iter_rows(min_row=2, min_col=2, max_col=2)]
    assert units.column_dimensions[col].width >= len(long_name)


def test_xlsx_one_workbook_per_language():
    res = scenario("clear_positive")
    id_book = load_workbook(io.BytesIO(brief.render_xlsx(res, lang="id")))
    en_book = load_workbook(io.BytesIO(brief.render_xlsx(res, lang="en")))
    assert id_book.sheetnames[:2] == ["Baca saya", "Terjauh dari 20 JP"]
    assert en_book.sheetnames[:2] == ["README", "Furthest from 20 JP"]
    en_headers = {c.value for ws in en_book.worksheets[1:] for c in ws[1]}
    assert "ASN reaching 20 JP (%)" in en_headers and "Tahun" not in en_headers


def test_xlsx_text_never_becomes_a_formula():
    res = scenario("clear_positive")
    res["units"][0]["unit_name"] = '=HYPERLINK("http://example.invalid","klik")'
    res["units"][1]["unit_name"] = "+62 Dinas"
    wb = load_workbook(io.BytesIO(brief.render_xlsx(res, lang="en")))
    found = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith(("=HYPERLINK", "+62"))]
    assert found
    for cell in found:
        assert cell.data_type == "s", (cell.parent.title, cell.coordinate)


def test_xlsx_suppressed_and_not_synthetic():
    data = brief.render_xlsx(scenario("suppressed_cells"), lang="en")
    wb = load_workbook(io.BytesIO(data))
    assert not str(wb.worksheets[0]["A1"].value).startswith("SYNTHETIC")
    units = wb["Units"]
    header = [c.value for c in units[1]]
    rows = [[c.value for c in r] for r in units.iter_rows(min_row=2)]
    asn = header.index("ASN (people)")
    hidden = [r for r in rows if r[asn] == "< 5"]
    assert len(hidden) == 3
    furthest = wb["Furthest from 20 JP"]
    last = [[c.value for c in r] for r in furthest.iter_rows(min_row=2)][-3:]
    assert all(r[asn] == "< 5" for r in last)  # suppressed units last, never ranked


# ---- the writing edge --------------------------------------------------------------------------


def test_write_brief_files_and_no_nip_anywhere(synthetic_outputs):
    assert {k: p.name for k, p in synthetic_outputs.items()} == {
        "html": "brief.id.html", "pdf": "brief.id.pdf", "xlsx": "tables.id.xlsx"}
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
    path = tmp_path / "tables.id.xlsx"
    path.write_bytes(brief.render_xlsx(scenario("synthetic"), lang="id"))
    done = subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
         "--convert-to", 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1',
         "--outdir", str(tmp_path / "csv"), str(path)],
        capture_output=True, text=True, timeout=180)
    sheets = sorted((tmp_path / "csv").glob("*.csv"))
    assert done.returncode == 0 and len(sheets) >= 3, done.stderr[-2000:]
    notice = next(p for p in sheets if "Baca saya" in p.name)
    assert "DATA SINTETIS" in notice.read_text(encoding="utf-8")
    furthest = next(p for p in sheets if "Terjauh" in p.name).read_text(encoding="utf-8")
    assert "%" in furthest.splitlines()[1]  # the share is shown formatted as a percent
