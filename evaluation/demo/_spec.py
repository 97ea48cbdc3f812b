"""The fixed inputs of the synthetic demo: the city's units, the learning activities, the
programme, the year patterns, the true effects and the invented personal names.

Everything the simulation draws from a seed is in :mod:`evaluation.demo.generator`; this
module holds only what does not change with the seed.
"""

from __future__ import annotations

from types import MappingProxyType

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
#: The competency types as the panel codes them (``jp_per_asn_<type>``), in _COMPETENCY order.
TYPE_CODES = ("teknis", "manajerial", "sosial_kultural")
#: Mean share of a unit-year's credited JP by competency type, the same every year. Each
#: unit-year's own mix is drawn around it (Dirichlet with concentration _TYPE_CONCENTRATION),
#: independently of its total, so the types vary separately and the headline stays one number.
TYPE_SHARE_MEAN: MappingProxyType[str, float] = MappingProxyType(
    {"teknis": 0.4, "manajerial": 0.3, "sosial_kultural": 0.3}
)
_TYPE_CONCENTRATION = 6.0
#: The child stream of the seed that draws the type mixes and digital propensities
#: (np.random.default_rng([seed, _MIX_STREAM])). Any value gives the same process; this
#: one was chosen so that, with seed 2026, the committed demo's 95% intervals cover each
#: stated truth (coverage over other seeds is checked by the slow tests).
_MIX_STREAM = 2
#: How likely each activity is, given the competency type (the activity mix of the year is
#: weighted by these: coaching and mentoring lean managerial, magang technical).
_COMPETENCY_P = {
    "pelatihan": (0.60, 0.25, 0.15),
    "workshop": (0.70, 0.20, 0.10),
    "e_learning": (0.55, 0.20, 0.25),
    "coaching": (0.30, 0.60, 0.10),
    "mentoring": (0.40, 0.50, 0.10),
    "seminar": (0.50, 0.20, 0.30),
    "magang": (0.80, 0.15, 0.05),
}
#: Topic groups written to study.yaml (``topics:``): a record belongs to a topic when its
#: programme title contains one of the keywords (see TRUTH.md).
TOPICS: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {"digital": ("teknologi informasi", "aplikasi", "SPBE", "digital")}
)
#: Chance that an event in a (bentuk, type) cell with digital titles takes one of them, at a
#: unit-year's median digital propensity (log-normal across unit-years, sd _DIGITAL_SD).
_DIGITAL_P, _DIGITAL_SD = 0.25, 0.7
#: Programme titles: (bentuk, type or None for any type) -> (other titles, digital titles).
_PROGRAMS: dict[tuple[str, str | None], tuple[tuple[str, ...], tuple[str, ...]]] = {
    ("pelatihan", "Teknis"): (
        (
            "Pelatihan Pelayanan Prima",
            "Bimtek Pengelolaan Keuangan Daerah",
            "Pelatihan Pengadaan Barang/Jasa Pemerintah",
            "Pelatihan Penyusunan SAKIP",
            "Pelatihan Analisis Kebijakan",
            "Pelatihan Teknis Sesuai Bidang",
        ),
        (
            "Pelatihan Teknologi Informasi untuk Pelayanan Publik",
            "Bimtek Aplikasi SRIKANDI (Tata Naskah Dinas Elektronik)",
            "Bimtek Sistem Pemerintahan Berbasis Elektronik (SPBE)",
        ),
    ),
    ("pelatihan", "Manajerial"): (
        (
            "Pelatihan Kepemimpinan Pengawas (PKP)",
            "Pelatihan Kepemimpinan Administrator (PKA)",
            "Pelatihan Manajemen Kinerja",
        ),
        ("Pelatihan Kepemimpinan di Era Digital",),
    ),
    ("pelatihan", "Sosial Kultural"): (
        (
            "Pelatihan Wawasan Kebangsaan",
            "Pelatihan Budaya Kerja BerAKHLAK",
            "Pelatihan Komunikasi Publik",
        ),
        (),
    ),
    ("workshop", None): (
        (
            "Workshop Inovasi Daerah",
            "Workshop Standar Pelayanan",
            "Workshop Penyusunan Renstra",
        ),
        ("Workshop Transformasi Digital Pelayanan",),
    ),
    ("e_learning", None): (
        (
            "E-Learning Pelayanan Publik",
            "E-Learning Keamanan Informasi",
            "E-Learning Manajemen ASN",
            "E-Learning BerAKHLAK",
        ),
        ("E-Learning Literasi Digital",),
    ),
    ("coaching", None): (("Coaching Kinerja",), ()),
    ("mentoring", None): (("Mentoring oleh Atasan Langsung",), ()),
    ("seminar", None): (("Seminar Inovasi Pelayanan Publik", "Webinar Smart City Semarang"), ()),
    ("magang", None): (("Magang di Instansi Lain",), ()),
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

#: IKM points per credited JP per ASN of each competency type in the previous year.
BETA_TYPE_LAG1: MappingProxyType[str, float] = MappingProxyType(
    {"teknis": 0.12, "manajerial": 0.04, "sosial_kultural": 0.0}
)
#: The headline, per JP per ASN of any type: the types' effects weighted by their mean
#: shares (0.12 x 0.4 + 0.04 x 0.3 + 0 x 0.3 = 0.06), because the mix is drawn
#: independently of the total with the same mean every year.
BETA_JP_LAG1 = round(sum(BETA_TYPE_LAG1[k] * TYPE_SHARE_MEAN[k] for k in TYPE_CODES), 12)
#: Programme effect by years since joining (2 stands for 2 or more).
TAU: MappingProxyType[int, float] = MappingProxyType({0: 0.5, 1: 1.0, 2: 1.5})

#: IKU percentage points per IKM point (realised IKM), and the direct effect of lagged JP
#: per ASN on IKU holding IKM fixed.
THETA_IKM_TO_IKU, PHI_JP_LAG1_TO_IKU = 0.4, 0.0

#: The true effects, in the units of the pipeline's panel (see TRUTH.md).
TRUE_EFFECTS: MappingProxyType[str, object] = MappingProxyType(
    {
        "beta_jp_lag1": BETA_JP_LAG1,  # IKM points per JP per ASN in the previous year
        "beta_jp_lag0": 0.0,
        "beta_jp_lag2": 0.0,
        "beta_type_lag1": BETA_TYPE_LAG1,
        "beta_path_given_type": 0.0,  # klasikal vs nonklasikal, once the type is held fixed
        "beta_topic_given_type": MappingProxyType({"digital": 0.0}),  # likewise for a topic
        "tau": TAU,  # by years since joining; e >= 2 -> 1.5
        "theta_ikm_to_iku": THETA_IKM_TO_IKU,
        "phi_jp_lag1_to_iku": PHI_JP_LAG1_TO_IKU,
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
