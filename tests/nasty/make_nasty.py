"""Write the nasty-file corpus: real-export quirks rebuilt from the demo study.

Run from the repository root: ``python tests/nasty/make_nasty.py``. ``_base/`` is a small
valid study cut from ``data/demo`` (six units, 2021-2024, every table written the way a
city export writes it: semicolons, Indonesian numbers, day-first dates). Each other folder
changes one or two files of it, one quirk of the kind city analysts really pass around
(issue 11's items; the folder name starts with the item's number); its ``study.yaml``
reads the unchanged tables from ``../_base``. ``tests/test_nasty.py`` checks that each
gives a clear error (file, row, column, fix) or the right number with a note, and that
running this script again changes no committed byte.

The demo is synthetic: every person, NIP and number here is invented.
"""

from __future__ import annotations

import io
import random
import re
import shutil
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "broken"))
from make_variants import _fixed_zip_times  # noqa: E402  (the same byte-stable zip)

HERE = Path(__file__).resolve().parent
DEMO = HERE.parents[1] / "data" / "demo"

UNITS = ("BAPPEDA", "BKPP", "BPKAD", "BAPENDA", "KESBANGPOL", "BPBD")
YEARS = (2021, 2022, 2023, 2024)
TABLES = {
    "units": "units.csv",
    "staff": "staff.csv",
    "training": "training.csv",
    "skm": "skm.csv",
    "performance": "iku.csv",
    "cpi": "cpi.csv",
    "programme": "programme.csv",
}

STUDY_YAML = """\
# Nasty-file corpus, cut from the demo study. SYNTHETIC DATA: every person is invented.
name: nasty
title: "Korpus berkas bermasalah (dari studi demo)"
synthetic: true
unit_level: opd
years: {{first: 2021, last: 2024}}
language: id
number_locale: id
min_cell_size: 5
tables:
{tables}
missing: {{policy: drop}}
{extra}privacy:
  pseudonym_key: "nasty-synthetic-key"
"""

TRAINING_HEADER = ["NIP", "Nama", "Kode OPD", "Tahun", "Tanggal", "JP", "Jenis Kompetensi",
                   "Jalur", "Bentuk", "Program", "Biaya"]


# ---- the base study --------------------------------------------------------------------------


def _id_number(x: float, decimals: int = 0) -> str:
    """A number as an Indonesian export writes it: 1.250.000 and 12,5."""
    text = f"{x:,.{decimals}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def _csv(rows: list[list[object]]) -> bytes:
    return ("\n".join(";".join(str(c) for c in r) for r in rows) + "\n").encode("utf-8")


def _training_rows() -> list[list[object]]:
    df = pd.read_parquet(DEMO / "training.parquet")
    df = df[df["kode_opd"].isin(UNITS) & df["tahun"].isin(YEARS)]
    df = df.drop_duplicates()
    # 20 events per unit and year, drawn with a fixed seed: small enough to commit
    df = (df.groupby(["kode_opd", "tahun"], sort=True).sample(n=20, random_state=7)
          .sort_values(["kode_opd", "tahun", "tanggal", "nip"], kind="stable"))
    rows = []
    for r in df.itertuples(index=False):
        rows.append([
            r.nip, r.nama, r.kode_opd, r.tahun, pd.Timestamp(r.tanggal).strftime("%d/%m/%Y"),
            _id_number(r.jp, 1 if r.jp % 1 else 0), r.jenis_kompetensi, r.jalur, r.bentuk,
            r.program, "Rp " + _id_number(r.biaya) + ",00",
        ])
    return rows


def _skm_rows() -> list[list[object]]:
    df = pd.read_parquet(DEMO / "skm.parquet")
    df = df[df["kode_opd"].isin(UNITS) & df["tahun"].isin(YEARS)]
    df = df.groupby(["kode_opd", "tahun"], sort=True).head(20)
    rows = []
    for r in df.itertuples(index=False):
        answers = ["" if pd.isna(v) else int(v) for v in r[3:12]]
        rows.append([r.kode_opd, r.tahun, r.id_responden, *answers])
    return rows


def _demo_csv(name: str) -> pd.DataFrame:
    return pd.read_csv(DEMO / name, sep=";", dtype=str, keep_default_na=False)


def base_files() -> dict[str, bytes]:
    units = _demo_csv("units.csv")
    units = units[units["kode_opd"].isin(UNITS)]
    staff = _demo_csv("staff.csv")
    staff = staff[staff["kode_opd"].isin(UNITS) & staff["tahun"].isin([str(y) for y in YEARS])]
    iku = _demo_csv("iku.csv")
    iku = iku[iku["kode_opd"].isin(UNITS) & iku["tahun"].isin([str(y) for y in YEARS])]
    cpi = _demo_csv("cpi.csv")
    programme = _demo_csv("programme.csv")
    programme = programme[programme["kode_opd"].isin(UNITS)].copy()
    # the demo's cohorts join from 2018; this study starts in 2021
    programme["tahun_angkatan"] = ["2022" if i % 2 else "2023" for i in range(len(programme))]
    files = {
        "units.csv": _csv([list(units.columns), *units.to_numpy().tolist()]),
        "staff.csv": _csv([list(staff.columns), *staff.to_numpy().tolist()]),
        "training.csv": _csv([TRAINING_HEADER, *_training_rows()]),
        "skm.csv": _csv([["Kode OPD", "Tahun", "No Responden", *[f"U{i}" for i in range(1, 10)]],
                         *_skm_rows()]),
        "iku.csv": _csv([list(iku.columns), *iku.to_numpy().tolist()]),
        "cpi.csv": _csv([list(cpi.columns), *cpi.to_numpy().tolist()]),
        "programme.csv": _csv([list(programme.columns), *programme.to_numpy().tolist()]),
    }
    files["study.yaml"] = _study_yaml({}, base=True).encode("utf-8")
    return files


def _study_yaml(own: dict[str, str], *, base: bool = False, extra: str = "") -> str:
    """study.yaml of a variant: its own files for ``own`` tables, the base's for the rest."""
    lines = []
    for table, file in TABLES.items():
        if base:
            lines.append(f"  {table}: {file}")
        elif table in own:
            lines.append(f"  {table}: {own[table]}")
        else:
            lines.append(f"  {table}: {{file: ../_base/{file}, external: true}}")
    return STUDY_YAML.format(tables="\n".join(lines), extra=extra)


# ---- helpers ---------------------------------------------------------------------------------


def _rows(data: bytes) -> list[list[str]]:
    return [line.split(";") for line in data.decode("utf-8").splitlines()]


def _xlsx(sheets: list[tuple[str, list[list[object]], str]], merges: dict[str, list[str]] | None = None
          ) -> bytes:
    """A workbook of (title, rows, state) sheets, byte-identical on every run."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows, state in sheets:
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
        ws.sheet_state = state
        for ref in (merges or {}).get(title, []):
            ws.merge_cells(ref)
    buf = io.BytesIO()
    wb.save(buf)
    return _fixed_zip_times(buf.getvalue())


def _typed(cell: str) -> object:
    """A CSV cell as a spreadsheet would hold it: whole numbers as numbers."""
    return int(cell) if re.fullmatch(r"\d{1,6}", cell) else cell


def _money(cell: str) -> float:
    return float(cell.removeprefix("Rp ").removesuffix(",00").replace(".", ""))


# ---- the variants ----------------------------------------------------------------------------


def variants() -> dict[str, dict[str, bytes]]:
    """folder -> its files (study.yaml included)."""
    base = base_files()
    v: dict[str, dict[str, bytes]] = {}

    def variant(name: str, own: dict[str, tuple[str, bytes]], extra: str = "") -> None:
        files = {file: data for file, data in own.values()}
        files["study.yaml"] = _study_yaml({t: f for t, (f, _) in own.items()},
                                          extra=extra).encode("utf-8")
        v[name] = files

    training = _rows(base["training.csv"])
    staff = _rows(base["staff.csv"])
    iku = _rows(base["iku.csv"])

    # 1: an old copy kept as a hidden first sheet; the visible sheet holds the data
    old = [staff[0], *[[*r[:2], str(int(r[2]) // 2)] for r in staff[1:]]]
    variant("01_hidden_sheet", {"staff": ("staff.xlsx", _xlsx([
        ("Data lama", [[_typed(c) for c in r] for r in old], "hidden"),
        ("Data", [[_typed(c) for c in r] for r in staff], "visible"),
    ]))})

    # 2: units in headers
    for name, header, scale, decimals in (
        ("02_cost_in_thousands", "Biaya (ribu Rp)", 1e3, 0),
        ("02_cost_in_millions", "Anggaran (juta)", 1e6, 3),
        ("02_cost_rp_000", "Biaya (Rp 000)", 1e3, 0),
    ):
        rows = [[*training[0][:-1], header]]
        rows += [[*r[:-1], _id_number(_money(r[-1]) / scale, decimals)] for r in training[1:]]
        variant(name, {"training": ("training.csv", _csv(rows))})
    rows = [[*training[0][:5], "Durasi (menit)", *training[0][6:]]]
    rows += [[*r[:5], _id_number(float(r[5].replace(",", ".")) * 45, 1), *r[6:]]
             for r in training[1:]]
    variant("02_duration_in_minutes", {"training": ("training.csv", _csv(rows))})
    rows = [[*training[0][:5], "JP (menit)", *training[0][6:]], *training[1:]]
    variant("02_jp_in_minutes", {"training": ("training.csv", _csv(rows))})
    rows = [[*training[0][:5], "Durasi (jam)", *training[0][6:]]]
    rows += [[*r[:5], _id_number(float(r[5].replace(",", ".")) * 0.75, 3), *r[6:]]
             for r in training[1:]]
    variant("02_duration_in_hours", {"training": ("training.csv", _csv(rows))})
    rows = [[*training[0][:5], "JP (jam)", *training[0][6:]], *training[1:]]
    variant("02_jp_in_hours", {"training": ("training.csv", _csv(rows))})
    rows = [[*iku[0][:2], "Capaian IKU (%)", *iku[0][3:]], *iku[1:]]
    variant("02_percent_header", {"performance": ("iku.csv", _csv(rows))})

    # 3: one unit's records exported twice
    doubled = [r for r in training[1:] if r[2] == "BKPP" and r[3] == "2023"]
    rows = [*training, *doubled]
    variant("03_duplicate_rows", {"training": ("training.csv", _csv(rows))})
    variant("03_duplicate_rows_drop", {"training": ("training.csv", _csv(rows))},
            extra="duplicates: drop\n")

    # 4: IKU achievement written as shares (0,985 for 98,5%)
    def share(cell: str) -> str:
        return _id_number(float(cell.replace(".", "").replace(",", ".")) / 100, 4)

    rows = [iku[0], *[[*r[:2], share(r[2]), *r[3:]] for r in iku[1:]]]
    variant("04_iku_as_shares", {"performance": ("iku.csv", _csv(rows))})
    rows = [iku[0], *[[*r[:2], share(r[2]) if i in (3, 11) else r[2], *r[3:]]
                      for i, r in enumerate(iku[1:])]]
    variant("04_iku_some_shares", {"performance": ("iku.csv", _csv(rows))})

    # 5: a grouped NIP typed into the year column
    rows = [list(r) for r in training]
    nip = rows[7][0]
    rows[7][3] = f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"
    variant("05_nip_in_year_column", {"training": ("training.csv", _csv(rows))})

    # 6: columns the toolkit does not know, holding NIPs and names
    rows = [[*training[0], "Keterangan", "nama_lengkap", "NIP Atasan"]]
    for i, r in enumerate(training[1:]):
        boss = training[1 + (i + 5) % (len(training) - 1)]
        rows.append([*r, f"diusulkan {r[1]} ({r[0]})", r[1].upper(), boss[0]])
    variant("06_unknown_personal_columns", {"training": ("training.csv", _csv(rows))})
    # ... and in tables not about persons: the head of each unit named in the units table,
    # an NIP (as a spreadsheet number) in a note of the staff table
    units = _rows(base["units.csv"])
    heads = training[1:len(units)]
    units = [[*units[0], "NIP Kepala", "Nama Kepala", "Keterangan"],
             *[[*u, h[0], h[1], f"kepala: {h[1]}, NIP {h[0][:8]} {h[0][8:14]} {h[0][14]} "
                f"{h[0][15:]}"] for u, h in zip(units[1:], heads, strict=True)]]
    sheet = [[*staff[0], "Catatan"],
             *[[*(_typed(c) for c in r), float(training[1 + i][0]) if i % 5 == 0 else None]
               for i, r in enumerate(staff[1:])]]
    variant("06_personal_in_other_tables", {
        "units": ("units.csv", _csv(units)),
        "staff": ("staff.xlsx", _xlsx([("Pegawai", sheet, "visible")]))})

    # 7: a name typed into the cost column, an NIP into the JP column (text and as a float)
    rows = [list(r) for r in training]
    rows[4][10] = rows[4][1]
    rows[9][5] = rows[9][0]
    variant("07_personal_in_wrong_columns", {"training": ("training.csv", _csv(rows))})
    sheet = [[_typed(c) for c in r] for r in training]
    sheet[6][5] = float(training[6][0])  # an NIP a spreadsheet turned into a number
    variant("07_nip_as_float_in_jp", {"training": ("training.xlsx", _xlsx(
        [("Pelatihan", sheet, "visible")]))})

    # ... and an NIP (with a name) inside a text the toolkit keeps: a programme's title, a
    # unit's name
    rows = [list(r) for r in training]
    rows[3][9] = f"Coaching {rows[3][1]} NIP {rows[3][0]}"
    units = _rows(base["units.csv"])
    units[2][1] = f"{units[2][1]} (kepala: {training[8][1]}, NIP.{training[8][0]})"
    variant("07_nip_in_text", {"training": ("training.csv", _csv(rows)),
                               "units": ("units.csv", _csv(units))})

    # 8: unit names a spreadsheet would run as formulas
    units = _rows(base["units.csv"])
    units[1][1] = '=HYPERLINK("http://contoh.invalid/x","klik")'
    units[2][1] = "=1+1"
    units[3][1] = "+62 24 3513366"
    units[4][1] = "@SUM(A1:A2)"
    variant("08_formula_unit_names", {"units": ("units.csv", _csv(units))})

    # 11: rupiah as city documents write it; accounting negatives; a two-row header
    rows = [training[0], *[[*r[:-1], r[-1].replace("Rp ", "Rp. ").replace(",00", ",-")]
                           for r in training[1:]]]
    variant("11_rupiah_with_dash", {"training": ("training.csv", _csv(rows))})
    rows = [list(r) for r in training]
    k = next(i for i, r in enumerate(rows) if i > 10 and r[10] != "Rp 0,00")
    rows[k][10] = "(" + rows[k][10].removeprefix("Rp ").removesuffix(",00") + ")"
    variant("11_accounting_negative", {"training": ("training.csv", _csv(rows))})
    two_rows = [["Kode OPD", "Tahun", "Jumlah"], ["", "", "ASN"],
                *[[r[0], _typed(r[1]), _typed(r[2])] for r in staff[1:]]]
    variant("11_two_row_header", {"staff": ("staff.xlsx", _xlsx(
        [("Pegawai", two_rows, "visible")], {"Pegawai": ["A1:A2", "B1:B2"]}))})
    csv_rows = [["kode_opd", "tahun", "Jumlah", ""], ["", "", "ASN", "PNS"],
                *[[*r, str(int(r[2]) * 9 // 10)] for r in staff[1:]]]
    variant("11_two_row_header_csv", {"staff": ("staff.csv", _csv(csv_rows))})

    # 12: a file of something else; many bad rows hiding rare problems
    rng = random.Random(12)
    alphabet = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789;,.-"
    garbage = "\n".join("".join(rng.choice(alphabet) for _ in range(100)) for _ in range(2000))
    variant("12_garbage", {"staff": ("staff.csv", (garbage + "\n").encode("utf-8"))})
    rows = [training[0]]
    body = training[1:]
    for k in range(8):  # the same records eight times over, each time with another date
        for r in body:
            day = f"{1 + k:02d}" + r[4][2:]
            rows.append([*r[:4], day, *r[5:]])
    for i in range(1, len(rows), 2):
        rows[i] = [*rows[i][:5], "tiga puluh", *rows[i][6:]]  # JP in words
    rows[1500] = [*rows[1500][:2], "XYZ", *rows[1500][3:]]  # a unit nobody knows
    rows[2001] = [*rows[2001][:3], "2099", *rows[2001][4:]]  # a year out of the study
    variant("12_many_bad_rows", {"training": ("training.csv", _csv(rows))},
            extra="duplicates: keep\n")

    # 14: a report whose numbers need the locale (a person's JP adding up to 1.800)
    rows = [list(r) for r in training]
    for k in (2, 3):  # one (invented) person with two events of 900 JP in the same year
        rows[k][0], rows[k][1], rows[k][3], rows[k][5] = "199912312024121001", "Uji Coba", "2022", "900"
    variant("14_numbers_in_report", {"training": ("training.csv", _csv(rows))})
    return v


def write_all() -> list[str]:
    for folder in HERE.iterdir():
        if folder.is_dir() and folder.name[:1] in "_0123456789" and folder.name != "__pycache__":
            shutil.rmtree(folder)
    (HERE / "_base").mkdir()
    for name, data in base_files().items():
        (HERE / "_base" / name).write_bytes(data)
    names = []
    for name, files in variants().items():
        (HERE / name).mkdir()
        for file, data in files.items():
            (HERE / name / file).write_bytes(data)
        names.append(name)
    return names


if __name__ == "__main__":
    print("\n".join(write_all()))
