"""The leadership brief: HTML, PDF and XLSX from a results dict, disk only in ``write_brief``.

The brief is a pure function of ``results.json`` (``docs/results-json.md``): the sentences
come from :mod:`evaluation.narrate`, the chart from :mod:`evaluation.plot`, the layout from
``evaluation/templates/brief.html.j2`` and ``brief.css``. The HTML is self-contained (styles
inline, the chart an SVG data URI, system fonts, no script), so opening it sends no request;
the PDF is WeasyPrint's rendering of the same HTML with the print stylesheet (A4, two pages
plus an optional methods annex).

Examples
--------
>>> from evaluation.brief import write_brief  # doctest: +SKIP
>>> paths = write_brief(results, "reports/demo/2024", lang="id")  # doctest: +SKIP
>>> sorted(paths)  # doctest: +SKIP
['html', 'pdf', 'xlsx']
"""

from __future__ import annotations

import base64
import datetime as _dt
import io
import json
import math
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from .. import _io
from .._options import BriefFormat, Language, check_option
from ..columns import lag_column
from ..errors import EvaluationError, PrivacyError
from ..privacy import NIP_PATTERN  # an NIP: 18 digits, solid or grouped 8-6-1-3
from .narrate import (
    TEMPLATES,
    Formatter,
    Narrative,
    _d,
    _finite,
    _l,
    catalogue,
    digits_for,
    headline_estimate,
    narrate,
)

_DATA_URI = re.compile(r"data:[^\"')\s]+")


@dataclass(frozen=True)
class Chart:
    """A rendered figure: an SVG data URI, its alt text and its size in CSS pixels."""

    src: str
    alt: str
    width: int
    height: int


# ---- privacy ---------------------------------------------------------------------------------


def find_nips(text: str) -> list[str]:
    """Every NIP-shaped number in ``text`` (embedded data URIs are skipped).

    >>> find_nips("NIP 198501012010011001 dan 19850101 201001 1 001; hash 0123abcd")
    ['198501012010011001', '19850101 201001 1 001']
    """
    return NIP_PATTERN.findall(_DATA_URI.sub("", text))


def _guard(text: str, where: str) -> str:
    found = find_nips(text)
    if found:
        raise PrivacyError(
            f"{where}: {len(found)} number(s) shaped like an NIP (18 digits) would be written. "
            "Personal identifiers must not reach the brief: check that the results were "
            "built from pseudonymised data and that no unit or label carries an NIP."
        )
    return text


def _guard_results(results: Mapping) -> None:
    """Refuse results that carry anything NIP-shaped, wherever it would have gone."""
    _guard(json.dumps(results, default=str, ensure_ascii=False), "results")


def _group(hexdigest: str, size: int = 8) -> str:
    """A long hash in groups of eight: easier to compare by eye, never NIP-shaped."""
    return " ".join(hexdigest[i:i + size] for i in range(0, len(hexdigest), size))


# ---- the chart -------------------------------------------------------------------------------


def _units_frame(results: Mapping):
    import pandas as pd

    return pd.DataFrame([u for u in _l(results.get("units")) if isinstance(u, dict)])


def _headline_columns(results: Mapping) -> tuple[str, str]:
    est = headline_estimate(results) or {}
    cfg = _d(results.get("headline"))
    exposure = est.get("exposure") or cfg.get("exposure") or "jp_per_asn"
    outcome = est.get("outcome") or cfg.get("outcome") or "ikm"
    lag = est.get("lag", cfg.get("lag", 0)) or 0
    column = lag_column(exposure, int(lag))
    units = [u for u in _l(results.get("units")) if isinstance(u, dict)]
    if units and not any(column in u for u in units) and any(exposure in u for u in units):
        column = exposure
    return column, outcome


def _source_text(results: Mapping, lang: Language) -> str:
    study, window = _d(results.get("study")), _d(results.get("window"))
    title = (study.get("title_en") if lang == "en" else None) or study.get("title") or ""
    text = ", ".join(x for x in (title, study.get("region", "")) if x)
    if window:
        text += f" ({window.get('first', '?')}–{window.get('last', '?')})"
    if study.get("synthetic"):
        text += "; " + catalogue(lang)["synthetic_short"]
    return text or Formatter(lang).msg("chart.source_default")


def headline_chart_svg(results: Mapping, *, lang: Language = "id") -> Chart | None:
    """The brief's headline chart as an SVG data URI with alt text, or ``None`` without units.

    Deterministic: the same results give the same bytes (fixed SVG hash salt, no date).
    """
    import matplotlib.pyplot as plt

    from . import plot

    frame = _units_frame(results)
    if frame.empty:
        return None
    exposure, outcome = _headline_columns(results)
    plot.set_theme()
    width_in, height_in = 7.2, 3.3
    fig, ax = plt.subplots(figsize=(width_in, height_in), layout="constrained")
    try:
        study = _d(results.get("study"))
        plot.headline_chart(frame, exposure=exposure, outcome=outcome, lang=lang,
                            year=results.get("year"), source=_source_text(results, lang),
                            min_cell_size=study.get("min_cell_size"), ax=ax)
        alt = ax.alt_text
        buf = io.BytesIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    finally:
        plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return Chart(src=f"data:image/svg+xml;base64,{data}", alt=alt,
                 width=round(width_in * 96), height=round(height_in * 96))


# ---- provenance and methods tables ------------------------------------------------------------


def _provenance(results: Mapping, f: Formatter) -> dict[str, list[tuple[str, str]]]:
    prov = _d(results.get("provenance"))
    p = f.cat["provenance"]
    short: list[tuple[str, str]] = []
    long: list[tuple[str, str]] = []
    sha = prov.get("data_sha256")
    if isinstance(sha, str) and sha:
        short.append((p["data_hash"], sha[:12]))
        long.append((p["full_hash"], _group(sha)))
    if prov.get("run_id"):
        short.append((p["run_id"], str(prov["run_id"])))
    commit = prov.get("git_commit")
    if commit:
        short.append((p["commit"], str(commit)[:12] + (" " + p["dirty"] if prov.get("git_dirty")
                                                       else "")))
    if prov.get("toolkit_version"):
        short.append((p["toolkit"], str(prov["toolkit_version"])))
    packages = _d(prov.get("packages"))
    if packages:
        long.append((p["packages"], ", ".join(f"{k} {v}" for k, v in sorted(packages.items()))))
    params = _d(results.get("parameters"))
    if params:
        long.append((p["parameters"], ", ".join(f"{k}={v}" for k, v in sorted(params.items()))))
    return {"short": short, "long": long}


def _table_digits(*values: Any) -> int:
    """Decimals for an analyst's table: enough for two significant digits of the largest
    value (a per-rupiah effect of 1,2e-7 must not print as 0,000)."""
    finite = [abs(v) for v in values if _finite(v) and v != 0]
    if not finite:
        return 3
    largest = max(finite)
    if largest >= 0.1:
        return max(digits_for(*values), 3 if largest < 1 else 1)
    return min(10, 1 - math.floor(math.log10(largest)) + 1)


def _col(label: str, num: bool = False) -> dict:
    return {"label": label, "num": num}


def _methods_tables(results: Mapping, f: Formatter) -> list[dict]:
    t, h = f.cat["table"], f.cat["headings"]
    tables = []
    rows = []
    for e in _l(results.get("estimates")):
        if not isinstance(e, dict) or e.get("term") in (e.get("controls") or ()):
            continue  # control coefficients are not findings; they stay in results.json
        d = _table_digits(e.get("estimate"), e.get("conf_low"), e.get("conf_high"))
        rows.append([e.get("model", ""), e.get("outcome", ""), e.get("term", ""),
                     f.number(e.get("estimate"), d),
                     f"{f.number(e.get('conf_low'), d)} – {f.number(e.get('conf_high'), d)}",
                     f.p_value(e.get("p_value")), e.get("inference", ""),
                     f.integer(e.get("n_obs")), f.integer(e.get("n_clusters"))])
    if rows:
        tables.append({"title": h["estimates"], "rows": rows, "columns": [
            _col(t["model"]), _col(t["outcome"]), _col(t["term"]), _col(t["estimate"], True),
            _col(t["ci"], True), _col(t["p_value"], True), _col(t["inference"]),
            _col(t["n_obs"], True), _col(t["n_clusters"], True)]})
    rob = _d(results.get("robustness"))
    label_key = "label_en" if f.lang == "en" else "label_id"
    rows = []
    for s in _l(rob.get("specifications")):
        if not isinstance(s, dict):
            continue
        d = max(3, digits_for(s.get("estimate")))
        rows.append([s.get(label_key) or s.get("name", ""), f.number(s.get("estimate"), d),
                     f"{f.number(s.get('conf_low'), d)} – {f.number(s.get('conf_high'), d)}",
                     f.p_value(s.get("p_value"))])
    if rows:
        tables.append({"title": h["robustness"], "rows": rows, "columns": [
            _col(t["spec"]), _col(t["estimate"], True), _col(t["ci"], True),
            _col(t["p_value"], True)]})
    rows = []
    for lag in _l(_d(results.get("distributed_lags")).get("lags")):
        if isinstance(lag, dict):
            rows.append([f.integer(lag.get("lag")), f.number(lag.get("estimate"), 3),
                         f"{f.number(lag.get('conf_low'), 3)} – {f.number(lag.get('conf_high'), 3)}"])
    placebo = _d(_d(results.get("distributed_lags")).get("placebo_lead"))
    if rows and _finite(placebo.get("estimate")):
        rows.append([f.cat["table"]["placebo"], f.number(placebo["estimate"], 3),
                     f"p = {f.p_value(placebo.get('p_value'))}"])
    if rows:
        tables.append({"title": h["lags"], "rows": rows, "columns": [
            _col(t["lag"], True), _col(t["estimate"], True), _col(t["ci"], True)]})
    # the per-unit table is in tables.xlsx: on paper it would push the annex past a page
    return tables


# ---- HTML ------------------------------------------------------------------------------------


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html", "j2"], default_for_string=True,
                                            default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_html(results: Mapping, *, lang: Language = "id", methods: bool = True,
                date: _dt.date | None = None) -> str:
    """The brief as one self-contained HTML page (pure: no disk, no network).

    Parameters
    ----------
    results
        A results dict as documented in ``docs/results-json.md``.
    lang
        ``"id"`` (default) or ``"en"``.
    methods
        Append the methods annex for analysts (a page of its own in print).
    date
        A date to print in the header; ``None`` (default) keeps the output a function of
        ``results`` alone.

    Raises
    ------
    PrivacyError
        If anything shaped like an NIP would be written.
    """
    check_option("lang", lang, Language)
    if not isinstance(results, Mapping):
        raise EvaluationError(
            f"render_html: expecting the results dict of docs/results-json.md; got "
            f"{type(results).__name__}")
    _guard_results(results)
    f = Formatter(lang)
    n: Narrative = narrate(results, lang=lang, date=date)
    study = _d(results.get("study"))
    template = _environment().get_template("brief.html.j2")
    html = template.render(
        lang=lang,
        n=n,
        m=f.cat,
        css=(TEMPLATES / "brief.css").read_text(encoding="utf-8"),
        region=study.get("region", "Kota Semarang"),
        year=results.get("year", ""),
        chart=headline_chart_svg(results, lang=lang),
        provenance=_provenance(results, f),
        methods=_methods_tables(results, f) if methods else [],
        toolkit_version=_d(results.get("provenance")).get("toolkit_version", ""),
    )
    return _guard(html, f"brief.{lang}.html")


# ---- PDF -------------------------------------------------------------------------------------


def _offline_fetcher():
    from weasyprint.urls import URLFetcher

    # Only inline data: URIs; a stray link to the network or the disk is refused.
    return URLFetcher(allowed_protocols=("data",))


def render_pdf(html: str) -> bytes:
    """The PDF (A4, print stylesheet) of a brief's HTML, rendered by WeasyPrint offline."""
    from weasyprint import HTML

    return HTML(string=html, base_url=None, url_fetcher=_offline_fetcher(),
                media_type="print").write_pdf(pdf_tags=True)


# ---- XLSX ------------------------------------------------------------------------------------


def _sheet(wb, title: str, header: list[str], rows: Iterable[list[Any]]):
    from openpyxl.styles import Font

    ws = wb.create_sheet(title=title[:31])
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    ws.freeze_panes = "A2"
    for col in ws.columns:
        width = max(len(str(c.value)) if c.value is not None else 0 for c in col)
        ws.column_dimensions[col[0].column_letter].width = min(60, max(10, width + 2))
    return ws


def _num(x: Any) -> Any:
    return x if _finite(x) else None


def render_xlsx(results: Mapping, *, lang: Language = "id") -> bytes:
    """The tables behind the brief as an XLSX workbook (bytes; opens in LibreOffice).

    The first sheet is a notice: what the file is, the synthetic-data warning when the data
    are synthetic, the privacy rule. Numbers are stored as numbers (not formatted text), except
    suppressed cells, which hold the text "< k".
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    check_option("lang", lang, Language)
    f = Formatter(lang)
    x, t = f.cat["xlsx"], f.cat["table"]
    study = _d(results.get("study"))
    k = study.get("min_cell_size", 5)
    _guard_results(results)
    wb = Workbook()
    notice = wb.active
    notice.title = x["notice_sheet"]
    n = narrate(results, lang=lang)
    lines: list[tuple[str, bool]] = []
    if n.synthetic_notice:
        lines.append((n.synthetic_notice, True))
    title = (study.get("title_en") if lang == "en" else None) or study.get("title") or ""
    lines += [(n.title, False), (x["about"], False), (x["not_synthetic"].format(title=title), False),
              (x["privacy"].format(k=k), False)]
    for i, (text, warn) in enumerate(lines, start=1):
        cell = notice.cell(row=i, column=1, value=text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.font = Font(bold=True, color="B42318", size=12) if warn else Font(bold=i == 1)
    notice.column_dimensions["A"].width = 110

    est_rows = [[e.get("id"), e.get("model"), e.get("outcome"), e.get("exposure"), e.get("term"),
                 e.get("lag"), _num(e.get("estimate")), _num(e.get("std_error")),
                 _num(e.get("conf_low")), _num(e.get("conf_high")), _num(e.get("p_value")),
                 e.get("inference"), e.get("n_obs"), e.get("n_clusters")]
                for e in _l(results.get("estimates")) if isinstance(e, dict)]
    _sheet(wb, x["estimates_sheet"],
           ["id", t["model"], t["outcome"], t["exposure"], t["term"], t["lag"], t["estimate"],
            "std_error", "conf_low", "conf_high", t["p_value"], t["inference"], t["n_obs"],
            t["n_clusters"]], est_rows)

    exposure, outcome = _headline_columns(results)
    unit_rows = []
    units = [u for u in _l(results.get("units")) if isinstance(u, dict)]
    for u in sorted(units, key=lambda u: str(u.get("unit_name", ""))):
        if u.get("suppressed") is True:
            hidden = f.suppressed(k)
            unit_rows.append([u.get("unit_id"), u.get("unit_name"), hidden, hidden, hidden,
                              hidden, hidden, hidden])
            continue
        ok = u.get("ikm_sample_adequate")
        unit_rows.append([u.get("unit_id"), u.get("unit_name"), _num(u.get(exposure)),
                          _num(u.get(outcome)), u.get("ikm_category"), _num(u.get("share_20jp")),
                          _num(u.get("asn_count")),
                          t["answer_yes"] if ok is True else t["answer_no"] if ok is False else None])
    _sheet(wb, x["units_sheet"], ["unit_id", t["unit"], exposure, outcome, t["category"],
                                  t["share_20jp"], t["asn_count"], t["sample_ok"]], unit_rows)

    label_key = "label_en" if lang == "en" else "label_id"
    cats = [[c.get("category"), c.get(label_key), c.get("n_units"),
             ", ".join(u for u in _l(c.get("units")) if isinstance(u, str))]
            for c in _l(_d(results.get("descriptives")).get("ikm_categories"))
            if isinstance(c, dict)]
    if cats:
        _sheet(wb, x["categories_sheet"], [t["category"], "label", t["n_obs"], t["unit"]], cats)

    rob = [[s.get("name"), s.get(label_key), _num(s.get("estimate")), _num(s.get("conf_low")),
            _num(s.get("conf_high")), _num(s.get("p_value"))]
           for s in _l(_d(results.get("robustness")).get("specifications")) if isinstance(s, dict)]
    if rob:
        _sheet(wb, x["robustness_sheet"], ["name", t["spec"], t["estimate"], "conf_low",
                                           "conf_high", t["p_value"]], rob)
    lags = [[g.get("lag"), _num(g.get("estimate")), _num(g.get("conf_low")),
             _num(g.get("conf_high"))]
            for g in _l(_d(results.get("distributed_lags")).get("lags")) if isinstance(g, dict)]
    if lags:
        _sheet(wb, x["lags_sheet"], [t["lag"], t["estimate"], "conf_low", "conf_high"], lags)

    prov = _d(results.get("provenance"))
    prov_rows = [["run_id", prov.get("run_id")], ["data_sha256", prov.get("data_sha256")],
                 ["git_commit", prov.get("git_commit")], ["git_dirty", prov.get("git_dirty")],
                 ["toolkit_version", prov.get("toolkit_version")]]
    prov_rows += [[f"input:{name}", digest] for name, digest in sorted(_d(prov.get("inputs")).items())]
    prov_rows += [[f"package:{name}", v] for name, v in sorted(_d(prov.get("packages")).items())]
    prov_rows += [[f"parameter:{name}", str(v)]
                  for name, v in sorted(_d(results.get("parameters")).items())]
    _sheet(wb, x["provenance_sheet"], [x["key"], x["value"]], prov_rows)

    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    _guard(cell.value, f"tables.xlsx, sheet '{ws.title}', cell {cell.coordinate}")
    # Fixed document dates: the same results give the same workbook content.
    stamp = _dt.datetime(2000, 1, 1)
    wb.properties.created = stamp
    wb.properties.creator = "evaluation"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ---- the writing edge --------------------------------------------------------------------------


def write_brief(results: Mapping, out_dir: str | os.PathLike, *, lang: Language = "id",
                formats: Iterable[BriefFormat] = ("html", "pdf", "xlsx"), methods: bool = True,
                date: _dt.date | None = None) -> dict[str, Path]:
    """Write the brief of one study-year into ``out_dir``; return the paths by format.

    Files: ``brief.<lang>.html``, ``brief.<lang>.pdf`` and ``tables.xlsx``, each written
    atomically (a failed run leaves earlier files intact). Everything is rendered before the
    first file is written, so an error leaves no partial set behind.

    Parameters
    ----------
    results
        The results dict (``docs/results-json.md``), e.g. ``json.load`` of ``results.json``.
    out_dir
        Folder for the files (created if needed), e.g. ``reports/demo/2024``.
    lang
        ``"id"`` (default) or ``"en"``.
    formats
        Any of ``"html"``, ``"pdf"``, ``"xlsx"``.
    methods
        Include the methods annex (third page) in HTML and PDF.
    date
        Optional date printed in the header (leave ``None`` for reproducible output).

    Returns
    -------
    dict[str, Path]
        ``{"html": ..., "pdf": ..., "xlsx": ...}`` for the formats asked for.

    Examples
    --------
    >>> import json  # doctest: +SKIP
    >>> results = json.loads(Path("reports/demo/2024/results.json").read_text())  # doctest: +SKIP
    >>> write_brief(results, "reports/demo/2024", lang="en")["pdf"].name  # doctest: +SKIP
    'brief.en.pdf'
    """
    check_option("lang", lang, Language)
    formats = tuple(formats)
    for fmt in formats:
        check_option("formats", fmt, BriefFormat)
    out = Path(out_dir)
    rendered: dict[str, tuple[Path, bytes]] = {}
    html = render_html(results, lang=lang, methods=methods, date=date) if (
        "html" in formats or "pdf" in formats) else None
    if "html" in formats:
        rendered["html"] = (out / f"brief.{lang}.html", html.encode("utf-8"))
    if "pdf" in formats:
        rendered["pdf"] = (out / f"brief.{lang}.pdf", render_pdf(html))
    if "xlsx" in formats:
        rendered["xlsx"] = (out / "tables.xlsx", render_xlsx(results, lang=lang))
    return {fmt: _io.write_bytes(path, data) for fmt, (path, data) in rendered.items()}


__all__ = [
    "NIP_PATTERN",
    "Chart",
    "find_nips",
    "headline_chart_svg",
    "render_html",
    "render_pdf",
    "render_xlsx",
    "write_brief",
]
