"""``tables.xlsx``: the tables behind the brief, for analysts, safe to open."""

from __future__ import annotations

import datetime as _dt
import io
from collections.abc import Iterable, Mapping
from typing import Any

from .._options import Language, check_option
from ..i18n import Formatter
from .chart import headline_columns
from .narrate import narrate
from .privacy_guard import guard, guard_results
from .view import as_dict, as_list, is_finite


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
    return x if is_finite(x) else None


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
    study = as_dict(results.get("study"))
    k = study.get("min_cell_size", 5)
    guard_results(results)
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
                for e in as_list(results.get("estimates")) if isinstance(e, dict)]
    _sheet(wb, x["estimates_sheet"],
           ["id", t["model"], t["outcome"], t["exposure"], t["term"], t["lag"], t["estimate"],
            "std_error", "conf_low", "conf_high", t["p_value"], t["inference"], t["n_obs"],
            t["n_clusters"]], est_rows)

    exposure, outcome = headline_columns(results)
    unit_rows = []
    units = [u for u in as_list(results.get("units")) if isinstance(u, dict)]
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
             ", ".join(u for u in as_list(c.get("units")) if isinstance(u, str))]
            for c in as_list(as_dict(results.get("descriptives")).get("ikm_categories"))
            if isinstance(c, dict)]
    if cats:
        _sheet(wb, x["categories_sheet"], [t["category"], "label", t["n_obs"], t["unit"]], cats)

    rob = [[s.get("name"), s.get(label_key), _num(s.get("estimate")), _num(s.get("conf_low")),
            _num(s.get("conf_high")), _num(s.get("p_value"))]
           for s in as_list(as_dict(results.get("robustness")).get("specifications")) if isinstance(s, dict)]
    if rob:
        _sheet(wb, x["robustness_sheet"], ["name", t["spec"], t["estimate"], "conf_low",
                                           "conf_high", t["p_value"]], rob)
    lags = [[g.get("lag"), _num(g.get("estimate")), _num(g.get("conf_low")),
             _num(g.get("conf_high"))]
            for g in as_list(as_dict(results.get("distributed_lags")).get("lags")) if isinstance(g, dict)]
    if lags:
        _sheet(wb, x["lags_sheet"], [t["lag"], t["estimate"], "conf_low", "conf_high"], lags)

    prov = as_dict(results.get("provenance"))
    prov_rows = [["run_id", prov.get("run_id")], ["data_sha256", prov.get("data_sha256")],
                 ["git_commit", prov.get("git_commit")], ["git_dirty", prov.get("git_dirty")],
                 ["toolkit_version", prov.get("toolkit_version")]]
    prov_rows += [[f"input:{name}", digest] for name, digest in sorted(as_dict(prov.get("inputs")).items())]
    prov_rows += [[f"package:{name}", v] for name, v in sorted(as_dict(prov.get("packages")).items())]
    prov_rows += [[f"parameter:{name}", str(v)]
                  for name, v in sorted(as_dict(results.get("parameters")).items())]
    _sheet(wb, x["provenance_sheet"], [x["key"], x["value"]], prov_rows)

    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    guard(cell.value, f"tables.xlsx, sheet '{ws.title}', cell {cell.coordinate}")
    # Fixed document dates: the same results give the same workbook content.
    stamp = _dt.datetime(2000, 1, 1)
    wb.properties.created = stamp
    wb.properties.creator = "evaluation"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


__all__ = ["render_xlsx"]
