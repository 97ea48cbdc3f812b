"""`evaluation validate` on the tiny study, its broken variants and the demo.

Each broken variant under tests/broken/ has exactly one defect; the command must exit 1,
name the file, the spreadsheet row and the column, and never print a traceback.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from evaluation.errors import Problem
from evaluation.validate import ValidationReport, validate_study

BROKEN = Path(__file__).resolve().parent / "broken"
ROOT = BROKEN.parents[1]

#: variant -> substrings the report must contain (file, row, column as the user wrote it),
#: in the study's language (Indonesian)
EXPECTED: dict[str, tuple[str, ...]] = {
    "wrong_type": ("staff.csv", "baris 4", "kolom 'jumlah_asn'", "'banyak'"),
    "skm_answer_out_of_range": ("skm.csv", "baris 6", "kolom 'U3'", "nilai: 5"),
    "duplicate_unit_year": ("staff.csv", "baris 14", "kolom 'kode_opd+tahun'", "baris 3"),
    "unknown_unit": ("iku.csv", "baris 5", "kolom 'kode_opd'", "'D99'"),
    "encoding_utf16": ("units.csv", "UTF-16", "CSV UTF-8"),
    "random_bytes": ("staff.csv", "UTF-8"),
    "xlsx_div0": ("iku.xlsx", "baris 4", "kolom 'capaian_iku'", "#DIV/0!"),
    "xlsx_formula_no_value": ("iku.xlsx", "baris 5", "kolom 'capaian_iku'", "formula"),
    "empty_file": ("cpi.csv", "empty"),
    "header_only": ("programme.csv", "tidak ada baris data"),
    "missing_required_column": ("staff.csv", "baris 1", "kolom 'asn_count'", "jumlah_asn"),
    "missing_file": ("iku.csv", "tidak ditemukan", "tables.performance.file"),
    "year_outside_study": ("staff.csv", "baris 6", "kolom 'tahun'", "2030"),
    "duplicated_column": ("staff.csv", "baris 1", "'tahun'", "'year'"),
    "bad_study_key": ("study.yaml", "min_cel_size", "unknown key"),
    "number_wrong_locale": ("iku.csv", "baris 3", "kolom 'capaian_iku'", "number_locale: id"),
    "jp_event_too_large": ("training.csv", "baris 7", "kolom 'JP'", "1440"),
    # a value from a table about persons is described, never shown
    "unknown_competency_type": (
        "training.csv", "baris 2", "kolom 'Jenis Kompetensi'", "teks 9 karakter"
    ),
    "missing_value_policy_error": ("iku.csv", "baris 4", "kolom 'capaian_iku'", "missing"),
    "cpi_not_positive": ("cpi.csv", "baris 3", "kolom 'ihk'"),
    "cohort_outside_study": ("programme.csv", "baris 3", "kolom 'tahun_angkatan'", "2027"),
    "nip_stored_as_number": ("training.xlsx", "baris 2", "kolom 'NIP'", "Teks"),
}
POSITIVE = (
    "_valid",
    "ok_semicolon_indonesian_numbers",
    "ok_xlsx_title_rows",
    "ok_comma_bom_english",
    "ok_windows_1252",
)

NIPS = (
    "198503122010011002",
    "199001012015011001",
    "198712052012012003",
    "199203152019031004",
    "198801202014022005",
)
NAMES = ("Ani Lestari", "Budi Santoso", "Citra Maharani", "Dedi Kurniawan", "Eka Pratiwi")


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("EVALUATION_SECRET", None)
    return subprocess.run(
        [sys.executable, "-m", "evaluation", "validate", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_every_variant_is_covered():
    on_disk = {p.name for p in BROKEN.iterdir() if p.is_dir() and not p.name.startswith("__")}
    assert on_disk == set(EXPECTED) | set(POSITIVE)
    assert len(EXPECTED) >= 15


@pytest.mark.parametrize("variant", sorted(EXPECTED))
def test_broken_variant_fails_with_location(variant):
    proc = _cli("--study", str(BROKEN / variant))
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "Traceback" not in out
    for expected in EXPECTED[variant]:
        assert expected in out, f"{variant}: {expected!r} missing from\n{out}"
    assert "Perbaikan:" in out  # every problem says how to fix it
    for secret in (*NIPS, *NAMES):
        assert secret not in out


@pytest.mark.parametrize("variant", POSITIVE)
def test_positive_variant_passes(variant):
    proc = _cli("--study", str(BROKEN / variant))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "tidak ada masalah" in proc.stdout
    assert "Traceback" not in proc.stderr
    assert not re.search(r"\d{18}", proc.stdout + proc.stderr)


def test_json_and_english(tmp_path):
    proc = _cli("--study", str(BROKEN / "skm_answer_out_of_range"), "--json")
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    assert report["ok"] is False and report["n_problems"] == 1
    problem = report["problems"][0]
    assert (problem["file"], problem["row"], problem["column"], problem["value"]) == (
        "skm.csv",
        6,
        "U3",
        5,
    )
    assert problem["rule"] == "skm_answer" and problem["hint"]
    proc = _cli("--study", str(BROKEN / "wrong_type"), "--lang", "en")
    assert "staff.csv, row 4, column 'jumlah_asn'" in proc.stdout
    assert "Fix:" in proc.stdout


def test_all_problems_reported_at_once(tmp_path):
    study = tmp_path / "two"
    shutil.copytree(BROKEN / "_valid", study)
    staff = (study / "staff.csv").read_text(encoding="utf-8").splitlines()
    staff[2] = staff[2].replace("2022", "2031")
    (study / "staff.csv").write_text("\n".join(staff) + "\n", encoding="utf-8")
    skm = (study / "skm.csv").read_text(encoding="utf-8").splitlines()
    cells = skm[3].split(";")
    cells[4] = "7"
    skm[3] = ";".join(cells)
    (study / "skm.csv").write_text("\n".join(skm) + "\n", encoding="utf-8")
    (study / "cpi.csv").write_bytes(b"")
    report = validate_study(study)
    assert not report.ok
    files = sorted({p.file for p in report.problems})
    assert files == ["cpi.csv", "skm.csv", "staff.csv"]
    staff_problem = next(p for p in report.problems if p.file == "staff.csv")
    assert (staff_problem.row, staff_problem.column, staff_problem.value) == (3, "tahun", 2031)
    skm_problem = next(p for p in report.problems if p.file == "skm.csv")
    assert (skm_problem.row, skm_problem.column) == (4, "U1")


def _with_blank_iku(tmp_path, policy):
    study = tmp_path / policy
    shutil.copytree(BROKEN / "_valid", study)
    yaml = (study / "study.yaml").read_text(encoding="utf-8")
    (study / "study.yaml").write_text(
        yaml.replace("missing: {policy: drop}", f"missing: {{policy: {policy}}}"), encoding="utf-8"
    )
    lines = (study / "iku.csv").read_text(encoding="utf-8").splitlines()
    cells = lines[5].split(";")
    cells[2] = "-"
    lines[5] = ";".join(cells)
    (study / "iku.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return study


@pytest.mark.parametrize(
    ("policy", "ok", "rows_left"), [("drop", True, 11), ("keep", True, 12), ("error", False, None)]
)
def test_missing_value_policy(tmp_path, policy, ok, rows_left):
    from evaluation.config import read_study_config
    from evaluation.validate import read_study_tables, validate_tables

    study = _with_blank_iku(tmp_path, policy)
    report = validate_study(study)
    assert report.ok is ok, report.render()
    if policy == "drop":
        assert any("iku.csv" in n and "dropped" in n and "rows 6" in n for n in report.notes)
    if policy == "error":
        assert [(p.row, p.column) for p in report.problems] == [(6, "capaian_iku")]
    if rows_left is not None:
        config = read_study_config(study)
        raw, problems, _ = read_study_tables(config)
        clean, _, _ = validate_tables(config, raw)
        assert len(clean["performance"]) == rows_left
        # '-' is missing, never zero
        assert not (clean["performance"]["iku_achievement"] == 0).any()


def test_codes_are_normalised():
    from evaluation.config import read_study_config
    from evaluation.validate import read_study_tables, validate_tables

    config = read_study_config(BROKEN / "_valid")
    raw, _, _ = read_study_tables(config)
    clean, problems, _ = validate_tables(config, raw)
    assert problems == []
    assert set(clean["training"]["competency_type"]) <= {"teknis", "manajerial", "sosial_kultural"}
    assert set(clean["training"]["learning_path"]) == {"klasikal", "nonklasikal"}


def test_report_is_frozen_and_renders():
    report = ValidationReport(
        study="x",
        study_dir="x",
        ok=False,
        problems=(Problem(file="a.csv", row=2, column="tahun", message="bad", hint="fix it"),),
    )
    with pytest.raises(AttributeError):
        report.ok = True  # type: ignore[misc]
    assert "a.csv, baris 2, kolom 'tahun': bad" in report.render("id")
    assert "a.csv, row 2, column 'tahun': bad" in report.render("en")
    assert report.to_dict()["problems"][0]["row"] == 2


def test_demo_study_validates(demo_dir):
    if not (demo_dir / "units.csv").exists():
        pytest.skip("the demo data have not been generated")
    proc = _cli("--study", str(demo_dir))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "tidak ada masalah" in proc.stdout
    assert not re.search(r"\d{18}", proc.stdout + proc.stderr)


def test_generator_reproduces_committed_variants():
    sys.path.insert(0, str(BROKEN))
    try:
        import make_variants
    finally:
        sys.path.remove(str(BROKEN))
    for name, data in make_variants.base_files().items():
        assert (BROKEN / "_valid" / name).read_bytes() == data, name
    for variant, files in make_variants.variants().items():
        for name, data in files.items():
            path = BROKEN / variant / name
            if data is None:
                assert not path.exists(), path
            else:
                assert path.read_bytes() == data, path
