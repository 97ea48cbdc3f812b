"""The synthetic demo study: Kota Semarang, 2015-2024, with known true effects.

Everything here is SYNTHETIC. The agency and kecamatan names are the city's public
names; every person, NIP, training record, survey answer and performance number is
invented from a fixed seed. The data-generating process is written so that each true
effect is identified by a stated specification (see :data:`TRUE_EFFECTS` and the
``TRUTH.md`` written beside the data):

* JP per ASN per unit-year varies by unit level, a common year pattern (with the
  COVID-19 dip of 2020-2021) and unit-year shocks drawn independently of everything
  else, including programme timing (the programme course replaces other training inside
  the unit's hours, so it does not move JP per ASN).
* Expected IKM_it = alpha_i + gamma_t + beta * jp_per_asn_{i,t-1} + tau(e_it) + u_it,
  where ``jp_per_asn`` is the *realised* value the pipeline computes from the generated
  events (credited JP summed over the unit's events / ``jumlah_asn``).
* SKM answers are drawn so that each element's expected mean equals its target exactly
  (a two-point mixture on adjacent answers, correlated within a respondent through a
  Gaussian copula), with element offsets that average to zero.
* IKU_it = delta_i + eta_t + theta * (IKM_realised_it - 80) + phi * jp_per_asn_{i,t-1}
  + v_it, where IKM_realised is the IKM computed from the generated answers.

:func:`simulate` is pure (seed in, DataFrames out); :func:`generate` is the writing edge.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._spec import (
    _AGENCY_SPECS,
    _BENTUK,
    _COMPETENCY,
    _COMPETENCY_P,
    _ETA,
    _FEE_U4_SHIFT,
    _FIRST_F,
    _FIRST_M,
    _GAMMA,
    _IKM_BASE,
    _IKM_SD_U,
    _IKU_SD_V,
    _INFLATION,
    _JP_LEVEL_MEAN,
    _JP_SHOCK_SD,
    _JP_YEAR,
    _LAST_F,
    _LAST_M,
    _MIX_BY_YEAR,
    _PROGRAMS,
    ACTIVITIES,
    AGENCIES,
    DEFAULT_SEED,
    ELEMENT_OFFSETS,
    FIRST_YEAR,
    KECAMATAN_POPULATION_2022,
    LAST_YEAR,
    NEW_UNIT,
    NEW_UNIT_YEAR,
    NONKLASIKAL_CREDIT,
    PROGRAMME_COHORTS,
    PROGRAMME_COST_2015,
    PROGRAMME_JP,
    PROGRAMME_NAME,
    SKM_ELEMENTS,
    TRUE_EFFECTS,
    YEARS,
)


@dataclass(frozen=True)
class DemoData:
    """What :func:`simulate` returns: the input tables as written (Indonesian headers),
    and the truth behind them.

    ``tables`` maps file names (``units.csv``, ``training.parquet``, ...) to DataFrames;
    ``unit_year`` holds one row per unit-year with the true quantities.
    """

    seed: int
    tables: dict[str, pd.DataFrame] = field(repr=False)
    unit_year: pd.DataFrame = field(repr=False)
    cohorts: dict[str, int] = field(repr=False)


# ---- units and staff -------------------------------------------------------------------------


def _units() -> pd.DataFrame:
    rows = []
    for (jenis, nama), spec in zip(AGENCIES, _AGENCY_SPECS, strict=True):
        code, sector, asn, pop, jp_tilt, ikm_tilt, fee = spec
        rows.append(
            (
                code,
                nama,
                jenis,
                sector,
                pop,
                NEW_UNIT_YEAR if code == NEW_UNIT else None,
                asn,
                jp_tilt,
                ikm_tilt,
                fee,
            )
        )
    for kec, pop in KECAMATAN_POPULATION_2022.items():
        code = "KEC_" + kec.upper().replace(" ", "_")
        asn = int(round(100 + pop / 1_000))  # kecamatan office plus its kelurahan offices
        rows.append(
            (code, f"Kecamatan {kec}", "Kecamatan", "kewilayahan", pop, None, asn, 0.90, 1.0, False)
        )
    df = pd.DataFrame(
        rows,
        columns=[
            "unit_id",
            "unit_name",
            "unit_type",
            "sector",
            "population_served",
            "created_year",
            "asn_2024",
            "jp_tilt",
            "ikm_tilt",
            "fee",
        ],
    )
    df["created_year"] = df["created_year"].astype("Int64")
    return df


def _unit_years(units: pd.DataFrame) -> list[tuple[int, int]]:
    out = []
    for i, created in enumerate(units["created_year"]):
        first = FIRST_YEAR if pd.isna(created) else max(FIRST_YEAR, int(created))
        out += [(i, t) for t in YEARS if t >= first]
    return out


_STAFF_TREND = dict(
    zip(YEARS, (1.07, 1.06, 1.05, 1.03, 1.02, 1.00, 0.98, 0.98, 0.99, 1.00), strict=True)
)


def _staff_sizes(units: pd.DataFrame, rng: np.random.Generator) -> dict[tuple[int, int], int]:
    sizes = {}
    for i, t in _unit_years(units):
        base = units.at[i, "asn_2024"] * _STAFF_TREND[t]
        sizes[i, t] = max(25, int(round(base * np.exp(rng.normal(0, 0.02)))))
    return sizes


# ---- people ------------------------------------------------------------------------------------


@dataclass
class _People:
    birth: list = field(default_factory=list)  # (year, month, day)
    appt: list = field(default_factory=list)  # (year, month)
    sex: list = field(default_factory=list)
    name: list = field(default_factory=list)
    weight: list = field(default_factory=list)  # persistent training propensity (mean 1)

    def add(self, rng: np.random.Generator, n: int, year: int, *, new_hires: bool) -> np.ndarray:
        start = len(self.sex)
        age_at_appt = rng.integers(21, 36, n)
        tenure = (
            np.zeros(n, int) if new_hires else np.minimum(rng.integers(0, 31, n), 57 - age_at_appt)
        )
        appt_year = year - tenure
        sex = rng.integers(1, 3, n)
        first = rng.integers(0, 30, n)
        last = rng.integers(0, 20, n)
        for k in range(n):
            self.birth.append(
                (
                    int(appt_year[k] - age_at_appt[k]),
                    int(rng.integers(1, 13)),
                    int(rng.integers(1, 29)),
                )
            )
            self.appt.append((int(appt_year[k]), int(rng.choice((1, 3, 4, 12)))))
            self.sex.append(int(sex[k]))
            if sex[k] == 1:
                self.name.append(f"{_FIRST_M[first[k]]} {_LAST_M[last[k]]}")
            else:
                self.name.append(f"{_FIRST_F[first[k]]} {_LAST_F[last[k]]}")
        self.weight.extend(rng.gamma(2.0, 0.5, n).tolist())
        return np.arange(start, start + n)

    def nips(self) -> list[str]:
        """18-digit NIP: birth YYYYMMDD, appointment YYYYMM, sex digit, 3-digit sequence."""
        seen: dict[str, int] = {}
        out = []
        for (by, bm, bd), (ay, am), sx in zip(self.birth, self.appt, self.sex, strict=True):
            prefix = f"{by:04d}{bm:02d}{bd:02d}{ay:04d}{am:02d}{sx}"
            seen[prefix] = seen.get(prefix, 0) + 1
            out.append(f"{prefix}{seen[prefix]:03d}")
        return out


def _rosters(units, sizes, rng) -> tuple[_People, dict[tuple[int, int], np.ndarray]]:
    people = _People()
    rosters: dict[tuple[int, int], np.ndarray] = {}
    for i in range(len(units)):
        roster = None
        for t in YEARS:
            if (i, t) not in sizes:
                continue
            n = sizes[i, t]
            if roster is None:
                roster = people.add(rng, n, t, new_hires=False)
            else:
                birth_year = np.array([people.birth[p][0] for p in roster])
                stays = (t - birth_year < 58) & (rng.random(len(roster)) > 0.015)
                roster = roster[stays]
                if len(roster) > n:
                    roster = np.sort(rng.choice(roster, n, replace=False))
                elif len(roster) < n:
                    roster = np.concatenate(
                        [roster, people.add(rng, n - len(roster), t, new_hires=True)]
                    )
            rosters[i, t] = roster
    return people, rosters


# ---- training -----------------------------------------------------------------------------------


def _cpi() -> dict[int, float]:
    level = {2018: 100.0}
    for t in (2019, 2020, 2021, 2022, 2023, 2024):
        level[t] = level[t - 1] * (1 + _INFLATION[t] / 100)
    for t in (2017, 2016, 2015):
        level[t] = level[t + 1] / (1 + _INFLATION[t + 1] / 100)
    return {t: round(level[t], 2) for t in YEARS}


def _cohorts(units: pd.DataFrame, rng: np.random.Generator) -> dict[str, int]:
    eligible = [u for u in units["unit_id"] if u != NEW_UNIT]
    order = rng.permutation(len(eligible))
    out, k = {}, 0
    for year, n in PROGRAMME_COHORTS.items():
        for j in order[k : k + n]:
            out[eligible[j]] = year
        k += n
    return dict(sorted(out.items()))


def _draw_index(rng, probs: np.ndarray) -> np.ndarray:
    """One categorical draw per row of ``probs`` (rows sum to one)."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(probs))
    return np.minimum((u[:, None] > cum).sum(axis=1), probs.shape[1] - 1)


def _training(units, rosters, people, cohorts, levels, cpi, rng):
    jp_choices = [np.array(ACTIVITIES[b][1], float) for b in _BENTUK]
    credit = np.array([ACTIVITIES[b][2] for b in _BENTUK])
    mean_credited = {
        t: float(np.dot(_MIX_BY_YEAR[t], [c.mean() for c in jp_choices] * credit)) for t in YEARS
    }
    persons, units_, years_, lam, course_rows, target = [], [], [], [], [], {}
    for (i, t), roster in rosters.items():
        n = len(roster)
        target[i, t] = (
            levels[i] * _JP_YEAR[t] * np.exp(rng.normal(0, _JP_SHOCK_SD) - _JP_SHOCK_SD**2 / 2)
        )
        course_jp = 0.0
        if cohorts.get(units.at[i, "unit_id"]) == t:
            k = max(6, int(round(0.04 * n)))
            course_rows += [(p, i, t) for p in np.sort(rng.choice(roster, k, replace=False))]
            course_jp = k * PROGRAMME_JP  # the course replaces other training in the unit's hours
        w = np.array([people.weight[p] for p in roster])
        other = max(target[i, t] * n - course_jp, 0.0)
        persons.append(roster)
        units_.append(np.full(n, i))
        years_.append(np.full(n, t))
        lam.append(w / w.sum() * other / mean_credited[t])
    person, unit, year = (np.concatenate(a) for a in (persons, units_, years_))
    n_events = rng.poisson(np.concatenate(lam))
    person, unit, year = (np.repeat(a, n_events) for a in (person, unit, year))
    mix = np.array([_MIX_BY_YEAR[t] for t in YEARS])
    b = _draw_index(rng, mix[year - FIRST_YEAR])
    pick = rng.random(len(b))
    jp = np.array(
        [jp_choices[bb][int(u * len(jp_choices[bb]))] for bb, u in zip(b, pick, strict=True)]
    )
    comp = _draw_index(rng, np.array([_COMPETENCY_P[_BENTUK[k]] for k in range(len(_BENTUK))])[b])
    # classroom events in 2020-2021 cluster before the pandemic and late in 2021
    month_p = np.full((len(YEARS), 2, 12), 1 / 12)
    month_p[2020 - FIRST_YEAR, 0] = np.array([4, 4, 4, 0, 0, 0, 0, 0, 0, 1, 1, 1]) / 15
    month_p[2021 - FIRST_YEAR, 0] = np.array([0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 2, 2]) / 7
    klas = np.array([ACTIVITIES[_BENTUK[k]][0] == "klasikal" for k in b])
    month = _draw_index(rng, month_p[year - FIRST_YEAR, (~klas).astype(int)]) + 1
    day = rng.integers(1, 29, len(b))
    noise = np.exp(rng.normal(0, 0.2, len(b)))
    unit_cost = np.array([ACTIVITIES[_BENTUK[k]][3] for k in b], float)
    free_elearning = (np.array(_BENTUK)[b] == "e_learning") & (rng.random(len(b)) < 0.5)
    cpi_ratio = np.array([cpi[t] / cpi[FIRST_YEAR] for t in YEARS])[year - FIRST_YEAR]
    cost = np.where(free_elearning, 0.0, jp * unit_cost * cpi_ratio * noise)
    prog_pick = rng.random(len(b))
    program = []
    for k, c, u in zip(b, comp, prog_pick, strict=True):
        bentuk = _BENTUK[k]
        titles = _PROGRAMS.get((bentuk, _COMPETENCY[c])) or _PROGRAMS[bentuk, None]
        program.append(titles[int(u * len(titles))])
    events = pd.DataFrame(
        {
            "person": person,
            "unit": unit,
            "tahun": year,
            "month": month,
            "day": day,
            "jp": jp,
            "jenis_kompetensi": np.array(_COMPETENCY)[comp],
            "jalur": np.where(klas, "klasikal", "nonklasikal"),
            "bentuk": np.array(_BENTUK)[b],
            "program": program,
            "biaya": cost,
        }
    )
    if course_rows:
        cp, cu, ct = (np.array(x) for x in zip(*course_rows, strict=True))
        course = pd.DataFrame(
            {
                "person": cp,
                "unit": cu,
                "tahun": ct,
                "month": 8,
                "day": rng.integers(1, 29, len(cp)),
                "jp": PROGRAMME_JP,
                "jenis_kompetensi": "Manajerial",
                "jalur": "klasikal",
                "bentuk": "pelatihan",
                "program": PROGRAMME_NAME,
                "biaya": PROGRAMME_COST_2015
                * np.array([cpi[t] / cpi[FIRST_YEAR] for t in ct])
                * np.exp(rng.normal(0, 0.05, len(cp))),
            }
        )
        events = pd.concat([events, course], ignore_index=True)
    events["biaya"] = (events["biaya"] / 1000).round().astype("int64") * 1000
    events["credited"] = events["jp"] * events["bentuk"].map(
        lambda x: NONKLASIKAL_CREDIT.get(x, 1.0)
    )
    return events, target


# ---- SKM, IKM, IKU ------------------------------------------------------------------------------


def _skm_answers(rng, targets: np.ndarray, n: int, missing_share: float) -> np.ndarray:
    """``n`` respondents x 9 answers whose expected element means equal ``targets``."""
    floor = np.floor(targets)
    frac = targets - floor
    shared = rng.standard_normal((n, 1))
    z = np.sqrt(0.4) * shared + np.sqrt(0.6) * rng.standard_normal((n, len(targets)))
    from scipy.special import ndtr  # local: keeps `import evaluation.demo` light

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


# ---- the pure simulation -------------------------------------------------------------------------


def _tau(e: float) -> float:
    if np.isnan(e) or e < 0:
        return 0.0
    return float(TRUE_EFFECTS["tau"][min(int(e), 2)])


@functools.lru_cache(maxsize=4)
def simulate(seed: int = DEFAULT_SEED) -> DemoData:
    """Generate the whole demo study in memory (pure: the same seed gives the same frames).

    Parameters
    ----------
    seed : int
        Seed of NumPy's PCG64 generator; every table follows from it.

    Returns
    -------
    DemoData
        ``tables`` (file name -> DataFrame with the headers written to disk) and
        ``unit_year`` (the true quantities per unit-year). Results are cached per seed:
        treat the frames as read-only (copy before changing them).

    Examples
    --------
    >>> data = simulate(2026)  # doctest: +SKIP
    >>> sorted(data.tables)  # doctest: +SKIP
    ['cpi.csv', 'iku.csv', 'programme.csv', 'skm.parquet', 'staff.csv', 'training.parquet', 'units.csv']
    """
    rng = np.random.default_rng(seed)
    units = _units()
    sizes = _staff_sizes(units, rng)
    people, rosters = _rosters(units, sizes, rng)
    cpi = _cpi()
    cohorts = _cohorts(units, rng)
    levels = _JP_LEVEL_MEAN * units["jp_tilt"].to_numpy() * np.exp(rng.normal(0, 0.2, len(units)))
    events, target = _training(units, rosters, people, cohorts, levels, cpi, rng)

    # realised investment per unit-year, exactly as the pipeline computes it
    uy = pd.DataFrame(sorted(sizes), columns=["unit", "year"])
    uy["asn_count"] = [sizes[k] for k in zip(uy["unit"], uy["year"], strict=True)]
    uy["jp_target"] = [target[k] for k in zip(uy["unit"], uy["year"], strict=True)]
    by = events.groupby(["unit", "tahun"])
    uy = uy.merge(
        by["credited"].sum().rename("jp_total").reset_index().rename(columns={"tahun": "year"}),
        on=["unit", "year"],
        how="left",
    )
    uy = uy.merge(
        by["biaya"].sum().rename("cost_total").reset_index().rename(columns={"tahun": "year"}),
        on=["unit", "year"],
        how="left",
    )
    person_jp = events.groupby(["unit", "tahun", "person"])["credited"].sum()
    reach = (person_jp >= 20).groupby(level=[0, 1]).sum().rename("n_20jp").reset_index()
    uy = uy.merge(reach.rename(columns={"tahun": "year"}), on=["unit", "year"], how="left")
    uy[["jp_total", "cost_total", "n_20jp"]] = uy[["jp_total", "cost_total", "n_20jp"]].fillna(0)
    uy["jp_per_asn"] = uy["jp_total"] / uy["asn_count"]
    uy["share_20jp"] = uy["n_20jp"] / uy["asn_count"]
    uy["spend_per_asn_real"] = (
        uy["cost_total"] / uy["asn_count"] * cpi[LAST_YEAR] / uy["year"].map(cpi)
    )
    prev = uy.set_index(["unit", "year"])["jp_per_asn"]
    uy["jp_per_asn_lag1"] = [
        prev.get((u, t - 1), np.nan) for u, t in zip(uy["unit"], uy["year"], strict=True)
    ]
    # the year before a unit's first data year still happened: draw it from the same process
    latent = (
        levels[uy["unit"]]
        * np.array([_JP_YEAR.get(t - 1, 0.85) for t in uy["year"]])
        * np.exp(rng.normal(0, _JP_SHOCK_SD, len(uy)) - _JP_SHOCK_SD**2 / 2)
    )
    jp_lag_used = uy["jp_per_asn_lag1"].fillna(pd.Series(latent, index=uy.index))

    # true expected IKM
    alpha = (
        _IKM_BASE
        + units["ikm_tilt"].to_numpy()
        + 0.08 * (levels - _JP_LEVEL_MEAN)
        + rng.normal(0, 2.5, len(units))
    )
    uy["unit_id"] = units["unit_id"].to_numpy()[uy["unit"]]
    uy["cohort_year"] = uy["unit_id"].map(cohorts).astype("Int64")
    uy["event_time"] = (uy["year"] - uy["cohort_year"]).astype("Int64")
    uy["tau"] = [_tau(np.nan if pd.isna(e) else float(e)) for e in uy["event_time"]]
    uy["u"] = rng.normal(0, _IKM_SD_U, len(uy))
    uy["ikm_expected"] = (
        alpha[uy["unit"]]
        + uy["year"].map(_GAMMA)
        + TRUE_EFFECTS["beta_jp_lag1"] * jp_lag_used
        + uy["tau"]
        + uy["u"]
    )

    # SKM answers
    offsets = np.tile(np.array(ELEMENT_OFFSETS), (len(units), 1))
    fee = units["fee"].to_numpy()
    offsets[fee, 3] += _FEE_U4_SHIFT
    offsets[fee] -= _FEE_U4_SHIFT / 9
    own = rng.normal(0, 0.06, offsets.shape)
    offsets += own - own.mean(axis=1, keepdims=True)
    base_n = rng.integers(90, 421, len(units))
    surveyed = rng.random(len(uy)) > 0.03
    skm_parts, n_resp, ikm_real = [], [], []
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
        part.insert(0, "kode_opd", units.at[i, "unit_id"])
        skm_parts.append(part)
    uy["n_respondents"] = n_resp
    uy["ikm_sample"] = ikm_real
    skm = pd.concat(skm_parts, ignore_index=True)
    for col in SKM_ELEMENTS:
        skm[col] = skm[col].astype("Int8")

    # IKU: realised IKM where surveyed (no survey error in the chain's estimand), else expected
    delta = rng.normal(97, 4, len(units))
    ikm_for_iku = uy["ikm_sample"].fillna(uy["ikm_expected"])
    uy["iku_expected"] = (
        delta[uy["unit"]]
        + uy["year"].map(_ETA)
        + TRUE_EFFECTS["theta_ikm_to_iku"] * (ikm_for_iku - 80)
        + TRUE_EFFECTS["phi_jp_lag1_to_iku"] * jp_lag_used
    )
    uy["iku"] = (uy["iku_expected"] + rng.normal(0, _IKU_SD_V, len(uy))).round(2)
    scale = (units["asn_2024"].to_numpy() / 8 + units["population_served"].to_numpy() / 40_000)[
        uy["unit"]
    ]
    complaints = rng.poisson(scale * np.exp(-0.08 * (uy["ikm_expected"] - 82)))

    tables = _as_files(units, sizes, uy, events, people, skm, cohorts, cpi, complaints)
    unit_year = uy[
        [
            "unit_id",
            "year",
            "asn_count",
            "jp_target",
            "jp_per_asn",
            "jp_per_asn_lag1",
            "share_20jp",
            "spend_per_asn_real",
            "cohort_year",
            "event_time",
            "tau",
            "ikm_expected",
            "n_respondents",
            "ikm_sample",
            "iku_expected",
            "iku",
        ]
    ].copy()
    unit_year.insert(2, "unit_name", units["unit_name"].to_numpy()[uy["unit"]])
    unit_year = unit_year.sort_values(["unit_id", "year"], ignore_index=True)
    return DemoData(seed=seed, tables=tables, unit_year=unit_year, cohorts=cohorts)


def _as_files(
    units, sizes, uy, events, people, skm, cohorts, cpi, complaints
) -> dict[str, pd.DataFrame]:
    code = units["unit_id"].to_numpy()
    units_out = pd.DataFrame(
        {
            "kode_opd": code,
            "nama_opd": units["unit_name"],
            "jenis_opd": units["unit_type"],
            "sektor": units["sector"],
            "populasi_layanan": units["population_served"],
            "tahun_dibentuk": units["created_year"],
        }
    )
    staff = pd.DataFrame(
        {"kode_opd": code[uy["unit"]], "tahun": uy["year"], "jumlah_asn": uy["asn_count"]}
    )
    staff = staff.sort_values(["kode_opd", "tahun"], ignore_index=True)
    nips = np.array(people.nips())
    names = np.array(people.name)
    dates = np.array(
        (events["tahun"] - 1970) * 12 + events["month"] - 1, dtype="datetime64[M]"
    ).astype("datetime64[D]") + np.array(events["day"] - 1, dtype="timedelta64[D]")
    training = pd.DataFrame(
        {
            "nip": nips[events["person"]],
            "nama": names[events["person"]],
            "kode_opd": code[events["unit"]],
            "tahun": events["tahun"].astype("int32"),
            "tanggal": dates,
            "jp": events["jp"].astype(float),
            "jenis_kompetensi": events["jenis_kompetensi"],
            "jalur": events["jalur"],
            "bentuk": events["bentuk"],
            "program": events["program"],
            "biaya": events["biaya"],
        }
    )
    training = training.sort_values(
        ["tahun", "kode_opd", "nip", "tanggal", "program", "jp"], ignore_index=True, kind="stable"
    )
    skm = skm.sort_values(["kode_opd", "tahun", "id_responden"], ignore_index=True)
    iku = pd.DataFrame(
        {
            "kode_opd": code[uy["unit"]],
            "tahun": uy["year"],
            "capaian_iku": uy["iku"],
            "pengaduan": complaints,
        }
    )
    iku = iku.sort_values(["kode_opd", "tahun"], ignore_index=True)
    return {
        "units.csv": units_out,
        "staff.csv": staff,
        "training.parquet": training,
        "skm.parquet": skm,
        "iku.csv": iku,
        "cpi.csv": pd.DataFrame({"tahun": list(cpi), "ihk": list(cpi.values())}),
        "programme.csv": pd.DataFrame(
            {"kode_opd": list(cohorts), "tahun_angkatan": list(cohorts.values())}
        ),
    }
