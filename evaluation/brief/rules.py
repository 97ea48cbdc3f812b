"""The decision rules of the brief: what a result lets it say, and which caveats apply.

Each rule is a pure function of the results dict; :mod:`.narrate` turns its verdict into
words from the catalogue. The thresholds are named constants so that the methods page and
the tests quote the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from scipy import stats

from .view import as_dict, as_list, headline_estimate, is_finite

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

#: The fixed scale of probability words (lower bound of each band, catalogue key), from the
#: IPCC's calibrated language; the brief always prints the number beside the word.
LIKELIHOOD_SCALE: tuple[tuple[float, str], ...] = (
    (0.99, "virtually_certain"), (0.90, "very_likely"), (0.66, "likely"),
    (0.33, "as_likely_as_not"), (0.10, "unlikely"), (0.01, "very_unlikely"),
    (0.0, "exceptionally_unlikely"),
)
#: The most marks an association can get: the fifth is kept for a staged or randomised design.
ASSOCIATION_MAX_MARKS = 4
#: Share of alternative specifications that must agree in direction for the agreement mark.
AGREEMENT_SHARE = 0.80
#: A placebo lead with p below this is taken as a sign of a reverse or spurious link.
PLACEBO_ALPHA = 0.10
#: z(0.975): the half-width of a 95% interval in standard errors.
Z95 = float(stats.norm.ppf(0.975))

Evidence = Literal["positive", "negative", "not_shown", "missing"]
ProgrammeWording = Literal["stronger", "association", "not_shown"]


def classify(estimate: Mapping[str, Any] | None) -> Evidence:
    """What an estimate with a 95% interval lets the brief say.

    >>> classify({"estimate": 0.8, "conf_low": 0.6, "conf_high": 1.0})
    'positive'
    >>> classify({"estimate": 0.2, "conf_low": -0.3, "conf_high": 0.7})
    'not_shown'
    """
    if not estimate:
        return "missing"
    low, high = estimate.get("conf_low"), estimate.get("conf_high")
    if not (is_finite(low) and is_finite(high)):
        return "missing"
    if low > 0:
        return "positive"
    if high < 0:
        return "negative"
    return "not_shown"


def programme_wording(programme: Mapping[str, Any] | None) -> ProgrammeWording | None:
    """Stronger wording only with a clean AND sensitive pre-trend test AND agreement of the
    robust estimator.

    "Sensitive": the pre-trend test could have detected a difference smaller than the
    estimated effect (``pretrend.detectable_difference`` below its size); a test that passes
    but could not have seen a trend as large as the effect proves nothing (issue 14 item 11).

    >>> programme_wording({"staggered": {"overall": {"estimate": 1.2, "conf_low": 0.4,
    ...     "conf_high": 2.0}}, "pretrend": {"passed": True, "detectable_difference": 0.8},
    ...     "agree": True})
    'stronger'
    >>> programme_wording({"staggered": {"overall": {"estimate": 1.2, "conf_low": 0.4,
    ...     "conf_high": 2.0}}, "pretrend": {"passed": True, "detectable_difference": 1.5},
    ...     "agree": True})
    'association'
    """
    if not programme:
        return None
    overall = as_dict(as_dict(programme.get("staggered")).get("overall"))
    evidence = classify(overall)
    if evidence == "missing":
        return None
    if evidence == "not_shown":
        return "not_shown"
    if pretrend_sensitive(programme) and programme.get("agree") is True:
        return "stronger"
    return "association"


def pretrend_sensitive(programme: Mapping[str, Any]) -> bool:
    """The pre-trend test passed and could have seen a difference smaller than the effect."""
    pre = as_dict(programme.get("pretrend"))
    effect = as_dict(as_dict(programme.get("staggered")).get("overall")).get("estimate")
    detectable = pre.get("detectable_difference")
    return (pre.get("passed") is True and is_finite(detectable) and is_finite(effect)
            and detectable < abs(effect))


def probability_positive(estimate: Mapping[str, Any] | None) -> float | None:
    """P(the true association > 0), read from an estimate and its 95% interval.

    Uses the model's own ``prob_positive`` when the estimate row carries it. Otherwise the
    normal approximation the interval rests on: the standard error is the distance from the
    estimate to the interval's bound on zero's side, divided by z(0.975); the probability is
    Phi(estimate / standard error), the posterior probability under a flat prior (the
    methods page says so). ``None`` without a finite interval.

    >>> round(probability_positive({"estimate": 0.56, "conf_low": 0.40, "conf_high": 0.72}), 4)
    1.0
    >>> round(probability_positive({"estimate": 0.2, "conf_low": -0.3, "conf_high": 0.7}), 2)
    0.78
    """
    if not estimate:
        return None
    given = estimate.get("prob_positive")
    if is_finite(given):
        return float(given)
    est, low, high = estimate.get("estimate"), estimate.get("conf_low"), estimate.get("conf_high")
    if not (is_finite(est) and is_finite(low) and is_finite(high)):
        return None
    half = (est - low) if est >= 0 else (high - est)
    if half <= 0:
        return 1.0 if est > 0 else 0.0 if est < 0 else 0.5
    return float(stats.norm.cdf(est / (half / Z95)))


def likelihood_key(probability: float) -> str:
    """The catalogue key of the calibrated word for ``probability`` (``likelihood.<key>``)."""
    for bound, key in LIKELIHOOD_SCALE:
        if probability >= bound:
            return key
    return LIKELIHOOD_SCALE[-1][1]


#: The calibrated words for which an interval through zero is said to "lean" one way.
LEAN_WORDS = ("virtually_certain", "very_likely", "likely")


def leans(probability: float) -> bool:
    """Whether the probability of the estimate's direction is worded as a lean that way
    (when the 95% interval includes zero): "likely" or stronger on the fixed scale.

    >>> leans(0.91), leans(0.55)
    (True, False)
    """
    return likelihood_key(probability) in LEAN_WORDS


@dataclass(frozen=True)
class Mark:
    """One condition of the evidence rating: its name, whether it is met, and its values."""

    name: str
    met: bool
    values: Mapping[str, Any]


@dataclass(frozen=True)
class Rating:
    """The strength of evidence behind the headline: 0-5 marks by a written rule."""

    marks: int
    conditions: tuple[Mark, ...]


def evidence_rating(results: Mapping[str, Any]) -> Rating | None:
    """Marks (0-5) for the headline, one per condition met (``None`` without a headline).

    1. Design: each unit is compared with itself (unit fixed effects). The headline is an
       association (no staged or randomised roll-out behind it), so it gets at most
       :data:`ASSOCIATION_MAX_MARKS` marks whatever else holds.
    2. Timing: the placebo lead (next year's exposure) shows no link (p >= 0.10) and its
       interval's half-width is no larger than the headline estimate (the test could have
       seen a reverse link as large as the headline).
    3. Precision: the minimum detectable effect is no larger than the headline estimate.
    4. Agreement: at least 80% of the alternative specifications agree in direction.
    5. Clusters: at least :data:`FEW_CLUSTERS` clusters.
    """
    est = headline_estimate(results)
    if not est or not is_finite(est.get("estimate")):
        return None
    size = abs(est["estimate"])
    conditions = (
        Mark("design", _within_units(est), {}),
        _timing_mark(results, size),
        _precision_mark(results, size),
        _agreement_mark(results),
        Mark("clusters", is_finite(est.get("n_clusters")) and est["n_clusters"] >= FEW_CLUSTERS,
             {"n_clusters": est.get("n_clusters")}),
    )
    # an association (no staged or randomised roll-out behind it) is never rated as highly
    # as a design that can speak of effects
    return Rating(marks=min(sum(c.met for c in conditions), ASSOCIATION_MAX_MARKS),
                  conditions=conditions)


def _within_units(est: Mapping[str, Any]) -> bool:
    """Whether the estimate compares each unit with itself (a unit fixed effect)."""
    effects = est.get("fixed_effects")
    if not isinstance(effects, list):
        return est.get("model", "panel_fe") == "panel_fe"
    return any(str(e) in ("unit", "unit_id") for e in effects)


def _timing_mark(results: Mapping[str, Any], size: float) -> Mark:
    lead = as_dict(as_dict(results.get("distributed_lags")).get("placebo_lead"))
    low, high, p = lead.get("conf_low"), lead.get("conf_high"), lead.get("p_value")
    if not (is_finite(low) and is_finite(high) and is_finite(p)):
        return Mark("timing", False, {})
    half = (high - low) / 2
    return Mark("timing", p >= PLACEBO_ALPHA and half <= size, {"half_width": half, "p": p})


def _precision_mark(results: Mapping[str, Any], size: float) -> Mark:
    mde = as_dict(results.get("mde")).get("value")
    return Mark("precision", is_finite(mde) and mde <= size, {"mde": mde})


def robustness_counts(results: Mapping[str, Any]) -> tuple[int, int, int] | None:
    """(alternatives, agreeing in direction, agreeing with an interval clear of zero).

    The alternatives are every specification other than the main one and the placebo;
    the direction is the headline's.
    """
    est = headline_estimate(results) or {}
    specs = [s for s in as_list(as_dict(results.get("robustness")).get("specifications"))
             if isinstance(s, dict) and s.get("name") != "main" and not s.get("placebo")
             and is_finite(s.get("estimate"))]
    if not specs or not is_finite(est.get("estimate")):
        return None
    sign = 1 if est["estimate"] >= 0 else -1
    same = [s for s in specs if s["estimate"] * sign > 0]
    clear = [s for s in same if is_finite(s.get("conf_low")) and is_finite(s.get("conf_high"))
             and (s["conf_low"] > 0 or s["conf_high"] < 0)]
    return len(specs), len(same), len(clear)


def _agreement_mark(results: Mapping[str, Any]) -> Mark:
    counts = robustness_counts(results)
    if counts is None:
        return Mark("agreement", False, {})
    total, same, _ = counts
    return Mark("agreement", same / total >= AGREEMENT_SHARE, {"n_same": same, "n_total": total})


def caveat_codes(results: Mapping[str, Any]) -> list[str]:
    """The caveats that apply: ``results["caveats"]`` plus those derived from the numbers.

    Order is fixed (most important first) so the brief reads the same on every run.
    """
    given = [c for c in as_list(results.get("caveats")) if isinstance(c, str)]
    study = as_dict(results.get("study"))
    est = headline_estimate(results) or {}
    programme = as_dict(results.get("programme"))
    codes: set[str] = set(given)
    if study.get("synthetic") is True:
        codes.add("synthetic")
    n_clusters = est.get("n_clusters")
    if is_finite(n_clusters):
        codes.discard("few_clusters")
        codes.discard("very_few_clusters")
        if n_clusters < VERY_FEW_CLUSTERS:
            codes.add("very_few_clusters")
        elif n_clusters < FEW_CLUSTERS:
            codes.add("few_clusters")
    if is_finite(est.get("n_obs")) and est["n_obs"] < SMALL_SAMPLE_OBS:
        codes.add("small_sample")
    missing = as_dict(as_dict(results.get("descriptives")).get("missing_share"))
    if any(is_finite(v) and v > MISSING_SHARE for v in missing.values()):
        codes.add("missing_data")
    if as_dict(programme.get("pretrend")).get("passed") is False:
        codes.add("pretrend_failed")
    if programme and programme.get("agree") is False:
        codes.add("estimators_disagree")
    if any(as_dict(u).get("ikm_sample_adequate") is False for u in as_list(results.get("units"))):
        codes.add("ikm_sample_inadequate")
    if as_dict(results.get("data_sources")).get("person_level") is False:
        codes.add("no_person_records")
    order = ["synthetic", "no_person_records", "very_few_clusters", "few_clusters",
             "small_sample", "pretrend_failed", "estimators_disagree", "missing_data",
             "ikm_sample_inadequate"]
    known = [c for c in order if c in codes]
    return known + sorted(codes - set(order))


__all__ = [
    "AGREEMENT_SHARE",
    "ASSOCIATION_MAX_MARKS",
    "FEW_CLUSTERS",
    "LIKELIHOOD_SCALE",
    "PLACEBO_ALPHA",
    "JP20_TARGET",
    "LEAN_WORDS",
    "MISSING_SHARE",
    "SMALL_SAMPLE_OBS",
    "VERY_FEW_CLUSTERS",
    "Evidence",
    "Mark",
    "ProgrammeWording",
    "Rating",
    "caveat_codes",
    "classify",
    "evidence_rating",
    "leans",
    "likelihood_key",
    "probability_positive",
    "pretrend_sensitive",
    "programme_wording",
    "robustness_counts",
]
