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
import io
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from .. import _io
from ..errors import EvaluationError

DEFAULT_SEED = 2026
FIRST_YEAR, LAST_YEAR = 2015, 2024
YEARS = tuple(range(FIRST_YEAR, LAST_YEAR + 1))

#: The city's agencies (jenis, nama) exactly as in the public list the project keeps beside
#: the checkout (cross-checked in the tests), so that a fresh clone can regenerate the demo.
AGENCIES: tuple[tuple[str, str], ...] = (
    ("Inspektorat", "Inspektorat Kota Semarang"),
    ("Badan", "Badan Perencanaan Pembangunan Daerah (Bappeda)"),
    ("Badan", "Badan Riset dan Inovasi Daerah (BRIDA)"),
    ("Badan", "Badan Kepegawaian, Pendidikan dan Pelatihan (BKPP)"),
    ("Badan", "Badan Pengelolaan Keuangan dan Aset Daerah (BPKAD)"),
    ("Badan", "Badan Pendapatan Daerah (Bapenda)"),
    ("Badan", "Badan Kesatuan Bangsa dan Politik"),
    ("Badan", "Badan Penanggulangan Bencana Daerah (BPBD)"),
    ("Satuan", "Satuan Polisi Pamong Praja (Satpol PP)"),
    ("Rumah Sakit Daerah", "RSD KRMT Wongsonegoro"),
    ("Sekretariat", "Sekretariat DPRD"),
    ("Dinas", "Dinas Pendidikan"),
    ("Dinas", "Dinas Kesehatan"),
    ("Dinas", "Dinas Pekerjaan Umum"),
    ("Dinas", "Dinas Penataan Ruang"),
    ("Dinas", "Dinas Perumahan dan Kawasan Permukiman"),
    ("Dinas", "Dinas Ketahanan Pangan"),
    ("Dinas", "Dinas Lingkungan Hidup"),
    ("Dinas", "Dinas Kependudukan dan Pencatatan Sipil"),
    ("Dinas", "Dinas Pengendalian Penduduk dan Keluarga Berencana"),
    ("Dinas", "Dinas Perhubungan"),
    ("Dinas", "Dinas Arsip dan Perpustakaan"),
    ("Dinas", "Dinas Perikanan"),
    ("Dinas", "Dinas Pertanian"),
    ("Dinas", "Dinas Perdagangan"),
    ("Dinas", "Dinas Perindustrian"),
    ("Dinas", "Dinas Koperasi dan Usaha Mikro"),
    ("Dinas", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu"),
    ("Dinas", "Dinas Kepemudaan dan Olah Raga"),
    ("Dinas", "Dinas Kebudayaan dan Pariwisata"),
    ("Dinas", "Dinas Pemadam Kebakaran"),
    ("Dinas", "Dinas Sosial"),
    ("Dinas", "Dinas Tenaga Kerja"),
    ("Dinas", "Dinas Pemberdayaan Perempuan dan Perlindungan Anak"),
    ("Dinas", "Dinas Komunikasi, Informatika, Statistik, dan Persandian"),
    ("Sekretariat Daerah", "Sekretariat Daerah (12 Bagian)"),
)

#: The 16 kecamatan and their 2022 population (BPS Kota Semarang), as in the public list.
KECAMATAN_POPULATION_2022: MappingProxyType[str, int] = MappingProxyType(
    {
        "Mijen": 85818,
        "Gunungpati": 98674,
        "Banyumanik": 141319,
        "Gajah Mungkur": 55490,
        "Semarang Selatan": 61212,
        "Candisari": 74461,
        "Tembalang": 193480,
        "Pedurungan": 193125,
        "Genuk": 128696,
        "Gayamsari": 69334,
        "Semarang Timur": 65427,
        "Semarang Utara": 116054,
        "Semarang Tengah": 54338,
        "Semarang Barat": 146915,
        "Tugu": 33079,
        "Ngaliyan": 142553,
    }
)
CITY_POPULATION = sum(KECAMATAN_POPULATION_2022.values())  # 1,659,975

# code, sector, ASN in 2024, population served, JP tilt, IKM tilt, charges a fee (U4)
_AGENCY_SPECS: tuple[tuple[str, str, int, int, float, float, bool], ...] = (
    ("INSPEKTORAT", "pemerintahan", 110, 16_000, 1.10, 0.0, False),
    ("BAPPEDA", "pemerintahan", 120, 25_000, 1.10, 0.5, False),
    ("BRIDA", "pemerintahan", 35, 8_000, 1.20, 0.5, False),
    ("BKPP", "pemerintahan", 170, 16_000, 1.40, 1.0, False),
    ("BPKAD", "pemerintahan", 225, 20_000, 1.00, 0.0, False),
    ("BAPENDA", "pemerintahan", 345, 600_000, 0.95, -1.5, True),
    ("KESBANGPOL", "pemerintahan", 70, 5_000, 0.90, 0.0, False),
    ("BPBD", "pelayanan dasar", 105, 300_000, 0.95, 0.5, False),
    ("SATPOLPP", "pelayanan dasar", 645, CITY_POPULATION, 0.80, -3.0, False),
    ("RSD", "pelayanan dasar", 1100, 450_000, 1.05, -1.0, True),
    ("SETWAN", "pemerintahan", 140, 3_000, 0.85, 0.0, False),
    ("DISDIK", "pelayanan dasar", 1500, 320_000, 0.80, 0.0, False),
    ("DINKES", "pelayanan dasar", 1450, CITY_POPULATION, 1.05, 0.5, False),
    ("DPU", "infrastruktur", 540, CITY_POPULATION, 0.85, -2.0, False),
    ("DISTARU", "infrastruktur", 180, 60_000, 0.90, -1.5, True),
    ("DISPERKIM", "infrastruktur", 170, 250_000, 0.90, -0.5, False),
    ("DISHANPAN", "ekonomi", 90, 120_000, 0.90, 0.0, False),
    ("DLH", "infrastruktur", 675, CITY_POPULATION, 0.75, -1.0, True),
    ("DISDUKCAPIL", "pelayanan dasar", 280, CITY_POPULATION, 1.05, 3.0, False),
    ("DP2KB", "pelayanan dasar", 195, 400_000, 0.95, 0.5, False),
    ("DISHUB", "infrastruktur", 585, CITY_POPULATION, 0.80, -2.5, True),
    ("DISARPUS", "pemerintahan", 120, 150_000, 0.90, 1.0, False),
    ("DISKAN", "ekonomi", 80, 15_000, 0.90, 0.0, False),
    ("DISTAN", "ekonomi", 150, 30_000, 0.90, 0.0, False),
    ("DISDAG", "ekonomi", 250, 250_000, 0.85, -2.0, True),
    ("DISPERIN", "ekonomi", 75, 20_000, 0.95, 0.0, False),
    ("DISKOP", "ekonomi", 90, 80_000, 0.95, 0.5, False),
    ("DPMPTSP", "ekonomi", 135, 120_000, 1.15, 3.0, False),
    ("DISPORA", "ekonomi", 105, 200_000, 0.90, 0.0, False),
    ("DISBUDPAR", "ekonomi", 135, 300_000, 0.95, 0.5, True),
    ("DAMKAR", "pelayanan dasar", 465, CITY_POPULATION, 0.85, 1.0, False),
    ("DINSOS", "pelayanan dasar", 170, 200_000, 0.95, -0.5, False),
    ("DISNAKER", "ekonomi", 110, 900_000, 0.95, -0.5, False),
    ("DP3A", "pelayanan dasar", 90, 500_000, 1.00, 1.0, False),
    ("DISKOMINFO", "pemerintahan", 170, CITY_POPULATION, 1.15, 1.0, False),
    ("SETDA", "pemerintahan", 630, 20_000, 1.00, 0.0, False),
)
#: The agency created in the 2021 restructuring (rows only from this year).
NEW_UNIT, NEW_UNIT_YEAR = "BRIDA", 2021

#: Learning activities: bentuk -> (jalur, recorded-JP choices, credit, cost per JP in 2015 Rp)
ACTIVITIES: MappingProxyType[str, tuple[str, tuple[float, ...], float, int]] = MappingProxyType(
    {
        "pelatihan": ("klasikal", (8, 12, 16, 24, 32, 40), 1.0, 175_000),
        "workshop": ("klasikal", (4, 6, 8, 12), 1.0, 125_000),
        "e_learning": ("nonklasikal", (2, 4, 6, 8, 10, 16, 20), 1.0, 25_000),
        "coaching": ("nonklasikal", (2, 4, 6), 1.0, 0),
        "mentoring": ("nonklasikal", (4, 6, 8), 1.0, 0),
        "seminar": ("nonklasikal", (2, 3, 4), 0.5, 75_000),
        "magang": ("nonklasikal", (16, 24, 40), 1.0, 150_000),
    }
)
#: JP credited per recorded JP for nonklasikal activities (also written to study.yaml).
NONKLASIKAL_CREDIT: MappingProxyType[str, float] = MappingProxyType(
    {b: spec[2] for b, spec in ACTIVITIES.items() if spec[0] == "nonklasikal"}
)
_BENTUK = tuple(ACTIVITIES)
# share of events by bentuk, per year: classroom collapses in 2020-2021, e-learning rises
_MIX_NORMAL = (0.45, 0.20, 0.05, 0.06, 0.06, 0.15, 0.03)
_MIX_BY_YEAR: dict[int, tuple[float, ...]] = {
    2015: _MIX_NORMAL,
    2016: (0.44, 0.20, 0.06, 0.06, 0.06, 0.15, 0.03),
    2017: (0.43, 0.19, 0.08, 0.06, 0.06, 0.15, 0.03),
    2018: (0.42, 0.18, 0.10, 0.06, 0.06, 0.15, 0.03),
    2019: (0.40, 0.18, 0.12, 0.06, 0.06, 0.15, 0.03),
    2020: (0.08, 0.04, 0.60, 0.07, 0.06, 0.14, 0.01),
    2021: (0.15, 0.07, 0.50, 0.07, 0.06, 0.14, 0.01),
    2022: (0.32, 0.14, 0.28, 0.08, 0.06, 0.10, 0.02),
    2023: (0.32, 0.14, 0.28, 0.08, 0.06, 0.10, 0.02),
    2024: (0.31, 0.14, 0.29, 0.08, 0.06, 0.10, 0.02),
}
#: Common year pattern of training intensity (multiplies each unit's level).
_JP_YEAR = dict(
    zip(YEARS, (0.85, 0.90, 0.95, 1.00, 1.05, 0.75, 0.90, 1.10, 1.15, 1.20), strict=True)
)
_JP_LEVEL_MEAN, _JP_SHOCK_SD = 26.0, 0.30
_COMPETENCY = ("Teknis", "Manajerial", "Sosial Kultural")
_COMPETENCY_P = {
    "pelatihan": (0.60, 0.25, 0.15),
    "workshop": (0.70, 0.20, 0.10),
    "e_learning": (0.55, 0.20, 0.25),
    "coaching": (0.30, 0.60, 0.10),
    "mentoring": (0.40, 0.50, 0.10),
    "seminar": (0.50, 0.20, 0.30),
    "magang": (0.80, 0.15, 0.05),
}
_PROGRAMS = {
    ("pelatihan", "Teknis"): (
        "Pelatihan Pelayanan Prima",
        "Bimtek Pengelolaan Keuangan Daerah",
        "Pelatihan Pengadaan Barang/Jasa Pemerintah",
        "Pelatihan Penyusunan SAKIP",
        "Pelatihan Analisis Kebijakan",
        "Pelatihan Teknis Sesuai Bidang",
    ),
    ("pelatihan", "Manajerial"): (
        "Pelatihan Kepemimpinan Pengawas (PKP)",
        "Pelatihan Kepemimpinan Administrator (PKA)",
        "Pelatihan Manajemen Kinerja",
    ),
    ("pelatihan", "Sosial Kultural"): (
        "Pelatihan Wawasan Kebangsaan",
        "Pelatihan Budaya Kerja BerAKHLAK",
        "Pelatihan Komunikasi Publik",
    ),
    ("workshop", None): (
        "Workshop Inovasi Daerah",
        "Workshop Standar Pelayanan",
        "Workshop Penyusunan Renstra",
    ),
    ("e_learning", None): (
        "E-Learning Pelayanan Publik",
        "E-Learning Literasi Digital",
        "E-Learning Manajemen ASN",
        "E-Learning BerAKHLAK",
    ),
    ("coaching", None): ("Coaching Kinerja",),
    ("mentoring", None): ("Mentoring oleh Atasan Langsung",),
    ("seminar", None): ("Seminar Inovasi Pelayanan Publik", "Webinar Smart City Semarang"),
    ("magang", None): ("Magang di Instansi Lain",),
}
PROGRAMME_NAME = "Kursus Manajemen Pemerintahan (kemitraan universitas)"
PROGRAMME_JP, PROGRAMME_COST_2015 = 48.0, 12_500_000
#: Cohorts of the staged programme and how many units join each (the rest never join).
PROGRAMME_COHORTS: MappingProxyType[int, int] = MappingProxyType(
    {2018: 8, 2019: 8, 2020: 6, 2022: 8}
)

#: Approximate consumer price index (2018 = 100) built from rounded yearly inflation; SYNTHETIC.
_INFLATION = dict(zip(YEARS[1:], (3.5, 3.8, 3.2, 2.8, 2.0, 1.6, 4.2, 3.7, 2.3), strict=True))

SKM_ELEMENTS = tuple(f"u{k}" for k in range(1, 10))
#: Element offsets (answer points) around a unit-year's average; they sum to zero, so the
#: mean of the element means stays IKM/25. U8 (complaint handling) and U3 (time) drag down.
ELEMENT_OFFSETS = (0.05, 0.0, -0.12, 0.20, 0.05, 0.02, 0.10, -0.25, -0.05)
_FEE_U4_SHIFT = -0.45  # units that charge a fee or tariff score lower on U4 (biaya/tarif)

#: The true effects, in the units of the pipeline's panel (see TRUTH.md).
TRUE_EFFECTS: MappingProxyType[str, object] = MappingProxyType(
    {
        "beta_jp_lag1": 0.06,  # IKM points per JP per ASN in the previous calendar year
        "beta_jp_lag0": 0.0,
        "beta_jp_lag2": 0.0,
        "tau": MappingProxyType({0: 0.5, 1: 1.0, 2: 1.5}),  # by years since joining; e>=2 -> 1.5
        "theta_ikm_to_iku": 0.4,  # IKU percentage points per IKM point (realised IKM)
        "phi_jp_lag1_to_iku": 0.0,  # direct effect of lagged JP per ASN on IKU
    }
)
_IKM_SD_U, _IKU_SD_V, _IKM_BASE = 1.0, 1.5, 79.0
_GAMMA = dict(zip(YEARS, (0.0, 0.4, 0.8, 1.2, 1.6, 0.9, 1.3, 2.0, 2.4, 2.8), strict=True))
_ETA = dict(zip(YEARS, (0.0, 0.5, 1.0, 1.0, 1.5, -1.5, 0.0, 1.0, 1.5, 2.0), strict=True))

_FIRST_M = (
    "Agus",
    "Budi",
    "Eko",
    "Wahyu",
    "Rudi",
    "Hadi",
    "Bambang",
    "Joko",
    "Slamet",
    "Arif",
    "Dedi",
    "Hendra",
    "Yusuf",
    "Fajar",
    "Rizki",
    "Andi",
    "Bayu",
    "Dimas",
    "Teguh",
    "Imam",
    "Heru",
    "Sigit",
    "Adi",
    "Galih",
    "Aditya",
    "Ahmad",
    "Muhammad",
    "Taufik",
    "Yoga",
    "Ilham",
)
_FIRST_F = (
    "Sri",
    "Dewi",
    "Rina",
    "Yuni",
    "Endang",
    "Siti",
    "Nur",
    "Fitri",
    "Ratna",
    "Wulan",
    "Indah",
    "Lina",
    "Sari",
    "Tuti",
    "Ayu",
    "Dian",
    "Eka",
    "Putri",
    "Novi",
    "Retno",
    "Anisa",
    "Desi",
    "Maya",
    "Rini",
    "Tri",
    "Yulia",
    "Ika",
    "Lestari",
    "Nina",
    "Diah",
)
_LAST_M = (
    "Santoso",
    "Wibowo",
    "Purnomo",
    "Setiawan",
    "Kurniawan",
    "Hidayat",
    "Prasetyo",
    "Saputra",
    "Nugroho",
    "Susilo",
    "Gunawan",
    "Hartono",
    "Wijaya",
    "Pratama",
    "Firmansyah",
    "Suryadi",
    "Haryanto",
    "Utomo",
    "Ramadhan",
    "Kusuma",
)
_LAST_F = (
    "Rahayu",
    "Susanti",
    "Wulandari",
    "Lestari",
    "Utami",
    "Handayani",
    "Astuti",
    "Puspitasari",
    "Kusumawati",
    "Safitri",
    "Anggraini",
    "Permatasari",
    "Rahmawati",
    "Hapsari",
    "Maharani",
    "Novitasari",
    "Wahyuni",
    "Setyowati",
    "Pertiwi",
    "Fitriani",
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


# ---- the words written beside the data --------------------------------------------------------

_STUDY_YAML = """\
# Demo study: Kota Semarang, {first}-{last}. SYNTHETIC DATA.
# Made by `evaluation demo-data --seed {seed}`; the true effects are in TRUTH.md.
# Agency names are the city's public names; every person, number and record is invented.
name: demo
title: "Studi demo: pengembangan kompetensi ASN dan kualitas layanan Kota Semarang"
title_en: "Demo study: ASN competency development and service quality in Kota Semarang"
region: Kota Semarang
synthetic: true
unit_level: opd
years: {{first: {first}, last: {last}}}
language: id
number_locale: id
min_cell_size: 5
price_base_year: {last}
seed: {seed}

tables:
  units: units.csv
  staff: staff.csv
  training: training.parquet
  skm: skm.parquet
  performance: iku.csv
  cpi: cpi.csv
  programme: programme.csv

measures:
  investment: [jp_per_asn, share_20jp, spend_per_asn_real]
  quality: [ikm]
  outcome: [iku_achievement]
  control: [log_asn_count]

headline: {{exposure: jp_per_asn, outcome: ikm, lag: 1}}
lags: [0, 1, 2]
leads: [1]
fixed_effects: [unit, year]
cluster: unit

ikm:
  weighting: exact
  population_column: population_served

jp:
  entitlement: 20
  minutes_per_jp: 45
  # JP credited per recorded JP for nonklasikal activities (agencies set their own)
  nonklasikal_credit: {{{credit}}}
  nonklasikal_credit_by_unit: {{}}

programme:
  name: "{programme}"
  name_en: "Public Management Course (university partnership)"

missing: {{policy: drop}}

privacy:
  # A fixed key is allowed only because this study is synthetic; real studies read
  # their secret from the EVALUATION_SECRET environment variable or a file.
  pseudonym_key: "demo-synthetic-key-not-secret"
"""


def _study_yaml(seed: int) -> str:
    credit = ", ".join(f"{k}: {v}" for k, v in NONKLASIKAL_CREDIT.items())
    return _STUDY_YAML.format(
        first=FIRST_YEAR, last=LAST_YEAR, seed=seed, credit=credit, programme=PROGRAMME_NAME
    )


def _readme(data: DemoData) -> str:
    t = data.tables
    n_asn = t["staff.csv"].groupby("tahun")["jumlah_asn"].sum()
    return f"""\
# Demo study: Kota Semarang {FIRST_YEAR}-{LAST_YEAR} (SYNTHETIC DATA)

**These data are synthetic.** The names of the agencies (OPD) and kecamatan are the city's
public names, and the kecamatan populations are the 2022 BPS figures; everything else (every
person, name, NIP, training record, cost, survey answer, IKU figure, complaint count and the
price index) is invented by a program. Nothing here describes the real Kota Semarang, its
agencies or its civil servants. Results computed from these files are about the simulation only.

## How they were made

```
evaluation demo-data --seed {data.seed} --out data/demo
```

The generator (`evaluation/demo.py`) rebuilds every file here byte for byte from the seed
(the same versions of NumPy, pandas and pyarrow assumed). The true effects built into the data,
and the specification that recovers each, are in [TRUTH.md](TRUTH.md).

## Files

| File | Rows | Columns | Content |
|---|---|---|---|
| `study.yaml` | | | The study declaration (`synthetic: true`) |
| `units.csv` | {len(t["units.csv"])} | kode_opd; nama_opd; jenis_opd; sektor; populasi_layanan; tahun_dibentuk | {len(AGENCIES)} agencies and {len(KECAMATAN_POPULATION_2022)} kecamatan offices; {NEW_UNIT} created in {NEW_UNIT_YEAR} |
| `staff.csv` | {len(t["staff.csv"])} | kode_opd; tahun; jumlah_asn | ASN per unit-year ({n_asn.min():,}-{n_asn.max():,} in all) |
| `training.parquet` | {len(t["training.parquet"]):,} | nip, nama, kode_opd, tahun, tanggal, jp, jenis_kompetensi, jalur, bentuk, program, biaya | One row per training event per ASN (no rows for an ASN without training that year); fake NIPs and names; `biaya` in nominal rupiah |
| `skm.parquet` | {len(t["skm.parquet"]):,} | kode_opd, tahun, id_responden, u1-u9 | Respondent-level SKM answers (1-4; about 1% of answers skipped, stored as missing) |
| `iku.csv` | {len(t["iku.csv"])} | kode_opd; tahun; capaian_iku; pengaduan | IKU achievement (% of target) and complaints |
| `cpi.csv` | {len(t["cpi.csv"])} | tahun; ihk | Approximate consumer price index, 2018 = 100 (synthetic: built from rounded yearly inflation, not an official series) |
| `programme.csv` | {len(t["programme.csv"])} | kode_opd; tahun_angkatan | Units that joined the "{PROGRAMME_NAME}", by cohort year; units not listed never joined |

CSV files are UTF-8, semicolon-separated, with decimal commas (the study declares
`number_locale: id`). Parquet files carry the same Indonesian column names.

Codes used: `jenis_kompetensi` is written as a city writes it (`Teknis`, `Manajerial`,
`Sosial Kultural`); `jalur` is `klasikal` or `nonklasikal`; `bentuk` is one of
{", ".join(f"`{b}`" for b in ACTIVITIES)}. Nonklasikal JP are credited with the factors in
`study.yaml` (`jp.nonklasikal_credit`; a seminar counts half).
"""


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


# ---- the writing edge ----------------------------------------------------------------------------

PARQUET_OPTIONS = MappingProxyType(
    dict(
        compression="zstd",
        compression_level=9,
        use_dictionary=True,
        write_statistics=False,
        store_schema=False,
        version="2.6",
        data_page_version="1.0",
        row_group_size=1_000_000,
    )
)


def csv_text(df: pd.DataFrame) -> str:
    """Semicolon-separated, decimal comma, ``\\n`` line ends (the study's ``number_locale: id``)."""
    buf = io.StringIO()
    df.to_csv(buf, sep=";", decimal=",", index=False, lineterminator="\n", float_format="%.2f")
    return buf.getvalue()


def parquet_bytes(df: pd.DataFrame) -> bytes:
    """Deterministic Parquet: explicit types, no pandas or Arrow schema metadata, fixed codec."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    fields = []
    for col in df.columns:
        s = df[col]
        if col == "tanggal":
            typ = pa.date32()
        elif col in SKM_ELEMENTS:
            typ = pa.int8()
        elif col == "tahun":
            typ = pa.int32()
        elif col == "biaya":
            typ = pa.int64()
        elif col == "jp":
            typ = pa.float64()
        else:
            typ = pa.string()
        fields.append(pa.field(col, typ))
    arrays = []
    for f in fields:
        s = df[f.name]
        if f.type == pa.string():
            arrays.append(pa.array(s.astype(object).to_numpy(), type=pa.string()))
        elif f.type == pa.int8():
            arrays.append(
                pa.array(s.astype(object).where(s.notna(), None).to_numpy(), type=pa.int8())
            )
        else:
            arrays.append(pa.array(s.to_numpy(), type=f.type))
    table = pa.Table.from_arrays(arrays, schema=pa.schema(fields))
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, **PARQUET_OPTIONS)
    return sink.getvalue().to_pybytes()


def _is_synthetic_study(folder: Path) -> bool | None:
    """``None`` when there is no study.yaml, else whether it says ``synthetic: true``."""
    import yaml

    path = folder / "study.yaml"
    if not path.is_file():
        return None
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError):
        return False
    return isinstance(raw, dict) and raw.get("synthetic") is True


def generate(out_dir: str | Path = "data/demo", *, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write the demo study (data, study.yaml, README.md, TRUTH.md) to ``out_dir``.

    Refuses to write into a folder whose ``study.yaml`` is not marked ``synthetic: true``,
    so a real study is never overwritten. Every file is written atomically.

    Returns
    -------
    list of Path
        The files written, in a fixed order.
    """
    out = Path(out_dir)
    if _is_synthetic_study(out) is False:
        raise EvaluationError(
            f"{out / 'study.yaml'}: this folder holds a study that is not marked 'synthetic: true'; "
            "demo-data will not overwrite it. Choose another folder with --out, or remove the "
            "folder first if it really is a disposable demo."
        )
    data = simulate(seed)
    written = []
    for name, df in data.tables.items():
        if name.endswith(".csv"):
            written.append(_io.write_text(out / name, csv_text(df)))
        else:
            written.append(_io.write_bytes(out / name, parquet_bytes(df)))
    written.append(_io.write_text(out / "study.yaml", _study_yaml(seed)))
    written.append(_io.write_text(out / "README.md", _readme(data)))
    written.append(_io.write_text(out / "TRUTH.md", _truth_md(data)))
    return written


__all__ = [
    "AGENCIES",
    "DEFAULT_SEED",
    "DemoData",
    "KECAMATAN_POPULATION_2022",
    "NONKLASIKAL_CREDIT",
    "TRUE_EFFECTS",
    "generate",
    "simulate",
    "truth",
]
