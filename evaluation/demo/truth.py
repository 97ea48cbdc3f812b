"""The truth behind the synthetic demo: the true parameters and per unit-year quantities
(:func:`truth`), and the ``TRUTH.md`` written beside the data.
"""

from __future__ import annotations

from types import MappingProxyType

from ._spec import (
    _FEE_U4_SHIFT,
    _IKM_SD_U,
    _IKU_SD_V,
    _JP_SHOCK_SD,
    DEFAULT_SEED,
    ELEMENT_OFFSETS,
    FIRST_YEAR,
    LAST_YEAR,
    NEW_UNIT,
    NEW_UNIT_YEAR,
    NONKLASIKAL_CREDIT,
    PROGRAMME_COHORTS,
    TRUE_EFFECTS,
)
from .generator import DemoData, simulate


def truth(seed: int = DEFAULT_SEED) -> dict:
    """The true parameters and the per unit-year truth of the demo made with ``seed``.

    Recomputed from the seed (a few seconds, cached), so it always matches the files that
    ``evaluation demo-data --seed SEED`` writes.

    Returns
    -------
    dict
        ``beta_jp_lag1``, ``beta_jp_lag0``, ``beta_jp_lag2``, ``tau`` (years since joining ->
        effect; 2 means 2 or more), ``theta_ikm_to_iku``, ``phi_jp_lag1_to_iku``, ``cohorts``
        (unit_id -> cohort year), ``nonklasikal_credit``, ``seed`` and ``unit_year``: a DataFrame
        with, per unit-year, ``jp_per_asn`` (credited JP / ASN, as the pipeline computes it),
        ``jp_per_asn_lag1``, ``share_20jp``, ``spend_per_asn_real`` (Rp, prices of the last
        year), ``ikm_expected`` (true expected IKM), ``ikm_sample`` (IKM of the generated
        answers), ``iku_expected``, ``n_respondents``, ``event_time`` and ``tau``.

    Examples
    --------
    >>> t = truth(2026)  # doctest: +SKIP
    >>> t["beta_jp_lag1"]  # doctest: +SKIP
    0.06
    """
    data = simulate(seed)
    out = {k: (dict(v) if isinstance(v, MappingProxyType) else v) for k, v in TRUE_EFFECTS.items()}
    out.update(
        seed=seed,
        cohorts=dict(data.cohorts),
        nonklasikal_credit=dict(NONKLASIKAL_CREDIT),
        unit_year=data.unit_year.copy(),
    )
    return out


def _truth_md(data: DemoData) -> str:
    te = TRUE_EFFECTS
    uy = data.unit_year
    cohort_lines = "\n".join(
        f"| {year} | {', '.join(u for u, c in data.cohorts.items() if c == year)} |"
        for year in PROGRAMME_COHORTS
    )
    n_never = uy["unit_id"].nunique() - len(data.cohorts)
    ikm = uy["ikm_expected"]
    return f"""\
# TRUTH: the effects built into the synthetic demo (seed {data.seed})

The data in this folder are SYNTHETIC. This file states the data-generating process, the
true value of each effect, the exact estimand, and the specification that recovers it from
the panel the pipeline builds from these files. `evaluation.demo.truth(seed={data.seed})`
returns the same parameters and, per unit-year, the true quantities (recomputed from the seed).

## Panel quantities (as the pipeline computes them)

- `jp_per_asn` (unit i, year t) = sum over the unit's training events in year t of credited JP
  divided by `jumlah_asn` from `staff.csv`; credited JP = `jp` for klasikal events, `jp` x
  `jp.nonklasikal_credit[bentuk]` for nonklasikal events (all 1.0 except `seminar` 0.5).
- `jp_per_asn_lag1` = `jp_per_asn` of calendar year t-1 of the same unit (missing in a unit's
  first year: {FIRST_YEAR} for all units, {NEW_UNIT_YEAR} for {NEW_UNIT}).
- `ikm` = 25 x mean over U1-U9 of the element means of the answers (exact 1/9 weights;
  skipped answers left out of their element's mean).
- `share_20jp` = number of ASN whose credited JP in the year reach 20 (the PP 11/2017
  entitlement), divided by `jumlah_asn` (ASN without any training row count as 0 JP).
- `spend_per_asn_real` = sum of `biaya` over the unit's events / `jumlah_asn` x `ihk` of
  {LAST_YEAR} / `ihk` of the year (rupiah at {LAST_YEAR} prices).
- `iku` = `capaian_iku`.

## Data-generating process

1. **Training.** Each unit has a level of JP per ASN (higher at BKPP, lower in large front-line
   units), times a common year pattern (including the COVID-19 drop in 2020 and partial recovery
   in 2021, when classroom training moved to e-learning), times a unit-year shock drawn
   independently of everything else (log-normal, sd {_JP_SHOCK_SD}), so shocks are independent
   over time and of programme timing. Events are drawn per ASN around that target (persistent
   individual propensity, Poisson number of events, activity mix by year). The programme course
   replaces other training inside the unit's hours in its cohort year, so joining the programme
   does not move expected JP per ASN. Units with more training have somewhat higher IKM levels
   (alpha), so a pooled cross-section is confounded; unit fixed effects remove that.
2. **Expected IKM.** IKM*_it = alpha_i + gamma_t + beta x jp_per_asn_(i,t-1) + tau(e_it) + u_it,
   with u_it ~ N(0, {_IKM_SD_U}) independent of training, and e_it = t - cohort year of unit i.
   `jp_per_asn_(i,t-1)` is the realised value computed from the files (for a unit's first year,
   a value drawn from the same process; that year has no lag in the data and drops out).
   IKM* ranges {ikm.min():.1f}-{ikm.max():.1f} (mean {ikm.mean():.1f}).
3. **SKM answers.** Element targets are IKM*/25 plus element offsets that sum to zero (U8
   penanganan pengaduan {ELEMENT_OFFSETS[7]:+.2f}, U3 waktu {ELEMENT_OFFSETS[2]:+.2f}, U4 biaya/tarif
   {ELEMENT_OFFSETS[3]:+.2f}, but {_FEE_U4_SHIFT:+.2f} more in units that charge a fee or tariff, plus small unit
   offsets). Each answer is the floor of its target or one more, with the probability that makes
   the expected answer equal the target exactly; answers are correlated within a respondent
   (Gaussian copula, correlation 0.4) without changing those means. About 1% of answers are
   skipped at random; about 3% of unit-years ran no survey. Respondents per unit-year: 60-450,
   so many unit-years fall short of the Krejcie-Morgan sample for their population.
4. **IKU.** IKU_it = delta_i + eta_t + theta x (IKM_it - 80) + phi x jp_per_asn_(i,t-1) + v_it,
   v_it ~ N(0, {_IKU_SD_V}), where IKM_it is the IKM computed from the generated answers (not IKM*),
   so the chain's estimand carries no survey measurement error. In the few unit-years without a
   survey, IKM* is used instead (those rows have no `ikm` and drop out). Complaints
   (`pengaduan`) fall with IKM* but are descriptive only.

## True effects and the specification that recovers each

| Effect | True value | Estimand | Specification (fixest syntax, CRV1 clustered by unit) |
|---|---|---|---|
| Dose-response, lag 1 (headline) | beta = {te["beta_jp_lag1"]} IKM points per JP per ASN (+10 JP per ASN -> +{10 * te["beta_jp_lag1"]:.1f}) | change in expected IKM in year t per extra JP per ASN in year t-1, linear | `ikm ~ jp_per_asn_lag1 \\| unit + year` |
| Lag 0 and lag 2 | {te["beta_jp_lag0"]} and {te["beta_jp_lag2"]} | same, for training in year t and t-2 | `ikm ~ jp_per_asn + jp_per_asn_lag1 + jp_per_asn_lag2 \\| unit + year` |
| Placebo lead | 0 | training in t+1 does not change IKM in t | add `jp_per_asn_lead1` |
| Programme, years since joining | e < 0: 0 (no anticipation); e = 0: {te["tau"][0]}; e = 1: {te["tau"][1]}; e >= 2: {te["tau"][2]} IKM points, the same for every cohort | ATT by event time | `ikm ~ i(event_time, ref=-1) + jp_per_asn_lag1 \\| unit + year` (TWFE event study; leads binned at -4, lags at +2; never-joined units as controls); effects are homogeneous, so TWFE and Callaway-Sant'Anna target the same numbers |
| IKM -> IKU | theta = {te["theta_ikm_to_iku"]} IKU percentage points per IKM point | effect of realised IKM on IKU achievement | `iku ~ ikm + jp_per_asn_lag1 \\| unit + year` |
| Direct JP -> IKU | phi = {te["phi_jp_lag1_to_iku"]} | effect of lagged JP per ASN on IKU holding IKM fixed | same model, coefficient of `jp_per_asn_lag1` |
| Chain JP -> IKM -> IKU | beta x theta = {te["beta_jp_lag1"] * te["theta_ikm_to_iku"]:.3f} IKU points per JP per ASN (indirect; total the same since phi = 0) | product of the two links | the two models above |

The headline model omits the programme; it stays unbiased because training shocks are drawn
independently of programme timing (the omitted tau is uncorrelated with lagged JP within unit
and year). IKM does not feed back into training, so there is no reverse causation by design;
real data offer no such guarantee.

## Programme cohorts

| Cohort (tahun_angkatan) | Units |
|---|---|
{cohort_lines}

{n_never} units never join ({NEW_UNIT}, created in {NEW_UNIT_YEAR}, is never eligible).

## Checks

`tests/test_demo.py` rebuilds the panel from these files independently, estimates the
specifications above with pyfixest, and checks that each true value lies inside the 95%
confidence interval (event-time effects jointly); a slow test repeats this over several seeds.
"""
