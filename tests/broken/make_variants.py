"""Write the tiny valid study ``_valid/`` and its variants, one defect each.

Run from the repository root: ``python tests/broken/make_variants.py``. The folders are
committed so a user can open them; ``tests/test_validate.py`` checks that each broken one
fails with a message naming file, row and column, and each ``ok_*`` one passes.

All people, NIPs and numbers are invented.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent

STUDY_YAML = """\
# Tiny valid study for tests. SYNTHETIC DATA: every person and number is invented.
name: tiny
title: "Studi uji kecil"
synthetic: true
unit_level: opd
years: {first: 2021, last: 2023}
language: id
number_locale: id
min_cell_size: 2
tables:
  units: units.csv
  staff: staff.csv
  training: training.csv
  skm: skm.csv
  performance: iku.csv
  cpi: cpi.csv
  programme: programme.csv
missing: {policy: drop}
privacy:
  pseudonym_key: "tiny-synthetic-key"
"""

UNITS = [
    ("D01", "Dinas Kesehatan", "dinas", "kesehatan", "1.659.975"),
    ("D02", "Dinas Pendidikan", "dinas", "pendidikan", "1.659.975"),
    ("K01", "Kecamatan Semarang Tengah", "kecamatan", "pemerintahan", "60.000"),
    ("B01", "Badan Kepegawaian, Pendidikan dan Pelatihan", "badan", "kepegawaian", "15.000"),
]
YEARS = (2021, 2022, 2023)
PEOPLE = [  # (nip, name, unit)
    ("198503122010011002", "Ani Lestari", "D01"),
    ("199001012015011001", "Budi Santoso", "D01"),
    ("198712052012012003", "Citra Maharani", "D02"),
    ("199203152019031004", "Dedi Kurniawan", "K01"),
    ("198801202014022005", "Eka Pratiwi", "B01"),
]


def _csv(rows: list[list[object]]) -> str:
    return "\n".join(";".join(str(c) for c in r) for r in rows) + "\n"


def base_files() -> dict[str, bytes]:
    rng = random.Random(7)
    files: dict[str, str] = {"study.yaml": STUDY_YAML}
    files["units.csv"] = _csv(
        [["Kode OPD", "Nama OPD", "Jenis OPD", "Sektor", "Populasi"], *[list(u) for u in UNITS]]
    )
    staff = [["kode_opd", "tahun", "jumlah_asn", "jumlah_pns"]]
    for u in UNITS:
        for y in YEARS:
            n = rng.randint(40, 900)
            staff.append([u[0], y, f"{n:,}".replace(",", "."), int(n * 0.8)])
    files["staff.csv"] = _csv(staff)
    training = [
        [
            "NIP",
            "Nama",
            "Kode OPD",
            "Tahun",
            "Tanggal",
            "JP",
            "Jenis Kompetensi",
            "Jalur",
            "Bentuk",
            "Biaya",
        ]
    ]
    for nip, name, unit in PEOPLE:
        for y in YEARS:
            for _k in range(2):
                jp = rng.choice(["8", "16", "24", "32", "2,5"])
                comp = rng.choice(["Teknis", "Manajerial", "Sosial Kultural"])
                path = rng.choice(["Klasikal", "Non Klasikal"])
                day = dt.date(y, rng.randint(1, 12), rng.randint(1, 28))
                cost = f"Rp {rng.randint(1, 40) * 250_000:,}".replace(",", ".") + ",00"
                training.append(
                    [
                        nip,
                        name,
                        unit,
                        y,
                        day.strftime("%d/%m/%Y"),
                        jp,
                        comp,
                        path,
                        "pelatihan" if path == "Klasikal" else "e-learning",
                        cost,
                    ]
                )
    files["training.csv"] = _csv(training)
    skm = [["kode_opd", "tahun", "periode", "no_responden", *[f"U{i}" for i in range(1, 10)]]]
    for u in UNITS:
        for y in YEARS:
            for r in range(1, 4):
                answers = [rng.choice([2, 3, 3, 4]) for _ in range(9)]
                skm.append([u[0], y, "S1", f"R{r:03d}", *answers])
    files["skm.csv"] = _csv(skm)
    iku = [["kode_opd", "tahun", "capaian_iku", "pengaduan"]]
    for u in UNITS:
        for y in YEARS:
            iku.append(
                [u[0], y, f"{rng.uniform(80, 110):.1f}".replace(".", ",") + "%", rng.randint(0, 30)]
            )
    files["iku.csv"] = _csv(iku)
    files["cpi.csv"] = _csv(
        [["tahun", "ihk"], [2021, "106,55"], [2022, "113,59"], [2023, "116,56"]]
    )
    files["programme.csv"] = _csv(
        [["kode_opd", "tahun_angkatan"], ["D01", 2022], ["D02", 2023], ["K01", ""], ["B01", 2022]]
    )
    return {k: v.encode("utf-8") for k, v in files.items()}


def _replace(files, name, old, new, count=1):
    text = files[name].decode("utf-8")
    assert old in text, (name, old)
    files[name] = text.replace(old, new, count).encode("utf-8")


def _lines(files, name):
    return files[name].decode("utf-8").splitlines()


def _set_lines(files, name, lines):
    files[name] = ("\n".join(lines) + "\n").encode("utf-8")


def _xlsx(rows, *, title_rows=(), merge=None, errors=None, formulas=None) -> bytes:
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    for t in title_rows:
        ws.append([t])
    for r in rows:
        ws.append(r)
    if merge:
        ws.merge_cells(merge)
    for ref, value in (errors or {}).items():
        ws[ref] = value
    for ref, value in (formulas or {}).items():
        ws[ref] = value
    fixed = dt.datetime(2024, 1, 1)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    buf = io.BytesIO()
    wb.save(buf)
    return _fixed_zip_times(buf.getvalue())


def _fixed_zip_times(data: bytes) -> bytes:
    """Rewrite the workbook's zip with fixed entry times so regeneration is byte-identical."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                content = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*",
                                 rb"\g<1>2024-01-01T00:00:00Z", content)
            dst.writestr(fixed, content)
    return out.getvalue()


def _rows_of(files, name):
    out = []
    for line in _lines(files, name):
        cells = []
        for c in line.split(";"):
            cells.append(int(c) if c.isdigit() and len(c) < 6 else c)
        out.append(cells)
    return out


def variants() -> dict[str, dict[str, bytes | None]]:
    """name -> files that differ from the base (None = delete the file)."""
    v: dict[str, dict[str, bytes | None]] = {}

    def variant(name):
        files = base_files()
        v[name] = files
        return files

    f = variant("wrong_type")  # text in a number column
    lines = _lines(f, "staff.csv")
    cells = lines[3].split(";")
    cells[2] = "banyak"
    lines[3] = ";".join(cells)
    _set_lines(f, "staff.csv", lines)

    f = variant("skm_answer_out_of_range")  # an SKM answer of 5
    lines = _lines(f, "skm.csv")
    cells = lines[5].split(";")
    cells[6] = "5"
    lines[5] = ";".join(cells)
    _set_lines(f, "skm.csv", lines)

    f = variant("duplicate_unit_year")  # the same unit-year twice
    lines = _lines(f, "staff.csv")
    lines.append(lines[2])
    _set_lines(f, "staff.csv", lines)

    f = variant("unknown_unit")  # a unit not in the units table
    lines = _lines(f, "iku.csv")
    lines[4] = "D99" + lines[4][3:]
    _set_lines(f, "iku.csv", lines)

    f = variant("encoding_utf16")  # saved as UTF-16
    f["units.csv"] = f["units.csv"].decode("utf-8").encode("utf-16")

    f = variant("random_bytes")  # not a CSV at all
    rng = random.Random(3)
    f["staff.csv"] = bytes(rng.randrange(256) for _ in range(2000))

    f = variant("xlsx_div0")  # an Excel error cell
    rows = _rows_of(f, "iku.csv")
    f["iku.csv"] = None
    f["iku.xlsx"] = _xlsx(rows, errors={"C4": "#DIV/0!"})
    _replace(f, "study.yaml", "performance: iku.csv", "performance: iku.xlsx")

    f = variant("xlsx_formula_no_value")  # a formula never calculated
    rows = _rows_of(f, "iku.csv")
    f["iku.csv"] = None
    f["iku.xlsx"] = _xlsx(rows, formulas={"C5": "=C4*1.1"})
    _replace(f, "study.yaml", "performance: iku.csv", "performance: iku.xlsx")

    f = variant("empty_file")  # zero bytes
    f["cpi.csv"] = b""

    f = variant("header_only")  # header, no rows
    f["programme.csv"] = b"kode_opd;tahun_angkatan\n"

    f = variant("missing_required_column")  # no jumlah_asn column
    lines = [";".join(x.split(";")[:2] + x.split(";")[3:]) for x in _lines(f, "staff.csv")]
    _set_lines(f, "staff.csv", lines)

    f = variant("missing_file")  # declared but absent
    f["iku.csv"] = None

    f = variant("year_outside_study")  # 2030 in a 2021-2023 study
    _replace(f, "staff.csv", "D02;2022;", "D02;2030;")

    f = variant("duplicated_column")  # tahun and year both present
    lines = _lines(f, "staff.csv")
    lines = [x + ";" + x.split(";")[1].replace("tahun", "year") for x in lines]
    _set_lines(f, "staff.csv", lines)

    f = variant("bad_study_key")  # a misspelt key in study.yaml
    _replace(f, "study.yaml", "min_cell_size: 2", "min_cel_size: 2")

    f = variant("number_wrong_locale")  # 1,234.5 in an Indonesian-locale study
    lines = _lines(f, "iku.csv")
    cells = lines[2].split(";")
    cells[2] = "1,234.5"
    lines[2] = ";".join(cells)
    _set_lines(f, "iku.csv", lines)

    f = variant("jp_event_too_large")  # minutes written as JP
    lines = _lines(f, "training.csv")
    cells = lines[6].split(";")
    cells[5] = "1.440"
    lines[6] = ";".join(cells)
    _set_lines(f, "training.csv", lines)

    f = variant("unknown_competency_type")
    _replace(f, "training.csv", ";Teknis;", ";Spiritual;")

    f = variant("missing_value_policy_error")  # a blank IKU with missing.policy: error
    _replace(f, "study.yaml", "missing: {policy: drop}", "missing: {policy: error}")
    lines = _lines(f, "iku.csv")
    cells = lines[3].split(";")
    cells[2] = ""
    lines[3] = ";".join(cells)
    _set_lines(f, "iku.csv", lines)

    f = variant("cpi_not_positive")
    _replace(f, "cpi.csv", "113,59", "0")

    f = variant("cohort_outside_study")
    _replace(f, "programme.csv", "D02;2023", "D02;2027")

    f = variant("nip_stored_as_number")  # an Excel export that lost NIP digits
    rows = _rows_of(f, "training.csv")
    for r in rows[1:]:
        r[0] = float(r[0])
    f["training.csv"] = None
    f["training.xlsx"] = _xlsx(rows)
    _replace(f, "study.yaml", "training: training.csv", "training: training.xlsx")

    # ---- positive cases: these must pass -------------------------------------------------
    f = variant("ok_semicolon_indonesian_numbers")
    _replace(f, "staff.csv", "jumlah_asn", "Jumlah ASN (orang)")

    f = variant("ok_xlsx_title_rows")
    rows = _rows_of(f, "units.csv")
    f["units.csv"] = None
    f["units.xlsx"] = _xlsx(
        rows, title_rows=["PEMERINTAH KOTA SEMARANG", "Daftar Perangkat Daerah", ""], merge="A1:E1"
    )
    _replace(f, "study.yaml", "units: units.csv", "units: {file: units.xlsx, sheet: Data}")

    f = variant("ok_comma_bom_english")  # English headers and numbers, BOM
    _replace(f, "study.yaml", "number_locale: id", "number_locale: en")
    for name in ("staff.csv", "cpi.csv"):
        text = f[name].decode("utf-8").replace(".", "").replace(",", ".").replace(";", ",")
        f[name] = "\ufeff".encode() + text.replace("kode_opd", "unit_id").replace(
            "tahun", "year"
        ).replace("ihk", "cpi").encode("utf-8")
    for name in ("training.csv", "iku.csv", "units.csv"):
        text = f[name].decode("utf-8")
        text = text.replace(".", "").replace(",00", "").replace(",", ".")
        f[name] = text.encode("utf-8")

    f = variant("ok_windows_1252")
    text = f["units.csv"].decode("utf-8").replace("Dinas Kesehatan", "Dinas Kesehatan (Café)")
    f["units.csv"] = text.encode("cp1252")
    return v


def write_all() -> list[str]:
    valid = HERE / "_valid"
    if valid.exists():
        shutil.rmtree(valid)
    valid.mkdir()
    for name, data in base_files().items():
        (valid / name).write_bytes(data)
    names = []
    base = base_files()
    for name, files in variants().items():
        folder = HERE / name
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir()
        for fname, data in files.items():
            if data is not None:
                (folder / fname).write_bytes(data)
        names.append(name)
        assert any(files.get(k) != base.get(k) for k in set(files) | set(base)), name
    return names


if __name__ == "__main__":
    print("\n".join(write_all()))
