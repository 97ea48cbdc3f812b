"""The synthetic demo study: Kota Semarang, 2015-2024, with known true effects.

Everything here is SYNTHETIC. The agency and kecamatan names are the city's public
names; every person, NIP, training record, survey answer and performance number is
invented from a fixed seed. The data-generating process is written so that each true
effect is identified by a stated specification (see :data:`TRUE_EFFECTS` and the
``TRUTH.md`` written beside the data):

* JP per ASN per unit-year varies by unit level, a common year pattern (with the
  COVID-19 dip of 2020-2021) and unit-year shocks drawn independently of everything
  else, including programme timing (the programme course replaces other training inside
  the unit's hours, so it does not move JP per ASN); its mix by competency type is drawn
  around the same mean every year, independently of the total.
* Expected IKM_it = alpha_i + gamma_t + sum_k beta_k * jp_per_asn_k_{i,t-1} + tau(e_it)
  + u_it over the competency types k, where ``jp_per_asn_k`` is the *realised* value the
  pipeline computes from the generated events (see :mod:`._training`, :mod:`._outcomes`).
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

from ._outcomes import EXPOSURES, expected_ikm, investment, performance, survey
from ._spec import (
    _AGENCY_SPECS,
    _FIRST_F,
    _FIRST_M,
    _INFLATION,
    _JP_LEVEL_MEAN,
    _LAST_F,
    _LAST_M,
    _MIX_STREAM,
    AGENCIES,
    DEFAULT_SEED,
    FIRST_YEAR,
    KECAMATAN_POPULATION_2022,
    NEW_UNIT,
    NEW_UNIT_YEAR,
    PROGRAMME_COHORTS,
    TYPE_CODES,
    YEARS,
)
from ._training import draw_events, plan_training


@dataclass(frozen=True)
class DemoData:
    """What :func:`simulate` returns: the input tables as written (Indonesian headers),
    and the truth behind them.

    ``tables`` maps file names (``units.csv``, ``training.parquet``, ...) to DataFrames;
    ``unit_year`` holds one row per unit-year with the true quantities; ``person_year``
    one row per ASN on a unit's staff per year (``unit_id``, ``year``, ``person``, ``jp``
    credited, ``jp_nonklasikal``), zeros included.
    """

    seed: int
    tables: dict[str, pd.DataFrame] = field(repr=False)
    unit_year: pd.DataFrame = field(repr=False)
    cohorts: dict[str, int] = field(repr=False)
    person_year: pd.DataFrame = field(repr=False)


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
        base = units["asn_2024"].to_numpy(dtype=float)[i] * _STAFF_TREND[t]
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


def _person_years(rosters: dict[tuple[int, int], np.ndarray], events: pd.DataFrame
                  ) -> pd.DataFrame:
    """Every ASN on a unit's staff in a year, with the credited JP (zero included) and the
    nonklasikal part of them: the truth behind the training-access measures."""
    sizes = [len(r) for r in rosters.values()]
    out = pd.DataFrame({
        "unit": np.repeat([i for i, _ in rosters], sizes),
        "year": np.repeat([t for _, t in rosters], sizes),
        "person": np.concatenate(list(rosters.values())),
    })
    nonklas = events["credited"].where(events["jalur"] == "nonklasikal", 0.0)
    jp = (pd.DataFrame({"jp": events["credited"], "jp_nonklasikal": nonklas})
          .groupby([events["unit"], events["tahun"], events["person"]]).sum())
    jp.index.names = ["unit", "year", "person"]
    out = out.merge(jp.reset_index(), on=["unit", "year", "person"], how="left")
    return out.fillna({"jp": 0.0, "jp_nonklasikal": 0.0})


# ---- the pure simulation -------------------------------------------------------------------------

_TRUTH_COLUMNS = [
    "unit_id", "year", "asn_count", "jp_target", *[f"share_{k}" for k in TYPE_CODES],
    *EXPOSURES, *[f"{c}_lag1" for c in EXPOSURES], "share_20jp", "spend_per_asn_real",
    "training_signal", "cohort_year", "event_time", "tau", "ikm_expected", "n_respondents",
    "ikm_sample", "iku_expected", "iku",
]


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
        ``tables`` (file name -> DataFrame with the headers written to disk),
        ``unit_year`` (the true quantities per unit-year) and ``person_year`` (every ASN
        on the staff per unit-year with their credited JP). Results are cached per seed:
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
    mix_rng = np.random.default_rng([seed, _MIX_STREAM])
    plan = plan_training(units["unit_id"].to_numpy(), rosters, cohorts, levels, rng, mix_rng)
    events = draw_events(plan, rosters, np.array(people.weight), cpi, rng)
    uy = investment(plan, events, cpi)
    uy = expected_ikm(uy, units, levels, cohorts, rng)
    skm = survey(uy, units, rng)
    complaints = performance(uy, units, rng)

    tables = _as_files(units, uy, events, people, skm, cohorts, cpi, complaints)
    unit_year = uy[_TRUTH_COLUMNS].copy()
    unit_year.insert(2, "unit_name", units["unit_name"].to_numpy()[uy["unit"]])
    unit_year = unit_year.sort_values(["unit_id", "year"], ignore_index=True)
    person_year = _person_years(rosters, events)
    person_year.insert(0, "unit_id", units["unit_id"].to_numpy()[person_year.pop("unit")])
    return DemoData(seed=seed, tables=tables, unit_year=unit_year, cohorts=cohorts,
                    person_year=person_year)


def _as_files(
    units, uy, events, people, skm, cohorts, cpi, complaints
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
