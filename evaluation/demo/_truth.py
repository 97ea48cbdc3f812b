"""The truth behind the synthetic demo: the true parameters and per unit-year quantities
(:func:`truth`), and the ``TRUTH.md`` written beside the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from ._spec import (
    _DIGITAL_P,
    _FEE_U4_SHIFT,
    _IKM_SD_U,
    _IKU_SD_V,
    _JP_SHOCK_SD,
    _TYPE_CONCENTRATION,
    DEFAULT_SEED,
    ELEMENT_OFFSETS,
    FIRST_YEAR,
    LAST_YEAR,
    NEW_UNIT,
    NEW_UNIT_YEAR,
    NONKLASIKAL_CREDIT,
    PROGRAMME_COHORTS,
    TOPICS,
    TRUE_EFFECTS,
    TYPE_CODES,
    TYPE_SHARE_MEAN,
)
from .generator import DemoData, simulate

#: Regressions whose estimand is a projection of the true training signal (not a single
#: parameter): name -> exposures at lag 1, with unit and year fixed effects.
PROJECTIONS: MappingProxyType[str, tuple[str, ...]] = MappingProxyType({
    "total": ("jp_per_asn_lag1",),
    "paths": ("jp_per_asn_klasikal_lag1", "jp_per_asn_nonklasikal_lag1"),
    "topic_digital": ("jp_per_asn_topic_digital_lag1",),
})


def _within(x: np.ndarray, unit: np.ndarray, year: np.ndarray) -> np.ndarray:
    """Remove unit and year means (alternating projections; unbalanced panels too)."""
    _, u = np.unique(unit, return_inverse=True)
    _, t = np.unique(year, return_inverse=True)
    out = x.astype(float).copy()
    for _ in range(1000):
        before = out.copy()
        for g in (u, t):
            counts = np.bincount(g)
            means = np.stack([np.bincount(g, weights=out[:, j]) / counts
                              for j in range(out.shape[1])], axis=1)
            out -= means[g]
        if np.abs(out - before).max() < 1e-13:
            break
    return out


def projection(unit_year: pd.DataFrame, exposures: Sequence[str]) -> dict[str, float]:
    """What a regression of IKM on ``exposures`` with unit and year fixed effects
    estimates in this demo: the coefficients of the true training signal (sum over types
    of beta_type x lagged JP per ASN of the type) projected on the exposures, within
    unit and year, on the unit-years with an IKM and every exposure. Everything else in
    IKM (programme, shocks, survey error) is independent of training by design.

    Examples
    --------
    >>> t = truth(2026)  # doctest: +SKIP
    >>> projection(t["unit_year"], ["jp_per_asn_teknis_lag1"])  # doctest: +SKIP
    """
    cols = list(exposures)
    rows = unit_year.dropna(subset=[*cols, "ikm_sample"])
    x = _within(rows[cols].to_numpy(), rows["unit_id"].to_numpy(), rows["year"].to_numpy())
    y = _within(rows[["training_signal"]].to_numpy(), rows["unit_id"].to_numpy(),
                rows["year"].to_numpy())[:, 0]
    coef = np.linalg.lstsq(x, y, rcond=None)[0]
    return {c: float(b) for c, b in zip(cols, coef, strict=True)}


def truth(seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """The true parameters and the per unit-year truth of the demo made with ``seed``.

    Recomputed from the seed (a few seconds, cached), so it always matches the files that
    ``evaluation demo-data --seed SEED`` writes.

    Returns
    -------
    dict
        ``beta_jp_lag1`` (headline), ``beta_jp_lag0``, ``beta_jp_lag2``,
        ``beta_type_lag1`` (competency type -> effect), ``beta_path_given_type``,
        ``beta_topic_given_type``, ``tau`` (years since joining -> effect; 2 means 2 or
        more), ``theta_ikm_to_iku``, ``phi_jp_lag1_to_iku``; ``type_share_mean``,
        ``topics``, ``cohorts`` (unit_id -> cohort year), ``nonklasikal_credit``, ``seed``;
        ``projection_lag1`` (for each regression in :data:`PROJECTIONS`, the coefficients
        it estimates, see :func:`projection`); ``unit_year``: a DataFrame with, per
        unit-year, every exposure (``jp_per_asn``, ``jp_per_asn_<type>``,
        ``jp_per_asn_<path>``, ``jp_per_asn_topic_digital``, as the pipeline computes
        them) and its ``_lag1``, ``share_20jp``, ``spend_per_asn_real`` (Rp, prices of
        the last year), ``training_signal``, ``ikm_expected`` (true expected IKM),
        ``ikm_sample`` (IKM of the generated answers), ``iku_expected``,
        ``n_respondents``, ``event_time`` and ``tau``; ``person_year``: every ASN on a
        unit's staff per year with their credited JP (zeros included).

    Examples
    --------
    >>> t = truth(2026)  # doctest: +SKIP
    >>> t["beta_jp_lag1"], t["beta_type_lag1"]["sosial_kultural"]  # doctest: +SKIP
    (0.06, 0.0)
    """
    data = simulate(seed)
    out = {k: (dict(v) if isinstance(v, MappingProxyType) else v) for k, v in TRUE_EFFECTS.items()}
    out.update(
        seed=seed,
        type_share_mean=dict(TYPE_SHARE_MEAN),
        topics={k: list(v) for k, v in TOPICS.items()},
        cohorts=dict(data.cohorts),
        nonklasikal_credit=dict(NONKLASIKAL_CREDIT),
        projection_lag1={name: projection(data.unit_year, cols)
                         for name, cols in PROJECTIONS.items()},
        unit_year=data.unit_year.copy(),
        person_year=data.person_year.copy(),
    )
    return out


# ---- TRUTH.md ---------------------------------------------------------------------------------

_TRUTH_MD = """\
# TRUTH: the effects built into the synthetic demo (seed {seed})

The data in this folder are SYNTHETIC. This file states the data-generating process, the
true value of each effect, the exact estimand, and the specification that recovers it from
the panel the pipeline builds from these files. `evaluation.demo.truth(seed={seed})`
returns the same parameters and, per unit-year, the true quantities (recomputed from the seed).

## Panel quantities (as the pipeline computes them)

- `jp_per_asn` (unit i, year t) = sum over the unit's training events in year t of credited JP
  divided by `jumlah_asn` from `staff.csv`; credited JP = `jp` for klasikal events, `jp` x
  `jp.nonklasikal_credit[bentuk]` for nonklasikal events (all 1.0 except `seminar` 0.5).
- `jp_per_asn_<type>` (`teknis`, `manajerial`, `sosial_kultural`: `jenis_kompetensi`),
  `jp_per_asn_<path>` (`klasikal`, `nonklasikal`: `jalur`) and `jp_per_asn_topic_digital`
  (events whose `program` title contains a keyword of `topics.digital` in study.yaml:
  {keywords}) = the same sum over those events only, divided by `jumlah_asn`. The types add
  up to `jp_per_asn`, and so do the paths.
- `<measure>_lag1` = the measure of calendar year t-1 of the same unit (missing in a unit's
  first year: {first} for all units, {new_year} for {new_unit}).
- `ikm` = 25 x mean over U1-U9 of the element means of the answers (exact 1/9 weights;
  skipped answers left out of their element's mean).
- `share_20jp` = number of ASN whose credited JP in the year reach 20 (the PP 11/2017
  entitlement), divided by `jumlah_asn` (ASN without any training row count as 0 JP).
- `spend_per_asn_real` = sum of `biaya` over the unit's events / `jumlah_asn` x `ihk` of
  {last} / `ihk` of the year (rupiah at {last} prices).
- `iku` = `capaian_iku`.

## Data-generating process

1. **Training.** Each unit has a level of JP per ASN (higher at BKPP, lower in large front-line
   units), times a common year pattern (including the COVID-19 drop in 2020 and partial recovery
   in 2021, when classroom training moved to e-learning), times a unit-year shock drawn
   independently of everything else (log-normal, sd {shock_sd}), so shocks are independent
   over time and of programme timing. Each unit-year also draws its mix of JP by competency
   type, independently of its total: Dirichlet with mean {share_text} (the same every year)
   and concentration {concentration}, so the types vary separately from one another. Events
   are drawn per ASN and type around those targets (persistent individual propensity, Poisson
   number of events); the activity (bentuk) is drawn given the type from the year's activity
   mix, which sets the learning path. Where a (bentuk, type) has digital programme titles, an
   event takes one with probability {digital_p} at the median of a log-normal unit-year
   propensity. The programme course (manajerial, klasikal) replaces other managerial training
   inside the unit's hours in its cohort year, so joining the programme moves neither expected
   JP per ASN nor its mix. Units with more training have somewhat higher IKM levels (alpha),
   so a pooled cross-section is confounded; unit fixed effects remove that.
2. **Expected IKM.** IKM*_it = alpha_i + gamma_t + sum over types k of beta_k x
   jp_per_asn_k_(i,t-1) + tau(e_it) + u_it, with u_it ~ N(0, {ikm_sd}) independent of
   training, and e_it = t - cohort year of unit i. `jp_per_asn_k_(i,t-1)` is the realised value
   computed from the files (for a unit's first year, a value drawn from the same process; that
   year has no lag in the data and drops out). The learning path and the digital topic have no
   effect of their own: they matter only through the type of the training. IKM* ranges
   {ikm_min:.1f}-{ikm_max:.1f} (mean {ikm_mean:.1f}).
3. **SKM answers.** Element targets are IKM*/25 plus element offsets that sum to zero (U8
   penanganan pengaduan {u8:+.2f}, U3 waktu {u3:+.2f}, U4 biaya/tarif
   {u4:+.2f}, but {fee:+.2f} more in units that charge a fee or tariff, plus small unit
   offsets). Each answer is the floor of its target or one more, with the probability that makes
   the expected answer equal the target exactly; answers are correlated within a respondent
   (Gaussian copula, correlation 0.4) without changing those means. About 1% of answers are
   skipped at random; about 3% of unit-years ran no survey. Respondents per unit-year: 60-450,
   so many unit-years fall short of the Krejcie-Morgan sample for their population.
4. **IKU.** IKU_it = delta_i + eta_t + theta x (IKM_it - 80) + phi x jp_per_asn_(i,t-1) + v_it,
   v_it ~ N(0, {iku_sd}), where IKM_it is the IKM computed from the generated answers (not IKM*),
   so the chain's estimand carries no survey measurement error. In the few unit-years without a
   survey, IKM* is used instead (those rows have no `ikm` and drop out). Complaints
   (`pengaduan`) fall with IKM* but are descriptive only.

## True effects and the specification that recovers each

| Effect | True value | Estimand | Specification (fixest syntax, CRV1 clustered by unit) |
|---|---|---|---|
{effect_rows}

The headline is coherent with the types: because each unit-year's mix is drawn independently
of its total with the same mean every year, the expected JP of type k given the total is
share_k x total, and the coefficient of total JP per ASN is sum_k beta_k x share_k =
{headline_sum}. In this draw the projection of the true training signal on lagged total JP
per ASN (the headline's exact estimand given these data) is {proj_total:.4f}.
The headline model omits the programme; it stays unbiased because training shocks are drawn
independently of programme timing (the omitted tau is uncorrelated with lagged JP within unit
and year). IKM does not feed back into training, so there is no reverse causation by design;
real data offer no such guarantee.

## Programme cohorts

| Cohort (tahun_angkatan) | Units |
|---|---|
{cohort_lines}

{n_never} units never join ({new_unit}, created in {new_year}, is never eligible).

## Checks

`tests/test_demo.py` rebuilds the panel from these files independently, estimates the
specifications above with pyfixest, and checks that each true value lies inside the 95%
confidence interval (event-time effects jointly); a slow test repeats this over several seeds.
`tests/test_estimation_sections.py` checks the same for the numbers the brief prints
(results.json `by_training_type`): each type's, path's and topic's true value inside its 95%
interval, the sosial kultural interval containing 0, and the types' difference test
rejecting. `tests/test_access.py` checks who is left behind (`training_access`) against the
generator's own person-year records: equal to 1e-12, the three-year share a lower bound.
"""


def _effect_rows(proj: dict[str, dict[str, float]]) -> str:
    te: Any = TRUE_EFFECTS
    beta, theta = te["beta_jp_lag1"], te["theta_ikm_to_iku"]
    types = " + ".join(f"jp_per_asn_{k}_lag1" for k in TYPE_CODES)
    by_type = "; ".join(f"{k} {v}" for k, v in te["beta_type_lag1"].items())
    paths = proj["paths"]
    rows = [
        ("Dose-response, lag 1 (headline)",
         f"beta = {beta} IKM points per JP per ASN (+10 JP per ASN -> +{10 * beta:.1f})",
         "change in expected IKM in year t per extra JP per ASN (any type, at the mean mix) "
         "in year t-1, linear", "`ikm ~ jp_per_asn_lag1 \\| unit + year`"),
        ("By competency type, lag 1", f"{by_type} IKM points per JP per ASN of the type",
         "change in expected IKM per extra JP per ASN of one type, the others held fixed",
         f"`ikm ~ {types} \\| unit + year`"),
        ("Types differ", f"teknis - sosial_kultural = {te['beta_type_lag1']['teknis']}",
         "difference of two type coefficients", "same model, Wald test of equality"),
        ("Learning path, given type", f"{te['beta_path_given_type']}",
         "nonklasikal JP adds nothing once the type is held fixed",
         "add `jp_per_asn_nonklasikal_lag1` to the type model"),
        ("Learning path alone", "klasikal {:.4f}, nonklasikal {:.4f} (this draw)".format(
            *paths.values()), "projection of the true signal on the two paths (the paths "
         "differ only through their mix of types)",
         "`ikm ~ jp_per_asn_klasikal_lag1 + jp_per_asn_nonklasikal_lag1 \\| unit + year`"),
        ("Topic digital, given type", f"{te['beta_topic_given_type']['digital']}",
         "digital JP adds nothing once the type is held fixed",
         "add `jp_per_asn_topic_digital_lag1` to the type model"),
        ("Topic digital alone", f"{proj['topic_digital']['jp_per_asn_topic_digital_lag1']:.4f}"
         " (this draw)", "projection of the true signal on digital JP alone",
         "`ikm ~ jp_per_asn_topic_digital_lag1 \\| unit + year`"),
        ("Lag 0 and lag 2", f"{te['beta_jp_lag0']} and {te['beta_jp_lag2']}",
         "same, for training in year t and t-2",
         "`ikm ~ jp_per_asn + jp_per_asn_lag1 + jp_per_asn_lag2 \\| unit + year`"),
        ("Placebo lead", "0", "training in t+1 does not change IKM in t",
         "add `jp_per_asn_lead1`"),
        ("Programme, years since joining",
         f"e < 0: 0 (no anticipation); e = 0: {te['tau'][0]}; e = 1: {te['tau'][1]}; "
         f"e >= 2: {te['tau'][2]} IKM points, the same for every cohort", "ATT by event time",
         "`ikm ~ i(event_time, ref=-1) + jp_per_asn_lag1 \\| unit + year` (TWFE event study; "
         "leads binned at -4, lags at +2; never-joined units as controls); effects are "
         "homogeneous, so TWFE and Callaway-Sant'Anna target the same numbers"),
        ("IKM -> IKU", f"theta = {theta} IKU percentage points per IKM point",
         "effect of realised IKM on IKU achievement", "`iku ~ ikm + jp_per_asn_lag1 \\| unit + year`"),
        ("Direct JP -> IKU", f"phi = {te['phi_jp_lag1_to_iku']}",
         "effect of lagged JP per ASN on IKU holding IKM fixed",
         "same model, coefficient of `jp_per_asn_lag1`"),
        ("Chain JP -> IKM -> IKU", f"beta x theta = {beta * theta:.3f} IKU points per JP per ASN "
         "(indirect; total the same since phi = 0)", "product of the two links",
         "the two models above"),
    ]
    return "\n".join("| " + " | ".join(r) + " |" for r in rows)


def truth_markdown(data: DemoData) -> str:
    """The text of ``TRUTH.md`` for the demo ``data``."""
    uy = data.unit_year
    proj = {name: projection(uy, cols) for name, cols in PROJECTIONS.items()}
    ikm = uy["ikm_expected"]
    te: Any = TRUE_EFFECTS
    return _TRUTH_MD.format(
        seed=data.seed, first=FIRST_YEAR, last=LAST_YEAR, new_unit=NEW_UNIT,
        new_year=NEW_UNIT_YEAR, keywords=", ".join(f'"{k}"' for k in TOPICS["digital"]),
        shock_sd=_JP_SHOCK_SD, concentration=_TYPE_CONCENTRATION, digital_p=_DIGITAL_P,
        share_text=", ".join(f"{k} {v}" for k, v in TYPE_SHARE_MEAN.items()),
        ikm_sd=_IKM_SD_U, iku_sd=_IKU_SD_V, ikm_min=ikm.min(), ikm_max=ikm.max(),
        ikm_mean=ikm.mean(), u8=ELEMENT_OFFSETS[7], u3=ELEMENT_OFFSETS[2],
        u4=ELEMENT_OFFSETS[3], fee=_FEE_U4_SHIFT, effect_rows=_effect_rows(proj),
        headline_sum=" + ".join(f"{te['beta_type_lag1'][k]} x {TYPE_SHARE_MEAN[k]}"
                                for k in TYPE_CODES) + f" = {te['beta_jp_lag1']}",
        proj_total=proj["total"]["jp_per_asn_lag1"],
        cohort_lines="\n".join(
            f"| {year} | {', '.join(u for u, c in data.cohorts.items() if c == year)} |"
            for year in PROGRAMME_COHORTS),
        n_never=uy["unit_id"].nunique() - len(data.cohorts),
    )
