"""Sheets of ``tables.<lang>.xlsx`` for the sections other stages add: training types,
sectors, budget scenarios. Each returns ``(key, title, columns, rows)`` (empty rows: no sheet).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .breakdowns import kind_name
from .sentences import Words
from .view import as_dict, as_list
from .workbook_columns import INTEGER, PERCENT, TEXT, Column, decimals, number

Sheet = tuple[str, str, Sequence[Column], Sequence[Mapping[str, Any]]]


def types_sheet(c: Words) -> Sheet:
    f, x = c.f, c.f.cat["xlsx"]
    h, b = x["columns"], x["breakdown_columns"]
    block = as_dict(c.results.get("by_training_type"))
    rows = []
    if block.get("available") is True:
        for name, grouping in as_dict(block.get("groupings")).items():
            for kind in as_list(as_dict(grouping).get("kinds")):
                if isinstance(kind, dict):
                    rows.append({"grouping": name, **kind,
                                 **{f"s_{k}": v for k, v in as_dict(kind.get("scaled")).items()}})
    fmt = decimals(c.digits)
    unit = c.outcome["unit"]
    cols = [Column(h["year"], "0", lambda r: c.year, 7),
            Column(b["grouping"], TEXT,
                   lambda r: x["groupings"].get(r["grouping"], str(r["grouping"])), 18),
            Column(b["kind"], TEXT, lambda r: kind_name(f, r.get("label")), 30),
            Column(h["estimate_scaled"].format(increment=c.increment, unit=unit), fmt,
                   lambda r: number(r.get("s_estimate")), 18),
            Column(h["low_scaled"].format(unit=unit), fmt, lambda r: number(r.get("s_conf_low"))),
            Column(h["high_scaled"].format(unit=unit), fmt,
                   lambda r: number(r.get("s_conf_high"))),
            Column(b["shrunken"].format(increment=c.increment, unit=unit), fmt,
                   lambda r: number(r.get("s_shrunken_estimate")), 18),
            Column(b["prob_best"], PERCENT, lambda r: number(r.get("prob_best"))),
            Column(b["prob_positive"], PERCENT, lambda r: number(r.get("prob_positive"))),
            Column(h["p_value"], "0.000", lambda r: number(r.get("p_value")), 9)]
    return ("types", x["sheets"]["types"], cols, rows)


def sectors_sheet(c: Words) -> Sheet:
    f, x = c.f, c.f.cat["xlsx"]
    h, b = x["columns"], x["breakdown_columns"]
    block = as_dict(c.results.get("by_sector"))
    rows = ([s for s in as_list(block.get("sectors")) if isinstance(s, dict)]
            if block.get("available") is True else [])
    fmt = decimals(c.digits)
    unit = c.outcome["unit"]

    def scaled(r: Mapping[str, Any], key: str) -> Any:
        return number(as_dict(r.get("scaled")).get(key))

    cols = [Column(h["year"], "0", lambda r: c.year, 7),
            Column(b["sector"], TEXT,
                   lambda r: f.cat["sectors"].get(str(r.get("group")), r.get("group")), 24),
            Column(b["n_units"], INTEGER, lambda r: number(r.get("n_units"))),
            Column(h["estimate_scaled"].format(increment=c.increment, unit=unit), fmt,
                   lambda r: scaled(r, "estimate"), 18),
            Column(h["low_scaled"].format(unit=unit), fmt, lambda r: scaled(r, "conf_low")),
            Column(h["high_scaled"].format(unit=unit), fmt, lambda r: scaled(r, "conf_high")),
            Column(b["mde"].format(increment=c.increment, unit=unit), fmt,
                   lambda r: scaled(r, "mde"), 18),
            Column(b["detectable"], TEXT, lambda r: _yes_no(c, r.get("detectable")), 12),
            Column(b["prob_positive"], PERCENT, lambda r: number(r.get("prob_positive")))]
    return ("sectors", x["sheets"]["sectors"], cols, rows)


def _yes_no(c: Words, value: Any) -> str | None:
    x = c.f.cat["xlsx"]
    return x["answer_yes"] if value is True else x["answer_no"] if value is False else None


def scenario_sheet(c: Words) -> Sheet:
    x = c.f.cat["xlsx"]
    h, b = x["columns"], x["breakdown_columns"]
    block = as_dict(c.results.get("scenario"))
    rows = []
    if block.get("available") is True:
        for s in as_list(block.get("scenarios")):
            for u in as_list(as_dict(s).get("units")):
                if isinstance(u, dict):
                    rows.append({"scenario": as_dict(s).get("name"), **u})
    money = '"Rp"#,##0' if c.f.lang == "id" else '"IDR "#,##0'
    unit = c.outcome["unit"]
    fmt = decimals(c.digits)
    cols = [Column(h["year"], "0", lambda r: c.year, 7),
            Column(b["scenario"], TEXT,
                   lambda r: x["scenarios"].get(str(r.get("scenario")), str(r.get("scenario"))),
                   24),
            Column(h["unit"], TEXT, lambda r: r.get("unit_name"), 40),
            Column(b["jp_change"], INTEGER, lambda r: number(r.get("jp_change"))),
            Column(b["spend_change"], money, lambda r: number(r.get("spend_change")), 18),
            Column(b["cost_per_jp"], money, lambda r: number(r.get("cost_per_jp"))),
            Column(b["change"].format(outcome=c.outcome["name"], unit=unit), fmt,
                   lambda r: number(r.get("ikm_change")), 18),
            Column(b["change_low"].format(unit=unit), fmt,
                   lambda r: number(r.get("ikm_change_low"))),
            Column(b["change_high"].format(unit=unit), fmt,
                   lambda r: number(r.get("ikm_change_high")))]
    return ("scenario", x["sheets"]["scenario"], cols, rows)


__all__ = ["scenario_sheet", "sectors_sheet", "types_sheet"]
