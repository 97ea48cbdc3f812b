"""What the brief recommends and what next year's data should add, derived from the results."""

from __future__ import annotations

from collections.abc import Sequence

from .rules import JP20_TARGET, ProgrammeWording
from .sentences import Words
from .view import as_dict, as_list, is_finite


def recommendations(c: Words, wording: ProgrammeWording | None) -> list[str]:
    f, r = c.f, c.results
    out = []
    share = as_dict(as_dict(r.get("descriptives")).get("jp20")).get("share_asn")
    entitlement = f.number(as_dict(r.get("parameters")).get("jp_entitlement", 20), 0)
    if is_finite(share) and share < JP20_TARGET:
        out.append(f.msg("recommendations.jp20", entitlement=entitlement))
    programme = as_dict(r.get("programme"))
    overall = as_dict(as_dict(programme.get("staggered")).get("overall"))
    if wording == "stronger" and is_finite(overall.get("estimate")) and overall["estimate"] > 0:
        name = (programme.get("name_en") if f.lang == "en" else None) or programme.get("name", "")
        out.append(f.msg("recommendations.continue_programme", name=name))
    else:
        out.append(f.msg("recommendations.staged"))
    n_bad = sum(1 for u in as_list(r.get("units")) if as_dict(u).get("ikm_sample_adequate") is False)
    if c.evidence == "not_shown":
        out.append(f.msg("recommendations.not_shown"))
    elif n_bad:
        out.append(f.msg("recommendations.skm_sample", n=f.integer(n_bad)))
    return out[:3]


def next_steps(c: Words, codes: Sequence[str]) -> list[str]:
    f = c.f
    out = [f.msg("next_steps.data"), f.msg("next_steps.rollout")]
    if "few_clusters" in codes or "very_few_clusters" in codes:
        out.append(f.msg("next_steps.clusters"))
    if not as_dict(c.results.get("chain")) and c.est.get("outcome", "ikm") == "ikm":
        out.append(f.msg("next_steps.iku"))
    return out
