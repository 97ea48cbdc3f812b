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

import datetime as _dt
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

import jinja2

from .. import _io
from .._options import BriefFormat, Language, check_option
from ..errors import EvaluationError
from ..i18n import Formatter
from .chart import Chart, headline_chart_svg
from .methods import methods_page
from .narrate import TEMPLATES, Narrative, narrate
from .privacy_guard import NIP_PATTERN, find_nips, guard, guard_results
from .sentences import words_for
from .view import as_dict
from .workbook import render_xlsx

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
    guard_results(results)
    f = Formatter(lang)
    n: Narrative = narrate(results, lang=lang, date=date)
    study = as_dict(results.get("study"))
    template = _environment().get_template("brief.html.j2")
    html = template.render(
        lang=lang,
        n=n,
        m=f.cat,
        css=(TEMPLATES / "brief.css").read_text(encoding="utf-8"),
        region=study.get("region", "Kota Semarang"),
        year=results.get("year", ""),
        chart=headline_chart_svg(results, lang=lang),
        methods=methods_page(words_for(results, f)) if methods else None,
        toolkit_version=as_dict(results.get("provenance")).get("toolkit_version", ""),
    )
    return guard(html, f"brief.{lang}.html")


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


# ---- the writing edge --------------------------------------------------------------------------


def write_brief(results: Mapping, out_dir: str | os.PathLike, *, lang: Language = "id",
                formats: Iterable[BriefFormat] = ("html", "pdf", "xlsx"), methods: bool = True,
                date: _dt.date | None = None) -> dict[str, Path]:
    """Write the brief of one study-year into ``out_dir``; return the paths by format.

    Files: ``brief.<lang>.html``, ``brief.<lang>.pdf`` and ``tables.<lang>.xlsx``, each written
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
    if "html" in formats or "pdf" in formats:
        html = render_html(results, lang=lang, methods=methods, date=date)
        if "html" in formats:
            rendered["html"] = (out / f"brief.{lang}.html", html.encode("utf-8"))
        if "pdf" in formats:
            rendered["pdf"] = (out / f"brief.{lang}.pdf", render_pdf(html))
    if "xlsx" in formats:
        rendered["xlsx"] = (out / f"tables.{lang}.xlsx", render_xlsx(results, lang=lang))
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
