"""BPS readers against the real exports in ../shared/data (skipped without them locally)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluation.errors import DataValidationError
from evaluation.read.bps import (
    bps_to_regional_table,
    read_bps_folder,
    read_bps_provinsi,
    read_bps_webtable,
    region_code,
)

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def ipm(shared_data):
    return read_bps_folder(shared_data / "bps-ipm-kabkota")


def _local(df):
    return df[df["level"].isin(["kabupaten", "kota"])]


def test_514_kabkota_every_year(ipm):
    counts = _local(ipm).groupby("year")["region"].nunique()
    assert list(counts.index) == list(range(2010, 2025))
    assert (counts == 514).all()
    assert not _local(ipm).duplicated(["region", "year"]).any()


def test_values_present_from_2014_and_missing_stays_missing(ipm):
    with_value = _local(ipm).groupby("year")["value"].count()
    assert (with_value.loc[2014:] == 514).all()
    assert with_value.loc[2010] == 484
    # missing stays NaN, never 0
    assert (_local(ipm)["value"].dropna() > 0).all()


def test_kota_and_kabupaten_semarang(ipm):
    kota = ipm[(ipm["region"] == "Kota Semarang")].set_index("year")["value"]
    kab = ipm[(ipm["region"] == "Semarang")]
    assert kota.loc[2024] == pytest.approx(85.25)
    assert kota.loc[2010] == pytest.approx(76.96)
    assert set(ipm.loc[ipm["region"] == "Kota Semarang", "level"]) == {"kota"}
    assert set(kab["level"]) == {"kabupaten"}
    assert (kab.set_index("year")["value"] != kota).all()
    assert set(kab["province"]) == {"JAWA TENGAH"}


def test_papua_kept_under_new_province(ipm):
    may = ipm[ipm["region"] == "Maybrat"]
    assert len(may) == 15
    assert set(may["province"]) == {"PAPUA BARAT DAYA"}
    # 2014 value came from the old-province row (the new province's row is '-')
    assert may.set_index("year")["value"].notna().loc[2014:].all()
    assert ipm.attrs["series"] == "metode_baru_sp2010"
    assert set(ipm["level"]) == {"provinsi", "kabupaten", "kota", "nasional"}
    assert (ipm.loc[ipm["level"] == "nasional", "year"].value_counts() == 1).all()


def test_single_file(shared_data):
    df = read_bps_webtable(
        shared_data / "bps-ipm-kabkota" / "[Metode Baru] Indeks Pembangunan Manusia, 2024.csv"
    )
    assert df.loc[df["region"] == "INDONESIA", "value"].item() == pytest.approx(74.20)
    assert list(df.columns) == [
        "province",
        "region",
        "level",
        "year",
        "indicator",
        "value",
        "series",
    ]


def test_regional_table(ipm):
    reg = bps_to_regional_table(ipm, province="Jawa Tengah")
    assert reg["unit_id"].nunique() == 35
    assert reg.attrs["series"] == "metode_baru_sp2010"
    assert set(reg["series"]) == {"metode_baru_sp2010"}
    row = reg[(reg["unit_id"] == "kota_semarang") & (reg["year"] == 2024)]
    assert row["ipm"].item() == pytest.approx(85.25)
    assert "kab_semarang" in set(reg["unit_id"])
    assert not reg.duplicated(["unit_id", "year"]).any()


def test_provinsi_series_break(shared_data):
    df = read_bps_provinsi(shared_data / "bps-provinsi" / "provinsi_indikator_2010_2022.csv")
    ipm = df[df["indicator"] == "ipm"]
    assert set(ipm.loc[ipm["year"] <= 2012, "series"]) == {"metode_lama"}
    assert set(ipm.loc[ipm["year"] >= 2013, "series"]) == {"metode_baru"}
    # 'KEP, RIAU' and 'KEP. RIAU' are one province
    assert df["region"].nunique() == 35
    assert not df.duplicated(["region", "year", "indicator"]).any()
    assert any("2013" in n for n in df.attrs["notes"])
    with pytest.raises(DataValidationError):
        bps_to_regional_table(ipm, indicator_name="ipm", levels=("provinsi",))


def test_synthetic_layout_and_errors(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text(
        "\ufeffProvinsi/Kabupaten/Kota,\n,[Metode Baru] Indeks Pembangunan Manusia\n"
        ",2020\nJAWA TENGAH,72\nSemarang,-\nKota Semarang,83.05\nINDONESIA,71.94",
        encoding="utf-8",
    )
    df = read_bps_webtable(p)
    assert np.isnan(df.loc[df["region"] == "Semarang", "value"].item())
    assert df["year"].unique().tolist() == [2020]
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n3,4\n5,6\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="bad.csv"):
        read_bps_webtable(bad)
    assert region_code("Kota Semarang", "kota") != region_code("Semarang", "kabupaten")
    assert isinstance(df, pd.DataFrame)
