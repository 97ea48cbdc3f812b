"""Canonical column names of every input table, with the Indonesian and English aliases
users' files may carry. Headers are matched case- and accent-insensitively (see
:func:`evaluation.read.normalise_header`).

Each entry: canonical name -> (kind, required, aliases, description, unit). ``kind`` is
one of ``"str"``, ``"int"``, ``"float"``, ``"date"``; ``unit`` says what a number measures
(``"rupiah"``, ``"jp"``, ``"hours"``, ``"percent"``), so that a unit written in a header
(``Biaya (ribu Rp)``) can be applied or refused (see :mod:`evaluation.read`).
"""

from __future__ import annotations

from typing import NamedTuple


class Column(NamedTuple):
    kind: str
    required: bool
    aliases: tuple[str, ...]
    description: str
    unit: str = ""


#: The nine SKM elements by name (PermenPANRB 14/2017), as report headers write them.
SKM_ELEMENT_NAMES: tuple[tuple[str, ...], ...] = (
    ("persyaratan",),
    ("sistem_mekanisme_dan_prosedur", "prosedur", "sistem_mekanisme_prosedur"),
    ("waktu_penyelesaian", "waktu"),
    ("biaya_tarif", "biaya", "tarif"),
    ("produk_spesifikasi_jenis_pelayanan", "produk_layanan", "produk"),
    ("kompetensi_pelaksana", "kompetensi"),
    ("perilaku_pelaksana", "perilaku"),
    ("sarana_dan_prasarana", "sarana_prasarana", "sarana"),
    ("penanganan_pengaduan_saran_dan_masukan", "penanganan_pengaduan", "pengaduan"),
)

_UNIT = Column("str", True, ("kode_opd", "kode_unit", "unit_id", "id_unit", "kode"), "Unit code")
_YEAR = Column("int", True, ("tahun", "year", "thn"), "Calendar year")

TABLE_COLUMNS: dict[str, dict[str, Column]] = {
    "units": {
        "unit_id": _UNIT,
        "unit_name": Column("str", True, ("nama_opd", "nama_unit", "unit_name", "nama"), "Name as the city writes it"),
        "unit_type": Column("str", False, ("jenis_opd", "jenis_unit", "unit_type", "jenis"), "badan, dinas, kecamatan, puskesmas, ..."),
        "sector": Column("str", False, ("sektor", "urusan", "bidang", "sector"), "Sector, for leave-one-sector-out and clustering"),
        "population_served": Column("int", False, ("populasi", "jumlah_penduduk", "populasi_layanan", "population", "population_served"), "Population the unit serves (SKM sample adequacy)"),
        "created_year": Column("int", False, ("tahun_dibentuk", "tahun_pembentukan", "created_year"), "Year the unit was created (restructuring)"),
        "closed_year": Column("int", False, ("tahun_dibubarkan", "closed_year"), "Last year the unit existed"),
    },
    "staff": {
        "unit_id": _UNIT,
        "year": _YEAR,
        "asn_count": Column("int", True, ("jumlah_asn", "jml_asn", "asn_count", "jumlah_pegawai", "n_asn"), "ASN on the unit's staff"),
        "pns_count": Column("int", False, ("jumlah_pns", "pns_count"), "Of which PNS"),
    },
    "training": {
        "nip": Column("str", True, ("nip", "nip_asn", "nomor_induk_pegawai", "employee_id"), "18-digit NIP (pseudonymised at load)"),
        "name": Column("str", False, ("nama", "nama_pegawai", "nama_asn", "name", "employee_name"), "Person's name (dropped at load)"),
        "unit_id": _UNIT,
        "year": _YEAR,
        "date": Column("date", False, ("tanggal", "tanggal_mulai", "tgl", "date", "start_date"), "Start date"),
        "jp": Column("float", False, ("jp", "jam_pelajaran", "jumlah_jp", "training_hours_jp"), "Learning hours in JP (45 minutes)", "jp"),
        "hours": Column("float", False, ("jam", "durasi_jam", "durasi", "lama_jam", "hours", "duration_hours"), "Clock hours (converted to JP when jp is missing)", "hours"),
        "competency_type": Column("str", False, ("jenis_kompetensi", "kompetensi", "competency_type", "competency"), "teknis, manajerial, sosial_kultural"),
        "learning_path": Column("str", False, ("jalur", "jalur_pengembangan", "metode", "learning_path"), "klasikal or nonklasikal"),
        "activity": Column("str", False, ("bentuk", "bentuk_kegiatan", "kegiatan", "activity", "activity_type"), "pelatihan, e_learning, coaching, mentoring, seminar, ..."),
        "programme": Column("str", False, ("program", "nama_program", "programme", "program_name"), "Programme or course title"),
        "cost_rp": Column("float", False, ("biaya", "anggaran", "biaya_rp", "cost_rp", "cost", "realisasi_biaya"), "Cost in nominal rupiah", "rupiah"),
    },
    "skm": {
        "unit_id": _UNIT,
        "year": _YEAR,
        "period": Column("str", False, ("periode", "semester", "triwulan", "period"), "Survey period within the year"),
        "respondent_id": Column("str", True, ("id_responden", "responden", "no_responden", "respondent_id", "respondent"), "Questionnaire number"),
        **{
            f"u{i}": Column("float", True, (f"u{i}", f"unsur{i}", f"unsur_{i}", f"u_{i}", f"element_{i}"), f"SKM element U{i} (1-4)")
            for i in range(1, 10)
        },
    },
    "training_summary": {
        "unit_id": _UNIT,
        "year": _YEAR,
        "jp_total": Column("float", True, ("jumlah_jp", "total_jp", "jp_total", "jp", "total_jam_pelajaran", "jumlah_jam_pelajaran", "jp_diakui", "total_jp_diakui"), "Credited JP of the unit's ASN in the year, summed over persons", "jp"),
        "n_reached_20jp": Column("int", True, ("jumlah_asn_20jp", "asn_20jp", "jml_asn_20jp", "asn_capai_20jp", "jumlah_asn_capai_20jp", "asn_memenuhi_20jp", "n_asn_20jp", "n_reached_20jp", "jumlah_asn_20_jp", "asn_20_jp", "asn_capai_20_jp", "jumlah_asn_capai_20_jp", "asn_memenuhi_20_jp"), "ASN who reached the 20-JP entitlement"),
        "cost_rp": Column("float", True, ("biaya", "anggaran", "biaya_rp", "cost_rp", "cost", "realisasi_biaya", "realisasi_anggaran", "total_biaya"), "Training cost in nominal rupiah", "rupiah"),
        "asn_count": Column("int", False, ("jumlah_asn", "jml_asn", "asn_count", "jumlah_pegawai", "n_asn"), "ASN on the unit's staff (when there is no staff table)"),
        "jp_teknis": Column("float", False, ("jp_teknis", "jp_kompetensi_teknis"), "Of the JP total: teknis", "jp"),
        "jp_manajerial": Column("float", False, ("jp_manajerial", "jp_kompetensi_manajerial"), "Of the JP total: manajerial", "jp"),
        "jp_sosial_kultural": Column("float", False, ("jp_sosial_kultural", "jp_sosiokultural", "jp_kompetensi_sosial_kultural"), "Of the JP total: sosial kultural", "jp"),
        "jp_klasikal": Column("float", False, ("jp_klasikal",), "Of the JP total: klasikal", "jp"),
        "jp_nonklasikal": Column("float", False, ("jp_nonklasikal", "jp_non_klasikal"), "Of the JP total: nonklasikal (e-learning, coaching, ...)", "jp"),
        "n_participants": Column("int", False, ("jumlah_peserta", "peserta", "n_peserta", "n_participants"), "ASN who took part in any training"),
    },
    "ikm": {
        "unit_id": _UNIT,
        "year": _YEAR,
        "ikm": Column("float", True, ("ikm", "nilai_ikm", "indeks_kepuasan_masyarakat", "ikm_score"), "IKM 25-100"),
        "n_respondents": Column("int", False, ("jumlah_responden", "n_responden", "n_respondents"), "Respondents"),
    },
    "skm_summary": {
        "unit_id": _UNIT,
        "year": _YEAR,
        "period": Column("str", False, ("periode", "semester", "triwulan", "period"), "Survey period within the year"),
        "n_respondents": Column("int", True, ("jumlah_responden", "jml_responden", "n_responden", "responden", "n_respondents"), "Respondents of the survey"),
        **{
            f"nrr_u{i}": Column("float", True, (f"nrr_u{i}", f"nrr_unsur_{i}", f"nrr_unsur{i}", f"nrr_{i}", f"u{i}", f"unsur_{i}", f"unsur{i}", f"u_{i}", *names), f"Mean of SKM element U{i} (1-4), as the SKM report prints it (NRR per unsur)")
            for i, names in enumerate(SKM_ELEMENT_NAMES, start=1)
        },
    },
    "performance": {
        "unit_id": _UNIT,
        "year": _YEAR,
        "iku_achievement": Column("float", True, ("capaian_iku", "iku_capaian", "capaian_kinerja", "iku_achievement", "iku"), "IKU achievement, % of target", "percent"),
        "complaints": Column("int", False, ("pengaduan", "jumlah_pengaduan", "complaints"), "Complaints received"),
    },
    "cpi": {
        "year": _YEAR,
        "cpi": Column("float", True, ("ihk", "indeks_harga_konsumen", "cpi"), "Consumer price index (any base)"),
    },
    "programme": {
        "unit_id": _UNIT,
        "cohort_year": Column("int", True, ("tahun_angkatan", "angkatan", "tahun_mulai", "cohort_year", "cohort"), "Year the unit joined the staged programme"),
    },
    "regional": {
        "unit_id": _UNIT,
        "year": _YEAR,
    },
    "ip_asn": {
        "unit_id": _UNIT,
        "year": _YEAR,
        "kualifikasi": Column("float", True, ("kualifikasi", "dimensi_kualifikasi", "qualification"), "0-100"),
        "kompetensi": Column("float", True, ("kompetensi", "dimensi_kompetensi", "competence"), "0-100"),
        "kinerja": Column("float", True, ("kinerja", "dimensi_kinerja", "performance"), "0-100"),
        "disiplin": Column("float", True, ("disiplin", "dimensi_disiplin", "discipline"), "0-100"),
    },
}

#: Allowed values of coded columns, as stored after normalisation.
COMPETENCY_TYPES = ("teknis", "manajerial", "sosial_kultural")
LEARNING_PATHS = ("klasikal", "nonklasikal")

#: Columns whose raw values identify people; they never leave the loader.
PERSONAL_COLUMNS = ("nip", "name")

#: Tables with one row per person (an ASN's training event, a respondent's answers). Only
#: the columns defined here survive reading them (any other column is dropped before
#: anything else sees it), and no message shows a cell of them that could identify
#: someone (see :func:`evaluation.read.words.shown_value`).
PERSONAL_TABLES = ("training", "skm")


# ---- lagged and leading measures: one spelling for every stage ------------------------------


def lag_column(measure: str, lag: int) -> str:
    """The panel column of ``measure`` ``lag`` calendar years earlier (``lag < 0``: later).

    >>> lag_column("jp_per_asn", 1), lag_column("jp_per_asn", 0), lag_column("ikm", -1)
    ('jp_per_asn_lag1', 'jp_per_asn', 'ikm_lead1')
    """
    if lag == 0:
        return measure
    return f"{measure}_lag{lag}" if lag > 0 else f"{measure}_lead{-lag}"


def lead_column(measure: str, lead: int) -> str:
    """The panel column of ``measure`` ``lead`` years later (a placebo lead)."""
    return lag_column(measure, -lead)


def lag_of(column: str, measure: str) -> int | None:
    """The lag a column holds of ``measure`` (negative for a lead), or ``None`` if it is
    not a lag or lead of it. ``jp_per_asn_lag0`` reads as lag 0.

    >>> lag_of("jp_per_asn_lag2", "jp_per_asn"), lag_of("jp_per_asn_lead1", "jp_per_asn")
    (2, -1)
    >>> lag_of("share_20jp_lag1", "jp_per_asn") is None
    True
    """
    if column == measure:
        return 0
    for marker, sign in (("_lag", 1), ("_lead", -1)):
        prefix = measure + marker
        if column.startswith(prefix) and column[len(prefix):].isdigit():
            return sign * int(column[len(prefix):])
    return None


def is_shifted(column: str) -> bool:
    """Whether a panel column is a lag or lead made by the panel (``..._lag1``, ``..._lead1``)."""
    for marker in ("_lag", "_lead"):
        head, sep, tail = column.rpartition(marker)
        if sep and head and tail.isdigit():
            return True
    return False


def lag_term(measure: str, lag: int) -> str:
    """The name of a distributed-lag term in estimation results: ``lag >= 0`` always spelt
    out (``jp_per_asn_lag0``), a lead as ``jp_per_asn_lead1``, so that every term of a
    distributed-lag model says which year it is.

    >>> lag_term("jp_per_asn", 0), lag_term("jp_per_asn", -1)
    ('jp_per_asn_lag0', 'jp_per_asn_lead1')
    """
    return f"{measure}_lag{lag}" if lag >= 0 else f"{measure}_lead{-lag}"
