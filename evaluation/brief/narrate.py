"""Sentences for the leadership brief, generated from ``results.json`` by written-down rules.

The brief never phrases a number more strongly than the evidence allows. Every sentence
comes from one of the rules below; the wording itself lives in the per-language message
catalogues ``evaluation/messages/<lang>/*.yaml`` (never in this module), and numbers,
currency and dates are formatted with Babel's locale data.

Rules (condition -> catalogue key -> wording, ``id`` / ``en``)
-----------------------------------------------------------------
========================================  ===============================  ==========================================  ==========================================
Condition                                  Key                              id                                          en
========================================  ===============================  ==========================================  ==========================================
headline 95% CI above zero (any FE model)  ``headline.positive``            "Setiap tambahan 10 JP ... berkaitan        "Each additional 10 JP ... is associated
                                                                            dengan IKM x poin lebih tinggi ... (IK      with an IKM x points higher ... (95% CI:
                                                                            95%: a sampai b poin)"                      a to b points)"
headline 95% CI below zero                 ``headline.negative``            "... berkaitan dengan ... lebih rendah"     "... is associated with ... lower"
headline 95% CI includes zero              ``headline.not_shown``           "Belum terbukti bahwa ... : perkiraannya    "Not shown: ... the estimate is x, but its
                                                                            x, tetapi rentangnya ... mencakup nol"      range ... includes zero"
no headline estimate                       ``headline.missing``             "Estimasi utama tidak tersedia ..."         "The main estimate is not available ..."
headline not estimable (too few years)     ``headline.not_estimable``,      "Hubungan ... belum dapat ditaksir untuk    "How ... goes with ... cannot be
                                           ``certainty_message.not_estimable`` Y: ... baru ada untuk n tahun ..."      estimated for Y yet: ... n year(s) ..."
fixed-effects estimate, CI excludes zero   ``association_note`` and         "Ini hubungan, bukan bukti sebab-akibat"    "This is an association, not proof of
                                           ``certainty_message.association``                                             cause and effect"
programme: pre-trend test passed AND       ``programme.stronger``           "... dapat dibaca sebagai dampak program"   "... can be read as an effect of the
robust estimator agrees AND CI excl. 0                                                                                  programme"
programme: CI excl. 0 but pre-trend        ``programme.association``        "Ini hubungan, belum tentu dampak program:  "This is an association, not necessarily
failed / untested or estimators disagree   + ``programme.reason_*``         <alasan>"                                   an effect of the programme: <reason>"
programme: CI includes zero                ``programme.not_shown``          "Belum terbukti bahwa <program> ..."        "Not shown: ..."
study.synthetic or code ``synthetic``      ``synthetic_banner``,            "DATA SINTETIS: ..."                        "SYNTHETIC DATA: ..."
                                           ``caveats.synthetic``
n_clusters < 20                            ``caveats.very_few_clusters``,   "Jumlah klaster sangat sedikit ..."         "Very few clusters ..."
                                           ``certainty_message.very_few_clusters``
20 <= n_clusters < 50 (or code)            ``caveats.few_clusters``         "Jumlah klaster sedikit ..."                "Few clusters ..."
n_obs < 100 (or code ``small_sample``)     ``caveats.small_sample``         "Sampel kecil ..."                          "Small sample ..."
a missing share > 10 % (or code)           ``caveats.missing_data``         "Data hilang: ..."                          "Missing data: ..."
pre-trend ``passed`` false (or code)       ``caveats.pretrend_failed``      "Tren sebelum program tidak sejajar ..."    "Pre-programme trends were not parallel"
a unit with inadequate SKM sample (or      ``caveats.ikm_sample_inadequate``"Sampel SKM belum memadai di n unit ..."    "The SKM sample is too small in n units"
code)
programme ``agree`` false                  ``caveats.estimators_disagree``  "... tidak sepakat ..."                     "... disagree ..."
any other caveat code                      ``caveats.unknown``              "Catatan lain dari analisis: <kode>"        "Other note from the analysis: <code>"
share of ASN reaching 20 JP < 95 %         ``recommendations.jp20``         "BKPP memastikan setiap ASN ..."            "BKPP makes sure every ASN ..."
evidence is association or not shown       ``recommendations.staged``       "... secara bertahap atau diundi ..."       "... in stages or by lottery ..."
programme wording is ``stronger``, > 0     ``recommendations.continue_programme``
headline not shown                         ``recommendations.not_shown``
inadequate SKM samples                     ``recommendations.skm_sample``
========================================  ===============================  ==========================================  ==========================================

Associations are never called causes: only the ``programme.stronger`` rule speaks of an
effect, and only of the staged programme, never of JP per ASN in the fixed-effects panel.

Numbers: an estimate and its interval share one number of decimals: two when the largest
absolute value among them is below 1, else one. Every number carries its unit and, where it is
an estimate, its 95% interval. Groups smaller than ``study.min_cell_size`` are shown as
"< k" (catalogue key ``suppressed``).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .._options import Language, check_option
from ..i18n import Formatter, catalogue, digits_for, is_finite, lookup, tidy_text

TEMPLATES = Path(__file__).parent / "templates"

#: Below this many clusters, cluster-robust inference needs care (a caveat).
FEW_CLUSTERS = 50
#: Below this many clusters, even careful inference is rough (a stronger caveat).
VERY_FEW_CLUSTERS = 20
#: Below this many unit-year observations, the sample is called small.
SMALL_SAMPLE_OBS = 100
#: A measure missing for more than this share of unit-years triggers a caveat.
MISSING_SHARE = 0.10
#: Below this share of ASN reaching the 20 JP entitlement, the brief recommends closing the gap.
JP20_TARGET = 0.95

Evidence = Literal["positive", "negative", "not_shown", "missing"]
ProgrammeWording = Literal["stronger", "association", "not_shown"]


# ---- catalogue and formatting (in the shared core: every stage speaks through it) ---------


_get = lookup
_clean = tidy_text
_finite = is_finite


# ---- reading the results dict tolerantly ----------------------------------------------------


def _d(x: Any) -> dict:
    return x if isinstance(x, dict) else {}


def _l(x: Any) -> list:
    return x if isinstance(x, list) else []


def headline_estimate(results: Mapping) -> dict | None:
    """The estimate row the headline points to (``headline.estimate_id``), or ``None``."""
    wanted = _d(results.get("headline")).get("estimate_id", "headline")
    for row in _l(results.get("estimates")):
        if isinstance(row, dict) and row.get("id") == wanted:
            return row
    return None


def scaled_headline(results: Mapping) -> tuple[dict, float]:
    """``(scaled estimate dict, scale)`` for the headline: the effect of +``scale`` exposure.

    Uses ``headline.scaled`` when present, else multiplies the estimate row by ``scale``.
    """
    head = _d(results.get("headline"))
    scale = head.get("scale") if _finite(head.get("scale")) else 1
    scaled = _d(head.get("scaled"))
    if all(_finite(scaled.get(k)) for k in ("estimate", "conf_low", "conf_high")):
        return scaled, scale
    row = headline_estimate(results) or {}
    return {k: (row[k] * scale if _finite(row.get(k)) else None)
            for k in ("estimate", "conf_low", "conf_high")}, scale


def classify(estimate: Mapping | None) -> Evidence:
    """What an estimate with a 95% interval lets the brief say.

    >>> classify({"estimate": 0.8, "conf_low": 0.6, "conf_high": 1.0})
    'positive'
    >>> classify({"estimate": 0.2, "conf_low": -0.3, "conf_high": 0.7})
    'not_shown'
    """
    if not estimate:
        return "missing"
    low, high = estimate.get("conf_low"), estimate.get("conf_high")
    if not (_finite(low) and _finite(high)):
        return "missing"
    if low > 0:
        return "positive"
    if high < 0:
        return "negative"
    return "not_shown"


def programme_wording(programme: Mapping | None) -> ProgrammeWording | None:
    """Stronger wording only with a clean pre-trend test AND agreement of the robust estimator.

    >>> programme_wording({"staggered": {"overall": {"estimate": 1.2, "conf_low": 0.4,
    ...     "conf_high": 2.0}}, "pretrend": {"passed": True}, "agree": True})
    'stronger'
    >>> programme_wording({"staggered": {"overall": {"estimate": 1.2, "conf_low": 0.4,
    ...     "conf_high": 2.0}}, "pretrend": {"passed": False}, "agree": True})
    'association'
    """
    if not programme:
        return None
    overall = _d(_d(programme.get("staggered")).get("overall"))
    evidence = classify(overall)
    if evidence == "missing":
        return None
    if evidence == "not_shown":
        return "not_shown"
    clean = _d(programme.get("pretrend")).get("passed") is True
    if clean and programme.get("agree") is True:
        return "stronger"
    return "association"


def caveat_codes(results: Mapping) -> list[str]:
    """The caveats that apply: ``results["caveats"]`` plus those derived from the numbers.

    Order is fixed (most important first) so the brief reads the same on every run.
    """
    given = [c for c in _l(results.get("caveats")) if isinstance(c, str)]
    study = _d(results.get("study"))
    est = headline_estimate(results) or {}
    programme = _d(results.get("programme"))
    codes: set[str] = set(given)
    if study.get("synthetic") is True:
        codes.add("synthetic")
    n_clusters = est.get("n_clusters")
    if _finite(n_clusters):
        codes.discard("few_clusters")
        codes.discard("very_few_clusters")
        if n_clusters < VERY_FEW_CLUSTERS:
            codes.add("very_few_clusters")
        elif n_clusters < FEW_CLUSTERS:
            codes.add("few_clusters")
    if _finite(est.get("n_obs")) and est["n_obs"] < SMALL_SAMPLE_OBS:
        codes.add("small_sample")
    missing = _d(_d(results.get("descriptives")).get("missing_share"))
    if any(_finite(v) and v > MISSING_SHARE for v in missing.values()):
        codes.add("missing_data")
    if _d(programme.get("pretrend")).get("passed") is False:
        codes.add("pretrend_failed")
    if programme and programme.get("agree") is False:
        codes.add("estimators_disagree")
    if any(_d(u).get("ikm_sample_adequate") is False for u in _l(results.get("units"))):
        codes.add("ikm_sample_inadequate")
    order = ["synthetic", "very_few_clusters", "few_clusters", "small_sample", "pretrend_failed",
             "estimators_disagree", "missing_data", "ikm_sample_inadequate"]
    known = [c for c in order if c in codes]
    return known + sorted(codes - set(order))


# ---- the narrative ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryRow:
    """One IKM category in the brief's table (unit names are agencies: public)."""

    category: str
    label: str
    n_units: str
    units: str


@dataclass(frozen=True)
class Narrative:
    """All generated text of one brief, in reading order.

    ``headline`` is the sentence the brief leads with (also the first key message).
    """

    lang: Language
    evidence: Evidence
    programme: ProgrammeWording | None
    title: str
    synthetic_notice: str | None
    meta: tuple[str, ...]
    headline: str
    key_messages: tuple[str, ...]
    recommendations: tuple[str, ...]
    findings: tuple[str, ...]
    categories: tuple[CategoryRow, ...]
    categories_note: str | None
    certainty: tuple[str, ...]
    caveats: tuple[str, ...]
    next_steps: tuple[str, ...]
    chart_note: str
    caveat_codes: tuple[str, ...] = field(default=())

    def to_text(self) -> str:
        """Plain text of every sentence, by section: what the snapshot tests fix."""
        cat = catalogue(self.lang)
        h = cat["headings"]
        blocks = [f"# {self.title}"]
        if self.synthetic_notice:
            blocks.append(f"! {self.synthetic_notice}")
        blocks.append(" | ".join(self.meta))
        sections = [
            (h["key_messages"], self.key_messages),
            (h["recommendations"], self.recommendations),
            (h["found"], self.findings),
            (h["categories"], tuple(f"{r.category} ({r.label}): {r.n_units}: {r.units}"
                                    for r in self.categories)
             + ((self.categories_note,) if self.categories_note else ())),
            (h["sure"], self.certainty),
            (h["caveats"], self.caveats),
            (h["next"], self.next_steps),
        ]
        for heading, lines in sections:
            blocks.append(f"## {heading}\n" + "\n".join(f"- {line}" for line in lines))
        return "\n\n".join(blocks) + "\n"


def _measure(f: Formatter, key: str | None) -> dict:
    measures = f.cat["measures"]
    if key in measures:
        return {**measures["generic"], **measures[key]}
    name = str(key or "?")
    return {k: str(v).replace("{measure}", name) for k, v in measures["generic"].items()}


def _scale_text(f: Formatter, exposure: str | None, scale: float) -> str:
    if exposure == "spend_per_asn_real":
        return f.rupiah(scale)
    return f.number(scale, 0 if float(scale).is_integer() else 1)


def _lag_phrase(f: Formatter, lag: Any) -> str:
    table = f.cat["lag_phrase"]
    key = str(lag) if isinstance(lag, int) else "0"
    return table[key] if key in table else table["other"].format(lag=lag)


@dataclass(frozen=True)
class _Ctx:
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


def _context(results: Mapping, f: Formatter) -> _Ctx:
    est = headline_estimate(results) or {}
    cfg = _d(results.get("headline"))
    scaled, scale = scaled_headline(results)
    exposure_key = est.get("exposure") or cfg.get("exposure") or "jp_per_asn"
    outcome_key = est.get("outcome") or cfg.get("outcome") or "ikm"
    exposure = _measure(f, exposure_key)
    outcome = _measure(f, outcome_key)
    scale_text = _scale_text(f, exposure_key, scale)
    increment = exposure["increment"].format(scale=scale_text)
    return _Ctx(
        f=f, results=results, est=est, scaled=scaled, scale=scale,
        evidence=classify(scaled) if est else "missing",
        exposure=exposure, outcome=outcome, increment=increment,
        increment_short=increment.split(" ", 1)[1] if " " in increment else increment,
        digits=digits_for(scaled.get("estimate"), scaled.get("conf_low"), scaled.get("conf_high")),
    )


def _headline(c: _Ctx) -> str:
    f, s = c.f, c.scaled
    if c.evidence == "missing":
        head = _d(c.results.get("headline"))
        if head.get("status") == "not_estimable":
            return f.msg("headline.not_estimable", exposure=c.exposure["name"],
                         outcome=c.outcome["name"], lag_phrase=_lag_phrase(f, head.get("lag")),
                         year=c.results.get("year", ""),
                         n_years=f.integer(len(_l(head.get("years_with_data")))),
                         years_needed=f.integer(head.get("years_needed", 2)))
        return f.msg("headline.missing")
    size = abs(s["estimate"]) if _finite(s.get("estimate")) else None
    return f.msg(
        f"headline.{c.evidence}",
        increment=c.increment, outcome=c.outcome["name"],
        size=f.number(size, c.digits), estimate=f.number(s.get("estimate"), c.digits),
        unit=c.outcome["unit"], lag_phrase=_lag_phrase(f, c.est.get("lag")),
        ci=f.ci(s.get("conf_low"), s.get("conf_high"), c.digits),
    )


def _title(c: _Ctx) -> str:
    key = "missing" if c.evidence == "missing" else c.evidence
    return c.f.msg(f"title.{key}", more=c.exposure["more"], outcome=c.outcome["name"],
                   exposure=c.exposure["name"])


def _programme_sentence(c: _Ctx, wording: ProgrammeWording | None, *, key: bool = False
                        ) -> str | None:
    programme = _d(c.results.get("programme"))
    if wording is None:
        return None
    f = c.f
    overall = _d(_d(programme.get("staggered")).get("overall"))
    lang_name = programme.get("name_en") if f.lang == "en" else None
    name = lang_name or programme.get("name") or f.cat["measures"]["generic"]["name"]
    est, low, high = overall.get("estimate"), overall.get("conf_low"), overall.get("conf_high")
    digits = digits_for(est, low, high)
    if _d(programme.get("pretrend")).get("passed") is False:
        reason = f.msg("programme.reason_pretrend_failed")
    elif programme.get("agree") is False:
        reason = f.msg("programme.reason_disagree")
    else:
        reason = f.msg("programme.reason_no_pretrend")
    template = "programme.key_stronger" if key and wording == "stronger" else f"programme.{wording}"
    return f.msg(
        template, name=name, outcome=c.outcome["name"], unit=c.outcome["unit"],
        size=f.number(abs(est) if _finite(est) else None, digits),
        estimate=f.number(est, digits), ci=f.ci(low, high, digits),
        direction=f.msg("programme.higher" if _finite(est) and est >= 0 else "programme.lower"),
        reason=reason,
    )


def _jp20_sentence(c: _Ctx) -> str | None:
    desc = _d(c.results.get("descriptives"))
    jp20 = _d(desc.get("jp20"))
    if not _finite(jp20.get("share_asn")):
        return None
    f = c.f
    entitlement = _d(c.results.get("parameters")).get("jp_entitlement", 20)
    text = f.msg("jp20.sentence", year=c.year, share=f.share(jp20["share_asn"]),
                 entitlement=f.number(entitlement, 0))
    n_all, n_units = jp20.get("n_units_all_reach"), desc.get("n_units")
    if _finite(n_all) and _finite(n_units):
        if n_all > 0:
            text += "; " + f.msg("jp20.all_units", n_all=f.integer(n_all),
                                 n_units=f.integer(n_units))
        else:
            text += "; " + f.msg("jp20.none_all")
    return text + "."


def _categories_from_units(results: Mapping) -> list[dict]:
    """``descriptives.ikm_categories`` rebuilt from ``units`` when the block is absent."""
    units = [u for u in _l(results.get("units"))
             if isinstance(u, dict) and not u.get("suppressed") and u.get("ikm_category")]
    out = []
    for cat in sorted({str(u["ikm_category"]) for u in units}):
        names = [str(u.get("unit_name", "")) for u in units if str(u["ikm_category"]) == cat]
        out.append({"category": cat, "n_units": len(names), "units": names})
    return out


def _category_parts(c: _Ctx) -> tuple[list[dict], str | None]:
    cats = [x for x in _l(_d(c.results.get("descriptives")).get("ikm_categories"))
            if isinstance(x, dict)] or _categories_from_units(c.results)
    label_key = "label_en" if c.f.lang == "en" else "label_id"
    labels = c.f.cat["ikm_labels"]
    rows = [{"category": x.get("category", "?"),
             "label": x.get(label_key) or labels.get(str(x.get("category")), ""),
             "n": x.get("n_units"), "units": [u for u in _l(x.get("units")) if isinstance(u, str)]}
            for x in cats]
    if not rows:
        return [], None
    parts = [c.f.msg("categories.part", n=c.f.integer(r["n"]), category=r["category"],
                     label=r["label"]) for r in rows if _finite(r["n"]) and r["n"] > 0]
    if not parts:
        return rows, None
    joined = parts[0] if len(parts) == 1 else (
        ", ".join(parts[:-1]) + f" {c.f.msg('categories.and')} " + parts[-1])
    return rows, c.f.msg("categories.sentence", year=c.year, parts=joined)


def _category_table(c: _Ctx, rows: list[dict], *, max_names: int = 6) -> tuple[CategoryRow, ...]:
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
                               n_units=f.integer(n) if _finite(n) else f.na(), units=shown))
    return tuple(out)


def _cost_sentence(c: _Ctx) -> str | None:
    cost = _d(_d(c.results.get("descriptives")).get("cost_per_ikm_point"))
    if not cost:
        return None
    f = c.f
    if c.evidence != "positive" or not _finite(cost.get("estimate")):
        return f.msg("cost.not_shown")
    unit = cost.get("unit_en") if f.lang == "en" and cost.get("unit_en") else cost.get("unit", "")
    if _finite(cost.get("conf_low")) and _finite(cost.get("conf_high")):
        ci = f.msg("ci", low=f.rupiah(cost["conf_low"]), high=f.rupiah(cost["conf_high"]))
        return f.msg("cost.sentence", estimate=f.rupiah(cost["estimate"]), ci=ci, unit=unit)
    return f.msg("cost.no_ci", estimate=f.rupiah(cost["estimate"]), unit=unit)


def _cumulative_sentence(c: _Ctx) -> str | None:
    dl = _d(c.results.get("distributed_lags"))
    cum = _d(dl.get("cumulative"))
    lags = [x.get("lag") for x in _l(dl.get("lags")) if isinstance(x, dict)]
    if classify(cum) == "missing" or not lags:
        return None
    f = c.f
    values = [cum[k] * c.scale for k in ("estimate", "conf_low", "conf_high")]
    digits = digits_for(*values)
    return f.msg("cumulative", max_lag=max(lags), estimate=f.number(values[0], digits),
                 unit=c.outcome["unit"], increment_short=c.increment_short,
                 ci=f.ci(values[1], values[2], digits))


def _inference_label(f: Formatter, method: Any) -> str:
    table = f.cat["inference_methods"]
    return table.get(str(method), table["other"].format(method=method))


def _certainty(c: _Ctx, programme_text: str | None) -> list[str]:
    f, r, est = c.f, c.results, c.est
    out = []
    window = _d(r.get("window"))
    if est:
        out.append(f.msg("sure.design", n_units=f.integer(est.get("n_units")),
                         n_years=f.integer(est.get("n_years")), first=window.get("first", "?"),
                         last=window.get("last", "?"), n_obs=f.integer(est.get("n_obs"))))
        out.append(f.msg("sure.inference", method=_inference_label(f, est.get("inference")),
                         n_clusters=f.integer(est.get("n_clusters"))))
    programme = _d(r.get("programme"))
    pre = _d(programme.get("pretrend"))
    if programme and pre.get("passed") is True:
        out.append(f.msg("sure.pretrend_passed", p=f.p_value(pre.get("p_value"))))
    elif programme and pre.get("passed") is False:
        out.append(f.msg("sure.pretrend_failed", p=f.p_value(pre.get("p_value"))))
    elif not programme:
        out.append(f.msg("sure.no_programme"))
    rob = _d(r.get("robustness"))
    if all(_finite(rob.get(k)) for k in ("n_total", "n_same_sign", "n_significant")):
        out.append(f.msg("sure.robustness", n_total=f.integer(rob["n_total"]),
                         n_same_sign=f.integer(rob["n_same_sign"]),
                         n_significant=f.integer(rob["n_significant"])))
    mde = _mde_text(c)
    if mde:
        m = _d(r.get("mde"))
        out.append(f.msg("sure.mde", mde=mde, unit=c.outcome["unit"],
                         increment_short=c.increment_short,
                         power=f.share(m.get("power", 0.8)), alpha=f.number(m.get("alpha", 0.05), 2)))
    return out


def _mde_text(c: _Ctx) -> str | None:
    m = _d(c.results.get("mde"))
    value = m.get("scaled_value")
    if not _finite(value) and _finite(m.get("value")):
        value = m["value"] * c.scale
    return c.f.number(value, digits_for(value)) if _finite(value) else None


def _caveat_sentences(c: _Ctx, codes: Sequence[str]) -> list[str]:
    f, r, est = c.f, c.results, c.est
    study = _d(r.get("study"))
    out = []
    for code in codes:
        if code == "synthetic":
            out.append(f.msg("caveats.synthetic", region=study.get("region", "Kota Semarang")))
        elif code in ("few_clusters", "very_few_clusters"):
            out.append(f.msg(f"caveats.{code}", n_clusters=f.integer(est.get("n_clusters")),
                             method=_inference_label(f, est.get("inference"))))
        elif code == "small_sample":
            out.append(f.msg("caveats.small_sample", n_obs=f.integer(est.get("n_obs"))))
        elif code == "missing_data":
            missing = _d(_d(r.get("descriptives")).get("missing_share"))
            items = [f.msg("caveats.missing_item", measure=_measure(f, k)["name"], share=f.share(v))
                     for k, v in sorted(missing.items()) if _finite(v) and v > 0]
            out.append(f.msg("caveats.missing_data", items=", ".join(items) or f.na()))
        elif code == "ikm_sample_inadequate":
            n = sum(1 for u in _l(r.get("units")) if _d(u).get("ikm_sample_adequate") is False)
            out.append(f.msg("caveats.ikm_sample_inadequate", n=f.integer(n) if n else f.na()))
        elif code in ("pretrend_failed", "estimators_disagree"):
            out.append(f.msg(f"caveats.{code}"))
        else:
            out.append(f.msg("caveats.unknown", code=code))
    return out


def _certainty_message(c: _Ctx, wording: ProgrammeWording | None, programme_text: str | None
                       ) -> str:
    f = c.f
    if wording == "stronger" and programme_text:
        return _programme_sentence(c, wording, key=True) or programme_text
    if _d(c.results.get("headline")).get("status") == "not_estimable":
        return f.msg("certainty_message.not_estimable", outcome=c.outcome["name"])
    if c.evidence in ("not_shown", "missing"):
        mde = _mde_text(c)
        if mde:
            return f.msg("certainty_message.not_shown", mde=mde, unit=c.outcome["unit"],
                         increment_short=c.increment_short)
        return f.msg("certainty_message.not_shown_no_mde")
    if "very_few_clusters" in caveat_codes(c.results):
        return f.msg("certainty_message.very_few_clusters",
                     n_clusters=f.integer(c.est.get("n_clusters")))
    rob = _d(c.results.get("robustness"))
    if _finite(rob.get("n_total")) and _finite(rob.get("n_same_sign")) and rob["n_total"] > 0:
        strength = f.msg("certainty_message.strength_robust",
                         n_same_sign=f.integer(rob["n_same_sign"]),
                         n_total=f.integer(rob["n_total"]))
    else:
        strength = f.msg("certainty_message.strength_plain")
    return f.msg("certainty_message.association", strength=strength)


def _recommendations(c: _Ctx, wording: ProgrammeWording | None) -> list[str]:
    f, r = c.f, c.results
    out = []
    share = _d(_d(r.get("descriptives")).get("jp20")).get("share_asn")
    entitlement = f.number(_d(r.get("parameters")).get("jp_entitlement", 20), 0)
    if _finite(share) and share < JP20_TARGET:
        out.append(f.msg("recommendations.jp20", entitlement=entitlement))
    programme = _d(r.get("programme"))
    overall = _d(_d(programme.get("staggered")).get("overall"))
    if wording == "stronger" and _finite(overall.get("estimate")) and overall["estimate"] > 0:
        name = (programme.get("name_en") if f.lang == "en" else None) or programme.get("name", "")
        out.append(f.msg("recommendations.continue_programme", name=name))
    else:
        out.append(f.msg("recommendations.staged"))
    n_bad = sum(1 for u in _l(r.get("units")) if _d(u).get("ikm_sample_adequate") is False)
    if c.evidence == "not_shown":
        out.append(f.msg("recommendations.not_shown"))
    elif n_bad:
        out.append(f.msg("recommendations.skm_sample", n=f.integer(n_bad)))
    return out[:3]


def _next_steps(c: _Ctx, codes: Sequence[str]) -> list[str]:
    f = c.f
    out = [f.msg("next_steps.data"), f.msg("next_steps.rollout")]
    if "few_clusters" in codes or "very_few_clusters" in codes:
        out.append(f.msg("next_steps.clusters"))
    if not _d(c.results.get("chain")) and c.est.get("outcome", "ikm") == "ikm":
        out.append(f.msg("next_steps.iku"))
    return out


def _meta(c: _Ctx, date: _dt.date | None) -> list[str]:
    f, r = c.f, c.results
    study, window, desc = _d(r.get("study")), _d(r.get("window")), _d(r.get("descriptives"))
    prov = _d(r.get("provenance"))
    out = [f.msg("meta.period", first=window.get("first", "?"), last=window.get("last", "?"))
           + ", " + f.msg("meta.brief_year", year=r.get("year", "?"))]
    n_units = desc.get("n_units", c.est.get("n_units"))
    if _finite(n_units):
        level = f.cat["unit_levels"].get(study.get("unit_level"), study.get("unit_level") or "")
        unit_text = f.msg("meta.units", n_units=f.integer(n_units), unit_level=level)
        if _finite(desc.get("n_asn")):
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


def narrate(results: Mapping, *, lang: Language = "id", date: _dt.date | None = None
            ) -> Narrative:
    """Generate every sentence of the brief from a results dict (``docs/results-json.md``).

    Parameters
    ----------
    results
        The results dict; optional blocks (``programme``, ``mde``, ``robustness``, ...) may be
        ``None`` or absent, and the matching sentences are then left out.
    lang
        ``"id"`` (default) or ``"en"``.
    date
        A date to print in the header. ``None`` (default) prints none, so that the same
        results always give the same text.

    Returns
    -------
    Narrative

    Examples
    --------
    >>> res = {"year": 2024, "study": {"synthetic": True}, "headline": {"estimate_id": "h",
    ...        "scale": 10, "scaled": {"estimate": 0.8, "conf_low": 0.6, "conf_high": 1.0}},
    ...        "estimates": [{"id": "h", "exposure": "jp_per_asn", "outcome": "ikm", "lag": 1}]}
    >>> narrate(res).headline
    'Setiap tambahan 10 JP pelatihan per ASN berkaitan dengan IKM 0,8 poin lebih tinggi pada tahun berikutnya (IK 95%: 0,6 sampai 1,0 poin).'
    """
    check_option("lang", lang, Language)
    f = Formatter(lang)
    c = _context(results, f)
    wording = programme_wording(_d(results.get("programme")) or None)
    programme_text = _programme_sentence(c, wording)
    codes = caveat_codes(results)
    headline = _headline(c)
    study = _d(results.get("study"))

    key_messages = [headline]
    jp20 = _jp20_sentence(c)
    rows, cat_sentence = _category_parts(c)
    certainty = _certainty(c, programme_text)
    # Second message: the entitlement, else the categories, else the design in one sentence.
    second = jp20 or cat_sentence or (certainty[0].split(". ")[0].rstrip(".") + "."
                                      if certainty else None)
    if second:
        key_messages.append(second)
    key_messages.append(_certainty_message(c, wording, programme_text))

    findings = [headline]
    if c.evidence in ("positive", "negative"):
        findings.append(f.msg("association_note", outcome=c.outcome["name"]))
    cumulative = _cumulative_sentence(c)
    if cumulative:
        findings.append(cumulative)
    if programme_text:
        findings.append(programme_text)
    for text in (cat_sentence, jp20, _cost_sentence(c)):
        if text:
            findings.append(text)

    n_hidden = sum(1 for u in _l(results.get("units")) if _d(u).get("suppressed") is True)
    k = study.get("min_cell_size", 5)
    categories_note = (f.msg("categories.suppressed_units", n=f.integer(n_hidden), k=k)
                       if n_hidden else None)
    synthetic = "synthetic" in codes
    return Narrative(
        lang=lang,
        evidence=c.evidence,
        programme=wording,
        title=_title(c),
        synthetic_notice=(f.msg("synthetic_banner", region=study.get("region", "Kota Semarang"))
                          if synthetic else None),
        meta=tuple(_meta(c, date)),
        headline=headline,
        key_messages=tuple(key_messages),
        recommendations=tuple(_recommendations(c, wording)),
        findings=tuple(findings),
        categories=_category_table(c, rows),
        categories_note=categories_note,
        certainty=tuple(certainty),
        caveats=tuple(_caveat_sentences(c, codes)),
        next_steps=tuple(_next_steps(c, codes)),
        chart_note=f.msg("chart.fit_note", year=results.get("year", "?")),
        caveat_codes=tuple(codes),
    )


__all__ = [
    "Formatter",
    "Narrative",
    "catalogue",
    "caveat_codes",
    "classify",
    "digits_for",
    "headline_estimate",
    "narrate",
    "programme_wording",
    "scaled_headline",
]
