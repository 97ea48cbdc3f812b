"""What the brief recommends, and what next year's data would change, derived from the results.

Recommendations (at most three, the first that apply in this order):

1. the 20-JP entitlement when fewer than :data:`~.rules.JP20_TARGET` of ASN reach it,
   naming the units furthest behind (lowest share reaching it; suppressed units never named)
   and, with a positive link and the ``scenario`` section, the JP and cost it takes and what
   it would buy "if the link held" (both ends of the interval);
2. what the headline lets the city do: not cut the training budget (positive, with the
   ``scenario`` section: what a cut would cost in the outcome), keep it (positive, without),
   review training (negative), or not promise gains (no clear link); continuing the staged
   programme when its wording is ``stronger``;
3. the competency type to put first, only when ``by_training_type`` says the types differ;
4. a staged programme whose result cannot be read as its effect (pre-trend failed, or the
   two estimators disagree): say so, and draw the next cohorts by lottery;
5. the units whose IKM category fell since last year, by name; otherwise a staged roll-out
   of the next programme, or larger SKM samples.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..i18n import digits_for
from .breakdowns import (
    best_kind,
    budget_cut,
    change_range,
    kind_name,
    scenario_named,
    shrunken,
)
from .certainty import mde_text
from .rules import JP20_TARGET, ProgrammeWording
from .sentences import (
    Words,
    entitlement,
    join,
    lag_phrase,
    likelihood,
    money,
    msg_n,
    percent,
    programme_name,
)
from .view import as_dict, as_list, is_finite, units

#: The recommendation on the entitlement names this many units.
NAMED_UNITS = 3


def recommendations(c: Words, wording: ProgrammeWording | None) -> list[str]:
    """One to three recommendations derived from the results (see the module docstring)."""
    out = [text for text in (_entitlement(c), _evidence(c, wording), _training_type(c),
                             _programme(c, wording)) if text]
    out += _follow_up(c)
    return out[:3]


def _training_type(c: Words) -> str | None:
    """The competency type to put first, only when the difference test says the types
    differ (``by_training_type``)."""
    f = c.f
    grouping = as_dict(as_dict(as_dict(c.results.get("by_training_type")).get("groupings"))
                       .get("competency_type"))
    best = best_kind(grouping)
    if best is None or as_dict(c.results.get("by_training_type")).get("available") is not True:
        return None
    # the best kind's estimate with its interval; the other kinds' are on page 2, with theirs
    estimate, low, high = shrunken(best)
    d = digits_for(estimate, low, high)
    p = float(best["prob_best"])
    return f.msg("recommendations.training_type", best=kind_name(f, best.get("label")),
                 likelihood=likelihood(f, p), prob=percent(f, p), outcome=c.outcome["name"],
                 estimate=f.number(estimate, d), ci=f.ci(low, high, d),
                 unit=c.outcome["unit"], increment=c.increment)


def _programme(c: Words, wording: ProgrammeWording | None) -> str | None:
    """A staged programme whose result cannot be read as its effect: say so, and how to fix
    it next time."""
    if wording != "association":
        return None
    programme = as_dict(c.results.get("programme"))
    pre = as_dict(programme.get("pretrend"))
    key = ("programme.reason_pretrend_failed" if pre.get("passed") is False
           else "programme.reason_disagree" if programme.get("agree") is False else None)
    if key is None:
        return None
    return c.f.msg("recommendations.programme_unclear", name=programme_name(c.f, programme),
                   reason=c.f.msg(key))


def _entitlement(c: Words) -> str | None:
    f, r = c.f, c.results
    city = as_dict(as_dict(r.get("descriptives")).get("city"))
    share = city.get("share_20jp", as_dict(as_dict(r.get("descriptives")).get("jp20"))
                     .get("share_asn"))
    if not is_finite(share) or share >= JP20_TARGET:
        return None
    values = dict(entitlement=f.number(entitlement(r), 0),
                  n_below=f.integer(city.get("n_asn_below_entitlement"))
                  if is_finite(city.get("n_asn_below_entitlement")) else f.na())
    furthest = furthest_from_entitlement(c)[:NAMED_UNITS]
    if not furthest:
        return f.msg("recommendations.jp20", **values)
    names = [str(u["unit_name"]) for u in furthest]
    shares = ", ".join(f.share(u["share_20jp"]) for u in furthest)
    scenario = scenario_named(c, "entitlement") if c.evidence == "positive" else None
    if scenario is not None:
        totals = as_dict(scenario.get("totals"))
        year = as_dict(r.get("scenario")).get("price_base_year") or c.year
        return f.msg("recommendations.entitlement_scenario", units=join(f, names),
                     shares=shares, jp=f.integer(totals.get("jp_change")),
                     cost=money(f, float(totals.get("spend_change") or 0)),
                     prices=f.msg("cost.prices", year=year), outcome=c.outcome["name"],
                     low_high=change_range(f, totals), unit=c.outcome["unit"],
                     lag_phrase=lag_phrase(f, c.lag), **values)
    return f.msg("recommendations.jp20_named", units=join(f, names), shares=shares, **values)


def furthest_from_entitlement(c: Words) -> list[dict[str, object]]:
    """Units with the lowest share of ASN reaching the entitlement (suppressed left out)."""
    rows = [u for u in units(c.results)
            if not u.get("suppressed") and is_finite(u.get("share_20jp")) and u.get("unit_name")]
    return sorted(rows, key=lambda u: (float(u["share_20jp"]), str(u["unit_name"])))


def _evidence(c: Words, wording: ProgrammeWording | None) -> str | None:
    f = c.f
    programme = as_dict(c.results.get("programme"))
    overall = as_dict(as_dict(programme.get("staggered")).get("overall"))
    if wording == "stronger" and is_finite(overall.get("estimate")) and overall["estimate"] > 0:
        return f.msg("recommendations.continue_programme", name=programme_name(f, programme))
    if c.not_estimable:
        return f.msg("recommendations.not_estimable")
    cut = budget_cut(c) if c.evidence == "positive" else None
    if cut is not None:
        totals = as_dict(cut.get("totals"))
        return f.msg("recommendations.budget", cut=f.share(abs(float(cut["budget_change"]))),
                     cost=money(f, abs(float(totals.get("spend_change") or 0))),
                     jp=f.number(abs(float(totals.get("jp_per_asn_change_mean") or 0)), 1),
                     outcome=c.outcome["name"], low_high=change_range(f, totals),
                     unit=c.outcome["unit"], lag_phrase=lag_phrase(f, c.lag))
    if c.evidence == "positive":
        low, high = c.scaled.get("conf_low"), c.scaled.get("conf_high")
        return f.msg("recommendations.positive", increment=c.increment,
                     outcome=c.outcome["name"], unit=c.outcome["unit"],
                     low_high=f.msg("range", low=f.number(low, c.digits),
                                    high=f.number(high, c.digits)),
                     lag_phrase=lag_phrase(f, c.lag))
    if c.evidence in ("negative", "not_shown"):
        return f.msg(f"recommendations.{c.evidence}", outcome=c.outcome["name"])
    return None


def _follow_up(c: Words) -> list[str]:
    f, r = c.f, c.results
    before = as_dict(as_dict(r.get("descriptives")).get("since_last_year"))
    down = [n for n in as_list(before.get("units_down")) if isinstance(n, str)]
    out = []
    if down:
        out.append(msg_n(f, "recommendations.units_down", len(down), units=join(f, down),
                         year=before.get("year")))
    out.append(f.msg("recommendations.staged", outcome=c.outcome["name"]))
    n_bad = sum(1 for u in units(r) if u.get("ikm_sample_adequate") is False)
    if n_bad:
        out.append(msg_n(f, "recommendations.skm_sample", n_bad, n=f.integer(n_bad)))
    return out


def next_steps(c: Words, codes: Sequence[str]) -> list[str]:
    """What result next year would change the advice, then what data would help."""
    f = c.f
    key = "not_estimable" if c.not_estimable else c.evidence
    out = []
    if key in ("positive", "negative", "not_estimable"):
        out.append(f.msg(f"next_steps.{key}", outcome=c.outcome["name"]))
    elif key == "not_shown":
        out.append(f.msg("next_steps.not_shown", outcome=c.outcome["name"],
                         mde=mde_text(c) or f.na(), unit=c.outcome["unit"],
                         increment=c.increment))
    out.append(f.msg("next_steps.data"))
    if "few_clusters" in codes or "very_few_clusters" in codes:
        out.append(f.msg("next_steps.clusters"))
    return out


def assumption(c: Words) -> str | None:
    """The one praanggapan behind every "if the link held" (only when a link is stated)."""
    if c.evidence not in ("positive", "negative"):
        return None
    return c.f.msg("assumption", topic=c.exposure["topic"])


__all__ = ["NAMED_UNITS", "assumption", "furthest_from_entitlement", "next_steps",
           "recommendations"]
