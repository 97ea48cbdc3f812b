"""The brief's sentences about what was found: title, headline, programme, city picture.

Each function applies one written rule (see the table in :mod:`.narrate`) to the results
dict and fills a catalogue sentence with Babel-formatted numbers. :class:`Words` holds what
every sentence about the headline needs (formatter, the scaled estimate and its evidence
class, measure names), built once per brief by :func:`words_for`.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..i18n import Formatter, digits_for
from .rules import Evidence, ProgrammeWording, classify
from .view import as_dict, as_list, headline_estimate, is_finite, scaled_headline


@dataclass(frozen=True)
class CategoryRow:
    """One IKM category in the brief's table (unit names are agencies: public)."""

    category: str
    label: str
    n_units: str
    units: str


def measure(f: Formatter, key: str | None) -> dict:
    measures = f.cat["measures"]
    if key in measures:
        return {**measures["generic"], **measures[key]}
    name = str(key or "?")
    return {k: str(v).replace("{measure}", name) for k, v in measures["generic"].items()}


def scale_text(f: Formatter, exposure: str | None, scale: float) -> str:
    if exposure == "spend_per_asn_real":
        return f.rupiah(scale)
    return f.number(scale, 0 if float(scale).is_integer() else 1)


def lag_phrase(f: Formatter, lag: Any) -> str:
    table = f.cat["lag_phrase"]
    key = str(lag) if isinstance(lag, int) else "0"
    return table[key] if key in table else table["other"].format(lag=lag)


@dataclass(frozen=True)
class Words:
    f: Formatter
    results: Mapping
    est: dict
    scaled: dict
    scale: float
    evidence: Evidence
    exposure: dict
    outcome: dict
    increment: str
    increment_short: str
    digits: int

    @property
    def year(self) -> Any:
        return self.results.get("year")


def words_for(results: Mapping, f: Formatter) -> Words:
    est = headline_estimate(results) or {}
    cfg = as_dict(results.get("headline"))
    scaled, scale = scaled_headline(results)
    exposure_key = est.get("exposure") or cfg.get("exposure") or "jp_per_asn"
    outcome_key = est.get("outcome") or cfg.get("outcome") or "ikm"
    exposure = measure(f, exposure_key)
    outcome = measure(f, outcome_key)
    scale_words = scale_text(f, exposure_key, scale)
    increment = exposure["increment"].format(scale=scale_words)
    return Words(
        f=f, results=results, est=est, scaled=scaled, scale=scale,
        evidence=classify(scaled) if est else "missing",
        exposure=exposure, outcome=outcome, increment=increment,
        increment_short=increment.split(" ", 1)[1] if " " in increment else increment,
        digits=digits_for(scaled.get("estimate"), scaled.get("conf_low"), scaled.get("conf_high")),
    )


def headline_sentence(c: Words) -> str:
    f, s = c.f, c.scaled
    if c.evidence == "missing":
        head = as_dict(c.results.get("headline"))
        if head.get("status") == "not_estimable":
            return f.msg("headline.not_estimable", exposure=c.exposure["name"],
                         outcome=c.outcome["name"], lag_phrase=lag_phrase(f, head.get("lag")),
                         year=c.results.get("year", ""),
                         n_years=f.integer(len(as_list(head.get("years_with_data")))),
                         years_needed=f.integer(head.get("years_needed", 2)))
        return f.msg("headline.missing")
    size = abs(s["estimate"]) if is_finite(s.get("estimate")) else None
    return f.msg(
        f"headline.{c.evidence}",
        increment=c.increment, outcome=c.outcome["name"],
        size=f.number(size, c.digits), estimate=f.number(s.get("estimate"), c.digits),
        unit=c.outcome["unit"], lag_phrase=lag_phrase(f, c.est.get("lag")),
        ci=f.ci(s.get("conf_low"), s.get("conf_high"), c.digits),
    )


def title_sentence(c: Words) -> str:
    key = "missing" if c.evidence == "missing" else c.evidence
    return c.f.msg(f"title.{key}", more=c.exposure["more"], outcome=c.outcome["name"],
                   exposure=c.exposure["name"])


def programme_sentence(c: Words, wording: ProgrammeWording | None, *, key: bool = False
                        ) -> str | None:
    programme = as_dict(c.results.get("programme"))
    if wording is None:
        return None
    f = c.f
    overall = as_dict(as_dict(programme.get("staggered")).get("overall"))
    lang_name = programme.get("name_en") if f.lang == "en" else None
    name = lang_name or programme.get("name") or f.cat["measures"]["generic"]["name"]
    est, low, high = overall.get("estimate"), overall.get("conf_low"), overall.get("conf_high")
    digits = digits_for(est, low, high)
    if as_dict(programme.get("pretrend")).get("passed") is False:
        reason = f.msg("programme.reason_pretrend_failed")
    elif programme.get("agree") is False:
        reason = f.msg("programme.reason_disagree")
    else:
        reason = f.msg("programme.reason_no_pretrend")
    template = "programme.key_stronger" if key and wording == "stronger" else f"programme.{wording}"
    return f.msg(
        template, name=name, outcome=c.outcome["name"], unit=c.outcome["unit"],
        size=f.number(abs(est) if is_finite(est) else None, digits),
        estimate=f.number(est, digits), ci=f.ci(low, high, digits),
        direction=f.msg("programme.higher" if is_finite(est) and est >= 0 else "programme.lower"),
        reason=reason,
    )


def jp20_sentence(c: Words) -> str | None:
    desc = as_dict(c.results.get("descriptives"))
    jp20 = as_dict(desc.get("jp20"))
    if not is_finite(jp20.get("share_asn")):
        return None
    f = c.f
    entitlement = as_dict(c.results.get("parameters")).get("jp_entitlement", 20)
    text = f.msg("jp20.sentence", year=c.year, share=f.share(jp20["share_asn"]),
                 entitlement=f.number(entitlement, 0))
    n_all, n_units = jp20.get("n_units_all_reach"), desc.get("n_units")
    if is_finite(n_all) and is_finite(n_units):
        if n_all > 0:
            text += "; " + f.msg("jp20.all_units", n_all=f.integer(n_all),
                                 n_units=f.integer(n_units))
        else:
            text += "; " + f.msg("jp20.none_all")
    return text + "."


def categories_from_units(results: Mapping) -> list[dict]:
    """``descriptives.ikm_categories`` rebuilt from ``units`` when the block is absent."""
    units = [u for u in as_list(results.get("units"))
             if isinstance(u, dict) and not u.get("suppressed") and u.get("ikm_category")]
    out = []
    for cat in sorted({str(u["ikm_category"]) for u in units}):
        names = [str(u.get("unit_name", "")) for u in units if str(u["ikm_category"]) == cat]
        out.append({"category": cat, "n_units": len(names), "units": names})
    return out


def category_parts(c: Words) -> tuple[list[dict], str | None]:
    cats = [x for x in as_list(as_dict(c.results.get("descriptives")).get("ikm_categories"))
            if isinstance(x, dict)] or categories_from_units(c.results)
    label_key = "label_en" if c.f.lang == "en" else "label_id"
    labels = c.f.cat["ikm_labels"]
    rows = [{"category": x.get("category", "?"),
             "label": x.get(label_key) or labels.get(str(x.get("category")), ""),
             "n": x.get("n_units"), "units": [u for u in as_list(x.get("units")) if isinstance(u, str)]}
            for x in cats]
    if not rows:
        return [], None
    parts = [c.f.msg("categories.part", n=c.f.integer(r["n"]), category=r["category"],
                     label=r["label"]) for r in rows if is_finite(r["n"]) and r["n"] > 0]
    if not parts:
        return rows, None
    joined = parts[0] if len(parts) == 1 else (
        ", ".join(parts[:-1]) + f" {c.f.msg('categories.and')} " + parts[-1])
    return rows, c.f.msg("categories.sentence", year=c.year, parts=joined)


def category_table(c: Words, rows: list[dict], *, max_names: int = 6) -> tuple[CategoryRow, ...]:
    f = c.f
    out = []
    for r in rows:
        # Counts of agencies are public (min_cell_size protects people, not agencies).
        n = r["n"]
        names = r["units"]
        shown = ", ".join(names[:max_names]) or f.msg("categories.none")
        if len(names) > max_names:
            shown += " " + f.msg("categories.more_units", n=f.integer(len(names) - max_names))
        out.append(CategoryRow(category=str(r["category"]), label=str(r["label"]),
                               n_units=f.integer(n) if is_finite(n) else f.na(), units=shown))
    return tuple(out)


def cost_sentence(c: Words) -> str | None:
    cost = as_dict(as_dict(c.results.get("descriptives")).get("cost_per_ikm_point"))
    if not cost:
        return None
    f = c.f
    if c.evidence != "positive" or not is_finite(cost.get("estimate")):
        return f.msg("cost.not_shown")
    unit = cost.get("unit_en") if f.lang == "en" and cost.get("unit_en") else cost.get("unit", "")
    if is_finite(cost.get("conf_low")) and is_finite(cost.get("conf_high")):
        ci = f.msg("ci", low=f.rupiah(cost["conf_low"]), high=f.rupiah(cost["conf_high"]))
        return f.msg("cost.sentence", estimate=f.rupiah(cost["estimate"]), ci=ci, unit=unit)
    return f.msg("cost.no_ci", estimate=f.rupiah(cost["estimate"]), unit=unit)


def cumulative_sentence(c: Words) -> str | None:
    dl = as_dict(c.results.get("distributed_lags"))
    cum = as_dict(dl.get("cumulative"))
    lags = [int(x["lag"]) for x in as_list(dl.get("lags"))
            if isinstance(x, dict) and is_finite(x.get("lag"))]
    if classify(cum) == "missing" or not lags:
        return None
    f = c.f
    values = [cum[k] * c.scale for k in ("estimate", "conf_low", "conf_high")]
    digits = digits_for(*values)
    return f.msg("cumulative", max_lag=max(lags), estimate=f.number(values[0], digits),
                 unit=c.outcome["unit"], increment_short=c.increment_short,
                 ci=f.ci(values[1], values[2], digits))


def meta_items(c: Words, date: _dt.date | None) -> list[str]:
    f, r = c.f, c.results
    study, window, desc = as_dict(r.get("study")), as_dict(r.get("window")), as_dict(r.get("descriptives"))
    prov = as_dict(r.get("provenance"))
    out = [f.msg("meta.period", first=window.get("first", "?"), last=window.get("last", "?"))
           + ", " + f.msg("meta.brief_year", year=r.get("year", "?"))]
    n_units = desc.get("n_units", c.est.get("n_units"))
    if is_finite(n_units):
        level = f.cat["unit_levels"].get(study.get("unit_level"), study.get("unit_level") or "")
        unit_text = f.msg("meta.units", n_units=f.integer(n_units), unit_level=level)
        if is_finite(desc.get("n_asn")):
            unit_text += ", " + f.msg("meta.asn", n_asn=f.integer(desc["n_asn"]))
        out.append(unit_text)
    title = (study.get("title_en") if f.lang == "en" else None) or study.get("title")
    if title:
        out.append(f.msg("meta.study", title=title))
    if prov.get("run_id"):
        out.append(f.msg("meta.run", run_id=prov["run_id"]))
    if date is not None:
        out.append(f.msg("meta.date", date=f.date(date)))
    return out
