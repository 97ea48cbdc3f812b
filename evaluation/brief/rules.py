"""The decision rules of the brief: what a result lets it say, and which caveats apply.

Each rule is a pure function of the results dict; :mod:`.narrate` turns its verdict into
words from the catalogue. The thresholds are named constants so that the methods page and
the tests quote the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

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
    overall = as_dict(as_dict(programme.get("staggered")).get("overall"))
    evidence = classify(overall)
    if evidence == "missing":
        return None
    if evidence == "not_shown":
        return "not_shown"
    clean = as_dict(programme.get("pretrend")).get("passed") is True
    if clean and programme.get("agree") is True:
        return "stronger"
    return "association"


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
    order = ["synthetic", "very_few_clusters", "few_clusters", "small_sample", "pretrend_failed",
             "estimators_disagree", "missing_data", "ikm_sample_inadequate"]
    known = [c for c in order if c in codes]
    return known + sorted(codes - set(order))


__all__ = [
    "FEW_CLUSTERS",
    "JP20_TARGET",
    "MISSING_SHARE",
    "SMALL_SAMPLE_OBS",
    "VERY_FEW_CLUSTERS",
    "Evidence",
    "ProgrammeWording",
    "caveat_codes",
    "classify",
    "programme_wording",
]
