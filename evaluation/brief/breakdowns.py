"""Words for the breakdowns other engineers' sections add: by training type, by sector, budget.

Rules (all in both languages, same numbers):

- ``by_training_type``: the partially pooled (shrunken) estimate of each kind per 10 JP with
  its interval; "the types differ" and "X is the strongest" (with the probability that it is
  best, as a calibrated word) only when the difference test rejects (``differ``); otherwise
  the data cannot yet choose between them.
- ``by_sector``: a sector whose interval excludes zero is shown with its estimate; one whose
  interval includes zero is "too little data to judge" when its detectable effect is larger
  than the city-wide one (``detectable`` false), never "no link"; "no clear link although the
  data suffice" only when the sector could have seen the city's effect.
- ``scenario``: what a budget change or meeting the entitlement would buy "if the link held",
  from both ends of the interval; nothing when the scenario was refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..i18n import Formatter, digits_for
from .sentences import Words, join, likelihood, measure, p_clause, percent
from .view import as_dict, as_list, is_finite


def kind_name(f: Formatter, label: Any) -> str:
    """A training kind (``teknis``, ``nonklasikal``) in words."""
    return str(f.cat["training_kinds"].get(str(label), str(label).replace("_", " ")))


def _kinds(grouping: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [k for k in as_list(grouping.get("kinds")) if isinstance(k, dict)
            and is_finite(as_dict(k.get("scaled")).get("shrunken_estimate"))]


def shrunken(kind: Mapping[str, Any]) -> tuple[float, float, float]:
    """A kind's partially pooled estimate and its 95% interval (per the brief's step)."""
    s = as_dict(kind.get("scaled"))
    return (float(s["shrunken_estimate"]), float(s.get("shrunken_low", s["shrunken_estimate"])),
            float(s.get("shrunken_high", s["shrunken_estimate"])))


def best_kind(grouping: Mapping[str, Any]) -> dict[str, Any] | None:
    """The kind most likely to have the largest effect, when the difference test says the
    kinds differ; ``None`` otherwise."""
    kinds = [k for k in _kinds(grouping) if is_finite(k.get("prob_best"))]
    if grouping.get("differ") is not True or not kinds:
        return None
    return max(kinds, key=lambda k: float(k["prob_best"]))


def types_sentences(c: Words) -> list[str]:
    """Page 2: the link by competency type and by learning path (rule in the docstring)."""
    f = c.f
    block = as_dict(c.results.get("by_training_type"))
    if block.get("available") is not True:
        return []
    out = []
    for name in ("competency_type", "learning_path"):
        grouping = as_dict(as_dict(block.get("groupings")).get(name))
        kinds = _kinds(grouping)
        if len(kinds) < 2:
            continue
        values = [v for k in kinds for v in shrunken(k)]
        d = digits_for(*values)
        parts = [f.msg("by_type.part", kind=kind_name(f, k.get("label")),
                       estimate=f.number(est, d), low=f.number(low, d), high=f.number(high, d))
                 for k in kinds for est, low, high in [shrunken(k)]]
        p = p_clause(f, as_dict(grouping.get("difference_test")).get("p_value"))
        best = best_kind(grouping)
        verdict = (f.msg("by_type.differ", p=p, best=kind_name(f, best.get("label")),
                         likelihood=likelihood(f, float(best["prob_best"])),
                         prob=percent(f, float(best["prob_best"])))
                   if best else f.msg("by_type.same", p=p))
        out.append(f.msg(f"by_type.{name}", increment=c.increment, unit=c.outcome["unit"],
                         parts="; ".join(parts), verdict=verdict))
    return out


def sectors_sentence(c: Words) -> str | None:
    """Page 2: the link by sector, small sectors called "too little data" (rule above)."""
    f = c.f
    block = as_dict(c.results.get("by_sector"))
    rows = [s for s in as_list(block.get("sectors")) if isinstance(s, dict)
            and s.get("estimable") is True]
    if block.get("available") is not True or not rows:
        return None
    names = f.cat["sectors"]
    shown, too_little, no_link = [], [], []
    for s in rows:
        scaled = as_dict(s.get("scaled"))
        sector = str(names.get(str(s.get("group")), s.get("group")))
        low, high = scaled.get("conf_low"), scaled.get("conf_high")
        if is_finite(low) and is_finite(high) and (low > 0 or high < 0):
            d = digits_for(scaled.get("estimate"), low, high)
            shown.append(f.msg("by_sector.shown", sector=sector, unit=c.outcome["unit"],
                               estimate=f.number(scaled.get("estimate"), d),
                               low=f.number(low, d), high=f.number(high, d)))
        elif s.get("detectable") is True:
            no_link.append(sector)
        else:
            too_little.append(sector)
    parts = shown
    if too_little:
        parts.append(f.msg("by_sector.too_little", sectors=join(f, too_little, limit=6)))
    if no_link:
        parts.append(f.msg("by_sector.no_link", sectors=join(f, no_link, limit=6)))
    return f.msg("by_sector.sentence", increment=c.increment, parts="; ".join(parts))


def access_sentence(c: Words) -> str | None:
    """Who is left behind (``training_access``, from person-level records): ASN without
    any JP, the share taken by the top 10%, the nonklasikal share; the three-year measure
    only as "at least" (a lower bound)."""
    f = c.f
    block = as_dict(c.results.get("training_access"))
    city = as_dict(block.get("city"))
    if block.get("available") is not True or city.get("suppressed") or \
            not is_finite(city.get("share_no_jp")):
        return None
    names = {str(u.get("unit_id")): str(u.get("unit_name") or u.get("unit_id"))
             for u in as_list(block.get("units")) if isinstance(u, dict)}
    most = [names.get(str(u), str(u)) for u in as_list(block.get("most_without_jp"))]
    before = [t for t in as_list(block.get("city_trend")) if isinstance(t, dict)
              and t.get("year") == (c.year - 1 if isinstance(c.year, int) else None)
              and is_finite(t.get("share_no_jp"))]
    detail = [f.msg("access.change", share=f.share(before[0]["share_no_jp"]),
                    year=before[0]["year"])] if before else []
    if most:
        detail.append(f.msg("access.most", units=join(f, most)))
    text = f.msg("access.sentence", year=block.get("year", c.year),
                 share_no_jp=f.share(city["share_no_jp"]), detail="; ".join(detail) or f.na(),
                 top10=f.share(city.get("top10_share")),
                 nonklasikal=f.share(city.get("share_nonklasikal")))
    if is_finite(city.get("share_none_3y")) and city["share_none_3y"] > 0:
        text += " " + f.msg("access.none_3y", share=f.share(city["share_none_3y"]))
    return text


def regional_sentence(c: Words) -> str | None:
    """The city's trend beside its province's and peers' (``regional_context``): context,
    never an effect of training."""
    f = c.f
    block = as_dict(c.results.get("regional_context"))
    indicators = [i for i in as_list(block.get("indicators")) if isinstance(i, dict)]
    if not indicators:
        return None
    parts = []
    for ind in indicators:
        city = as_dict(ind.get("city"))
        d = digits_for(city.get("start"), city.get("end"))
        parts.append(f.msg("regional.city", measure=measure(f, ind.get("measure"))["name"],
                           region=block.get("region", ""), first=ind.get("first"),
                           last=ind.get("last"), start=f.number(city.get("start"), d),
                           end=f.number(city.get("end"), d)))
        province = as_dict(ind.get("province"))
        if is_finite(province.get("start")) and is_finite(province.get("end")):
            parts.append(f.msg("regional.province", name=province.get("name", ""),
                               start=f.number(province["start"], d),
                               end=f.number(province["end"], d)))
        peers = as_dict(ind.get("peers"))
        if is_finite(peers.get("start")) and is_finite(peers.get("end")):
            parts.append(f.msg("regional.peers", n=f.integer(peers.get("n")),
                               start=f.number(peers["start"], d), end=f.number(peers["end"], d)))
    return f.msg("regional.sentence", parts="; ".join(parts))


def scenario_named(c: Words, name: str) -> dict[str, Any] | None:
    """One of the ``scenario`` section's scenarios with its totals, unless refused."""
    block = as_dict(c.results.get("scenario"))
    if block.get("available") is not True or block.get("refused"):
        return None
    for s in as_list(block.get("scenarios")):
        totals = as_dict(as_dict(s).get("totals"))
        if as_dict(s).get("name") == name and is_finite(totals.get("ikm_change_low")) \
                and is_finite(totals.get("ikm_change_high")):
            return dict(s)
    return None


def change_range(f: Formatter, totals: Mapping[str, Any]) -> str:
    """The outcome change of a scenario from both ends of the interval, sizes only."""
    low, high = sorted((abs(float(totals["ikm_change_low"])),
                        abs(float(totals["ikm_change_high"]))))
    d = digits_for(low, high)
    return f.msg("range", low=f.number(low, d), high=f.number(high, d))


def budget_cut(c: Words) -> dict[str, Any] | None:
    """The budget-cut scenario (the first with a negative change), if any."""
    block = as_dict(c.results.get("scenario"))
    for s in as_list(block.get("scenarios")):
        if is_finite(as_dict(s).get("budget_change")) and s["budget_change"] < 0:
            return scenario_named(c, str(s.get("name")))
    return None


__all__ = ["access_sentence", "best_kind", "budget_cut", "change_range", "kind_name", "scenario_named",
           "regional_sentence", "sectors_sentence", "types_sentences"]
