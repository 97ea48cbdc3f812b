"""The demo's quantities per unit-year: investment as the pipeline computes it, expected
IKM, the SKM answers drawn around it, and IKU achievement.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtr

from ._spec import (
    _COMPETENCY,
    _ETA,
    _FEE_U4_SHIFT,
    _GAMMA,
    _IKM_BASE,
    _IKM_SD_U,
    _IKU_SD_V,
    _JP_LEVEL_MEAN,
    _JP_SHOCK_SD,
    _JP_YEAR,
    _TYPE_CONCENTRATION,
    BETA_TYPE_LAG1,
    ELEMENT_OFFSETS,
    LAST_YEAR,
    PHI_JP_LAG1_TO_IKU,
    SKM_ELEMENTS,
    TAU,
    THETA_IKM_TO_IKU,
    TYPE_CODES,
    TYPE_SHARE_MEAN,
)
from ._training import TrainingPlan

#: Investment measures per unit-year, as the panel names them (per ASN) and what they sum.
EXPOSURES = ("jp_per_asn", *[f"jp_per_asn_{k}" for k in TYPE_CODES], "jp_per_asn_klasikal",
             "jp_per_asn_nonklasikal", "jp_per_asn_topic_digital")


def _parts(events: pd.DataFrame) -> pd.DataFrame:
    """Credited JP of each event split into the columns that add up to each exposure."""
    jp = events["credited"]
    out = {"jp_per_asn": jp}
    for code, name in zip(TYPE_CODES, _COMPETENCY, strict=True):
        out[f"jp_per_asn_{code}"] = jp.where(events["jenis_kompetensi"] == name, 0.0)
    for path in ("klasikal", "nonklasikal"):
        out[f"jp_per_asn_{path}"] = jp.where(events["jalur"] == path, 0.0)
    out["jp_per_asn_topic_digital"] = jp.where(events["digital"], 0.0)
    out["cost_total"] = events["biaya"].astype(float)
    return pd.DataFrame(out)


def investment(plan: TrainingPlan, events: pd.DataFrame, cpi: dict[int, float]
               ) -> pd.DataFrame:
    """Per unit-year: the plan, the exposures per ASN (and their first lags), the 20-JP
    share and real spending per ASN, computed from the events as the pipeline does."""
    uy = plan.unit_year.copy()
    keys = [events["unit"], events["tahun"]]
    sums = _parts(events).groupby(keys).sum()
    sums.index.names = ["unit", "year"]
    uy = uy.merge(sums.reset_index(), on=["unit", "year"], how="left")
    uy[list(sums.columns)] = uy[list(sums.columns)].fillna(0.0)
    for col in EXPOSURES:
        uy[col] = uy[col] / uy["asn_count"]
    person_jp = events.groupby(["unit", "tahun", "person"])["credited"].sum()
    reach = (person_jp >= 20).groupby(level=[0, 1]).sum()
    reach.index.names = ["unit", "year"]
    uy = uy.merge(reach.rename("n_20jp").reset_index(), on=["unit", "year"], how="left")
    uy["n_20jp"] = uy["n_20jp"].fillna(0)
    uy["share_20jp"] = uy["n_20jp"] / uy["asn_count"]
    uy["spend_per_asn_real"] = (
        uy["cost_total"] / uy["asn_count"] * cpi[LAST_YEAR] / uy["year"].map(cpi)
    )
    prev = uy.set_index(["unit", "year"])[list(EXPOSURES)]
    before = pd.MultiIndex.from_arrays([uy["unit"], uy["year"] - 1])
    lagged = prev.reindex(before).to_numpy()
    for j, col in enumerate(EXPOSURES):
        uy[f"{col}_lag1"] = lagged[:, j]
    return uy


def training_signal(uy: pd.DataFrame, levels: np.ndarray, rng: np.random.Generator
                    ) -> tuple[np.ndarray, np.ndarray]:
    """The training part of expected IKM (sum over types of beta_type x the type's JP per
    ASN of the previous year) and the previous year's total JP per ASN behind it. A
    unit's first data year had a previous year too: its JP per ASN by type is drawn from
    the same process (it is not in the files)."""
    lagged = uy[[f"jp_per_asn_{k}_lag1" for k in TYPE_CODES]].to_numpy()
    latent_total = (levels[uy["unit"]]
                    * np.array([_JP_YEAR.get(t - 1, 0.85) for t in uy["year"]])
                    * np.exp(rng.normal(0, _JP_SHOCK_SD, len(uy)) - _JP_SHOCK_SD**2 / 2))
    share_mean = np.array([TYPE_SHARE_MEAN[k] for k in TYPE_CODES])
    latent = latent_total[:, None] * rng.dirichlet(_TYPE_CONCENTRATION * share_mean, len(uy))
    used = np.where(np.isnan(lagged), latent, lagged)
    return used @ np.array([BETA_TYPE_LAG1[k] for k in TYPE_CODES]), used.sum(axis=1)


def _tau(e: float) -> float:
    if np.isnan(e) or e < 0:
        return 0.0
    return float(TAU[min(int(e), 2)])


def expected_ikm(uy: pd.DataFrame, units: pd.DataFrame, levels: np.ndarray,
                 cohorts: dict[str, int], rng: np.random.Generator) -> pd.DataFrame:
    """Add ``training_signal``, ``cohort_year``, ``event_time``, ``tau``, ``u`` and
    ``ikm_expected`` (IKM* = alpha_i + gamma_t + signal + tau + u)."""
    signal, total = training_signal(uy, levels, rng)
    alpha = (
        _IKM_BASE
        + units["ikm_tilt"].to_numpy()
        + 0.08 * (levels - _JP_LEVEL_MEAN)
        + rng.normal(0, 2.5, len(units))
    )
    uy["unit_id"] = units["unit_id"].to_numpy()[uy["unit"]]
    uy["training_signal"] = signal
    uy["jp_lag1_used"] = total
    uy["cohort_year"] = uy["unit_id"].map(cohorts).astype("Int64")
    uy["event_time"] = (uy["year"] - uy["cohort_year"]).astype("Int64")
    uy["tau"] = [_tau(np.nan if pd.isna(e) else float(e)) for e in uy["event_time"]]
    uy["u"] = rng.normal(0, _IKM_SD_U, len(uy))
    uy["ikm_expected"] = alpha[uy["unit"]] + uy["year"].map(_GAMMA) + signal + uy["tau"] + uy["u"]
    return uy


def _skm_answers(rng: np.random.Generator, targets: np.ndarray, n: int,
                 missing_share: float) -> np.ndarray:
    """``n`` respondents x 9 answers whose expected element means equal ``targets``."""
    floor = np.floor(targets)
    frac = targets - floor
    shared = rng.standard_normal((n, 1))
    z = np.sqrt(0.4) * shared + np.sqrt(0.6) * rng.standard_normal((n, len(targets)))
    answers = floor + (ndtr(z) < frac)  # P(up) = frac for every respondent: exact mean
    answers[rng.random(answers.shape) < missing_share] = np.nan
    return answers


def _element_targets(ikm: float, offsets: np.ndarray) -> np.ndarray:
    mean = ikm / 25
    off = offsets.copy()
    # shrink offsets (not the mean) when a target would leave the 1-4 scale
    for _ in range(20):
        t = mean + off
        if t.max() <= 3.98 and t.min() >= 1.02:
            break
        off *= 0.8
    return mean + off


def survey(uy: pd.DataFrame, units: pd.DataFrame, rng: np.random.Generator
           ) -> pd.DataFrame:
    """SKM answers around each unit-year's expected IKM (about 3% of unit-years ran no
    survey); adds ``n_respondents`` and ``ikm_sample`` (IKM of the answers) to ``uy``."""
    offsets = np.tile(np.array(ELEMENT_OFFSETS), (len(units), 1))
    fee = units["fee"].to_numpy()
    offsets[fee, 3] += _FEE_U4_SHIFT
    offsets[fee] -= _FEE_U4_SHIFT / 9
    own = rng.normal(0, 0.06, offsets.shape)
    offsets += own - own.mean(axis=1, keepdims=True)
    base_n = rng.integers(90, 421, len(units))
    surveyed = rng.random(len(uy)) > 0.03
    parts, n_resp, ikm_real = [], [], []
    for i, t, ikm_t, ok in zip(uy["unit"], uy["year"], uy["ikm_expected"], surveyed, strict=True):
        if not ok:
            n_resp.append(0)
            ikm_real.append(np.nan)
            continue
        n = int(np.clip(round(base_n[i] * np.exp(rng.normal(0, 0.2))), 60, 450))
        ans = _skm_answers(rng, _element_targets(ikm_t, offsets[i]), n, 0.01)
        n_resp.append(n)
        ikm_real.append(25 * np.nanmean(ans, axis=0).mean())
        part = pd.DataFrame(ans, columns=list(SKM_ELEMENTS))
        part.insert(0, "id_responden", [f"{t}-{k:04d}" for k in range(1, n + 1)])
        part.insert(0, "tahun", t)
        part.insert(0, "kode_opd", str(units["unit_id"].iat[i]))
        parts.append(part)
    uy["n_respondents"] = n_resp
    uy["ikm_sample"] = ikm_real
    skm = pd.concat(parts, ignore_index=True)
    for col in SKM_ELEMENTS:
        skm[col] = skm[col].astype("Int8")
    return skm


def performance(uy: pd.DataFrame, units: pd.DataFrame, rng: np.random.Generator
                ) -> np.ndarray:
    """IKU achievement (adds ``iku_expected`` and ``iku``) and the complaints count.

    Realised IKM where surveyed (no survey error in the chain's estimand), else expected.
    """
    delta = rng.normal(97, 4, len(units))
    ikm_for_iku = uy["ikm_sample"].fillna(uy["ikm_expected"])
    uy["iku_expected"] = (
        delta[uy["unit"]]
        + uy["year"].map(_ETA)
        + THETA_IKM_TO_IKU * (ikm_for_iku - 80)
        + PHI_JP_LAG1_TO_IKU * uy["jp_lag1_used"]
    )
    uy["iku"] = (uy["iku_expected"] + rng.normal(0, _IKU_SD_V, len(uy))).round(2)
    scale = (units["asn_2024"].to_numpy() / 8 + units["population_served"].to_numpy() / 40_000)[
        uy["unit"]
    ]
    return rng.poisson(scale * np.exp(-0.08 * (uy["ikm_expected"] - 82)))
