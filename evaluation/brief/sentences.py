"""The brief's sentences about what was found: title, headline, programme, city picture.

Each function applies one written rule (see the table in :mod:`.narrate`) to the results
dict and fills a catalogue sentence with Babel-formatted numbers. :class:`Words` holds what
every sentence about the headline needs (formatter, the scaled estimate and its evidence
class, probability and rating, measure names), built once per brief by :func:`words_for`.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..i18n import Formatter, digits_for, lookup, tidy_text
from .rules import (
    Evidence,
    ProgrammeWording,
    Rating,
    classify,
    evidence_rating,
    likelihood_key,
    probability_positive,
)
from .view import as_dict, as_list, headline_estimate, is_finite, scaled_headline, units


@dataclass(frozen=True)
class CategoryRow:
    """One IKM category in the brief's table (unit names are agencies: public)."""

    category: str
    label: str
    n_units: str
    units: str


def measure(f: Formatter, key: str | None) -> dict[str, str]:
    """The catalogue's names of a measure (``name``, ``topic``, ``axis``, ``unit``, ...)."""
    measures = f.cat["measures"]
    if key in measures:
        return {**measures["generic"], **measures[key]}
    name = str(key or "?")
    return {k: str(v).replace("{measure}", name) for k, v in measures["generic"].items()}


def money(f: Formatter, x: float, digits: int | None = None) -> str:
    """A rupiah amount in words a reader takes in at once (``Rp2,2 juta``)."""
    return f.msg("money.single", x=_money_words(f, x, _magnitude(x), digits))


def money_range(f: Formatter, low: float, high: float) -> str:
    """Two rupiah amounts on one scale, two significant digits (``Rp2,2–4,0 juta``)."""
    mag = _magnitude(max(abs(low), abs(high)))
    digits = _sig_digits(min(abs(low), abs(high)) / 10 ** mag if mag else min(low, high))
    low_text = f.number(low / 10 ** mag, digits) if mag else f.number(low, 0)
    return f.msg("money.range", low=low_text, high=_money_words(f, high, mag, digits))


def _magnitude(x: float) -> int:
    """0 (plain), 3 (thousand), 6 (million), 9 (billion) or 12 (trillion)."""
    size = abs(x)
    for mag in (12, 9, 6, 3):
        if size >= 10 ** mag:
            return mag
    return 0


def _sig_digits(x: float) -> int:
    """Decimals that keep two significant digits of ``x`` (``2.24`` -> 1, ``0.38`` -> 2)."""
    if not x:
        return 0
    return max(0, 1 - int(math.floor(math.log10(abs(x)))))


def _money_words(f: Formatter, x: float, mag: int, digits: int | None) -> str:
    if mag == 0:
        return f.number(x, 0)
    value = x / 10 ** mag
    word = {3: "thousand", 6: "million", 9: "billion", 12: "trillion"}[mag]
    return f.msg(f"money.{word}", x=f.number(value, _sig_digits(value) if digits is None
                                             else digits))


def scale_text(f: Formatter, exposure: str | None, scale: float) -> str:
    """The headline's step of exposure in words (``10``, ``10 poin persen``, ``Rp1 juta``)."""
    if exposure == "spend_per_asn_real":
        return money(f, scale)
    if exposure == "share_20jp":
        return f.msg("share_points", n=f.number(scale * 100, 0))
    return f.number(scale, 0 if float(scale).is_integer() else 1)


def _by_lag(f: Formatter, table: str, lag: Any) -> str:
    entries = f.cat[table]
    key = str(lag) if isinstance(lag, int) else "0"
    return str(entries[key]) if key in entries else str(entries["other"]).format(lag=lag)


def lag_phrase(f: Formatter, lag: Any) -> str:
    """``pada tahun berikutnya`` / ``the following year``."""
    return _by_lag(f, "lag_phrase", lag)


def lag_earlier(f: Formatter, lag: Any) -> str:
    """``tahun sebelumnya`` / ``the previous year``."""
    return _by_lag(f, "lag_earlier", lag)


def percent(f: Formatter, p: float) -> str:
    """A probability as the brief prints it: ``> 99%`` and ``< 1%`` at the ends."""
    if p >= 0.995:
        return f.msg("above_99")
    if p < 0.005:
        return f.msg("below_1")
    return f.share(p)


def p_clause(f: Formatter, p: Any) -> str:
    """``p = 0,57`` or ``p < 0,001`` (never ``p = < 0,001``)."""
    text = f.p_value(p)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def likelihood(f: Formatter, p: float) -> str:
    """The calibrated word for probability ``p``."""
    return f.msg(f"likelihood.{likelihood_key(p)}")


def msg_n(f: Formatter, key: str, count: Any, **values: Any) -> str:
    """A catalogue sentence with singular and plural forms (``one`` / ``other``).

    Every language defines both forms (Indonesian repeats the same text), so that no
    sentence ever needs "unit(s)".
    """
    forms = lookup(f.cat, key)
    text = forms["one"] if is_finite(count) and count == 1 else forms["other"]
    return tidy_text(str(text).format(**values))


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Words:
    """What every sentence about the headline needs, computed once per brief."""

    f: Formatter
    results: Mapping[str, Any]
    est: dict[str, Any]
    scaled: dict[str, Any]
    scale: float
    evidence: Evidence
    exposure_key: str
    outcome_key: str
    exposure: dict[str, str]
    outcome: dict[str, str]
    increment: str
    digits: int
    lag: int
    probability: float | None
    rating: Rating | None

    @property
    def year(self) -> Any:
        return self.results.get("year")

    @property
    def head(self) -> dict[str, Any]:
        return as_dict(self.results.get("headline"))

    @property
    def not_estimable(self) -> bool:
        return self.head.get("status") == "not_estimable"

    def rating_text(self) -> str:
        f = self.f
        if self.rating is None:
            return f.msg("rating.none")
        marks = "●" * self.rating.marks + "○" * (5 - self.rating.marks)
        return f"{marks} " + f.msg("rating.marks", marks=f.integer(self.rating.marks))


def words_for(results: Mapping[str, Any], f: Formatter) -> Words:
    """The :class:`Words` of one results dict in one language."""
    est = headline_estimate(results) or {}
    head = as_dict(results.get("headline"))
    scaled, scale = scaled_headline(results)
    exposure_key = str(est.get("exposure") or head.get("exposure") or "jp_per_asn")
    outcome_key = str(est.get("outcome") or head.get("outcome") or "ikm")
    exposure = measure(f, exposure_key)
    lag = est.get("lag", head.get("lag"))
    prob = probability_positive({**scaled, "prob_positive": est.get("prob_positive")}
                                if est else None)
    return Words(
        f=f, results=results, est=est, scaled=scaled, scale=scale,
        evidence=classify(scaled) if est else "missing",
        exposure_key=exposure_key, outcome_key=outcome_key,
        exposure=exposure, outcome=measure(f, outcome_key),
        increment=exposure["increment"].format(scale=scale_text(f, exposure_key, scale)),
        digits=digits_for(scaled.get("estimate"), scaled.get("conf_low"), scaled.get("conf_high")),
        lag=int(lag) if is_finite(lag) else 0, probability=prob,
        rating=evidence_rating(results) if est else None,
    )


def title_sentence(c: Words) -> str:
    """The finding as the title (rule ``title.*``)."""
    key = "not_estimable" if c.not_estimable else c.evidence
    return c.f.msg(
        f"title.{key}", More_cap=capitalise(c.exposure["more"]),
        link=_by_lag(c.f, "link_verb", c.lag), outcome=c.outcome["name"],
        lag_phrase=lag_phrase(c.f, c.lag), topic=c.exposure["topic"], year=c.year or "")


def headline_sentence(c: Words) -> str:
    """Key message 1: the association in natural units with its interval."""
    f, s = c.f, c.scaled
    if c.evidence == "missing":
        if c.not_estimable:
            return f.msg("headline.not_estimable", topic=c.exposure["topic"],
                         outcome=c.outcome["name"], lag_phrase=lag_phrase(f, c.lag),
                         year=c.year or "",
                         n_years=years_count(f, len(as_list(c.head.get("years_with_data")))),
                         years_needed=years_count(f, c.head.get("years_needed", 2)))
        return f.msg("headline.missing")
    size = abs(s["estimate"]) if is_finite(s.get("estimate")) else None
    return f.msg(
        f"headline.{c.evidence}",
        increment=c.increment, outcome=c.outcome["name"],
        size=f.number(size, c.digits), estimate=f.number(s.get("estimate"), c.digits),
        unit=c.outcome["unit"], lag_phrase=lag_phrase(f, c.lag),
        ci=f.ci(s.get("conf_low"), s.get("conf_high"), c.digits),
    )


def years_count(f: Formatter, n: Any) -> str:
    return msg_n(f, "years_count", n, n=f.integer(n))


def programme_sentence(c: Words, wording: ProgrammeWording | None, *, key: bool = False
                       ) -> str | None:
    """The staged programme's result, worded by :func:`~.rules.programme_wording`."""
    programme = as_dict(c.results.get("programme"))
    if wording is None:
        return None
    f = c.f
    overall = as_dict(as_dict(programme.get("staggered")).get("overall"))
    name = programme_name(f, programme)
    est, low, high = overall.get("estimate"), overall.get("conf_low"), overall.get("conf_high")
    digits = digits_for(est, low, high)
    template = "programme.key_stronger" if key and wording == "stronger" else f"programme.{wording}"
    return f.msg(
        template, name=name, outcome=c.outcome["name"], unit=c.outcome["unit"],
        size=f.number(abs(est) if is_finite(est) else None, digits),
        estimate=f.number(est, digits), ci=f.ci(low, high, digits),
        direction=f.msg("programme.higher" if is_finite(est) and est >= 0 else "programme.lower"),
        reason=_programme_reason(c, programme, overall, digits),
    )


def programme_name(f: Formatter, programme: Mapping[str, Any]) -> str:
    english = programme.get("name_en") if f.lang == "en" else None
    return str(english or programme.get("name") or f.cat["measures"]["generic"]["name"])


def _programme_reason(c: Words, programme: Mapping[str, Any], overall: Mapping[str, Any],
                      digits: int) -> str:
    f = c.f
    pre = as_dict(programme.get("pretrend"))
    if pre.get("passed") is False:
        return f.msg("programme.reason_pretrend_failed")
    if programme.get("agree") is False:
        return f.msg("programme.reason_disagree")
    if not pre:
        return f.msg("programme.reason_no_pretrend")
    return f.msg("programme.reason_pretrend_weak", unit=c.outcome["unit"],
                 detectable=f.number(pre.get("detectable_difference"), digits))


def jp20_sentence(c: Words) -> str | None:
    """The 20-JP entitlement in the brief's year (key message 2 when present)."""
    desc = as_dict(c.results.get("descriptives"))
    jp20 = as_dict(desc.get("jp20"))
    city = as_dict(desc.get("city"))
    share = city.get("share_20jp", jp20.get("share_asn"))
    if not is_finite(share):
        return None
    f = c.f
    below = city.get("n_asn_below_entitlement")
    if not is_finite(below) and is_finite(jp20.get("n_asn")):
        below = jp20["n_asn"] * (1 - share)
    text = f.msg("jp20.sentence", year=c.year, share=f.share(share),
                 entitlement=f.number(entitlement(c.results), 0),
                 n_below=f.integer(below) if is_finite(below) else f.na())
    n_all, n_units = jp20.get("n_units_all_reach"), jp20.get("n_units", desc.get("n_units"))
    if is_finite(n_all) and is_finite(n_units):
        if n_all > 0:
            text += "; " + f.msg("jp20.all_units", n_all=f.integer(n_all),
                                 n_units=f.integer(n_units))
        else:
            text += "; " + f.msg("jp20.none_all")
    return text + "."


def entitlement(results: Mapping[str, Any]) -> float:
    jp20 = as_dict(as_dict(results.get("descriptives")).get("jp20"))
    value = jp20.get("entitlement_jp", as_dict(results.get("parameters")).get("jp_entitlement"))
    return float(value) if is_finite(value) else 20.0


def city_sentences(c: Words) -> list[str]:
    """City IKM and its category, and what changed since last year (descriptive)."""
    f = c.f
    desc = as_dict(c.results.get("descriptives"))
    city, before = as_dict(desc.get("city")), as_dict(desc.get("since_last_year"))
    out = []
    if is_finite(city.get("ikm")) and city.get("ikm_category"):
        cat = str(city["ikm_category"])
        text = msg_n(f, "city.ikm", city.get("n_units_with_ikm"), year=c.year,
                     ikm=f.number(city["ikm"], 1), category=cat,
                     label=f.cat["ikm_labels"].get(cat, ""),
                     n_with=f.integer(city.get("n_units_with_ikm")))
        old = as_dict(before.get("city"))
        if before and is_finite(old.get("ikm")):
            share_change = (_signed(f, (city["share_20jp"] - old["share_20jp"]) * 100,
                                    "city.change_share")
                            if is_finite(city.get("share_20jp"))
                            and is_finite(old.get("share_20jp")) else f.na())
            text += " " + f.msg("city.change", year=before.get("year"),
                                ikm_change=_signed(f, city["ikm"] - old["ikm"],
                                                   "city.change_points"),
                                share_change=share_change)
        out.append(text)
    moves = [f.msg(f"city.{key}", year=before.get("year"), units=join(f, names))
             for key in ("units_down", "units_up")
             if (names := [n for n in as_list(before.get(key)) if isinstance(n, str)])]
    if moves:
        out.append(" ".join(moves))
    return out


def _signed(f: Formatter, value: float, key: str) -> str:
    sign = "+" if value > 0.05 else "−" if value < -0.05 else "±"
    return f.msg(key, sign=sign, value=f.number(abs(value), 1))


def join(f: Formatter, names: list[str], limit: int = 4) -> str:
    """``a, b dan c`` / ``a, b and c``; more than ``limit`` names end with "and n more"."""
    shown = names[:limit]
    rest = len(names) - len(shown)
    if rest:
        return ", ".join(shown) + " " + f.msg("categories.more_units", n=f.integer(rest))
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + f" {f.msg('categories.and')} " + shown[-1]


def categories_from_units(results: Mapping[str, Any]) -> list[dict[str, Any]]:
    """``descriptives.ikm_categories`` rebuilt from ``units`` when the block is absent."""
    rows = [u for u in units(results) if not u.get("suppressed") and u.get("ikm_category")]
    out = []
    for cat in sorted({str(u["ikm_category"]) for u in rows}):
        names = [str(u.get("unit_name", "")) for u in rows if str(u["ikm_category"]) == cat]
        out.append({"category": cat, "n_units": len(names), "units": names})
    return out


def category_parts(c: Words) -> tuple[list[dict[str, Any]], str | None]:
    """The category rows and the sentence that counts units per category."""
    cats = [x for x in as_list(as_dict(c.results.get("descriptives")).get("ikm_categories"))
            if isinstance(x, dict)] or categories_from_units(c.results)
    labels = c.f.cat["ikm_labels"]
    rows = [{"category": x.get("category", "?"),
             "label": labels.get(str(x.get("category")), ""),
             "n": x.get("n_units"), "units": [u for u in as_list(x.get("units"))
                                              if isinstance(u, str)]}
            for x in cats]
    parts = [msg_n(c.f, "categories.part", r["n"], n=c.f.integer(r["n"]), category=r["category"],
                     label=r["label"]) for r in rows if is_finite(r["n"]) and r["n"] > 0]
    if not parts:
        return rows, None
    joined = parts[0] if len(parts) == 1 else (
        ", ".join(parts[:-1]) + f" {c.f.msg('categories.and')} " + parts[-1])
    return rows, c.f.msg("categories.sentence", year=c.year, parts=joined)


def category_table(c: Words, rows: list[dict[str, Any]], *, max_names: int = 5
                   ) -> tuple[CategoryRow, ...]:
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


def missing_ikm_note(c: Words) -> str | None:
    """Why the categories count fewer units than the brief's year has."""
    city = as_dict(as_dict(c.results.get("descriptives")).get("city"))
    n, with_ikm = city.get("n_units"), city.get("n_units_with_ikm")
    if is_finite(n) and is_finite(with_ikm) and n > with_ikm:
        return msg_n(c.f, "categories.missing_ikm", n - with_ikm,
                     n=c.f.integer(n - with_ikm), year=c.year)
    return None


def cost_sentence(c: Words) -> str | None:
    """Training spending per ASN that goes with one IKM point, from both ends of the interval."""
    cost = as_dict(as_dict(c.results.get("descriptives")).get("cost_per_ikm_point"))
    if not cost:
        return None
    f = c.f
    if c.evidence != "positive" or not is_finite(cost.get("estimate")):
        return f.msg("cost.not_shown")
    year = as_dict(c.results.get("descriptives")).get("price_base_year") or c.year
    prices = f.msg("cost.prices", year=year)
    low, high = cost.get("conf_low"), cost.get("conf_high")
    if not is_finite(low):
        return None
    if not is_finite(high):
        return f.msg("cost.open", low=money(f, low), prices=prices)
    typical = as_dict(as_dict(c.results.get("descriptives")).get("city")).get("median_unit_asn")
    total = (money_range(f, low * typical, high * typical) if is_finite(typical) else f.na())
    return f.msg("cost.sentence", low_high=money_range(f, low, high), prices=prices,
                 typical=f.integer(typical) if is_finite(typical) else f.na(), total=total)


def realism_sentence(c: Words) -> str | None:
    """How large the headline's step is next to what units actually do (BRIEF.md rule 3)."""
    changes = as_dict(as_dict(c.results.get("descriptives")).get("exposure_changes"))
    median = changes.get("median_abs_change")
    if not is_finite(median) or c.evidence == "missing":
        return None
    f = c.f
    values = dict(increment=c.increment, name=c.exposure["name"], unit=c.exposure["unit"],
                  median=f.number(median, 1))
    if is_finite(changes.get("share_units_moved_by_scale")) and \
            changes["share_units_moved_by_scale"] < 0.25:
        return f.msg("realism.large", **values)
    return f.msg("realism.sentence", **values,
                 share_changes=f.share(changes.get("share_changes_at_least_scale")),
                 share_units=f.share(changes.get("share_units_moved_by_scale")))


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
                 unit=c.outcome["unit"], increment=c.increment,
                 ci=f.ci(values[1], values[2], digits))


def chain_sentence(c: Words) -> str | None:
    """The chain training -> IKM -> IKU on page 2, or why it is not shown (issue 13 item 4)."""
    f = c.f
    chain = as_dict(c.results.get("chain"))
    if c.evidence == "missing" and not c.not_estimable:
        return None
    if not chain:
        reason = ("chain.absent_outcome" if c.outcome_key not in ("ikm",) else
                  "chain.absent_data")
        return f.msg("chain.absent", reason=f.msg(reason))
    a, b, ind = (as_dict(chain.get(k)) for k in ("a", "b", "indirect"))
    if not all(is_finite(x.get("estimate")) for x in (a, b, ind)):
        return f.msg("chain.absent", reason=f.msg("chain.absent_data"))
    s = c.scale
    values = [ind["estimate"] * s, ind.get("conf_low"), ind.get("conf_high")]
    low = values[1] * s if is_finite(values[1]) else None
    high = values[2] * s if is_finite(values[2]) else None
    digits = digits_for(values[0], low, high)
    key = "chain.shown" if classify({"conf_low": low, "conf_high": high}) in (
        "positive", "negative") else "chain.not_shown"
    return f.msg(key, increment=c.increment,
                 a=f.number(a["estimate"] * s, digits_for(a["estimate"] * s)),
                 b=f.number(b["estimate"], digits_for(b["estimate"])),
                 indirect=f.number(values[0], digits), ci=f.ci(low, high, digits))


def meta_items(c: Words) -> list[str]:
    """The small line under the title: data years, units, ASN (no run id: that is on the
    methods page)."""
    f, r = c.f, c.results
    study, window, desc = (as_dict(r.get(k)) for k in ("study", "window", "descriptives"))
    out = [f.msg("meta.period", first=window.get("first", "?"), last=window.get("last", "?"))]
    city = as_dict(desc.get("city"))
    n_units = city.get("n_units", desc.get("n_units", c.est.get("n_units")))
    if is_finite(n_units):
        level = f.cat["unit_levels"].get(study.get("unit_level"), study.get("unit_level") or "")
        unit_text = msg_n(f, "meta.units", n_units, n_units=f.integer(n_units),
                          unit_level=level)
        n_asn = city.get("n_asn", desc.get("n_asn"))
        if is_finite(n_asn):
            unit_text += ", " + f.msg("meta.asn", n_asn=f.integer(n_asn))
        out.append(unit_text)
    return out


def masthead(c: Words, date: _dt.date | None) -> tuple[str, str | None]:
    """(issuer line, date) for page 1: who issues the brief and when."""
    f = c.f
    study = as_dict(c.results.get("study"))
    region = study.get("region") or "Kota Semarang"
    issuer = study.get("issuer") or f.msg("masthead.issuer_default", region=region)
    return f.msg("masthead.issuer", issuer=issuer), (f.date(date) if date else None)


__all__ = [
    "CategoryRow",
    "Words",
    "capitalise",
    "category_parts",
    "category_table",
    "chain_sentence",
    "city_sentences",
    "cost_sentence",
    "cumulative_sentence",
    "entitlement",
    "headline_sentence",
    "jp20_sentence",
    "join",
    "lag_earlier",
    "lag_phrase",
    "likelihood",
    "masthead",
    "measure",
    "meta_items",
    "missing_ikm_note",
    "money",
    "money_range",
    "msg_n",
    "p_clause",
    "percent",
    "programme_name",
    "programme_sentence",
    "realism_sentence",
    "scale_text",
    "title_sentence",
    "words_for",
    "years_count",
]
