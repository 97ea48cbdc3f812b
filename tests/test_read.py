"""The readers: number locales, encodings, delimiters, title rows, Excel cells, Parquet."""

from __future__ import annotations

import datetime as dt
import gc
import sys

import numpy as np
import openpyxl
import pandas as pd
import pytest

from evaluation.errors import DataValidationError
from evaluation.read import normalise_header, parse_numbers, read_table
from evaluation.read.words import localise_note


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234.567", 1234567.0),
        ("1.234,5", 1234.5),
        ("Rp 1.250.000,00", 1250000.0),
        ("Rp1.250.000", 1250000.0),
        # issue 11, item 11: rupiah as city documents write them, accounting negatives
        ("Rp. 1.250.000,-", 1250000.0),
        ("1.250.000,-", 1250000.0),
        ("(1.250.000)", -1250000.0),
        ("(Rp 1.250.000,00)", -1250000.0),
        # Excel's accounting format shows a zero as "Rp -" (its zero section is "Rp"* "-")
        ("Rp -", 0.0),
        ("Rp. -", 0.0),
        ("Rp -,-", 0.0),
        ("Rp\u00a0-", 0.0),
        ("12,5%", 12.5),
        ("-3,25", -3.25),
        ("0", 0.0),
        ("1 234", 1234.0),
        ("1.000", 1000.0),
        ("7", 7.0),
        ("\u00a012,0 ", 12.0),
    ],
)
def test_indonesian_numbers(text, expected):
    values, failed = parse_numbers(pd.Series([text]), locale="id")
    assert not failed.iloc[0]
    assert values.iloc[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234,567.5", 1234567.5),
        ("1234.5", 1234.5),
        ("12.5%", 12.5),
        ("1,000", 1000.0),
        ("-0.5", -0.5),
        ("1.5e3", 1500.0),
    ],
)
def test_english_numbers(text, expected):
    values, failed = parse_numbers(pd.Series([text]), locale="en")
    assert not failed.iloc[0]
    assert values.iloc[0] == expected


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("1,234.5", "id"),
        ("12.5", "id"),
        ("1.23.4", "id"),
        ("abc", "id"),
        ("1.234,5", "en"),
        ("12,5", "en"),
        ("1,23", "en"),
        ("--1", "id"),
        ("1,2,3", "id"),
    ],
)
def test_numbers_not_valid_under_the_locale_fail(text, locale):
    values, failed = parse_numbers(pd.Series([text]), locale=locale)
    assert failed.iloc[0] and np.isnan(values.iloc[0])


def test_missing_markers_are_missing_not_zero():
    values, failed = parse_numbers(pd.Series(["-", "", "NA", "n/a", None, "..."]), locale="id")
    assert values.isna().all() and not failed.any()


def test_normalise_header():
    assert normalise_header("Kode OPD") == "kode_opd"
    assert normalise_header("  TAHUN ") == "tahun"
    assert normalise_header("Jumlah ASN (orang)") == "jumlah_asn"
    assert normalise_header("Jenis-Kompetensi") == "jenis_kompetensi"
    assert normalise_header("Nomor.Induk.Pegawai") == "nomor_induk_pegawai"
    assert normalise_header("\ufeffKódé") == "kode"


def test_semicolon_csv_with_title_rows_and_row_numbers(tmp_path):
    p = tmp_path / "staff.csv"
    p.write_text(
        "REKAP ASN\n\nKode OPD;Tahun;Jumlah ASN;Keterangan\nD01;2023;1.234;a\n\n"
        "D02;2023;-;\nD03;2023;12,5;\n",
        encoding="utf-8",
    )
    t = read_table(p, table="staff", locale="id", errors="collect")
    assert list(t.frame.columns) == ["unit_id", "year", "asn_count", "keterangan"]
    assert t.row_numbers.tolist() == [4, 6, 7]  # blank line 5 skipped, numbering kept
    assert t.header_row == 3
    assert t.frame["asn_count"].tolist()[0] == 1234
    assert pd.isna(t.frame["asn_count"].iloc[1])
    [problem] = t.problems
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "staff.csv",
        7,
        "Jumlah ASN",
        "12,5",
    )
    assert any("Keterangan" in n for n in t.notes)
    with pytest.raises(DataValidationError, match="staff.csv"):
        read_table(p, table="staff", locale="id")


def test_encodings(tmp_path):
    text = "kode_opd,nama_opd\nD01,Dinas Kesehatan Café\n"
    for name, data in [("bom.csv", "\ufeff" + text), ("plain.csv", text)]:
        (tmp_path / name).write_text(data, encoding="utf-8")
        t = read_table(tmp_path / name, table="units")
        assert t.frame["unit_name"].iloc[0] == "Dinas Kesehatan Café"
        assert list(t.frame.columns) == ["unit_id", "unit_name"]
    (tmp_path / "win.csv").write_bytes(text.encode("cp1252"))
    t = read_table(tmp_path / "win.csv", table="units")
    assert t.frame["unit_name"].iloc[0] == "Dinas Kesehatan Café"
    assert any("Windows-1252" in n for n in t.notes)
    (tmp_path / "u16.csv").write_bytes(text.encode("utf-16"))
    with pytest.raises(DataValidationError, match="UTF-16"):
        read_table(tmp_path / "u16.csv", table="units")


def test_quoted_cells_and_english_locale(tmp_path):
    p = tmp_path / "training.csv"
    p.write_text(
        "nip,unit_id,year,jp,cost_rp,programme\n"
        '199001012015011001,D01,2023,24,"1,250,000","Course, part 1"\n',
        encoding="utf-8",
    )
    t = read_table(p, table="training", locale="en")
    assert t.frame["cost_rp"].iloc[0] == 1250000.0
    assert t.frame["programme"].iloc[0] == "Course, part 1"
    assert t.frame["nip"].iloc[0] == "199001012015011001"


def test_duplicate_columns_after_mapping(tmp_path):
    p = tmp_path / "staff.csv"
    p.write_text("kode_opd;tahun;Year;jumlah_asn\nD01;2023;2023;5\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        read_table(p, table="staff")
    [problem] = info.value.problems
    assert problem.rule == "duplicate_column" and problem.row == 1 and problem.column == "Year"


def test_empty_and_header_only(tmp_path):
    (tmp_path / "a.csv").write_bytes(b"")
    (tmp_path / "b.csv").write_bytes(b"\xef\xbb\xbf\r\n")
    (tmp_path / "c.csv").write_text("kode_opd;tahun;jumlah_asn\n", encoding="utf-8")
    for name, match in [("a.csv", "empty"), ("b.csv", "empty"), ("c.csv", "no data rows")]:
        with pytest.raises(DataValidationError, match=match):
            read_table(tmp_path / name, table="staff")
    with pytest.raises(DataValidationError, match="not found"):
        read_table(tmp_path / "nope.csv", table="staff")


def _workbook(path, build):
    wb = openpyxl.Workbook()
    build(wb.active)
    wb.save(path)
    return path


def test_xlsx_title_rows_merged_cells_errors_formulas_dates(tmp_path):
    def build(ws):
        ws.title = "Pelatihan"
        ws["A1"] = "REKAP PELATIHAN ASN 2023"
        ws.merge_cells("A1:F1")
        ws.append([])
        ws.append(["NIP", "Kode OPD", "Tahun", "JP", "Tanggal", "Biaya (Rp)"])
        ws.append(["199001012015011001", "D01", 2023, 24, 45292, "Rp 1.250.000,00"])
        ws.append(["199001012015011002", None, 2023, "#DIV/0!", dt.datetime(2023, 5, 1), 1500000])
        ws.append(["199001012015011003", "D02", 2023, "=D4*2", "31/07/2023", None])
        ws.merge_cells("B4:B5")  # a unit code merged over two rows

    p = _workbook(tmp_path / "training.xlsx", build)
    t = read_table(p, table="training", locale="id", errors="collect")
    assert t.header_row == 3
    assert t.row_numbers.tolist() == [4, 5, 6]
    assert t.frame["unit_id"].tolist() == ["D01", "D01", "D02"]
    assert t.frame["date"].tolist() == [
        pd.Timestamp("2024-01-01"),
        pd.Timestamp("2023-05-01"),
        pd.Timestamp("2023-07-31"),
    ]
    assert t.frame["cost_rp"].iloc[0] == 1250000.0
    assert t.frame["jp"].iloc[0] == 24.0
    assert t.frame["jp"].iloc[1:].isna().all()  # error and formula never become numbers
    rules = {(p.row, p.column, p.rule) for p in t.problems}
    assert rules == {(5, "JP", "excel_error"), (6, "JP", "formula")}


def test_xlsx_named_sheet_and_missing_sheet(tmp_path):
    def build(ws):
        ws.title = "Lain"
        ws.append(["x"])

    p = _workbook(tmp_path / "cpi.xlsx", build)
    wb = openpyxl.load_workbook(p)
    ws = wb.create_sheet("IHK")
    ws.append(["Tahun", "IHK"])
    ws.append([2023, 116.56])
    wb.save(p)
    t = read_table(p, table="cpi", sheet="IHK")
    assert t.frame["cpi"].tolist() == [116.56]
    with pytest.raises(DataValidationError, match="sheet 'Nope' not found"):
        read_table(p, table="cpi", sheet="Nope")
    (tmp_path / "bad.xlsx").write_bytes(b"not a zip")
    with pytest.raises(DataValidationError, match="not a readable .xlsx"):
        read_table(tmp_path / "bad.xlsx", table="cpi")


def test_nip_as_number_is_a_problem_without_the_nip(tmp_path):
    def build(ws):
        ws.append(["nip", "kode_opd", "tahun", "jp"])
        ws.append([199001012015011001, "D01", 2023, 8])

    p = _workbook(tmp_path / "t.xlsx", build)
    t = read_table(p, table="training", errors="collect")
    [problem] = t.problems
    assert problem.rule == "nip_as_number" and problem.value is None
    assert "1990010120150" not in str(problem)


def test_parquet(tmp_path):
    df = pd.DataFrame(
        {
            "kode_opd": ["D01", "D02"],
            "tahun": [2023, 2024],
            "u1": [3.0, None],
            **{f"u{i}": [4.0, 3.0] for i in range(2, 10)},
            "id_responden": ["R1", "R2"],
        }
    )
    p = tmp_path / "skm.parquet"
    df.to_parquet(p)
    t = read_table(p, table="skm")
    assert t.row_numbers.tolist() == [2, 3]
    assert t.frame["year"].tolist() == [2023, 2024]
    assert t.frame["u1"].isna().tolist() == [False, True]
    assert t.frame["respondent_id"].tolist() == ["R1", "R2"]
    (tmp_path / "bad.parquet").write_bytes(b"PAR1garbage")
    with pytest.raises(DataValidationError, match="not a readable Parquet"):
        read_table(tmp_path / "bad.parquet", table="skm")


def test_unknown_option_values(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("tahun;ihk\n2023;1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="xpecting one of"):
        read_table(p, table="cpi", locale="fr")
    with pytest.raises(ValueError, match="xpecting one of"):
        read_table(p, table="nonsense")


# ---- the two CSV paths read the same -----------------------------------------------------


CSV_LAYOUTS = {
    "plain": "kode_opd;tahun;jumlah_asn\nD01;2023;1.234\nD02;2023;56\n",
    "title_and_blank_rows": "REKAP ASN\n\nKode OPD;Tahun;Jumlah ASN\nD01;2023;1.234\n\n;;\nD02;2023;-\n",
    "trailing_delimiter": "kode_opd;tahun;jumlah_asn;\nD01;2023;5;\nD02;2023;6;\n",
    "stray_values": "kode_opd;tahun;jumlah_asn;\nD01;2023;5;x\nD02;2023;6;\n",
    "quoted_newline": 'kode_opd;tahun;jumlah_asn\n"D\n01";2023;5\nD02;2023;6\n',
    "two_row_header": "Kode OPD;Tahun;Jumlah;\n;;ASN;PNS\nD01;2023;10;8\nD02;2023;12;9\n",
    "short_row": "kode_opd;tahun;jumlah_asn\nD01;2023\nD02;2023;6\n",
    "bom_spaces": "\ufeffkode_opd;tahun;jumlah_asn\n D01 ;2023; 5 \nD02;2023;6\n",
}


@pytest.mark.parametrize("layout", sorted(CSV_LAYOUTS))
def test_arrow_and_python_csv_paths_read_the_same(layout, tmp_path, monkeypatch):
    import evaluation.read.tables as tables

    p = tmp_path / "staff.csv"
    p.write_text(CSV_LAYOUTS[layout], encoding="utf-8")
    fast = read_table(p, table="staff", errors="collect")
    monkeypatch.setattr(tables, "_csv_fast_grid", lambda *args: None)
    careful = read_table(p, table="staff", errors="collect")
    pd.testing.assert_frame_equal(fast.frame, careful.frame)
    assert fast.row_numbers.tolist() == careful.row_numbers.tolist()
    assert fast.problems == careful.problems
    assert [str(n) for n in fast.notes] == [str(n) for n in careful.notes]
    assert fast.header_row == careful.header_row
    assert len(fast.frame) == 2


#: files that are not all UTF-8: Arrow must not be asked to read them (it decodes the text
#: of a row it cannot take strictly, inside its own callback, and swallows the error there)
NOT_UTF8 = {
    # a delimiter's byte flipped: a short row, and 0xC4 is no UTF-8 there
    "flipped_delimiter": b"kode_opd;tahun;jumlah_asn\nD01;2023;5\nD02\xc42023;6\nD03;2023;8\n",
    "cp1252_short_row": b"kode_opd;tahun;jumlah_asn\nD01;2023;5\nD\xe902;2023\nD03;2023;6\n",
    # the head (the first MiB) is UTF-8, a short row far below it is Windows-1252
    "cp1252_below_the_head": (b"kode_opd;tahun;jumlah_asn\n" + b"D01;2023;5\n" * 120_000
                              + b"D\xe902;2023\n"),
}


@pytest.mark.parametrize("layout", sorted(NOT_UTF8))
def test_a_file_not_utf8_reads_as_the_careful_path_without_a_swallowed_error(
        layout, tmp_path, monkeypatch):
    import evaluation.read.tables as tables

    swallowed: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: swallowed.append(u.exc_value))
    p = tmp_path / "staff.csv"
    p.write_bytes(NOT_UTF8[layout])
    fast = read_table(p, table="staff", errors="collect")
    gc.collect()
    assert swallowed == []
    with monkeypatch.context() as m:
        m.setattr(tables, "_csv_fast_grid", lambda *args: None)
        careful = read_table(p, table="staff", errors="collect")
    pd.testing.assert_frame_equal(fast.frame, careful.frame)
    assert fast.row_numbers.tolist() == careful.row_numbers.tolist()
    assert fast.problems == careful.problems
    assert [str(n) for n in fast.notes] == [str(n) for n in careful.notes]
    assert any("Windows-1252" in str(n) for n in fast.notes)
    assert len(fast.frame) >= 2


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_unknown_columns_naming_persons_or_holding_nips_never_load(suffix, tmp_path):
    frame = pd.DataFrame({
        "kode_opd": ["D01", "D02"], "nama_opd": ["Dinas A", "Dinas B"],
        "Nama Kepala": ["Budi Santoso", "Sri Wahyuni"],
        "NIK": ["3374011203850001", "3374015507900002"],
        "Catatan": ["kepala NIP 19850312 201001 1 002", None],
        "Nomor": [198503122010011002, 199001012015011001],  # NIPs a spreadsheet made numbers
        "Alamat Kantor": ["Jl. Pemuda 148", "Jl. Pandanaran 79"],  # not about a person
        "Nama Kecamatan": ["Semarang Tengah", "Candisari"],  # a place's name
        "Luas (m2)": [120.5, 88.0],
    })
    path = tmp_path / f"units{suffix}"
    if suffix == ".csv":
        frame.to_csv(path, sep=";", index=False)
    else:
        frame.to_parquet(path)
    t = read_table(path, table="units")
    assert set(t.frame.columns) == {"unit_id", "unit_name", "alamat_kantor", "nama_kecamatan",
                                    "luas"}
    dropped = next(str(n) for n in t.notes if "were dropped while reading" in str(n))
    for header in ("Nama Kepala", "NIK", "Catatan", "Nomor"):
        assert header in dropped
    assert "Alamat Kantor" not in dropped and "Nama Kecamatan" not in dropped
    assert not t.frame.astype(str).apply(lambda c: c.str.contains("Budi|3374|1985")).any().any()


# ---- "Rp -": Excel's accounting zero --------------------------------------------------------


ACCOUNTING_ZERO_ROWS = [
    ["NIP", "Kode OPD", "Tahun", "JP", "Biaya"],
    ["199409272016031001", "BAPENDA", "2021", "16", "Rp -"],
    ["197411102004012001", "BAPENDA", "2022", "4", "Rp. -,-"],
    ["196502281986031001", "DISDIK", "2023", "8", "-"],
    ["197711182009031001", "DISDIK", "2024", "3", "Rp. 388.000,-"],
    ["197711182009031001", "DISDIK", "2024", "2", "Rp -"],
]


@pytest.mark.parametrize("path", ["arrow_csv", "python_csv", "xlsx"])
def test_rupiah_dash_is_an_accounting_zero_read_as_zero_with_a_note(path, tmp_path, monkeypatch):
    """``Rp -`` is how Excel's accounting format shows 0 (an empty cell never shows the
    currency symbol), so it is read as 0 with a note naming file, column and count; a bare
    ``-`` stays a missing value."""
    import evaluation.read.tables as tables

    fast_grids: list[object] = []
    real_fast_grid = tables._csv_fast_grid

    def spy(*args):
        grid = real_fast_grid(*args)
        fast_grids.append(grid)
        return grid

    monkeypatch.setattr(tables, "_csv_fast_grid",
                        spy if path == "arrow_csv" else (lambda *args: None))
    if path == "xlsx":
        p = tmp_path / "training.xlsx"
        wb = openpyxl.Workbook()
        for row in ACCOUNTING_ZERO_ROWS:
            wb.active.append(row)
        wb.save(p)
    else:
        p = tmp_path / "training.csv"
        p.write_text("\n".join(";".join(r) for r in ACCOUNTING_ZERO_ROWS) + "\n",
                     encoding="utf-8")
    t = read_table(p, table="training", errors="collect")
    if path == "arrow_csv":
        assert fast_grids and fast_grids[0] is not None  # Arrow really read it
    assert t.problems == ()
    cost = t.frame["cost_rp"]
    assert cost.iloc[[0, 1, 4]].tolist() == [0.0, 0.0, 0.0]
    assert pd.isna(cost.iloc[2])
    assert cost.iloc[3] == 388000.0
    [zero_note] = [n for n in t.notes if "Rp -" in str(n)]
    assert str(zero_note).startswith(f"{p.name}: 3 cell(s) of column 'Biaya'")
    assert "read as 0" in str(zero_note) and "leave its cell empty" in str(zero_note)
    assert localise_note(zero_note, "id").startswith(f"{p.name}: 3 sel kolom 'Biaya'")
    assert "kosongkan selnya" in localise_note(zero_note, "id")
    assert any("1 cell(s) written as '-'" in str(n) for n in t.notes)


def test_rupiah_dash_in_a_count_column_is_zero_too(tmp_path):
    p = tmp_path / "staff.csv"
    p.write_text("kode_opd;tahun;jumlah_asn\nD01;2023;Rp -\nD02;2023;5\n", encoding="utf-8")
    t = read_table(p, table="staff", errors="collect")
    assert t.frame["asn_count"].tolist() == [0, 5]
    assert any("1 cell(s) of column 'jumlah_asn'" in str(n) for n in t.notes)
