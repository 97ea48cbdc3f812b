"""How sure the brief is: the design, inference, checks, caveats and the third key message.

Every sentence here follows a rule in the table of :mod:`.narrate`: a check is reported with
what it could have detected, never as a verdict the data cannot carry.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..i18n import Formatter, digits_for
from .rules import ProgrammeWording, caveat_codes
from .sentences import Words, measure, programme_sentence
from .view import as_dict, as_list, is_finite


def inference_label(f: Formatter, method: Any) -> str:
    table = f.cat["inference_methods"]
    return table.get(str(method), table["other"].format(method=method))


def certainty_lines(c: Words, programme_text: str | None) -> list[str]:
    f, r, est = c.f, c.results, c.est
    out = []
    window = as_dict(r.get("window"))
    if est:
        out.append(f.msg("sure.design", n_units=f.integer(est.get("n_units")),
                         n_years=f.integer(est.get("n_years")), first=window.get("first", "?"),
                         last=window.get("last", "?"), n_obs=f.integer(est.get("n_obs"))))
        out.append(f.msg("sure.inference", method=inference_label(f, est.get("inference")),
                         n_clusters=f.integer(est.get("n_clusters"))))
    programme = as_dict(r.get("programme"))
    pre = as_dict(programme.get("pretrend"))
    if programme and pre.get("passed") is True:
        out.append(f.msg("sure.pretrend_passed", p=f.p_value(pre.get("p_value"))))
    elif programme and pre.get("passed") is False:
        out.append(f.msg("sure.pretrend_failed", p=f.p_value(pre.get("p_value"))))
    elif not programme:
        out.append(f.msg("sure.no_programme"))
    rob = as_dict(r.get("robustness"))
    if all(is_finite(rob.get(k)) for k in ("n_total", "n_same_sign", "n_significant")):
        out.append(f.msg("sure.robustness", n_total=f.integer(rob["n_total"]),
                         n_same_sign=f.integer(rob["n_same_sign"]),
                         n_significant=f.integer(rob["n_significant"])))
    mde = mde_text(c)
    if mde:
        m = as_dict(r.get("mde"))
        out.append(f.msg("sure.mde", mde=mde, unit=c.outcome["unit"],
                         increment_short=c.increment_short,
                         power=f.share(m.get("power", 0.8)), alpha=f.number(m.get("alpha", 0.05), 2)))
    return out


def mde_text(c: Words) -> str | None:
    m = as_dict(c.results.get("mde"))
    value = m.get("scaled_value")
    if not is_finite(value) and is_finite(m.get("value")):
        value = m["value"] * c.scale
    return c.f.number(value, digits_for(value)) if is_finite(value) else None


def caveat_sentences(c: Words, codes: Sequence[str]) -> list[str]:
    f, r, est = c.f, c.results, c.est
    study = as_dict(r.get("study"))
    out = []
    for code in codes:
        if code == "synthetic":
            out.append(f.msg("caveats.synthetic", region=study.get("region", "Kota Semarang")))
        elif code in ("few_clusters", "very_few_clusters"):
            out.append(f.msg(f"caveats.{code}", n_clusters=f.integer(est.get("n_clusters")),
                             method=inference_label(f, est.get("inference"))))
        elif code == "small_sample":
            out.append(f.msg("caveats.small_sample", n_obs=f.integer(est.get("n_obs"))))
        elif code == "missing_data":
            missing = as_dict(as_dict(r.get("descriptives")).get("missing_share"))
            items = [f.msg("caveats.missing_item", measure=measure(f, k)["name"], share=f.share(v))
                     for k, v in sorted(missing.items()) if is_finite(v) and v > 0]
            out.append(f.msg("caveats.missing_data", items=", ".join(items) or f.na()))
        elif code == "ikm_sample_inadequate":
            n = sum(1 for u in as_list(r.get("units")) if as_dict(u).get("ikm_sample_adequate") is False)
            out.append(f.msg("caveats.ikm_sample_inadequate", n=f.integer(n) if n else f.na()))
        elif code in ("pretrend_failed", "estimators_disagree"):
            out.append(f.msg(f"caveats.{code}"))
        else:
            out.append(f.msg("caveats.unknown", code=code))
    return out


def certainty_message(c: Words, wording: ProgrammeWording | None, programme_text: str | None
                       ) -> str:
    f = c.f
    if wording == "stronger" and programme_text:
        return programme_sentence(c, wording, key=True) or programme_text
    if as_dict(c.results.get("headline")).get("status") == "not_estimable":
        return f.msg("certainty_message.not_estimable", outcome=c.outcome["name"])
    if c.evidence in ("not_shown", "missing"):
        mde = mde_text(c)
        if mde:
            return f.msg("certainty_message.not_shown", mde=mde, unit=c.outcome["unit"],
                         increment_short=c.increment_short)
        return f.msg("certainty_message.not_shown_no_mde")
    if "very_few_clusters" in caveat_codes(c.results):
        return f.msg("certainty_message.very_few_clusters",
                     n_clusters=f.integer(c.est.get("n_clusters")))
    rob = as_dict(c.results.get("robustness"))
    if is_finite(rob.get("n_total")) and is_finite(rob.get("n_same_sign")) and rob["n_total"] > 0:
        strength = f.msg("certainty_message.strength_robust",
                         n_same_sign=f.integer(rob["n_same_sign"]),
                         n_total=f.integer(rob["n_total"]))
    else:
        strength = f.msg("certainty_message.strength_plain")
    return f.msg("certainty_message.association", strength=strength)
