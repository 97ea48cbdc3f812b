"""End to end, through the command line: personal data never past the reading edge, and
every spreadsheet the toolkit writes safe to open.

Two briefs are made from copies of the demo whose training records carry personal data
where the toolkit does not expect it:

* in columns it does not know (``Keterangan`` with an NIP and a name, ``nama_lengkap``,
  ``NIP Atasan``; in the units table each head's NIP and name), with unit names a
  spreadsheet would run as formulas: the brief is made,
  and no file under the output folder (the table cache included), no log and nothing on
  the console holds an NIP, a name or an NIP-shaped number (as text or as a float), and
  no workbook holds a formula;
* in the wrong columns (a name in the cost column, an NIP in the JP column, an NIP as a
  float): the run stops, and its problem texts (in the manifest, the failed notebook and
  on stderr) name the cells without their values.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from evaluation._io import safe_xlsx_cell
from evaluation.privacy import NIP_NUMBER_PATTERN, NIP_PATTERN

ROOT = Path(__file__).resolve().parents[1]

#: unit names a spreadsheet program would run as formulas
FORMULA_NAMES = ['=HYPERLINK("http://contoh.invalid/x","klik")', "=1+1", "+1+1", "@SUM(A1)",
                 "-1+1"]
#: an 18-digit number as programs print it once it went through a float
FLOAT_NIP = re.compile(r"\d[.,]\d+[eE]\+?17|\d{18}\.0\b")


def _cli(*args: str, tmpdir: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the command line; with ``tmpdir``, every temporary file of the run (the warm
    starter's log among them) goes there, to be scanned too."""
    env = None
    if tmpdir is not None:
        tmpdir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "TMPDIR": str(tmpdir)}
    return subprocess.run([sys.executable, "-m", "evaluation", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=3600, env=env)


def _texts(path: Path) -> list[str]:
    """Everything a reader of this file could see: the bytes as text, the text of a PDF,
    the parts of a workbook, every value and the schema of a Parquet file."""
    raw = path.read_bytes()
    texts = [raw.decode("utf-8", errors="ignore")]
    if path.suffix == ".pdf":
        texts.append("\n".join(page.extract_text() or "" for page in PdfReader(path).pages))
    elif path.suffix in (".xlsx", ".zip"):
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            texts += [z.read(n).decode("utf-8", errors="ignore") for n in z.namelist()]
    elif path.suffix == ".parquet":
        table = pq.read_table(path)
        texts.append(str(table.schema) + str(table.schema.metadata))
        texts.append(table.to_pandas().to_csv())
    return texts


def _scan(where: str, text: str, nips: set[str], names: re.Pattern[str]) -> None:
    assert not NIP_PATTERN.search(text), f"{where}: an NIP ({NIP_PATTERN.search(text)})"
    assert not NIP_NUMBER_PATTERN.search(text), f"{where}: an NIP-shaped number"
    assert not FLOAT_NIP.search(text), f"{where}: an NIP as a float"
    runs = set(re.findall(r"\d{18}", text)) & nips
    assert not runs, f"{where}: an NIP inside a longer number"
    hit = names.search(text)
    assert not hit, f"{where}: a person's name ({hit.group(0)!r})"


def _scan_run(out: Path, console: str, people: tuple[set[str], re.Pattern[str]],
              temp: Path | None = None) -> list[Path]:
    """Scan every file under ``out`` (and whatever the run left in its temporary folder)
    and the console; the files under ``out``."""
    nips, names = people
    files = [p for p in out.rglob("*") if p.is_file()]
    assert files
    left = [p for p in temp.rglob("*") if p.is_file()] if temp is not None else []
    for path in files + left:
        for text in _texts(path):
            _scan(str(path), text, nips, names)
    _scan("console", console, nips, names)
    return files


@pytest.fixture(scope="module")
def demo_training(demo_dir: Path) -> pd.DataFrame:
    return pd.read_parquet(demo_dir / "training.parquet")


@pytest.fixture(scope="module")
def people(demo_training: pd.DataFrame) -> tuple[set[str], re.Pattern[str]]:
    nips = set(demo_training["nip"].astype(str))
    names = sorted(set(demo_training["nama"].astype(str)), key=len, reverse=True)
    assert len(nips) > 1000 and len(names) > 1000  # the demo really carries them
    pattern = re.compile("|".join(re.escape(n) for n in names) + "|" +
                         "|".join(re.escape(n.upper()) for n in names))
    return nips, pattern


def _indonesian(value: object) -> object:
    """A number as an Indonesian export writes it (2,5); anything else as it is."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:.10g}".replace(".", ",")
    return value


def _study(tmp: Path, demo_dir: Path, training: pd.DataFrame, name: str) -> Path:
    study = tmp / name
    shutil.copytree(demo_dir, study, ignore=shutil.ignore_patterns("training.parquet"))
    text = (study / "study.yaml").read_text(encoding="utf-8")
    text = text.replace("name: demo", f"name: {name}").replace("training.parquet",
                                                               "training.csv")
    (study / "study.yaml").write_text(text, encoding="utf-8")
    # as a city export: semicolons, Indonesian numbers, day-first dates
    out = training.copy()
    out["tanggal"] = pd.to_datetime(out["tanggal"]).dt.strftime("%d/%m/%Y")
    for col in ("jp", "biaya"):
        out[col] = out[col].map(_indonesian)
    out.to_csv(study / "training.csv", sep=";", index=False)
    return study


@pytest.fixture(scope="module")
def unknown_columns_run(tmp_path_factory, demo_dir, demo_training):
    tmp = tmp_path_factory.mktemp("unknown")
    training = demo_training.copy()
    boss = training["nip"].shift(7).fillna(training["nip"].iloc[0])
    training["Keterangan"] = "diusulkan " + training["nama"] + " NIP " + training["nip"]
    training["nama_lengkap"] = training["nama"].str.upper()
    training["NIP Atasan"] = boss
    study = _study(tmp, demo_dir, training, "unknowncols")
    units = (study / "units.csv").read_text(encoding="utf-8").splitlines()
    for i, name in enumerate(FORMULA_NAMES, start=1):
        cells = units[i].split(";")
        cells[1] = name
        units[i] = ";".join(cells)
    # the units table is not about persons, but names each unit's head
    units[0] += ";NIP Kepala;Nama Kepala;Keterangan"
    for i in range(1, len(units)):
        nip, name = training["nip"].iloc[i * 97], training["nama"].iloc[i * 97]
        units[i] += f";{nip};{name};kepala: {name}, NIP {nip}"
    (study / "units.csv").write_text("\n".join(units) + "\n", encoding="utf-8")
    out = tmp / "out"
    done = _cli("brief", "--study", str(study), "--out", str(out), "--year", "2024",
                "--no-progress", tmpdir=tmp / "temp")
    assert done.returncode == 0, done.stderr[-3000:]
    return out, done.stdout + done.stderr, tmp / "temp"


@pytest.fixture(scope="module")
def wrong_columns_run(tmp_path_factory, demo_dir, demo_training):
    tmp = tmp_path_factory.mktemp("wrong")
    training = demo_training.copy()
    training["biaya"] = training["biaya"].astype("object")
    training["jp"] = training["jp"].astype("object")
    for k in (10, 2000, 50_000):
        training.loc[k, "biaya"] = training.loc[k, "nama"]  # a name typed into the cost
        training.loc[k + 1, "jp"] = training.loc[k + 1, "nip"]  # an NIP into the JP
    training.loc[30, "jp"] = f"{float(training.loc[30, 'nip']):.14E}"  # and as a float
    study = _study(tmp, demo_dir, training, "wrongcols")
    out = tmp / "out"
    done = _cli("brief", "--study", str(study), "--out", str(out), "--year", "2024",
                "--no-progress", tmpdir=tmp / "temp")
    return out, done, tmp / "temp"


@pytest.mark.slow
def test_unknown_personal_columns_never_reach_any_output(unknown_columns_run, people):
    out, console, temp = unknown_columns_run
    files = _scan_run(out, console, people, temp)
    names = {p.name for p in files}
    assert {"brief.id.pdf", "results.json", "tables.id.xlsx", "manifest.json"} <= names
    cached = [p for p in files if ".cache" in p.parts and p.suffix == ".parquet"]
    assert cached, "the table cache was not written: nothing checked there"
    for path in cached:
        columns = set(pq.read_schema(path).names)
        assert not {"keterangan", "nama_lengkap", "nip_atasan", "name", "nip_kepala",
                "nama_kepala"} & columns, path


@pytest.mark.slow
def test_personal_data_in_wrong_columns_stops_without_showing_it(wrong_columns_run, people):
    out, done, temp = wrong_columns_run
    assert done.returncode == 1
    console = done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    files = _scan_run(out, console, people, temp)
    manifest = next(p for p in files if p.name == "manifest.json")
    assert "training.csv" in manifest.read_text(encoding="utf-8")
    assert any(p.name == "notebook.failed.ipynb" for p in files)
    # the problems are named (file, row, column, rule) without the values
    for rule in ("nip_in_column", "number_id"):
        assert rule in console, rule
    assert re.search(r"training\.csv, baris \d+, kolom 'jp'", console), console[-3000:]
    assert "masalah lain" not in console, "the copy of the demo has problems of its own"
    assert "<angka 18 digit>" in console and "<teks " in console


_NIP = "198503122010011002"
_NAME = "Ani Lestari"
#: what a leak could look like, each in the kind of file it could be in
_PLANTED = {
    "log.txt": f"problem at row 7: {_NIP}",
    "grouped.txt": "NIP 19850312 201001 1 002",
    "manifest.json": json.dumps({"evalue": f"value {float(_NIP)}"}),  # 1.985...e+17
    "scientific.txt": f"{float(_NIP):.14E}",
    "float_text.txt": f"{float(_NIP):.1f}",  # 198503122010011008.0
    "inside_a_longer_number.txt": f"x{_NIP}99",
    "name.ipynb": json.dumps({"cells": [{"source": f"Nama: {_NAME.upper()}"}]}),
}


@pytest.mark.parametrize("planted", [*sorted(_PLANTED), "cache.parquet", "tables.xlsx",
                                     "console", "left_in_temp"])
def test_the_scan_finds_a_planted_nip_or_name(planted, tmp_path):
    """The scan of the end-to-end runs would fail if an NIP, a float NIP or a name leaked."""
    people = ({_NIP}, re.compile(re.escape(_NAME) + "|" + re.escape(_NAME.upper())))
    out, temp = tmp_path / "out", tmp_path / "temp"
    (out / ".cache").mkdir(parents=True)
    temp.mkdir()
    (out / "clean.txt").write_text("P0123456789abcdef: 12,5 JP; Rp 1.250.000")
    _scan_run(out, "ok", people, temp)  # nothing planted yet: the scan passes
    console = "ok"
    if planted in _PLANTED:
        (out / planted).write_text(_PLANTED[planted], encoding="utf-8")
    elif planted == "cache.parquet":  # a float column: no digit of it in the file's bytes
        pd.DataFrame({"nip_atasan": [float(_NIP)]}).to_parquet(out / ".cache" / planted)
    elif planted == "tables.xlsx":  # a name in a shared string: compressed in the file
        wb = openpyxl.Workbook()
        wb.active["A1"] = _NAME
        wb.save(out / planted)
    elif planted == "console":
        console = f"training.csv, baris 7: {_NIP}"
    else:
        (temp / "warm.log").write_text(f"Traceback ... {_NAME}")
    with pytest.raises(AssertionError):
        _scan_run(out, console, people, temp)


def _formula_free(workbooks: list[Path]) -> set[str]:
    """Every text cell of the workbooks, after checking that none holds a formula."""
    seen = set()
    for path in workbooks:
        with zipfile.ZipFile(path) as z:
            for part in z.namelist():
                if part.startswith("xl/worksheets/"):
                    xml = z.read(part).decode("utf-8")
                    assert "<f>" not in xml and "<f " not in xml, f"{path.name}: {part}"
        for ws in openpyxl.load_workbook(path).worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{path.name}!{cell.coordinate}"
                    if isinstance(cell.value, str):
                        seen.add(cell.value)
    return seen


def test_the_ikm_command_writes_no_formula(tmp_path):
    skm = tmp_path / "skm.csv"
    lines = (ROOT / "tests" / "nasty" / "_base" / "skm.csv").read_text().splitlines()
    lines = [lines[0], *[FORMULA_NAMES[i % len(FORMULA_NAMES)] + line[line.index(";"):]
                         for i, line in enumerate(lines[1:])]]
    skm.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for target in ("ikm.xlsx", "ikm.csv"):
        done = _cli("ikm", str(skm), "--out", str(tmp_path / target))
        assert done.returncode == 0, done.stderr
    seen = _formula_free([tmp_path / "ikm.xlsx"])
    assert set(FORMULA_NAMES) <= seen, "the formula-like texts were not written as text"
    for csv_path in (tmp_path / "ikm.csv", tmp_path / "ikm_unsur.csv"):
        for line in csv_path.read_text(encoding="utf-8").splitlines()[1:]:
            assert not line.startswith(("=", "+", "-", "@")), line


@pytest.mark.slow
def test_no_workbook_of_a_brief_holds_a_formula(unknown_columns_run):
    out, _, _ = unknown_columns_run
    workbooks = list(out.rglob("*.xlsx"))
    assert any(p.name == "tables.id.xlsx" for p in workbooks)
    seen = _formula_free(workbooks)
    # the unit names that would run as formulas are in the brief's workbook, as text
    assert set(FORMULA_NAMES) & seen, "no formula-like unit name reached the workbook"


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",),
                                      blacklist_characters=[chr(c) for c in range(32)
                                                            if chr(c) not in "\t\n\r"]),
               max_size=60))
def test_any_string_written_to_a_workbook_reads_back_the_same(text):
    wb = openpyxl.Workbook()
    safe_xlsx_cell(wb.active.cell(row=1, column=1), text)
    buf = io.BytesIO()
    wb.save(buf)
    back = openpyxl.load_workbook(io.BytesIO(buf.getvalue())).active.cell(row=1, column=1)
    assert back.data_type != "f"
    assert (back.value or "") == text


def test_problem_texts_carry_no_value_of_a_table_about_persons(tmp_path):
    from evaluation.validate import validate_study

    study = ROOT / "tests" / "nasty" / "07_personal_in_wrong_columns"
    report = validate_study(study)
    assert not report.ok
    payload = json.dumps(report.to_dict("id"), ensure_ascii=False, default=str)
    rows = [r.split(";") for r in (ROOT / "tests" / "nasty" / "_base" / "training.csv")
            .read_text().splitlines()[1:]]
    assert rows
    for nip, name, *_ in rows:
        assert nip not in payload and name not in payload


def test_a_second_study_with_the_same_name_cannot_overwrite_the_first(tmp_path, demo_dir):
    """Item 9 through ``brief``: a copy of the demo that kept ``name: demo`` is refused
    before anything is written into the demo's output folder (``batch``: test_batch)."""
    from evaluation.config import read_study_config
    from evaluation.settings import claim_output_folder

    out = tmp_path / "out"
    claim_output_folder(out / "demo", read_study_config(demo_dir))
    (out / "demo" / "2024").mkdir()
    (out / "demo" / "2024" / "results.json").write_text('{"study": "the first"}')
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    twin = tmp_path / "twin"
    twin.mkdir()
    shutil.copy(demo_dir / "study.yaml", twin / "study.yaml")
    done = _cli("brief", "--study", str(twin), "--out", str(out), "--year", "2024",
                "--no-progress")
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert str(demo_dir.resolve()) in done.stderr and "--out" in done.stderr
    assert "twin" in done.stderr  # the study.yaml to rename
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after.pop(out / "demo" / ".lock", b"") == b""  # the folder's (empty) lock file
    assert after == before
