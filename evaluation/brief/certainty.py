"""How sure the brief is: plain-words checks, the caveats that matter, the third key message.

Every sentence follows a rule in the table of :mod:`.narrate`. A check that "passes" is
reported with what it could have detected (its power), never as a verdict the data cannot
carry; probabilities come with their calibrated word (:data:`.rules.LIKELIHOOD_SCALE`).
Technical terms (fixed effects, CR1, power, alpha) stay on the methods page.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..columns import COMPETENCY_TYPES, LEARNING_PATHS
from ..i18n import Formatter, digits_for
from .rules import ProgrammeWording, caveat_codes, leans, robustness_counts
from .sentences import (
    Words,
    capitalise,
    join,
    lag_earlier,
    likelihood,
    measure,
    msg_n,
    p_clause,
    percent,
    programme_sentence,
)
from .steps import DETECTABLE_SE
from .view import as_dict, as_list, is_finite

#: At most this many caveats on page 2 (the ones that matter most come first).
MAX_CAVEATS = 3
#: Caveats shown elsewhere on the page (the synthetic banner) or in a key message.
_SHOWN_ELSEWHERE = {"synthetic", "headline_not_estimable"}


def inference_label(f: Formatter, method: Any) -> str:
    table = f.cat["inference_methods"]
    return str(table.get(str(method), table["other"]))


def certainty_lines(c: Words) -> list[str]:
    """Page 2, "how sure we are": design, probability, checks with what they could see."""
    f, r, est = c.f, c.results, c.est
    out = []
    window = as_dict(r.get("window"))
    if est:
        first = (window.get("first") or 0) + c.lag if is_finite(window.get("first")) else "?"
        out.append(f.msg("sure.design", n_units=f.integer(est.get("n_units")),
                         outcome=c.outcome["name"], exposure=c.exposure["name"],
                         lag_earlier=lag_earlier(f, c.lag), first=first,
                         last=window.get("last", "?"), n_obs=f.integer(est.get("n_obs"))))
        if c.probability is not None:
            out.append(_probability_line(c))
    out += [line for line in (_robustness_line(c), _placebo_line(c), _mde_line(c)) if line]
    out.append(_programme_line(c))
    return out


def _direction_p(c: Words) -> tuple[str, float]:
    """The direction of the estimate and the probability of that direction."""
    p = c.probability if c.probability is not None else 0.5
    negative = c.evidence == "negative" or (
        is_finite(c.scaled.get("estimate")) and c.scaled["estimate"] < 0)
    return ("negative", 1 - p) if negative else ("positive", p)


def _lean(c: Words) -> str:
    """An interval through zero: the probability of the estimate's direction as a lean
    (or no lean), with the range-includes-zero clause in the same sentence, so that the
    calibrated word never reads as a finding beside a title that says no link is seen."""
    f = c.f
    direction, p = _direction_p(c)
    return f.msg("certainty_message.lean" if leans(p) else "certainty_message.no_lean",
                 direction=f.msg(f"certainty_message.{direction}"), p=percent(f, p),
                 likelihood=likelihood(f, p))


def _probability_line(c: Words) -> str:
    f = c.f
    if c.evidence == "not_shown":
        return f.msg("sure.probability_lean", lean=_lean(c),
                     rating_label=f.msg("rating.label"), rating=c.rating_text())
    direction, p = _direction_p(c)
    return f.msg("sure.probability", direction=f.msg(f"certainty_message.{direction}"),
                 p=percent(f, p), likelihood=likelihood(f, p),
                 rating_label=f.msg("rating.label"), rating=c.rating_text())


def _robustness_line(c: Words) -> str | None:
    counts = robustness_counts(c.results)
    if counts is None:
        return None
    total, same, clear = counts
    f = c.f
    return f.msg("sure.robustness", n_total=f.integer(total), n_same_sign=f.integer(same),
                 n_clear=f.integer(clear))


def _placebo_line(c: Words) -> str | None:
    lead = as_dict(as_dict(c.results.get("distributed_lags")).get("placebo_lead"))
    est, low, high = (lead.get(k) for k in ("estimate", "conf_low", "conf_high"))
    if not (is_finite(est) and is_finite(low) and is_finite(high)):
        return None
    f, s = c.f, c.scale
    digits = digits_for(est * s, low * s, high * s)
    found = (low > 0 or high < 0)
    given = lead.get("std_error")
    se = float(given) if is_finite(given) else (high - low) / 3.92
    return f.msg("sure.placebo_found" if found else "sure.placebo",
                 exposure=c.exposure["name"], outcome=c.outcome["name"],
                 estimate=f.number(est * s, digits), unit=c.outcome["unit"],
                 increment=c.increment, ci=f.ci(low * s, high * s, digits),
                 detectable=f.number(DETECTABLE_SE * se * s, digits))


def mde_text(c: Words) -> str | None:
    m = as_dict(c.results.get("mde"))
    value = m.get("scaled_value")
    if not is_finite(value) and is_finite(m.get("value")):
        value = m["value"] * c.scale
    return c.f.number(value, digits_for(value)) if is_finite(value) else None


def _mde_line(c: Words) -> str | None:
    mde = mde_text(c)
    if mde is None:
        return None
    return c.f.msg("sure.mde", mde=mde, unit=c.outcome["unit"], increment=c.increment)


def _programme_line(c: Words) -> str:
    f = c.f
    programme = as_dict(c.results.get("programme"))
    pre = as_dict(programme.get("pretrend"))
    if not programme or not pre:
        return f.msg("sure.no_programme")
    if pre.get("passed") is False:
        return f.msg("sure.pretrend_failed", p=p_clause(f, pre.get("p_value")))
    overall = as_dict(as_dict(programme.get("staggered")).get("overall"))
    detectable, effect = pre.get("detectable_difference"), overall.get("estimate")
    if not is_finite(detectable):
        return f.msg("sure.pretrend_unknown", p=p_clause(f, pre.get("p_value")))
    digits = digits_for(detectable, effect)
    compare = ""
    if is_finite(detectable) and is_finite(effect):
        key = ("sure.pretrend_compare_large" if detectable >= abs(effect)
               else "sure.pretrend_compare_small")
        compare = f.msg(key, effect=f.number(abs(effect), digits), unit=c.outcome["unit"])
    return f.msg("sure.pretrend", p=p_clause(f, pre.get("p_value")), unit=c.outcome["unit"],
                 detectable=f.number(detectable, digits), compare=compare)


def caveat_sentences(c: Words, codes: Sequence[str]) -> list[str]:
    """The caveats that matter most, at most :data:`MAX_CAVEATS`, most important first."""
    f, r, est = c.f, c.results, c.est
    study = as_dict(r.get("study"))
    out = []
    for code in codes:
        if code in _SHOWN_ELSEWHERE:
            continue
        if code == "headline_includes_zero" and c.evidence == "not_shown":
            continue  # key message 1 already says so
        if code in ("few_clusters", "very_few_clusters"):
            out.append(f.msg(f"caveats.{code}", n_clusters=f.integer(est.get("n_clusters")),
                             method=inference_label(f, est.get("inference"))))
        elif code == "small_sample":
            out.append(f.msg("caveats.small_sample", n_obs=f.integer(est.get("n_obs"))))
        elif code == "missing_data":
            missing = as_dict(as_dict(r.get("descriptives")).get("missing_share"))
            items = [f.msg("caveats.missing_item", measure=measure(f, k)["name"],
                           share=f.share(v))
                     for k, v in sorted(missing.items()) if is_finite(v) and v > 0]
            out.append(f.msg("caveats.missing_data", items=", ".join(items) or f.na()))
        elif code == "no_person_records":
            out.append(no_person_records(c))
        elif code == "ikm_sample_inadequate":
            n = sum(1 for u in as_list(r.get("units")) if as_dict(u).get("ikm_sample_adequate")
                    is False)
            out.append(msg_n(f, "caveats.ikm_sample_inadequate", n,
                             n=f.integer(n) if n else f.na()))
        elif code in f.cat["caveats"]:
            out.append(f.msg(f"caveats.{code}", region=study.get("region", "")))
        else:
            out.append(f.msg("caveats.unknown", code=code.replace("_", " ")))
    return out[:MAX_CAVEATS]


def no_person_records(c: Words) -> str:
    """What a study with training summaries (no records per ASN) cannot show, said plainly."""
    f = c.f
    missing = as_dict(as_dict(c.results.get("data_sources")).get("unavailable"))
    names = f.cat["unavailable_measures"]
    order = {"training_access": 0, "topics": 1}
    items = [str(names.get(k, names["other"])).format(measure=k)
             for k in sorted(missing, key=lambda k: (order.get(k, 2), k))]
    items += missing_parts_items(c)
    return f.msg("caveats.no_person_records",
                 items="; ".join(items) or str(names["training_access"]))


def missing_parts_items(c: Words) -> list[str]:
    """A grouping ``by_training_type`` could not compare because the training summary lacks
    two or more of its parts: the comparison, the parts missing and the columns to add."""
    f = c.f
    parts = as_dict(as_dict(c.results.get("by_training_type")).get("missing_parts"))
    kinds = f.cat["training_kinds"]
    out = []
    for grouping, all_kinds in (("competency_type", COMPETENCY_TYPES),
                                ("learning_path", LEARNING_PATHS)):
        gone = [str(k) for k in as_list(parts.get(grouping))]
        if gone:
            out.append(f.msg(f"unavailable_parts.{grouping}",
                             kinds=", ".join(str(kinds.get(k, k)) for k in all_kinds),
                             missing=join(f, [str(kinds.get(k, k)) for k in gone]),
                             columns=", ".join(f"jp_{k}" for k in gone)))
    return out


def certainty_message(c: Words, wording: ProgrammeWording | None) -> str:
    """Key message 3: how sure, in calibrated words with the number, and what it means."""
    f = c.f
    if wording == "stronger":
        text = programme_sentence(c, wording, key=True)
        if text:
            return text
    if c.not_estimable:
        return f.msg("certainty_message.not_estimable", topic=c.exposure["topic"],
                     outcome=c.outcome["name"])
    if c.evidence == "missing":
        return f.msg("certainty_message.missing")
    if c.evidence == "not_shown":
        mde = mde_text(c)
        if mde:
            return f.msg("certainty_message.not_shown", lean=_lean(c), mde=mde,
                         unit=c.outcome["unit"], increment=c.increment)
        return f.msg("certainty_message.not_shown_no_mde", lean=_lean(c))
    direction, p_dir = _direction_p(c)
    values = dict(Likelihood_cap=capitalise(likelihood(f, p_dir)), likelihood=likelihood(f, p_dir),
                  probability=f.msg("probability", p=percent(f, p_dir)),
                  direction=f.msg(f"certainty_message.{direction}"),
                  rating_label=f.msg("rating.label"), rating=c.rating_text(),
                  topic=c.exposure["topic"], outcome=c.outcome["name"])
    if "very_few_clusters" in caveat_codes(c.results):
        return f.msg("certainty_message.direction_rough",
                     n_clusters=f.integer(c.est.get("n_clusters")), **values)
    return f.msg("certainty_message.direction", **values)


__all__ = [
    "MAX_CAVEATS",
    "caveat_sentences",
    "certainty_lines",
    "certainty_message",
    "inference_label",
    "mde_text",
    "no_person_records",
]
