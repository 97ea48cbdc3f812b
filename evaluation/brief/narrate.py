"""Sentences for the leadership brief, generated from ``results.json`` by written-down rules.

The brief never phrases a number more strongly than the evidence allows. Every sentence
comes from one of the rules below; the wording lives in the message catalogues
``evaluation/messages/<lang>/brief.yaml`` (never in this module), and numbers, currency and
dates are formatted with Babel. Both languages fill the same placeholders with the same
numbers (``tests/test_narrate.py`` checks it for every result shape).

Rules (condition -> catalogue key)
------------------------------------
=============================================  =============================================
Condition                                      Key
=============================================  =============================================
headline 95% CI above / below zero             ``title.positive|negative``,
                                               ``headline.positive|negative``
headline 95% CI includes zero                  ``title.not_shown``, ``headline.not_shown``,
                                               ``certainty_message.not_shown`` (with the MDE)
                                               and ``sure.probability_lean``: the probability
                                               of the estimate's direction only as a lean
                                               (``certainty_message.lean`` when "likely" or
                                               stronger, else ``no_lean``), in one sentence
                                               with "the range still includes zero"
too few years to estimate                      ``title.not_estimable``, ``headline.not_estimable``
no headline row at all                         ``title.missing``, ``headline.missing``
P(association > 0) (probability_positive)      word from ``likelihood.*`` by the fixed scale
                                               (rules.LIKELIHOOD_SCALE), always with the number
evidence marks 0-5 (rules.evidence_rating)     ``rating.*``; reasons on the methods page
fewer than 20 clusters                         ``certainty_message.direction_rough``
programme: CI excludes 0, pre-trend passed     ``programme.stronger`` (the only "effect"
AND robust estimator agrees                    wording, and only for the staged programme)
programme: CI excludes 0 otherwise             ``programme.association`` + ``reason_*``
                                               (a pre-trend test that passed but could not
                                               see a difference as large as the effect says so)
programme: CI includes zero                    ``programme.not_shown``
pre-trend / placebo checks                     ``sure.pretrend``, ``sure.placebo``: what size
                                               the check could have detected (2.80 SE)
fewer than 95% of ASN reach 20 JP              ``recommendations.jp20_named`` (three units
                                               with the lowest share, by name)
units whose IKM category fell since last year  ``recommendations.units_down``
headline positive / negative / null            ``recommendations.positive|negative|not_shown``
                                               and ``next_steps.*`` (what would change it)
chain estimated / not                          ``chain.shown|not_shown|absent``
training_access available (sections/access.py) ``access.sentence`` on page 2; the 3-year
                                               share only as "at least" (a lower bound)
regional table (sections/regional.py)          ``regional.*``: the city beside its province
                                               and peers, "for context, not an effect"
training only as summaries per unit-year       ``caveats.no_person_records`` (first caveat):
                                               what the brief cannot show, by measure,
                                               and (``unavailable_parts.*``) a grouping of
                                               by_training_type without its JP by kind
caveat codes (results + derived)               ``caveats.<code>``, at most three on page 2
study.synthetic                                ``synthetic_banner``
=============================================  =============================================

Associations are never called causes: only ``programme.stronger`` speaks of an effect, and
only of the staged programme. Numbers: an estimate and its interval share one number of
decimals (two when all are below 1 in size). Groups smaller than ``study.min_cell_size`` are
shown as "< k".
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._options import Language, check_option
from ..i18n import Formatter, catalogue, digits_for
from .advice import assumption, next_steps, recommendations
from .breakdowns import access_sentence, regional_sentence, sectors_sentence, types_sentences
from .certainty import caveat_sentences, certainty_lines, certainty_message
from .rules import Evidence, ProgrammeWording, caveat_codes, classify, programme_wording
from .sentences import (
    CategoryRow,
    Words,
    category_parts,
    category_table,
    chain_sentence,
    city_sentences,
    cost_sentence,
    headline_sentence,
    jp20_sentence,
    masthead,
    meta_items,
    missing_ikm_note,
    msg_n,
    programme_sentence,
    realism_sentence,
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
    issuer: str
    date: str | None
    meta: tuple[str, ...]
    headline: str
    key_messages: tuple[str, ...]
    recommendations: tuple[str, ...]
    findings: tuple[str, ...]
    categories: tuple[CategoryRow, ...]
    categories_note: str | None
    certainty: tuple[str, ...]
    caveats: tuple[str, ...]
    assumption: str | None
    next_steps: tuple[str, ...]
    chart_heading: str
    glossary: str
    caveat_codes: tuple[str, ...] = field(default=())

    def to_text(self) -> str:
        """Plain text of every sentence, by section: what the snapshot tests fix."""
        h = catalogue(self.lang)["headings"]
        blocks = [f"# {self.title}"]
        if self.synthetic_notice:
            blocks.append(f"! {self.synthetic_notice}")
        blocks.append(" | ".join((self.issuer, *((self.date,) if self.date else ()),
                                  *self.meta)))
        sections = [
            (h["key_messages"], self.key_messages),
            (h["recommendations"], self.recommendations),
            (h["found"], self.findings),
            (h["categories"], tuple(f"{r.category} ({r.label}): {r.n_units}: {r.units}"
                                    for r in self.categories)
             + ((self.categories_note,) if self.categories_note else ())),
            (h["sure"], self.certainty),
            (h["caveats"], self.caveats),
            (h["assumption"], (self.assumption,) if self.assumption else ()),
            (h["next"], self.next_steps),
        ]
        for heading, lines in sections:
            if not lines:  # as on paper: a section with nothing to say has no heading
                continue
            blocks.append(f"## {heading}\n" + "\n".join(f"- {line}" for line in lines))
        return "\n\n".join(blocks) + "\n"


def narrate(results: Mapping[str, Any], *, lang: Language = "id",
            date: _dt.date | None = None) -> Narrative:
    """Generate every sentence of the brief from a results dict (``docs/results-json.md``).

    Parameters
    ----------
    results
        The results dict; optional blocks (``programme``, ``mde``, ``robustness``, ...) may be
        ``None`` or absent, and the matching sentences are then left out.
    lang
        ``"id"`` (default) or ``"en"``.
    date
        The brief's date, printed on page 1 beside the issuer. ``None`` (default) prints
        none, so that the same results always give the same text.

    Returns
    -------
    Narrative

    Examples
    --------
    >>> res = {"year": 2024, "study": {"synthetic": True}, "headline": {"estimate_id": "h",
    ...        "scale": 10, "scaled": {"estimate": 0.8, "conf_low": 0.6, "conf_high": 1.0}},
    ...        "estimates": [{"id": "h", "exposure": "jp_per_asn", "outcome": "ikm", "lag": 1}]}
    >>> narrate(res).headline
    'Ketika sebuah unit menambah 10 JP pelatihan per ASN, IKM unit itu pada tahun berikutnya rata-rata 0,8 poin lebih tinggi (IK 95%: 0,6 sampai 1,0 poin).'
    """
    check_option("lang", lang, Language)
    f = Formatter(lang)
    c = words_for(results, f)
    wording = programme_wording(as_dict(results.get("programme")) or None)
    codes = caveat_codes(results)
    headline = headline_sentence(c)
    study = as_dict(results.get("study"))
    rows, cat_sentence = category_parts(c)
    issuer, date_text = masthead(c, date)
    return Narrative(
        lang=lang,
        evidence=c.evidence,
        programme=wording,
        title=title_sentence(c),
        synthetic_notice=(f.msg("synthetic_banner", region=study.get("region", "Kota Semarang"))
                          if "synthetic" in codes else None),
        issuer=issuer,
        date=date_text,
        meta=tuple(meta_items(c)),
        headline=headline,
        key_messages=_key_messages(c, headline, jp20_sentence(c) or cat_sentence,
                                   certainty_message(c, wording)),
        recommendations=tuple(recommendations(c, wording)),
        findings=_findings(c, programme_sentence(c, wording), cat_sentence),
        categories=category_table(c, rows),
        categories_note=_categories_note(c),
        certainty=tuple(certainty_lines(c)),
        caveats=tuple(caveat_sentences(c, codes)),
        assumption=assumption(c),
        next_steps=tuple(next_steps(c, codes)),
        chart_heading=f.msg("chart.heading", outcome=c.outcome["name"],
                            exposure=c.exposure["name"]),
        glossary=f.msg("glossary"),
        caveat_codes=tuple(codes),
    )


def _key_messages(c: Words, headline: str, second: str | None, third: str
                  ) -> tuple[str, ...]:
    """The headline; the entitlement (else the categories); how sure, and what it means."""
    return (headline, *((second,) if second else ()), third)


def _findings(c: Words, programme_text: str | None, cat_sentence: str | None
              ) -> tuple[str, ...]:
    """Page 2, what we found: how large the step is, its cost, by type and sector, the
    programme, the chain, who is left behind, regional context, the city this year (the
    headline itself is key message 1)."""
    # "a link, not a cause" is key message 3; page 2 does not repeat it
    out = [text for text in (realism_sentence(c), cost_sentence(c)) if text]
    out += types_sentences(c)
    out += [text for text in (sectors_sentence(c), programme_text, chain_sentence(c),
                              access_sentence(c), regional_sentence(c)) if text]
    return tuple(out + city_sentences(c) + ([cat_sentence] if cat_sentence else []))


def _categories_note(c: Words) -> str | None:
    notes = [missing_ikm_note(c)]
    n_hidden = sum(1 for u in units(c.results) if u.get("suppressed") is True)
    if n_hidden:
        k = as_dict(c.results.get("study")).get("min_cell_size", 5)
        notes.append(msg_n(c.f, "categories.suppressed_units", n_hidden,
                           n=c.f.integer(n_hidden), k=k))
    shown = [n for n in notes if n]
    return " ".join(shown) if shown else None


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
