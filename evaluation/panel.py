"""The unit-year analysis panel: one row per unit and year the unit existed.

:func:`build_panel` is pure: a :class:`~evaluation.config.StudyConfig` and the study's
validated tables (canonical column names) in, one DataFrame out. Every column is
documented in :data:`PANEL_COLUMNS` (the README's data dictionary is made from it);
:func:`describe_panel` summarises a panel for the brief.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .columns import is_shifted, lag_column, lead_column
from .config import StudyConfig
from .errors import DataQualityWarning, DataValidationError, Problem, StudyConfigError
from .indicators import (
    NO_PERSONS_REASON,
    IkmResult,
    TrainingAggregates,
    assemble_intensity,
    check_ipm_series,
    ikm,
    ikm_category,
    ikm_from_skm_summary,
    ip_asn,
    ipm_category,
    programme_exposure,
    required_sample,
    staff_from_summary,
    summary_aggregates,
    training_intensity,
)

KEYS = ["unit_id", "year"]

#: Every panel column: name -> (unit, description in Indonesian, description in English).
#: Lag and lead columns are documented by their pattern.
PANEL_COLUMNS: dict[str, tuple[str, str, str]] = {
    "unit_id": ("kode", "Kode unit (OPD, kecamatan, puskesmas, atau wilayah)",
                "Unit code (agency, district office, health centre, or region)"),
    "unit_name": ("teks", "Nama unit sebagaimana ditulis pemerintah kota",
                  "Unit name as the city writes it"),
    "unit_type": ("teks", "Jenis unit (badan, dinas, kecamatan, puskesmas, ...)",
                  "Unit type (agency, service, district office, health centre, ...)"),
    "sector": ("teks", "Sektor/urusan unit (untuk klaster dan uji tinggalkan-satu-sektor)",
               "Sector of the unit (for clustering and leave-one-sector-out checks)"),
    "year": ("tahun", "Tahun kalender", "Calendar year"),
    "asn_count": ("orang", "Jumlah ASN pada unit", "ASN on the unit's staff"),
    "log_asn_count": ("ln(orang)", "Logaritma natural jumlah ASN",
                      "Natural log of the ASN count"),
    "jp_total": ("JP", "Total JP (jam pelajaran 45 menit) yang diakui, termasuk kredit "
                 "nonklasikal", "Credited JP (45-minute learning hours), nonklasikal credit "
                 "applied"),
    "jp_per_asn": ("JP per ASN", "JP yang diakui dibagi jumlah ASN",
                   "Credited JP over the ASN count"),
    "n_trained": ("orang", "ASN yang mengikuti pengembangan kompetensi (dihitung sekali, di "
                  "unit tempat JP terbanyak)", "ASN with any training (counted once, in the "
                  "unit where they earned most JP)"),
    "n_reached_20jp": ("orang", "ASN yang mencapai hak 20 JP setahun (PP 11/2017 Pasal "
                       "203(4))", "ASN reaching the 20 JP a year entitlement (PP 11/2017 "
                       "art. 203(4))"),
    "share_20jp": ("proporsi 0-1", "Proporsi ASN yang mencapai 20 JP; ASN tanpa pelatihan "
                   "dihitung nol", "Share of ASN reaching 20 JP; ASN without training count "
                   "as zero"),
    "share_trained": ("proporsi 0-1", "Proporsi ASN yang mengikuti pengembangan kompetensi",
                      "Share of ASN with any training"),
    "spend_nominal": ("Rp", "Biaya pengembangan kompetensi, harga berlaku",
                      "Training spending, current prices"),
    "spend_real": ("Rp (harga konstan)", "Biaya pada harga tahun dasar (dideflasi IHK)",
                   "Spending at base-year prices (CPI-deflated)"),
    "spend_per_asn_real": ("Rp per ASN (harga konstan)", "Biaya riil per ASN",
                           "Real spending per ASN"),
    "share_jp_teknis": ("proporsi 0-1", "Porsi JP kompetensi teknis",
                        "Share of JP in technical competency"),
    "share_jp_manajerial": ("proporsi 0-1", "Porsi JP kompetensi manajerial",
                            "Share of JP in managerial competency"),
    "share_jp_sosial_kultural": ("proporsi 0-1", "Porsi JP kompetensi sosial kultural",
                                 "Share of JP in socio-cultural competency"),
    "share_jp_klasikal": ("proporsi 0-1", "Porsi JP jalur klasikal",
                          "Share of JP through classroom (klasikal) learning"),
    "share_jp_nonklasikal": ("proporsi 0-1", "Porsi JP jalur nonklasikal (e-learning, "
                             "coaching, mentoring, ...)", "Share of JP through non-classroom "
                             "learning (e-learning, coaching, mentoring, ...)"),
    "jp_per_asn_teknis": ("JP per ASN", "JP kompetensi teknis yang diakui dibagi jumlah ASN",
                          "Credited JP in technical competency over the ASN count"),
    "jp_per_asn_manajerial": ("JP per ASN", "JP kompetensi manajerial yang diakui dibagi "
                              "jumlah ASN", "Credited JP in managerial competency over the "
                              "ASN count"),
    "jp_per_asn_sosial_kultural": ("JP per ASN", "JP kompetensi sosial kultural yang diakui "
                                   "dibagi jumlah ASN", "Credited JP in socio-cultural "
                                   "competency over the ASN count"),
    "jp_per_asn_klasikal": ("JP per ASN", "JP jalur klasikal yang diakui dibagi jumlah ASN",
                            "Credited JP through classroom learning over the ASN count"),
    "jp_per_asn_nonklasikal": ("JP per ASN", "JP jalur nonklasikal yang diakui (dengan kredit "
                               "nonklasikal) dibagi jumlah ASN", "Credited JP through "
                               "non-classroom learning (credit applied) over the ASN count"),
    "jp_per_asn_topic_<name>": ("JP per ASN", "JP yang diakui dari pelatihan yang judulnya "
                                "memuat kata kunci topik <name> (topics di study.yaml) dibagi "
                                "jumlah ASN; topik dapat tumpang tindih", "Credited JP of "
                                "training whose programme title contains a keyword of topic "
                                "<name> (topics in study.yaml) over the ASN count; topics may "
                                "overlap"),
    "ikm": ("poin IKM 25-100", "Indeks Kepuasan Masyarakat (PermenPANRB 14/2017)",
            "Public satisfaction index (PermenPANRB 14/2017)"),
    "ikm_category": ("kode A-D", "Mutu pelayanan: A Sangat Baik, B Baik, C Kurang Baik, "
                     "D Tidak Baik", "Service quality grade: A very good, B good, C less than "
                     "good, D poor"),
    "ikm_n_respondents": ("responden", "Jumlah responden SKM", "SKM respondents"),
    "ikm_required_sample": ("responden", "Sampel minimum Krejcie-Morgan untuk populasi "
                            "layanan unit", "Krejcie-Morgan minimum sample for the population "
                            "served"),
    "ikm_sample_adequate": ("ya/tidak", "Responden memenuhi sampel minimum (jika tidak, IKM "
                            "ditandai dan dapat dikeluarkan dari estimasi)", "Respondents meet "
                            "the minimum sample (if not, the IKM is flagged and can be left "
                            "out of estimates)"),
    "iku_achievement": ("% target", "Capaian Indikator Kinerja Utama",
                        "Key performance indicator achievement, % of target"),
    "complaints": ("pengaduan", "Jumlah pengaduan diterima", "Complaints received"),
    "cohort_year": ("tahun", "Tahun unit mulai mengikuti program bertahap (kosong: tidak "
                    "pernah)", "Year the unit joined the staged programme (empty: never)"),
    "event_time": ("tahun", "Tahun sejak bergabung dengan program (negatif: sebelum)",
                   "Years since joining the programme (negative: before)"),
    "programme_active": ("ya/tidak", "Unit sudah bergabung dengan program pada tahun ini",
                         "The unit has joined the programme by this year"),
    "ip_asn": ("poin 0-100", "Indeks Profesionalitas ASN (PermenPANRB 38/2018)",
               "ASN professionalism index (PermenPANRB 38/2018)"),
    "ip_asn_category": ("kategori", "Kategori IP ASN (Sangat Tinggi ... Sangat Rendah)",
                        "IP ASN category (very high ... very low)"),
    "ipm": ("poin", "Indeks Pembangunan Manusia (BPS), satu seri",
            "Human Development Index (BPS), one series"),
    "ipm_category": ("kategori", "Kategori IPM BPS: rendah, sedang, tinggi, sangat tinggi",
                     "BPS HDI category: low, medium, high, very high"),
    "poverty_rate": ("% penduduk", "Persentase penduduk miskin (BPS)",
                     "Share of the population below the poverty line (BPS)"),
    "open_unemployment": ("% angkatan kerja", "Tingkat pengangguran terbuka (BPS)",
                          "Open unemployment rate (BPS)"),
    "grdp_growth": ("% per tahun", "Pertumbuhan PDRB atas dasar harga konstan (BPS)",
                    "Real GRDP growth (BPS)"),
    "<regional column>": ("sesuai sumber", "Kolom numerik lain dari tabel regional, disalin "
                          "apa adanya", "Any other numeric column of the regional table, "
                          "copied as is"),
    "<measure>_lag<k>": ("satuan ukuran", "Nilai ukuran k tahun sebelumnya (tahun kalender; "
                         "tahun yang hilang memberi nilai kosong)", "The measure k calendar "
                         "years earlier (a missing year gives an empty value)"),
    "<measure>_lead<k>": ("satuan ukuran", "Nilai ukuran k tahun sesudahnya (untuk uji "
                          "plasebo)", "The measure k calendar years later (placebo checks)"),
}

#: Row-level tables: the indicators read their codes as they are, so these are never
#: copied (a shallow view carries the file name for messages).
_ROW_LEVEL = ("training", "skm")


def _frame(tables: Mapping[str, pd.DataFrame], name: str) -> pd.DataFrame | None:
    df = tables.get(name)
    if df is None:
        return None
    if name in _ROW_LEVEL:
        view = df.copy(deep=False)
        view.attrs.update(file=df.attrs.get("file", name))
        return view
    out = df.copy()
    out.attrs.setdefault("file", name)
    if "unit_id" in out.columns:
        out["unit_id"] = out["unit_id"].astype("str")
    if "year" in out.columns:
        out["year"] = pd.to_numeric(out["year"]).astype("int64")
    return out


def _unit_years(config: StudyConfig, units: pd.DataFrame) -> pd.DataFrame:
    """Every (unit, year) within the study years in which the unit existed."""
    file = units.attrs.get("file", "units")
    dup = units["unit_id"].duplicated(keep=False).to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise DataValidationError(f"{file}: unit codes must be unique", [Problem(
            file=file, row=i + 2, column="unit_id", value=units["unit_id"].iloc[i],
            rule="unique_key", message="the same unit code appears more than once",
            hint="keep one row per unit; a restructured unit gets a new code, with "
                 "created_year / closed_year")])
    years = np.array(list(config.years.span), dtype=np.int64)
    def year_bound(col: str, default: float) -> np.ndarray:
        if col not in units:
            return np.full(len(units), default)
        v = pd.to_numeric(units[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        return np.where(np.isnan(v), default, v)

    first = year_bound("created_year", -math.inf)
    last = year_bound("closed_year", math.inf)
    bad = first > last
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataValidationError(f"{file}: a unit closes before it was created", [Problem(
            file=file, row=i + 2, column="closed_year", value=units["closed_year"].iloc[i],
            rule="created_before_closed", message="closed_year is before created_year",
            hint="closed_year is the last year the unit existed")])
    alive = (years[None, :] >= first[:, None]) & (years[None, :] <= last[:, None])
    u_idx, y_idx = np.nonzero(alive)
    out = pd.DataFrame({"unit_id": units["unit_id"].to_numpy()[u_idx],
                        "year": years[y_idx]})
    for col in ("unit_name", "unit_type", "sector"):
        values = units[col].to_numpy()[u_idx] if col in units else np.full(len(out), np.nan)
        out[col] = pd.Series(values, dtype="str")
    return out[["unit_id", "unit_name", "unit_type", "sector", "year"]]


def _join(panel: pd.DataFrame, other: pd.DataFrame, columns: list[str], name: str
          ) -> pd.DataFrame:
    """Left-join ``columns`` of ``other`` on unit-year; warn about rows that match nothing."""
    file = other.attrs.get("file", name)
    dup = other.duplicated(KEYS, keep=False).to_numpy()
    if dup.any():
        rows = np.flatnonzero(dup)
        raise DataValidationError(f"{file}: {len(rows)} rows repeat a unit and year", [Problem(
            file=file, row=int(i) + 2, column="unit_id",
            value=f"{other['unit_id'].iloc[i]} / {other['year'].iloc[i]}", rule="unique_key",
            message="duplicate unit-year", hint="keep one row per unit and year")
            for i in rows[:50]])
    known = pd.MultiIndex.from_frame(panel[KEYS])
    theirs = pd.MultiIndex.from_frame(other[KEYS])
    orphan = ~theirs.isin(known)
    units_known = set(panel["unit_id"])
    unknown_units = sorted(set(other.loc[orphan, "unit_id"]) - units_known)
    if unknown_units:
        warnings.warn(f"{file}: unit code(s) not in the units table, ignored: "
                      f"{', '.join(unknown_units[:10])}", DataQualityWarning, stacklevel=3)
    first, last = int(panel["year"].min()), int(panel["year"].max())
    outside = (orphan & other["unit_id"].isin(units_known).to_numpy()
               & other["year"].between(first, last).to_numpy())
    if outside.any():
        listed = ", ".join(f"{u}/{y}" for u, y in other.loc[outside, KEYS].head(10).to_numpy())
        warnings.warn(f"{file}: {int(outside.sum())} row(s) for years in which the unit did not "
                      f"exist (created_year/closed_year in the units table), ignored: {listed}",
                      DataQualityWarning, stacklevel=3)
    cols = [c for c in columns if c in other.columns]
    return panel.merge(other[[*KEYS, *cols]], on=KEYS, how="left", validate="one_to_one")


def _ikm_columns(config: StudyConfig, panel: pd.DataFrame, units: pd.DataFrame,
                 skm: pd.DataFrame | None, ikm_table: pd.DataFrame | None,
                 agg: PanelAggregates) -> tuple[pd.DataFrame, str | None]:
    population = _population(config, units)
    res, source = agg.ikm, agg.ikm_source
    if skm is not None:  # answers first; a summary fills the unit-years they lack
        answers = ikm(skm, by=("unit_id", "year"), weighting=config.ikm.weighting,
                      population=population, file=skm.attrs.get("file", "skm"))
        res = _first_ikm(answers, res) if res is not None else answers
        source = "skm" if agg.ikm is None else f"skm+{agg.ikm_source}"
    if res is not None:
        t = res.table.rename(columns={"n_respondents": "ikm_n_respondents",
                                      "required_sample": "ikm_required_sample",
                                      "sample_adequate": "ikm_sample_adequate",
                                      "category": "ikm_category"})
        t = t[[*KEYS, "ikm", "ikm_category", "ikm_n_respondents", "ikm_required_sample",
               "ikm_sample_adequate"]]
        t["unit_id"] = t["unit_id"].astype("str")
        t["year"] = pd.to_numeric(t["year"]).astype("int64")
    elif ikm_table is not None:
        t = ikm_table[[*KEYS, "ikm"]].copy()
        t["ikm"] = pd.to_numeric(t["ikm"], errors="coerce")
        t["ikm_category"] = ikm_category(t["ikm"]).to_numpy()
        n = (pd.to_numeric(ikm_table["n_respondents"], errors="coerce")
             if "n_respondents" in ikm_table else pd.Series(np.nan, index=t.index))
        t["ikm_n_respondents"] = n.to_numpy()
        pop = (t["unit_id"].map(population) if population is not None
               else pd.Series(np.nan, index=t.index))
        t["ikm_required_sample"] = required_sample(pop.to_numpy(dtype=float))
        adequate = pd.Series(n.to_numpy() >= t["ikm_required_sample"].to_numpy(),
                             index=t.index, dtype="boolean")
        t["ikm_sample_adequate"] = adequate.mask(n.isna().to_numpy())
        source = "ikm"
    else:
        return panel, None
    out = _join(panel, t, [c for c in t.columns if c not in KEYS], source)
    out["ikm_n_respondents"] = out["ikm_n_respondents"].astype("Int64")
    out["ikm_required_sample"] = out["ikm_required_sample"].astype("Int64")
    out["ikm_sample_adequate"] = out["ikm_sample_adequate"].astype("boolean")
    out["ikm_category"] = out["ikm_category"].astype("str")
    return out, source


def add_lags(panel: pd.DataFrame, measures, *, lags=(1,), leads=(), unit: str = "unit_id",
             time: str = "year") -> pd.DataFrame:
    """Add ``<m>_lag<k>`` and ``<m>_lead<k>`` columns by calendar year within unit.

    The value of year t−k is looked up by year, not by row: when a unit has no row (or a
    missing value) for year t−k, the lag is missing rather than the previous row's value.
    Lag or lead 0 adds nothing (it is the measure itself).

    Examples
    --------
    >>> df = pd.DataFrame({"unit_id": ["a", "a", "a"], "year": [2020, 2021, 2023],
    ...                    "jp_per_asn": [1.0, 2.0, 4.0]})
    >>> add_lags(df, ["jp_per_asn"], lags=(1,))["jp_per_asn_lag1"].tolist()
    [nan, 1.0, nan]
    """
    keys = [unit, time]
    measures = list(measures)
    src = panel[[*keys, *measures]]
    out = panel
    for k in sorted({int(k) for k in lags if k > 0}):
        shifted = src.assign(**{time: src[time] + k}).rename(
            columns={m: lag_column(m, k) for m in measures})
        out = out.merge(shifted, on=keys, how="left", validate="one_to_one")
    for k in sorted({int(k) for k in leads if k > 0}):
        shifted = src.assign(**{time: src[time] - k}).rename(
            columns={m: lead_column(m, k) for m in measures})
        out = out.merge(shifted, on=keys, how="left", validate="one_to_one")
    out.attrs = dict(panel.attrs)
    return out


@dataclass(frozen=True)
class PanelAggregates:
    """What the row-level tables contribute to the panel, computed elsewhere (by the
    out-of-core engine, or from summary tables): the training aggregates and the IKM per
    unit-year. :func:`build_panel` uses them in place of the ``training`` and ``skm``
    tables."""

    training: TrainingAggregates | None = None
    ikm: IkmResult | None = None
    ikm_source: str = "skm"
    #: The sums behind who is left behind (``evaluation.indicators.access_counts``).
    access: pd.DataFrame | None = None
    #: Per unit-year, the JP trained persons lack to the entitlement (``unit_id``, ``year``,
    #: ``jp_short``; ``evaluation.indicators.engine.entitlement_shortfall_parquet``).
    entitlement_short: pd.DataFrame | None = None
    attrs: Mapping[str, Any] = field(default_factory=dict)


def build_panel(config: StudyConfig, tables: Mapping[str, pd.DataFrame], *,
                aggregates: PanelAggregates | None = None) -> pd.DataFrame:
    """Build the unit-year analysis panel of a study.

    Parameters
    ----------
    config : StudyConfig
        The study (years, measures and their roles, lags and leads, IKM weighting, JP
        credit, price base year).
    tables : mapping of str to DataFrame
        The study's validated tables with canonical column names (``units`` required;
        ``staff``, ``training``, ``skm`` or ``ikm``, ``performance``, ``cpi``,
        ``programme``, ``regional``, ``ip_asn`` when the study has them). Personal
        identifiers must already be pseudonymised; names are not used.
    aggregates : PanelAggregates, optional
        Training aggregates and IKM computed elsewhere (the out-of-core engine, or
        summary tables); they stand in for the ``training`` and ``skm`` tables.

    Returns
    -------
    DataFrame
        One row per unit and year the unit existed (``created_year`` ..
        ``closed_year``) within ``config.years``: an unbalanced panel when units were
        created or closed. Columns as in :data:`PANEL_COLUMNS` for the tables present,
        plus ``<measure>_lag<k>`` and ``<measure>_lead<k>`` for every investment and
        quality measure of the study and every k > 0 in ``config.lags`` /
        ``config.leads`` (lag 0 is the measure itself). Sorted by unit and year.
        ``attrs`` records the study name, ``ikm_weighting``, ``ikm_source``,
        ``base_year``, ``synthetic``, ``lags``, ``leads`` and the nonklasikal activities
        credited by default.

    Raises
    ------
    StudyConfigError
        A measure named in ``study.yaml`` cannot be computed from the tables.
    DataValidationError
        Duplicate unit-years, a unit closed before it was created, unusable values.

    Examples
    --------
    >>> from evaluation.config import StudyConfig
    >>> cfg = StudyConfig(name="x", title="x", years={"first": 2023, "last": 2024},
    ...                   tables={"units": "units.csv"}, lags=(0, 1), leads=(),
    ...                   measures={"investment": ["jp_per_asn"], "quality": [],
    ...                             "outcome": []})
    >>> units = pd.DataFrame({"unit_id": ["D01"], "unit_name": ["Dinas A"]})
    >>> staff = pd.DataFrame({"unit_id": ["D01"] * 2, "year": [2023, 2024],
    ...                       "asn_count": [10, 10]})
    >>> training = pd.DataFrame({"unit_id": ["D01"], "year": [2024], "nip": ["p1"],
    ...                          "jp": [30.0]})
    >>> p = build_panel(cfg, {"units": units, "staff": staff, "training": training})
    >>> p[["year", "jp_per_asn", "jp_per_asn_lag1"]].to_numpy().tolist()
    [[2023.0, 0.0, nan], [2024.0, 3.0, 0.0]]
    """
    t = {name: _frame(tables, name) for name in tables}
    units = t.get("units")
    if units is None:
        raise StudyConfigError("build_panel: the units table is required")
    panel = _unit_years(config, units)
    attrs: dict[str, Any] = {
        "study": config.name, "synthetic": bool(config.synthetic),
        "base_year": int(config.base_year), "ikm_weighting": config.ikm.weighting,
        "lags": list(config.lags), "leads": list(config.leads)}
    agg = _with_summaries(config, t, aggregates or PanelAggregates(), units)
    attrs.update(agg.attrs)
    panel = _staff_columns(panel, t.get("staff"))
    panel = _training_columns(config, panel, t, attrs, agg.training)
    panel, attrs["ikm_source"] = _ikm_columns(config, panel, units, t.get("skm"), t.get("ikm"),
                                              agg)
    panel = _context_columns(panel, t, attrs)
    _check_measures(config, panel)
    measures = config.measures
    parts = [c for c in panel.columns if c.startswith("jp_per_asn_")]
    shifted = list(dict.fromkeys([*measures.investment, *measures.quality, *parts]))
    panel = add_lags(panel, shifted, lags=config.lags, leads=config.leads)
    panel = panel.sort_values(KEYS, kind="stable").reset_index(drop=True)
    panel.attrs.clear()
    panel.attrs.update(attrs)
    return panel


def _with_summaries(config: StudyConfig, t: dict[str, pd.DataFrame | None],
                    agg: PanelAggregates, units: pd.DataFrame) -> PanelAggregates:
    """Stand-ins from summary tables where the records are missing, and what the panel
    can say about persons (``attrs``: ``training_source``, ``person_level``,
    ``unavailable``: measure -> reason)."""
    summary, skm_summary = t.get("training_summary"), t.get("skm_summary")
    training, ikm_result = agg.training, agg.ikm
    attrs = dict(agg.attrs)
    unavailable: dict[str, str] = {}
    if t.get("training") is not None:
        source = "training"
    elif training is not None:
        source = "training (out of core)"
    elif summary is not None:
        source = "training_summary"
        training = summary_aggregates(summary)
        if t.get("staff") is None:
            t["staff"] = staff_from_summary(summary)
        unavailable["training_access"] = NO_PERSONS_REASON
        if config.topics:
            unavailable["topics"] = NO_PERSONS_REASON
    else:
        source = None
    if skm_summary is not None:
        from_summary = ikm_from_skm_summary(skm_summary, weighting=config.ikm.weighting,
                                            population=_population(config, units))
        ikm_result = _first_ikm(ikm_result, from_summary)
    attrs.update(training_source=source, person_level=source in ("training",
                                                                 "training (out of core)"),
                 unavailable=unavailable)
    ikm_source = agg.ikm_source
    if skm_summary is not None:
        ikm_source = "skm_summary" if agg.ikm is None else f"{agg.ikm_source}+skm_summary"
    return PanelAggregates(training=training, ikm=ikm_result, ikm_source=ikm_source,
                           access=agg.access, attrs=attrs)


def _first_ikm(first: IkmResult | None, second: IkmResult) -> IkmResult:
    """``first``'s unit-years, and ``second``'s where ``first`` has none."""
    if first is None:
        return second
    seen = pd.MultiIndex.from_frame(first.table[KEYS].astype({"unit_id": "str"}))
    extra = ~pd.MultiIndex.from_frame(second.table[KEYS]).isin(seen)
    table = pd.concat([first.table, second.table[extra]], ignore_index=True)
    return dataclasses.replace(first, table=table)


def _population(config: StudyConfig, units: pd.DataFrame) -> pd.Series | None:
    col = config.ikm.population_column
    if not col or col not in units.columns:
        return None
    return pd.Series(pd.to_numeric(units[col], errors="coerce").to_numpy(),
                     index=units["unit_id"].to_numpy())


def _staff_columns(panel: pd.DataFrame, staff: pd.DataFrame | None) -> pd.DataFrame:
    if staff is None:
        return panel
    panel = _join(panel, staff, ["asn_count"], "staff")
    panel["asn_count"] = pd.to_numeric(panel["asn_count"]).astype(float)
    asn = panel["asn_count"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        panel["log_asn_count"] = np.where(asn > 0, np.log(np.where(asn > 0, asn, 1)), np.nan)
    return panel


def _training_columns(config: StudyConfig, panel: pd.DataFrame,
                      t: Mapping[str, pd.DataFrame | None], attrs: dict[str, Any],
                      aggregated: TrainingAggregates | None) -> pd.DataFrame:
    training, staff = t.get("training"), t.get("staff")
    if training is None and aggregated is None:
        return panel
    if staff is None:
        raise StudyConfigError(
            "the study has a training table but no staff table: JP per ASN and the "
            "20-JP share need the ASN count per unit-year (add tables.staff to study.yaml)")
    # staff unit-years without training come back as zeros (not missing)
    if aggregated is not None:
        ti = assemble_intensity(aggregated, staff, config=config, cpi=t.get("cpi"))
    elif training is not None:
        ti = training_intensity(training, staff, config=config, cpi=t.get("cpi"))
    attrs["jp_credit_unlisted"] = list(ti.attrs.get("jp_credit_unlisted", []))
    return panel.merge(ti.drop(columns=["asn_count"]), on=KEYS, how="left",
                       validate="one_to_one")


def _context_columns(panel: pd.DataFrame, t: Mapping[str, pd.DataFrame | None],
                     attrs: dict[str, Any]) -> pd.DataFrame:
    """Performance, programme exposure, IP ASN and regional outcomes."""
    perf = t.get("performance")
    if perf is not None:
        panel = _join(panel, perf, ["iku_achievement", "complaints"], "performance")
    prog = t.get("programme")
    if prog is not None:
        panel = programme_exposure(prog, panel)
    scores = t.get("ip_asn")
    if scores is not None:
        panel = _join(panel, ip_asn(scores), ["ip_asn", "ip_asn_category"], "ip_asn")
    regional = t.get("regional")
    if regional is not None:
        if "ipm" in regional.columns:
            attrs["ipm_series"] = check_ipm_series(regional)
        skip = {*KEYS, "unit_name", "unit_type", "sector", "series", *panel.columns}
        cols = [c for c in regional.columns if c not in skip
                and pd.api.types.is_numeric_dtype(regional[c].dtype)]
        panel = _join(panel, regional, cols, "regional")
        if "ipm" in cols:
            panel["ipm_category"] = ipm_category(panel["ipm"]).to_numpy()
    return panel


def _check_measures(config: StudyConfig, panel: pd.DataFrame) -> None:
    measures = config.measures
    roles = {"investment": measures.investment, "quality": measures.quality,
             "outcome": measures.outcome, "control": measures.control}
    absent = [(role, m) for role, ms in roles.items() for m in ms if m not in panel.columns]
    if absent:
        raise StudyConfigError(
            "study.yaml names measures the tables cannot provide",
            [Problem(file=str(config.root / "study.yaml"), column=f"measures.{role}", value=m,
                     rule="known_measure",
                     message="no such panel column with the tables this study declares",
                     hint="use one of the panel columns ("
                          + ", ".join(c for c in panel.columns if c not in KEYS)
                          + ") or add the table that provides it")
             for role, m in absent])


def describe_panel(panel: pd.DataFrame) -> dict:
    """Summary of a panel for the brief: units, years, ASN, missing shares.

    Returns
    -------
    dict
        ``n_units``, ``n_unit_years``, ``years`` (first, last), ``balanced``,
        ``n_units_per_year``, ``asn_last_year``, ``missing_share`` per measure column
        (lags and leads excluded), ``n_ikm_sample_inadequate``, ``synthetic``.

    Examples
    --------
    >>> p = pd.DataFrame({"unit_id": ["a", "a", "b"], "year": [2023, 2024, 2024],
    ...                   "asn_count": [10.0, 12.0, 5.0], "ikm": [80.0, None, 75.0]})
    >>> d = describe_panel(p)
    >>> d["n_units"], d["years"], d["asn_last_year"], d["missing_share"]["ikm"]
    (2, [2023, 2024], 17.0, 0.3333333333333333)
    """
    years = sorted(int(y) for y in panel["year"].unique())
    per_year = panel.groupby("year")["unit_id"].nunique()
    n_units = int(panel["unit_id"].nunique())
    descriptive = {"unit_id", "unit_name", "unit_type", "sector", "year"}
    measure_cols = [c for c in panel.columns if c not in descriptive and not is_shifted(c)]
    missing = {c: float(panel[c].isna().mean()) for c in measure_cols}
    out = {
        "n_units": n_units,
        "n_unit_years": int(len(panel)),
        "years": [years[0], years[-1]] if years else [],
        "balanced": bool(len(panel) == n_units * len(years)),
        "n_units_per_year": {int(y): int(n) for y, n in zip(per_year.index, per_year,
                                                              strict=True)},
        "asn_last_year": (float(panel.loc[panel["year"] == years[-1], "asn_count"].sum())
                          if "asn_count" in panel and years else None),
        "missing_share": missing,
        "n_ikm_sample_inadequate": (
            int((panel["ikm_sample_adequate"].astype("boolean") == False).sum())  # noqa: E712
            if "ikm_sample_adequate" in panel else None),
        "synthetic": bool(panel.attrs.get("synthetic", False)),
    }
    return out


__all__ = ["PANEL_COLUMNS", "PanelAggregates", "add_lags", "build_panel", "describe_panel"]
