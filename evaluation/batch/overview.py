"""The overview page (``index.html``): the city's one page across the batch's years.

One row per brief year, in the study's language: the main estimate with the window it uses
(cumulative from the study's first year), city IKM and its category, the share of ASN
reaching 20 JP, spending per ASN at constant prices, units per IKM category, and links to
that year's brief (PDF and web page) and workbook in every language the batch wrote. Run
statuses stay in ``manifest.json``: a year whose run did not succeed says only that it is not
available yet. ``batch.run_batch`` calls :func:`write_index` at the end.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as _dt
import html
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

from .._io import write_bytes, write_text
from .._options import Language
from ..brief.plot import estimate_across_years_plot
from ..brief.sentences import Words, lag_earlier, money, words_for
from ..brief.view import as_dict, as_list, is_finite
from ..config import read_study_config
from ..i18n import Formatter, digits_for
from . import manifest as mf

INDEX_NAME = "index.html"
_LANGS: tuple[Language, ...] = ("id", "en")


def _language(lang: str) -> Language:
    return "en" if lang == "en" else "id"


def headline_rows(folder: Path, manifest: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Per year: whether it ran, what results.json says, and the files it wrote."""
    years = sorted({rec["year"] for rec in manifest["runs"].values()})
    rows = []
    for year in years:
        recs = {k: r for k, r in manifest["runs"].items() if r["year"] == year}
        statuses = {r["status"] for r in recs.values()}
        row: dict[str, Any] = {"year": year, "ok": statuses <= set(mf.DONE), "results": None,
                               "briefs": {}, "workbooks": {}, "notebook": None}
        res_path = folder / str(year) / "results.json"
        est = recs.get(f"{year}/estimate")
        if est and est["status"] in mf.DONE and res_path.is_file():
            with contextlib.suppress(ValueError, OSError):
                row["results"] = json.loads(res_path.read_text(encoding="utf-8"))
            row["notebook"] = f"{year}/notebook.ipynb"
        elif est and est.get("failed_notebook"):
            row["notebook"] = f"{year}/{est['failed_notebook']}"
        for rec in recs.values():
            lang = rec.get("lang")
            if rec["stage"] == "brief" and rec["status"] in mf.DONE and lang:
                row["briefs"][lang] = {"pdf": f"{year}/brief.{lang}.pdf",
                                       "html": f"{year}/brief.{lang}.html"}
                workbook = folder / str(year) / f"tables.{lang}.xlsx"
                if workbook.is_file() or not (folder / str(year)).is_dir():
                    row["workbooks"][lang] = f"{year}/tables.{lang}.xlsx"
        rows.append(row)
    return rows


# ---- one year's cells ----------------------------------------------------------------------


def _words(results: Mapping[str, Any], f: Formatter) -> Words:
    """The brief's own reading of results.json: the same names, steps and units."""
    return words_for(results, f)


def _headline_cell(row: Mapping[str, Any], f: Formatter) -> str:
    res = as_dict(row.get("results"))
    x = f.cat["index"]
    if not row["ok"] and not res:
        return x["failed"]
    head = as_dict(res.get("headline"))
    if head.get("status") == "not_estimable":
        return str(x["not_estimable"])
    scaled = as_dict(head.get("scaled"))
    if not all(is_finite(scaled.get(k)) for k in ("estimate", "conf_low", "conf_high")):
        return str(x["not_available"])
    d = digits_for(scaled["estimate"], scaled["conf_low"], scaled["conf_high"])
    unit = _words(res, f).outcome["unit"]
    return f.msg("index.headline_value", estimate=f.number(scaled["estimate"], d), unit=unit,
                 low=f.number(scaled["conf_low"], d), high=f.number(scaled["conf_high"], d))


def _city(row: Mapping[str, Any]) -> dict[str, Any]:
    return as_dict(as_dict(as_dict(row.get("results")).get("descriptives")).get("city"))


def _cells(row: Mapping[str, Any], f: Formatter) -> list[str]:
    """The table cells of one year (already formatted text, not yet escaped)."""
    res = as_dict(row.get("results"))
    window = as_dict(res.get("window"))
    city = _city(row)
    cats = {str(c.get("category")): c.get("n_units")
            for c in as_list(as_dict(res.get("descriptives")).get("ikm_categories"))
            if isinstance(c, dict)}
    ikm = (f.msg("index.ikm_value", ikm=f.number(city["ikm"], 1),
                 category=city.get("ikm_category", "?")) if is_finite(city.get("ikm")) else "–")
    return [
        str(row["year"]), _headline_cell(row, f),
        f"{window['first']}–{window['last']}" if window else "–", ikm,
        f.share(city["share_20jp"]) if is_finite(city.get("share_20jp")) else "–",
        money(f, city["spend_per_asn_real"]) if is_finite(city.get("spend_per_asn_real")) else "–",
        " / ".join(f.integer(cats[c]) if is_finite(cats.get(c)) else "–" for c in "ABCD")
        if cats else "–",
    ]


def _links(row: Mapping[str, Any], f: Formatter) -> str:
    x = f.cat["index"]
    esc = html.escape
    parts = []
    for lang in sorted(row["briefs"], key=lambda g: (g != f.lang, g)):
        name = x["languages"].get(lang, lang.upper())
        files = row["briefs"][lang]
        link = (f'<a href="{esc(files["pdf"])}">{esc(x["brief_pdf"].format(lang=name))}</a> '
                f'(<a href="{esc(files["html"])}">{esc(x["brief_html"])}</a>)')
        if lang in row["workbooks"]:
            link += (f' · <a href="{esc(row["workbooks"][lang])}">'
                     f'{esc(x["workbook"].format(lang=name))}</a>')
        # one line per language: wrapped inside a narrow cell, "tabel ID ringkasan EN"
        # ran together on the rendered page
        parts.append(f'<span class="doc">{link}</span>')
    return "".join(parts) or esc(x["not_available"])


# ---- the page ------------------------------------------------------------------------------


def _chart_png(rows: list[dict[str, Any]], *, lang: Language) -> str | None:
    points = []
    for r in rows:
        scaled = as_dict(as_dict(as_dict(r.get("results")).get("headline")).get("scaled"))
        if all(is_finite(scaled.get(k)) for k in ("estimate", "conf_low", "conf_high")):
            points.append({"year": r["year"], **{k: scaled[k] for k in
                                                 ("estimate", "conf_low", "conf_high")}})
    if not points:
        return None
    outcome = str(as_dict(as_dict(rows[-1].get("results")).get("headline")).get("outcome")
                  or "ikm")
    ax = estimate_across_years_plot(pd.DataFrame(points), lang=lang, outcome=outcome, ax=None)
    fig = ax.get_figure(root=True)
    assert fig is not None
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def _caption(rows: list[dict[str, Any]], f: Formatter) -> str:
    described = [as_dict(r.get("results")) for r in rows
                 if as_dict(as_dict(r.get("results")).get("headline")).get("exposure")]
    if not described:
        return ""
    c = _words(described[-1], f)
    return f.msg("index.caption", outcome=c.outcome["name"], increment=c.increment,
                 lag_earlier=lag_earlier(f, c.lag))


_CSS = """
body{font-family:"DejaVu Sans",sans-serif;max-width:72rem;margin:1.5rem auto;padding:0 1rem;
color:#111827;line-height:1.4}
h1{color:#1d5a8c;font-size:1.6rem;margin:.2rem 0}h2{color:#1d5a8c;font-size:1.15rem}
.issuer{font-weight:bold;margin:0}.lead{color:#4b5563}
.wrap{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{border-bottom:1px solid #d1d5db;padding:.35rem .5rem;text-align:left;vertical-align:top}
thead th{border-bottom:2px solid #111827}td.num{text-align:right;white-space:nowrap}
tr.missing td{color:#6b7280}
.synthetic{background:#fdecea;border:2px solid #b42318;color:#b42318;padding:.5rem .8rem;
font-weight:bold}
img{max-width:100%;height:auto}figure{max-width:44rem;margin:0}
.small{font-size:.85rem;color:#4b5563}td:nth-child(3){white-space:nowrap}
.doc{display:block;white-space:nowrap}
@media (max-width:640px){table,tbody{display:block}thead{display:none}
tr{display:block;border-bottom:2px solid #d1d5db;padding:.4rem 0}
td,td.num{display:block;border:none;padding:.1rem 0;text-align:left;white-space:normal}
td::before{content:attr(data-label) ": ";font-weight:bold}
td:first-child{font-size:1.1rem;font-weight:bold}td:first-child::before{content:none}}
"""


def _updated(manifest: Mapping[str, Any], f: Formatter) -> str:
    """The date of the newest finished run (when the page's figures were last made)."""
    starts = [str(r.get("start", ""))[:10] for r in manifest.get("runs", {}).values()
              if r.get("status") in mf.DONE and r.get("start")]
    try:
        return f.date(_dt.date.fromisoformat(max(starts))) if starts else ""
    except ValueError:
        return ""


def render_index(folder: Path, manifest: Mapping[str, Any], *, lang: str = "id",
                 synthetic: bool = False, title: str = "", issuer: str | None = None,
                 region: str = "Kota Semarang") -> str:
    """The self-contained overview page (inline CSS and chart; no external resources)."""
    language = _language(lang)
    f = Formatter(language)
    x = f.cat["index"]
    esc = html.escape
    rows = headline_rows(folder, manifest)
    first = next((as_dict(r["results"]).get("window", {}).get("first") for r in rows
                  if r.get("results")), "")
    base_year = next((as_dict(as_dict(r["results"]).get("descriptives")).get("price_base_year")
                      for r in reversed(rows) if r.get("results")), "")
    increment = next((_words(r["results"], f).increment for r in reversed(rows)
                      if r.get("results")), "10 JP")
    cols = x["columns"]
    header = [cols["year"], cols["headline"].format(increment=increment), cols["window"],
              cols["ikm"], cols["share_20jp"],
              cols["spend"].format(prices=x["prices"].format(year=base_year)),
              cols["categories"], cols["documents"]]
    numeric = {0, 3, 4, 5, 6}
    body = []
    for r in rows:
        cells = [f'<td data-label="{esc(header[i])}"{" class=num" if i in numeric else ""}>'
                 f"{esc(v)}</td>" for i, v in enumerate(_cells(r, f))]
        cells.append(f'<td data-label="{esc(header[-1])}">{_links(r, f)}</td>')
        body.append(f'<tr{"" if r["ok"] else " class=missing"}>{"".join(cells)}</tr>')
    png = _chart_png(rows, lang=language)
    chart_title = x["chart"].format(first=first)
    chart = (f'<figure><img alt="{esc(chart_title)}" src="data:image/png;base64,{png}">'
             f"<figcaption>{esc(_caption(rows, f))}</figcaption></figure>") if png else ""
    notebooks = " · ".join(f'<a href="{esc(r["notebook"])}">{r["year"]}</a>'
                           for r in rows if r.get("notebook"))
    banner = (f'<p class="synthetic">{esc(x["synthetic"].format(region=region))}</p>'
              if synthetic else "")
    when = _updated(manifest, f)
    issued = " · ".join(
        ([x["issuer"].format(issuer=issuer)] if issuer else [])
        + ([x["updated"].format(date=when)] if when else []))
    issued = f'<p class="issuer">{esc(issued)}</p>' if issued else ""
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    return f"""<!DOCTYPE html>
<html lang="{esc(language)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)} – {esc(x["title"])}</title>
<style>{_CSS}</style></head><body>
{banner}{issued}<h1>{esc(title)}</h1>
<h2>{esc(x["title"])}</h2>
<p class="lead">{esc(x["lead"].format(first=first))}</p>
<div class="wrap"><table><thead><tr>{head}</tr></thead>
<tbody>
{chr(10).join(body)}
</tbody></table></div>
<h2>{esc(chart_title)}</h2>
{chart}
<p class="small">{esc(x["analysts"])}: {notebooks} · <a href="manifest.json">{esc(x["manifest"])}</a></p>
</body></html>
"""


def write_index(folder: Path, manifest: Mapping[str, Any], *, lang: str = "id") -> Path:
    """Write ``index.html`` atomically; skipped when nothing it shows has changed."""
    state = {k: {"status": "done" if r["status"] in mf.DONE else r["status"],
                 "outputs": r.get("outputs")}
             for k, r in sorted(manifest["runs"].items())}
    key = mf.fingerprint({"runs": state, "lang": lang, "page": 4})  # page: its layout version
    path = folder / INDEX_NAME
    stamp = folder / ".index.sha256"
    if path.is_file() and stamp.is_file() and stamp.read_text().strip() == key:
        return path
    title, synthetic, issuer, region = str(manifest.get("study", "")), False, None, "Kota Semarang"
    study_dir = manifest.get("batch", {}).get("study_dir")
    if study_dir:
        with contextlib.suppress(Exception):
            cfg = read_study_config(study_dir)
            title = cfg.title_en if lang == "en" and cfg.title_en else cfg.title
            synthetic, issuer, region = cfg.synthetic, cfg.issuer, cfg.region
    write_text(path, render_index(folder, manifest, lang=lang, synthetic=synthetic, title=title,
                                  issuer=issuer, region=region))
    write_bytes(stamp, key.encode())
    return path


__all__ = ["INDEX_NAME", "headline_rows", "render_index", "write_index"]
