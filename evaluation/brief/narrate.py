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

from .._options import Language, check_option
from ..i18n import Formatter, catalogue, digits_for
from .advice import next_steps, recommendations
from .certainty import caveat_sentences, certainty_lines, certainty_message
from .rules import Evidence, ProgrammeWording, caveat_codes, classify, programme_wording
from .sentences import (
    CategoryRow,
    Words,
    category_parts,
    category_table,
    cost_sentence,
    cumulative_sentence,
    headline_sentence,
    jp20_sentence,
    meta_items,
    programme_sentence,
    title_sentence,
    words_for,
)
from .view import as_dict, headline_estimate, scaled_headline, units

TEMPLATES = Path(__file__).parent / "templates"


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
    c = words_for(results, f)
    wording = programme_wording(as_dict(results.get("programme")) or None)
    programme_text = programme_sentence(c, wording)
    codes = caveat_codes(results)
    headline = headline_sentence(c)
    study = as_dict(results.get("study"))
    rows, cat_sentence = category_parts(c)
    certainty = certainty_lines(c, programme_text)
    jp20 = jp20_sentence(c)
    return Narrative(
        lang=lang,
        evidence=c.evidence,
        programme=wording,
        title=title_sentence(c),
        synthetic_notice=(f.msg("synthetic_banner", region=study.get("region", "Kota Semarang"))
                          if "synthetic" in codes else None),
        meta=tuple(meta_items(c, date)),
        headline=headline,
        key_messages=_key_messages(c, headline, jp20 or cat_sentence, certainty,
                                   certainty_message(c, wording, programme_text)),
        recommendations=tuple(recommendations(c, wording)),
        findings=_findings(c, headline, programme_text, (cat_sentence, jp20, cost_sentence(c))),
        categories=category_table(c, rows),
        categories_note=_suppressed_note(c),
        certainty=tuple(certainty),
        caveats=tuple(caveat_sentences(c, codes)),
        next_steps=tuple(next_steps(c, codes)),
        chart_note=f.msg("chart.fit_note", year=results.get("year", "?")),
        caveat_codes=tuple(codes),
    )


def _key_messages(c: Words, headline: str, second: str | None, certainty: Sequence[str],
                  third: str) -> tuple[str, ...]:
    """The headline; the entitlement (else the categories, else the design in one sentence);
    how sure we are."""
    if not second and certainty:
        second = certainty[0].split(". ")[0].rstrip(".") + "."
    return (headline, *((second,) if second else ()), third)


def _findings(c: Words, headline: str, programme_text: str | None,
              descriptive: Sequence[str | None]) -> tuple[str, ...]:
    out = [headline]
    if c.evidence in ("positive", "negative"):
        out.append(c.f.msg("association_note", outcome=c.outcome["name"]))
    cumulative = cumulative_sentence(c)
    if cumulative:
        out.append(cumulative)
    if programme_text:
        out.append(programme_text)
    out += [text for text in descriptive if text]
    return tuple(out)


def _suppressed_note(c: Words) -> str | None:
    n_hidden = sum(1 for u in units(c.results) if u.get("suppressed") is True)
    k = as_dict(c.results.get("study")).get("min_cell_size", 5)
    return (c.f.msg("categories.suppressed_units", n=c.f.integer(n_hidden), k=k)
            if n_hidden else None)


__all__ = [
    "TEMPLATES",
    "CategoryRow",
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
