"""The demo's training records: a plan per unit-year, then one row per event per ASN.

Per unit-year the plan fixes the credited JP per ASN the unit aims at (the unit's level x
the year pattern x a log-normal shock), its mix by competency type (Dirichlet around
:data:`~evaluation.demo._spec.TYPE_SHARE_MEAN`, drawn independently of the total), its
propensity for digital programme titles, and who takes the programme course in the
unit's cohort year. Events are then drawn per ASN and type (Poisson, with a persistent
individual propensity); the activity (bentuk) is drawn given the type from the year's
activity mix, so the COVID-19 move to e-learning shows in every type.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._spec import (
    _BENTUK,
    _COMPETENCY,
    _COMPETENCY_P,
    _DIGITAL_P,
    _DIGITAL_SD,
    _JP_SHOCK_SD,
    _JP_YEAR,
    _MIX_BY_YEAR,
    _PROGRAMS,
    _TYPE_CONCENTRATION,
    ACTIVITIES,
    FIRST_YEAR,
    NONKLASIKAL_CREDIT,
    PROGRAMME_COST_2015,
    PROGRAMME_JP,
    PROGRAMME_NAME,
    TYPE_CODES,
    TYPE_SHARE_MEAN,
    YEARS,
)

_MANAJERIAL = TYPE_CODES.index("manajerial")


@dataclass(frozen=True)
class TrainingPlan:
    """Per unit-year (rows in roster order): ``unit``, ``year``, ``asn_count``,
    ``jp_target`` (credited JP per ASN aimed at), ``share_<type>`` (the unit-year's
    expected mix of credited JP), ``digital`` (odds multiplier for digital titles); and
    the programme course's participants per (unit, year)."""

    unit_year: pd.DataFrame
    course: dict[tuple[int, int], np.ndarray]


def draw_index(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One categorical draw per row of ``probs`` (rows sum to one)."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(probs))
    return np.minimum((u[:, None] > cum).sum(axis=1), probs.shape[1] - 1)


def activity_given_type() -> tuple[np.ndarray, np.ndarray]:
    """P(bentuk | type, year) as (year, bentuk, type), and the mean credited JP of an
    event of each type in each year as (year, type)."""
    credit = np.array([ACTIVITIES[b][2] for b in _BENTUK])
    mean_jp = np.array([np.mean(ACTIVITIES[b][1]) for b in _BENTUK]) * credit
    mix = np.array([_MIX_BY_YEAR[t] for t in YEARS])
    type_p = np.array([_COMPETENCY_P[b] for b in _BENTUK])
    b_given_k = mix[:, :, None] * type_p[None, :, :]
    b_given_k /= b_given_k.sum(axis=1, keepdims=True)
    return b_given_k, np.einsum("tbk,b->tk", b_given_k, mean_jp)


def plan_training(
    unit_ids: np.ndarray,
    rosters: dict[tuple[int, int], np.ndarray],
    cohorts: dict[str, int],
    levels: np.ndarray,
    rng: np.random.Generator,
    mix_rng: np.random.Generator,
) -> TrainingPlan:
    """The plan per unit-year; ``mix_rng`` draws the type mixes and digital propensities
    (a stream of its own, so that the mix can be studied apart from the totals)."""
    share_mean = np.array([TYPE_SHARE_MEAN[k] for k in TYPE_CODES])
    keys = list(rosters)
    unit = np.array([i for i, _ in keys])
    year = np.array([t for _, t in keys])
    shock = rng.normal(0, _JP_SHOCK_SD, len(keys)) - _JP_SHOCK_SD**2 / 2
    shares = mix_rng.dirichlet(_TYPE_CONCENTRATION * share_mean, len(keys))
    digital = np.exp(mix_rng.normal(0, _DIGITAL_SD, len(keys)))
    course = {}
    for i, t in keys:
        if cohorts.get(str(unit_ids[i])) == t:
            k = max(6, int(round(0.04 * len(rosters[i, t]))))
            course[i, t] = np.sort(rng.choice(rosters[i, t], k, replace=False))
    frame = pd.DataFrame({
        "unit": unit, "year": year, "asn_count": [len(rosters[k]) for k in keys],
        "jp_target": levels[unit] * np.array([_JP_YEAR[t] for t in year]) * np.exp(shock),
        **{f"share_{k}": shares[:, j] for j, k in enumerate(TYPE_CODES)},
        "digital": digital,
    })
    return TrainingPlan(frame, course)


def _event_counts(plan: TrainingPlan, rosters, weight: np.ndarray, rng: np.random.Generator):
    """Person, unit, year and type of every event (course excluded)."""
    _, mean_credited = activity_given_type()
    share_cols = [f"share_{k}" for k in TYPE_CODES]
    persons, lam = [], []
    uy = plan.unit_year
    for i, t, target, shares in zip(uy["unit"], uy["year"], uy["jp_target"],
                                    uy[share_cols].to_numpy(), strict=True):
        roster = rosters[i, t]
        type_jp = target * len(roster) * shares
        # the course replaces other managerial training inside the unit's hours
        taken = len(plan.course.get((i, t), ())) * PROGRAMME_JP
        type_jp[_MANAJERIAL] = max(type_jp[_MANAJERIAL] - taken, 0.0)
        w = weight[roster]
        persons.append(roster)
        lam.append(np.outer(w / w.sum(), type_jp / mean_credited[t - FIRST_YEAR]))
    sizes = uy["asn_count"].to_numpy()
    n_types = len(TYPE_CODES)
    counts = rng.poisson(np.concatenate(lam)).ravel()
    person = np.repeat(np.repeat(np.concatenate(persons), n_types), counts)
    unit = np.repeat(np.repeat(np.repeat(uy["unit"].to_numpy(), sizes), n_types), counts)
    year = np.repeat(np.repeat(np.repeat(uy["year"].to_numpy(), sizes), n_types), counts)
    comp = np.repeat(np.tile(np.arange(n_types), int(sizes.sum())), counts)
    return person, unit, year, comp


def _titles(b: np.ndarray, comp: np.ndarray, digital: np.ndarray, rng: np.random.Generator
            ) -> tuple[np.ndarray, np.ndarray]:
    """A programme title per event, and whether it is one of the digital titles."""
    u_group, u_pick = rng.random(len(b)), rng.random(len(b))
    titles = np.empty(len(b), dtype=object)
    is_digital = np.zeros(len(b), dtype=bool)
    for bi, bentuk in enumerate(_BENTUK):
        for ci, comp_name in enumerate(_COMPETENCY):
            mask = (b == bi) & (comp == ci)
            if not mask.any():
                continue
            ordinary, dig = _PROGRAMS.get((bentuk, comp_name)) or _PROGRAMS[bentuk, None]
            take_dig = np.zeros(int(mask.sum()), dtype=bool)
            if dig:
                odds = _DIGITAL_P / (1 - _DIGITAL_P) * digital[mask]
                take_dig = u_group[mask] < odds / (1 + odds)
            pick = u_pick[mask]
            chosen = np.where(
                take_dig,
                np.array(dig or ("",), dtype=object)[(pick * max(len(dig), 1)).astype(int)],
                np.array(ordinary, dtype=object)[(pick * len(ordinary)).astype(int)],
            )
            titles[mask] = chosen
            is_digital[mask] = take_dig
    return titles, is_digital


def draw_events(plan: TrainingPlan, rosters, weight: np.ndarray, cpi: dict[int, float],
                rng: np.random.Generator) -> pd.DataFrame:
    """One row per training event: ``person``, ``unit``, ``tahun``, ``month``, ``day``,
    ``jp``, ``jenis_kompetensi``, ``jalur``, ``bentuk``, ``program``, ``biaya`` (nominal,
    rounded to Rp 1,000), ``credited`` (JP after the nonklasikal credit) and ``digital``."""
    person, unit, year, comp = _event_counts(plan, rosters, weight, rng)
    b_given_k, _ = activity_given_type()
    b = draw_index(rng, b_given_k[year - FIRST_YEAR, :, comp])
    choices = [np.array(ACTIVITIES[x][1], float) for x in _BENTUK]
    width = max(len(c) for c in choices)
    padded = np.array([np.pad(c, (0, width - len(c)), constant_values=np.nan) for c in choices])
    n_choices = np.array([len(c) for c in choices])
    jp = padded[b, (rng.random(len(b)) * n_choices[b]).astype(int)]
    # classroom events in 2020-2021 cluster before the pandemic and late in 2021
    month_p = np.full((len(YEARS), 2, 12), 1 / 12)
    month_p[2020 - FIRST_YEAR, 0] = np.array([4, 4, 4, 0, 0, 0, 0, 0, 0, 1, 1, 1]) / 15
    month_p[2021 - FIRST_YEAR, 0] = np.array([0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 2, 2]) / 7
    klas = np.array([ACTIVITIES[x][0] == "klasikal" for x in _BENTUK])[b]
    month = draw_index(rng, month_p[year - FIRST_YEAR, (~klas).astype(int)]) + 1
    day = rng.integers(1, 29, len(b))
    noise = np.exp(rng.normal(0, 0.2, len(b)))
    unit_cost = np.array([ACTIVITIES[x][3] for x in _BENTUK], float)[b]
    free_elearning = (np.array(_BENTUK)[b] == "e_learning") & (rng.random(len(b)) < 0.5)
    cpi_ratio = np.array([cpi[t] / cpi[FIRST_YEAR] for t in YEARS])[year - FIRST_YEAR]
    cost = np.where(free_elearning, 0.0, jp * unit_cost * cpi_ratio * noise)
    uy = plan.unit_year
    digital_of = pd.Series(uy["digital"].to_numpy(),
                           index=pd.MultiIndex.from_arrays([uy["unit"], uy["year"]]))
    propensity = digital_of.reindex(pd.MultiIndex.from_arrays([unit, year])).to_numpy()
    program, is_digital = _titles(b, comp, propensity, rng)
    events = pd.DataFrame({
        "person": person, "unit": unit, "tahun": year, "month": month, "day": day, "jp": jp,
        "jenis_kompetensi": np.array(_COMPETENCY)[comp],
        "jalur": np.where(klas, "klasikal", "nonklasikal"), "bentuk": np.array(_BENTUK)[b],
        "program": program, "biaya": cost, "digital": is_digital,
    })
    events = pd.concat([events, _course_events(plan, cpi, rng)], ignore_index=True)
    events["biaya"] = (events["biaya"] / 1000).round().astype("int64") * 1000
    events["credited"] = events["jp"] * events["bentuk"].map(
        lambda x: NONKLASIKAL_CREDIT.get(x, 1.0))
    return events


def _course_events(plan: TrainingPlan, cpi: dict[int, float], rng: np.random.Generator
                   ) -> pd.DataFrame:
    rows = [(p, i, t) for (i, t), people in plan.course.items() for p in people]
    cp, cu, ct = (np.array(x, dtype=np.int64) for x in zip(*rows, strict=True)) if rows else (
        np.array([], dtype=np.int64),) * 3
    return pd.DataFrame({
        "person": cp, "unit": cu, "tahun": ct, "month": 8,
        "day": rng.integers(1, 29, len(cp)), "jp": PROGRAMME_JP,
        "jenis_kompetensi": "Manajerial", "jalur": "klasikal", "bentuk": "pelatihan",
        "program": PROGRAMME_NAME,
        "biaya": PROGRAMME_COST_2015 * np.array([cpi[t] / cpi[FIRST_YEAR] for t in ct])
        * np.exp(rng.normal(0, 0.05, len(cp))),
        "digital": False,
    })
