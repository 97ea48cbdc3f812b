"""The methods page of the brief: definitions, design, the rules behind the words, the tables.

For analysts: the page after the two pages leadership reads. Everything technical lives here
(fixed effects, CR1, power, the probability method, the evidence-rating rule with its
reasons, every estimate, provenance), in words from the catalogue: no code identifier is
printed (measure names, models, terms and inference methods all have labels).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..columns import is_shifted, lag_of
from ..i18n import Formatter, digits_for
from .rules import Rating, evidence_rating
from .sentences import Words, lag_earlier, measure, money, msg_n, scale_text
from .steps import HEADLINE_BINS
from .view import as_dict, as_list, is_finite

#: Estimate rows shown in the methods table (controls and programme cohorts stay in the
#: workbook and results.json).
_SHOWN_MODELS = ("panel_fe", "panel_fe_distributed_lags", "panel_fe_placebo_lead",
                 "staggered_did")

#: Exposures whose estimate per one unit is unreadable (an IKM point per rupiah prints as
#: 0,000000292) or not a step a unit takes (a share from 0 to 1 moved by 1 is everyone at
#: once): the methods table shows them per this step, named in the exposure column.
TABLE_STEP = {"spend_per_asn_real": 1_000_000.0, "share_20jp": 0.1}


@dataclass(frozen=True)
class Methods:
    """The methods page: paragraphs, the rating's conditions and the tables."""

    paragraphs: tuple[tuple[str, str], ...]
    rating: tuple[tuple[str, str], ...]
    tables: tuple[dict[str, Any], ...]
    provenance_short: tuple[tuple[str, str], ...]
    provenance_long: tuple[tuple[str, str], ...]


def methods_page(c: Words) -> Methods:
    """Everything the methods page prints, for one results dict and language."""
    f, h = c.f, c.f.cat["headings"]
    paragraphs = [(h["definitions"], _definitions(c)), (h["design"], _design(c)),
                  (h["scale"], f.msg("methods.probability") + " " + f.msg("methods.scale_rows"))]
    detection = _detection(c)
    if detection:
        paragraphs.append(("", detection))
    rating = evidence_rating(c.results)
    prov = provenance_rows(c.results, f)
    return Methods(paragraphs=tuple(paragraphs), rating=_rating_rows(c, rating),
                   tables=tuple(methods_tables(c)), provenance_short=tuple(prov["short"]),
                   provenance_long=tuple(prov["long"]))


def _definitions(c: Words) -> str:
    year = as_dict(c.results.get("descriptives")).get("price_base_year") or c.year
    return c.f.msg("methods.definitions", base_year=year)


def _design(c: Words) -> str:
    f, est = c.f, c.est
    if not est:
        return _counts(c) or ""
    controls = [str(x) for x in as_list(est.get("controls"))]
    names = ", ".join(term_label(f, x) for x in controls)
    text = f.msg("methods.design", outcome=c.outcome["name"], exposure=c.exposure["name"],
                 lag_earlier=lag_earlier(f, c.lag),
                 # msg() trims its text, so the space before the clause is added here
                 controls=" " + f.msg("methods.controls", names=names) if controls else "",
                 n_obs=f.integer(est.get("n_obs")), n_units=f.integer(est.get("n_units")),
                 inference=inference_name(f, est.get("inference")),
                 n_clusters=f.integer(est.get("n_clusters")), increment=c.increment)
    bins = as_dict(c.results.get("headline_bins"))
    if bins:
        text += " " + f.msg("methods.bins", exposure=c.exposure["name"],
                            outcome=c.outcome["name"],
                            n_bins=f.integer(len(as_list(bins.get("bins"))) or HEADLINE_BINS))
    dropped = est.get("n_singletons_dropped")
    if is_finite(dropped) and dropped > 0:  # issue 13 item 6: say when rows were left out
        text += " " + msg_n(f, "methods.singletons", dropped, n=f.integer(dropped))
    counts = _counts(c)
    return f"{text} {counts}" if counts else text


def _counts(c: Words) -> str | None:
    """Why the counts differ: units in the year, units with an IKM, years the estimate uses."""
    f = c.f
    city = as_dict(as_dict(c.results.get("descriptives")).get("city"))
    window = as_dict(c.results.get("window"))
    if not is_finite(city.get("n_units")) or not is_finite(window.get("first")):
        return None
    first_used = int(window["first"]) + c.lag
    last = int(window.get("last", c.year or first_used))
    return f.msg("methods.counts", n_units_year=f.integer(city["n_units"]), year=c.year,
                 n_with_ikm=f.integer(city.get("n_units_with_ikm")),
                 n_years_used=f.integer(last - first_used + 1), first_used=first_used,
                 last_used=last, exposure=c.exposure["name"], lag_earlier=lag_earlier(f, c.lag))


def _detection(c: Words) -> str | None:
    m = as_dict(c.results.get("mde"))
    value = m.get("scaled_value")
    if not is_finite(value):
        return None
    return c.f.msg("methods.detection", mde=c.f.number(value, digits_for(value)),
                   unit=c.outcome["unit"], increment=c.increment)


def _rating_rows(c: Words, rating: Rating | None) -> tuple[tuple[str, str], ...]:
    """(condition in words, met / not met) for each condition of the evidence rating."""
    f = c.f
    if rating is None:
        return ()
    rows = []
    for mark in rating.conditions:
        values = {k: (f.integer(v) if is_finite(v) else f.na()) for k, v in mark.values.items()}
        key = f"rating.reason_{mark.name}" + ("" if mark.met else "_no")
        if mark.name == "agreement" and not mark.values:
            key = "rating.reason_agreement_none"
        text = f.msg(key, outcome=c.outcome["name"], n_same=values.get("n_same", ""),
                     n_total=values.get("n_total", ""),
                     n_clusters=values.get("n_clusters", f.na()))
        rows.append((text, f.msg("rating.met" if mark.met else "rating.not_met")))
    return tuple(rows)


# ---- labels for codes ---------------------------------------------------------------------


def inference_name(f: Formatter, method: Any) -> str:
    table = f.cat["inference_methods"]
    return str(table.get(str(method), table["other"]))


def term_label(f: Formatter, term: str) -> str:
    """A regressor in words (``jp_per_asn_lag1`` -> "JP pelatihan per ASN, tahun sebelumnya")."""
    terms = f.cat["terms"]
    if term in terms:
        return str(terms[term])
    if term in ("att_overall", "programme"):
        return str(terms["programme"])
    if is_shifted(term):
        for base in f.cat["measures"]:
            lag = lag_of(term, base)
            if lag is not None and lag >= 0:
                return f.msg("terms.lagged", name=measure(f, base)["name"],
                             lag_earlier=lag_earlier(f, lag))
            if lag is not None:
                return f.msg("terms.lead", name=measure(f, base)["name"])
    if term in f.cat["measures"]:
        return f.msg("terms.same", name=measure(f, term)["name"])
    return measure(f, term)["name"].replace("_", " ")


def model_label(f: Formatter, model: Any) -> str:
    models = f.cat["models"]
    return str(models.get(str(model), models["other"]))


def robustness_label(f: Formatter, spec: Mapping[str, Any], exposure: str) -> str:
    """A robustness specification in words, from its name (never the estimator's label)."""
    name = str(spec.get("name", ""))
    label = measure(f, exposure)["name"]
    table = f.cat["robustness"]
    if name in ("main", "no_controls", "with_controls", "unit_trends"):
        return str(table[name])
    if name.startswith("lag") and name[3:].isdigit():
        return capitalised(f.msg("robustness.lag", name=label,
                                 lag_earlier=lag_earlier(f, int(name[3:]))))
    if name == "winsorised":
        return f.msg("robustness.winsorised", name=label)
    if name.startswith("leave_out_"):
        sector = name.removeprefix("leave_out_")
        return f.msg("robustness.leave_out", sector=f.cat["sectors"].get(sector, sector))
    if name == "placebo_lead":
        return f.msg("robustness.placebo_lead", name=label)
    return str(table["other"])


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


# ---- tables -------------------------------------------------------------------------------


def _table_digits(*values: Any) -> int:
    """Decimals for an analyst's table: enough for two significant digits of the largest
    value (a per-rupiah effect of 1,2e-7 must not print as 0,000)."""
    finite = [abs(v) for v in values if is_finite(v) and v != 0]
    if not finite:
        return 3
    largest = max(finite)
    if largest >= 0.1:
        return max(digits_for(*values), 3 if largest < 1 else 1)
    return min(10, 1 - math.floor(math.log10(largest)) + 1)


def _col(label: str, num: bool = False) -> dict[str, Any]:
    return {"label": label, "num": num}


def methods_tables(c: Words) -> list[dict[str, Any]]:
    """Every estimate, the robustness checks and the lags, as labelled rows."""
    return [t for t in (_estimates_table(c), _robustness_table(c), _lags_table(c)) if t]


def _times(value: Any, step: float) -> Any:
    return value * step if is_finite(value) else value


def _per_step(f: Formatter, e: Mapping[str, Any]) -> tuple[str, float]:
    """The row's exposure in words and the step its estimate is shown per (1 unless the
    exposure is in :data:`TABLE_STEP`; then the label says "per Rp1 juta" or "per 10 poin
    persen")."""
    label = term_label(f, str(e.get("term", "")))
    base = next((m for m in TABLE_STEP if lag_of(str(e.get("term", "")), m) is not None),
                None)
    if base is None:
        return label, 1.0
    step = TABLE_STEP[base]
    text = money(f, step, 0) if base == "spend_per_asn_real" else scale_text(f, base, step)
    return f.msg("terms.per_step", name=label, step=text), step


def _estimates_table(c: Words) -> dict[str, Any] | None:
    f, t = c.f, c.f.cat["table"]
    rows = []
    for e in as_list(c.results.get("estimates")):
        if not isinstance(e, dict) or e.get("term") in (e.get("controls") or ()) \
                or e.get("model") not in _SHOWN_MODELS:
            continue  # control coefficients are not findings; they stay in results.json
        label, step = _per_step(f, e)
        est, low, high = (_times(e.get(k), step) for k in ("estimate", "conf_low", "conf_high"))
        d = _table_digits(est, low, high)
        rows.append([model_label(f, e.get("model")), measure(f, e.get("outcome"))["name"],
                     label, f.number(est, d), f"{f.number(low, d)} – {f.number(high, d)}",
                     f.p_value(e.get("p_value")), f.integer(e.get("n_obs")),
                     f.integer(e.get("n_clusters"))])
    if not rows:
        return None
    return {"title": f.cat["headings"]["estimates"], "rows": rows, "compact": True,
            "columns": [_col(t["model"]), _col(t["outcome"]), _col(t["exposure"]),
                        _col(t["estimate"], True), _col(t["ci"], True),
                        _col(t["p_value"], True), _col(t["n_obs"], True),
                        _col(t["n_clusters"], True)]}


def _robustness_table(c: Words) -> dict[str, Any] | None:
    f, t = c.f, c.f.cat["table"]
    rows = []
    for s in as_list(as_dict(c.results.get("robustness")).get("specifications")):
        if not isinstance(s, dict):
            continue
        d = max(3, digits_for(s.get("estimate")))
        rows.append([robustness_label(f, s, c.exposure_key), f.number(s.get("estimate"), d),
                     f"{f.number(s.get('conf_low'), d)} – {f.number(s.get('conf_high'), d)}",
                     f.p_value(s.get("p_value"))])
    if not rows:
        return None
    return {"title": f.cat["headings"]["robustness"], "rows": rows, "compact": True,
            "columns": [_col(t["spec"]), _col(t["estimate"], True), _col(t["ci"], True),
                        _col(t["p_value"], True)]}


def _lags_table(c: Words) -> dict[str, Any] | None:
    f, t = c.f, c.f.cat["table"]
    dl = as_dict(c.results.get("distributed_lags"))
    rows = [[lag_earlier(f, lag.get("lag")), f.number(lag.get("estimate"), 3),
             f"{f.number(lag.get('conf_low'), 3)} – {f.number(lag.get('conf_high'), 3)}"]
            for lag in as_list(dl.get("lags")) if isinstance(lag, dict)]
    placebo = as_dict(dl.get("placebo_lead"))
    if rows and is_finite(placebo.get("estimate")):
        rows.append([t["placebo"], f.number(placebo["estimate"], 3),
                     f"{f.number(placebo.get('conf_low'), 3)} – "
                     f"{f.number(placebo.get('conf_high'), 3)}"])
    if not rows:
        return None
    return {"title": f.cat["headings"]["lags"], "rows": rows, "compact": True,
            "columns": [_col(t["lag"]), _col(t["estimate"], True), _col(t["ci"], True)]}


# ---- provenance ---------------------------------------------------------------------------


def group_hex(hexdigest: str, size: int = 8) -> str:
    """A long hash in groups of eight: easier to compare by eye, never NIP-shaped."""
    return " ".join(hexdigest[i:i + size] for i in range(0, len(hexdigest), size))


def provenance_rows(results: Mapping[str, Any], f: Formatter) -> dict[str, list[tuple[str, str]]]:
    """Run id, data hash, commit, version (short); full hash, packages, seed, draws (long)."""
    prov = as_dict(results.get("provenance"))
    p = f.cat["provenance"]
    short: list[tuple[str, str]] = []
    long: list[tuple[str, str]] = []
    if prov.get("run_id"):
        short.append((p["run_id"], str(prov["run_id"])))
    sha = prov.get("data_sha256")
    if isinstance(sha, str) and sha:
        short.append((p["data_hash"], sha[:12]))
        long.append((p["full_hash"], group_hex(sha)))
    commit = prov.get("git_commit")
    if commit:
        short.append((p["commit"], str(commit)[:12] + (" " + p["dirty"] if prov.get("git_dirty")
                                                       else "")))
    if prov.get("toolkit_version"):
        short.append((p["toolkit"], str(prov["toolkit_version"])))
    params = as_dict(results.get("parameters"))
    if is_finite(params.get("seed")):
        short.append((p["seed"], str(params["seed"])))
    if is_finite(params.get("reps")):
        short.append((p["reps"], f.integer(params["reps"])))
    packages = as_dict(prov.get("packages"))
    if packages:
        long.append((p["packages"], ", ".join(f"{k} {v}" for k, v in sorted(packages.items()))))
    return {"short": short, "long": long}


__all__ = [
    "Methods",
    "group_hex",
    "inference_name",
    "methods_page",
    "methods_tables",
    "model_label",
    "provenance_rows",
    "robustness_label",
    "term_label",
]
