"""``tables.<lang>.xlsx``: the tables behind the brief, for analysts, in the brief's language.

One workbook per language (headers, labels and README in that language). Every sheet has a
year column, units in its headers and number formats that match the brief (percent for
shares, rupiah for money, the brief's decimals for estimates). Every cell is written through
:func:`evaluation._io.safe_xlsx_cell`, so that no text (a unit called ``=HYPERLINK(...)``)
can ever become a live formula. Suppressed cells hold the text "< k".
"""

from __future__ import annotations

import datetime as _dt
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .._io import safe_xlsx_cell
from .._options import Language, check_option
from ..i18n import Formatter
from .advice import furthest_from_entitlement
from .chart import headline_columns
from .methods import inference_name, model_label, robustness_label, term_label
from .narrate import narrate
from .privacy_guard import guard, guard_results
from .sentences import Words, lag_earlier, measure, words_for
from .view import as_dict, as_list, is_finite, units
from .workbook_columns import (
    INTEGER,
    ONE_DECIMAL,
    P_VALUE,
    PERCENT,
    ROW_FORMAT,
    SCIENTIFIC,
    TEXT,
    Column,
    decimals,
)
from .workbook_sections import scenario_sheet, sectors_sheet, types_sheet


def render_xlsx(results: Mapping[str, Any], *, lang: Language = "id") -> bytes:
    """The tables behind the brief as an XLSX workbook (bytes; opens in LibreOffice).

    The first sheet is a README: what the file is, the synthetic-data warning when the data
    are synthetic, what each sheet holds, the privacy rule. Numbers are stored as numbers
    with a number format; suppressed cells hold the text "< k".
    """
    check_option("lang", lang, Language)
    guard_results(results)
    f = Formatter(lang)
    c = words_for(results, f)
    wb = Workbook()
    readme = wb.active
    assert readme is not None
    readme.title = f.cat["xlsx"]["sheets"]["readme"]
    sheets = [_furthest_sheet(c), _units_sheet(c), _access_sheet(c), _city_sheet(c),
              _categories_sheet(c), types_sheet(c), sectors_sheet(c), scenario_sheet(c),
              _estimates_sheet(c), _robustness_sheet(c), _lags_sheet(c), _provenance_sheet(c)]
    written = [(key, title) for key, title, columns, rows in sheets
               if rows and _write_sheet(wb, title, columns, rows)]
    _write_readme(readme, c, written)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    guard(cell.value, f"tables.{lang}.xlsx, sheet '{ws.title}', cell "
                                      f"{cell.coordinate}")
    # Fixed document dates: the same results give the same workbook content.
    wb.properties.created = _dt.datetime(2000, 1, 1)
    wb.properties.creator = "evaluation"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


Sheet = tuple[str, str, Sequence[Column], Sequence[Mapping[str, Any]]]


def _write_sheet(wb: Workbook, title: str, columns: Sequence[Column],
                 rows: Iterable[Mapping[str, Any]]) -> bool:
    ws = wb.create_sheet(title=title[:31])
    for j, col in enumerate(columns, start=1):
        cell = safe_xlsx_cell(ws.cell(row=1, column=j), col.header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[cell.column_letter].width = col.width
    longest = [0] * len(columns)
    for i, row in enumerate(rows, start=2):
        for j, col in enumerate(columns, start=1):
            value = col.value(row)
            cell = safe_xlsx_cell(ws.cell(row=i, column=j), value)
            fmt = row.get("fmt") if col.fmt == ROW_FORMAT else col.fmt
            if fmt and not isinstance(value, str):
                cell.number_format = fmt
            if isinstance(value, str):
                longest[j - 1] = max(longest[j - 1], len(value))
    _fit_text_columns(ws, columns, longest)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    return True


#: The widest a text column grows to fit its longest cell (in characters); longer cells wrap.
TEXT_WIDTH_CAP = 60


def _fit_text_columns(ws: Worksheet, columns: Sequence[Column], longest: Sequence[int]) -> None:
    """Widen text columns to their longest cell: in LibreOffice a unit name of 56 characters
    was cut at 44 ("... Terpadu Satu Pi") because the next cell is not empty."""
    for j, (col, n) in enumerate(zip(columns, longest, strict=True), start=1):
        letter = get_column_letter(j)
        width = max(col.width, min(n + 2, TEXT_WIDTH_CAP))
        ws.column_dimensions[letter].width = width
        if n + 2 > width:
            for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                if isinstance(cell.value, str) and len(cell.value) + 2 > width:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")


def _write_readme(ws: Worksheet, c: Words, sheets: Sequence[tuple[str, str]]) -> None:
    f, r = c.f, c.results
    x = f.cat["xlsx"]["readme"]
    study = as_dict(r.get("study"))
    title = (study.get("title_en") if f.lang == "en" else None) or study.get("title") or ""
    n = narrate(r, lang=f.lang)
    base_year = as_dict(r.get("descriptives")).get("price_base_year") or c.year
    lines: list[tuple[str, bool]] = []
    if n.synthetic_notice:
        lines.append((n.synthetic_notice, True))
    lines += [(x["title"].format(year=c.year, title=title), False), (n.title, False),
              (x["about"].format(run_id=as_dict(r.get("provenance")).get("run_id", "–")), False),
              (x["privacy"].format(k=study.get("min_cell_size", 5)), False),
              (x["formats"].format(base_year=base_year), False)]
    lines += [(x["sheet_line"].format(sheet=title_,
                                      what=x[f"what_{key}"].format(increment=c.increment)), False)
              for key, title_ in sheets]
    for i, (text, warn) in enumerate(lines, start=1):
        cell = safe_xlsx_cell(ws.cell(row=i, column=1), text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.font = Font(bold=True, color="B42318", size=12) if warn else Font(bold=i == 1)
    ws.column_dimensions["A"].width = 110


# ---- the sheets ---------------------------------------------------------------------------


def _num(x: Any) -> Any:
    return x if is_finite(x) else None


def _hidden(c: Words, row: Mapping[str, Any], value: Any) -> Any:
    """The value, or "< k" for a suppressed unit's per-person figures."""
    if row.get("suppressed") is True:
        return c.f.suppressed(as_dict(c.results.get("study")).get("min_cell_size", 5))
    return _num(value)


def _unit_columns(c: Words) -> list[Column]:
    f, h = c.f, c.f.cat["xlsx"]["columns"]
    exposure, outcome = headline_columns(c.results)
    year = c.year
    prev = (year - c.lag) if isinstance(year, int) else ""
    cols = [
        Column(h["year"], "0", lambda u: year, 7),
        Column(h["unit"], TEXT, lambda u: u.get("unit_name"), 44),
        Column(h["sector"], TEXT, lambda u: u.get("sector"), 16),
        Column(h["asn"], INTEGER, lambda u: _hidden(c, u, u.get("asn_count"))),
        Column(h["share_20jp"], PERCENT, lambda u: _hidden(c, u, u.get("share_20jp"))),
        Column(h["asn_below"], INTEGER, lambda u: _hidden(c, u, _below(u))),
        Column(h["jp_per_asn"].format(year=year), ONE_DECIMAL,
               lambda u: _hidden(c, u, u.get("jp_per_asn"))),
    ]
    if exposure != "jp_per_asn" and any(exposure in u for u in units(c.results)):
        header = (h["jp_per_asn_lag"].format(year=prev) if exposure.startswith("jp_per_asn")
                  else term_label(f, exposure))
        cols.append(Column(header, ONE_DECIMAL, lambda u: _hidden(c, u, u.get(exposure))))
    cols += [
        Column(h["ikm"].format(year=year), "0.00", lambda u: _num(u.get("ikm"))),
        Column(h["category"], TEXT, lambda u: u.get("ikm_category"), 10),
        Column(h["respondents"], INTEGER, lambda u: _num(u.get("ikm_n_respondents"))),
        Column(h["sample_ok"], TEXT, lambda u: _yes_no(f, u.get("ikm_sample_adequate")), 10),
    ]
    if outcome == "iku_achievement" or any("iku_achievement" in u for u in units(c.results)):
        cols.append(Column(h["iku"], ONE_DECIMAL, lambda u: _num(u.get("iku_achievement"))))
    return cols


def _below(u: Mapping[str, Any]) -> Any:
    asn, share = u.get("asn_count"), u.get("share_20jp")
    return round(asn * (1 - share)) if is_finite(asn) and is_finite(share) else None


def _yes_no(f: Formatter, value: Any) -> str | None:
    x = f.cat["xlsx"]
    return x["answer_yes"] if value is True else x["answer_no"] if value is False else None


def _furthest_sheet(c: Words) -> Sheet:
    rows: list[Mapping[str, Any]] = list(furthest_from_entitlement(c))
    rows += [u for u in units(c.results) if u.get("suppressed")]
    return ("furthest", c.f.cat["xlsx"]["sheets"]["furthest"], _unit_columns(c), rows)


def _units_sheet(c: Words) -> Sheet:
    rows = sorted(units(c.results), key=lambda u: str(u.get("unit_name", "")))
    return ("units", c.f.cat["xlsx"]["sheets"]["units"], _unit_columns(c), rows)


def _access_sheet(c: Words) -> Sheet:
    """Who is left behind, per unit (``training_access``); suppressed cells as "< k"."""
    x = c.f.cat["xlsx"]
    h, a = x["columns"], x["access_columns"]
    block = as_dict(c.results.get("training_access"))
    rows = (sorted((u for u in as_list(block.get("units")) if isinstance(u, dict)),
                   key=lambda u: str(u.get("unit_name", "")))
            if block.get("available") is True else [])
    k = block.get("min_cell_size", as_dict(c.results.get("study")).get("min_cell_size", 5))

    def value(u: Mapping[str, Any], key: str) -> Any:
        if u.get("suppressed") or u.get(f"{key}_suppressed"):
            return c.f.suppressed(k)
        return _num(u.get(key))

    cols = [Column(h["year"], "0", lambda u: block.get("year", c.year), 7),
            Column(h["unit"], TEXT, lambda u: u.get("unit_name"), 44),
            Column(h["asn"], INTEGER, lambda u: value(u, "asn_count")),
            *[Column(a[key], "0.00" if key == "gini" else PERCENT, partial(value, key=key), 16)
              for key in ("share_no_jp", "share_none_3y", "top10_share", "gini",
                          "share_nonklasikal")]]
    return ("access", x["sheets"]["access"], cols, rows)


def _city_sheet(c: Words) -> Sheet:
    f, x = c.f, c.f.cat["xlsx"]
    h, labels, of = x["columns"], x["city"], x["units_of"]
    desc = as_dict(c.results.get("descriptives"))
    base_year = desc.get("price_base_year") or c.year
    money = '"Rp"#,##0' if f.lang == "id" else '"IDR "#,##0'
    years = [(as_dict(desc.get("since_last_year")).get("year"),
              as_dict(as_dict(desc.get("since_last_year")).get("city"))),
             (c.year, as_dict(desc.get("city")))]
    rows: list[Mapping[str, Any]] = []
    for year, city in years:
        if not city:
            continue
        for key, unit, fmt in (("ikm", of["points"], "0.0"), ("ikm_category", "", TEXT),
                               ("share_20jp", of["percent"], PERCENT),
                               ("n_asn_below_entitlement", of["people"], INTEGER),
                               ("spend_per_asn_real", of["rupiah"].format(base_year=base_year),
                                money),
                               ("n_units", of["units"], INTEGER), ("n_asn", of["people"], INTEGER)):
            name = labels.get({"n_asn_below_entitlement": "asn_below",
                               "spend_per_asn_real": "spend"}.get(key, key))
            value = city.get(key)
            rows.append({"year": year, "measure": name, "value": value, "unit": unit, "fmt": fmt})
    cols = [Column(h["year"], "0", lambda r: r["year"], 7),
            Column(h["measure"], TEXT, lambda r: r["measure"], 34),
            Column(h["value"], ROW_FORMAT, lambda r: r["value"] if isinstance(r["value"], str)
                   else _num(r["value"]), 16),
            Column(h["unit_of"], TEXT, lambda r: r["unit"], 28)]
    return ("city", x["sheets"]["city"], cols, rows)


def _categories_sheet(c: Words) -> Sheet:
    f, x = c.f, c.f.cat["xlsx"]
    h = x["columns"]
    rows = [row for row in as_list(as_dict(c.results.get("descriptives")).get("ikm_categories"))
            if isinstance(row, dict)]
    cols = [Column(h["year"], "0", lambda r: c.year, 7),
            Column(h["category"], TEXT, lambda r: r.get("category"), 10),
            Column(h["label"], TEXT, lambda r: f.cat["ikm_labels"].get(str(r.get("category"))), 16),
            Column(h["n_units"], INTEGER, lambda r: _num(r.get("n_units"))),
            Column(h["units"], TEXT, lambda r: ", ".join(str(u) for u in as_list(r.get("units"))),
                   90)]
    return ("categories", x["sheets"]["categories"], cols, rows)


def _scaled_columns(c: Words, get: Callable[[Mapping[str, Any], str], Any],
                    unit_of: Callable[[Mapping[str, Any]], str]) -> list[Column]:
    h = c.f.cat["xlsx"]["columns"]
    fmt = decimals(c.digits)
    return [Column(h["estimate_scaled"].format(increment=c.increment, unit=c.outcome["unit"]),
                   fmt, lambda r: get(r, "estimate"), 18),
            Column(h["low_scaled"].format(unit=c.outcome["unit"]), fmt,
                   lambda r: get(r, "conf_low"), 16),
            Column(h["high_scaled"].format(unit=c.outcome["unit"]), fmt,
                   lambda r: get(r, "conf_high"), 16)]


def _scaled(c: Words, row: Mapping[str, Any], key: str) -> Any:
    value = row.get(key)
    return value * c.scale if is_finite(value) else None


def _estimates_sheet(c: Words) -> Sheet:
    f, x = c.f, c.f.cat["xlsx"]
    h = x["columns"]
    rows = [e for e in as_list(c.results.get("estimates")) if isinstance(e, dict)]
    same = [e for e in rows if e.get("exposure") == c.exposure_key]
    cols = [Column(h["year"], "0", lambda e: c.year, 7),
            Column(h["model"], TEXT, lambda e: model_label(f, e.get("model")), 18),
            Column(h["outcome"], TEXT, lambda e: measure(f, e.get("outcome"))["name"], 18),
            Column(h["exposure"], TEXT, lambda e: term_label(f, str(e.get("term", ""))), 34)]
    if same:
        cols += _scaled_columns(c, lambda e, k: _scaled(c, e, k) if e.get("exposure") ==
                                c.exposure_key and e.get("term") not in (e.get("controls") or ())
                                else None, lambda e: c.outcome["unit"])
    cols += [Column(h["estimate_raw"], SCIENTIFIC, lambda e: _num(e.get("estimate")), 16),
             Column(h["p_value"], P_VALUE, lambda e: _num(e.get("p_value")), 9),
             Column(h["inference"], TEXT, lambda e: inference_name(f, e.get("inference")), 26),
             Column(h["n_obs"], INTEGER, lambda e: _num(e.get("n_obs")), 12),
             Column(h["n_clusters"], INTEGER, lambda e: _num(e.get("n_clusters")), 12),
             Column(h["code"], TEXT, lambda e: e.get("id"), 30)]
    return ("estimates", x["sheets"]["estimates"], cols, rows)


def _robustness_sheet(c: Words) -> Sheet:
    f, x = c.f, c.f.cat["xlsx"]
    h = x["columns"]
    rows = [s for s in as_list(as_dict(c.results.get("robustness")).get("specifications"))
            if isinstance(s, dict)]
    cols = [Column(h["year"], "0", lambda s: c.year, 7),
            Column(h["spec"], TEXT, lambda s: robustness_label(f, s, c.exposure_key), 40),
            *_scaled_columns(c, lambda s, k: _scaled(c, s, k), lambda s: c.outcome["unit"]),
            Column(h["p_value"], P_VALUE, lambda s: _num(s.get("p_value")), 9)]
    return ("robustness", x["sheets"]["robustness"], cols, rows)


def _lags_sheet(c: Words) -> Sheet:
    f, x = c.f, c.f.cat["xlsx"]
    h = x["columns"]
    rows = [g for g in as_list(as_dict(c.results.get("distributed_lags")).get("lags"))
            if isinstance(g, dict)]
    cols = [Column(h["year"], "0", lambda g: c.year, 7),
            Column(h["lag"], TEXT, lambda g: lag_earlier(f, g.get("lag")), 22),
            *_scaled_columns(c, lambda g, k: _scaled(c, g, k), lambda g: c.outcome["unit"])]
    return ("lags", x["sheets"]["lags"], cols, rows)


def _provenance_sheet(c: Words) -> Sheet:
    x = c.f.cat["xlsx"]
    prov = as_dict(c.results.get("provenance"))
    pairs: list[tuple[str, Any]] = [
        ("run_id", prov.get("run_id")), ("data_sha256", prov.get("data_sha256")),
        ("git_commit", prov.get("git_commit")), ("git_dirty", prov.get("git_dirty")),
        ("toolkit_version", prov.get("toolkit_version"))]
    pairs += [(f"input:{k}", v) for k, v in sorted(as_dict(prov.get("inputs")).items())]
    pairs += [(f"package:{k}", v) for k, v in sorted(as_dict(prov.get("packages")).items())]
    pairs += [(f"parameter:{k}", str(v))
              for k, v in sorted(as_dict(c.results.get("parameters")).items())]
    rows = [{"key": k, "value": v if isinstance(v, (str, int, float)) and not isinstance(v, bool)
             else str(v)} for k, v in pairs]
    cols = [Column(x["columns"]["key"], TEXT, lambda r: r["key"], 34),
            Column(x["columns"]["value"], None, lambda r: r["value"], 80)]
    return ("provenance", x["sheets"]["provenance"], cols, rows)


__all__ = ["Column", "render_xlsx"]
