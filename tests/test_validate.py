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

import pandas as pd
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


# ---- summaries per unit and year instead of person-level records (issue 13) ----------------


def _summary_study(tmp_path: Path) -> Path:
    """The tiny study with its training and SKM answers summed per unit and year."""
    study = tmp_path / "summary"
    shutil.copytree(BROKEN / "_valid", study)
    training = pd.read_csv(study / "training.csv", sep=";", dtype=str)
    training["jp"] = training["JP"].str.replace(",", ".").astype(float)
    training["cost"] = (training["Biaya"].str.removeprefix("Rp ").str.removesuffix(",00")
                        .str.replace(".", "").astype(float))
    per_person = training.groupby(["Kode OPD", "Tahun", "NIP"])["jp"].sum()
    rows = ["Kode OPD;Tahun;Jumlah JP;Jumlah ASN 20 JP;Biaya (ribu Rp);JP Teknis;JP Klasikal"]
    for (unit, year), g in training.groupby(["Kode OPD", "Tahun"]):
        reached = int((per_person.loc[(unit, year)] >= 20).sum())
        teknis = g.loc[g["Jenis Kompetensi"] == "Teknis", "jp"].sum()
        klasikal = g.loc[g["Jalur"] == "Klasikal", "jp"].sum()
        rows.append(f"{unit};{year};{g['jp'].sum():g};{reached};{g['cost'].sum() / 1000:g};"
                    f"{teknis:g};{klasikal:g}".replace(".", ","))
    (study / "training_summary.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    skm = pd.read_csv(study / "skm.csv", sep=";")
    names = ["Persyaratan", "Sistem, Mekanisme dan Prosedur", "Waktu Penyelesaian",
             "Biaya/Tarif", "Produk Spesifikasi Jenis Pelayanan", "Kompetensi Pelaksana",
             "Perilaku Pelaksana", "Sarana dan Prasarana",
             "Penanganan Pengaduan, Saran dan Masukan"]
    means = skm.groupby(["kode_opd", "tahun", "periode"])[[f"U{i}" for i in range(1, 10)]]
    out = ["kode_opd;tahun;periode;Jumlah Responden;" + ";".join(names)]
    for (unit, year, period), g in means:
        values = ";".join(f"{v:.3f}".replace(".", ",") for v in g.mean())
        out.append(f"{unit};{year};{period};{len(g)};{values}")
    (study / "skm_summary.csv").write_text("\n".join(out) + "\n", encoding="utf-8")
    text = (study / "study.yaml").read_text(encoding="utf-8")
    text = text.replace("  training: training.csv\n", "  training_summary: training_summary.csv\n")
    text = text.replace("  skm: skm.csv\n", "  skm_summary: skm_summary.csv\n")
    (study / "study.yaml").write_text(text, encoding="utf-8")
    return study


def test_training_and_skm_summaries_are_read_and_checked(tmp_path):
    from evaluation.config import read_study_config
    from evaluation.validate import read_study_tables, validate_tables

    study = _summary_study(tmp_path)
    report = validate_study(study)
    assert report.ok, report.render()
    assert "ringkasan per unit dan tahun" in report.render("id")
    config = read_study_config(study)
    raw, _, _ = read_study_tables(config)
    clean, problems, _ = validate_tables(config, raw)
    assert problems == []
    summary = clean["training_summary"]
    assert list(summary.columns) == ["unit_id", "year", "jp_total", "n_reached_20jp",
                                     "cost_rp", "jp_teknis", "jp_klasikal"]
    training = pd.read_csv(BROKEN / "_valid" / "training.csv", sep=";", dtype=str)
    costs = (training["Biaya"].str.removeprefix("Rp ").str.removesuffix(",00")
             .str.replace(".", "").astype(float))
    assert summary["cost_rp"].sum() == pytest.approx(costs.sum())  # 'ribu Rp' x 1,000
    assert (summary["n_reached_20jp"] >= 0).all()
    skm = clean["skm_summary"]
    assert [c for c in skm.columns if c.startswith("nrr_")] == [f"nrr_u{i}" for i in range(1, 10)]
    assert skm[[f"nrr_u{i}" for i in range(1, 10)]].stack().between(1, 4).all()
    assert (skm["n_respondents"] == 3).all()


def test_summary_parts_and_counts_that_do_not_fit(tmp_path):
    study = _summary_study(tmp_path)
    lines = (study / "training_summary.csv").read_text(encoding="utf-8").splitlines()
    cells = lines[1].split(";")
    cells[3] = "9999"  # more ASN reaching 20 JP than ASN
    cells[5] = "99999"  # more teknis JP than JP in all
    lines[1] = ";".join(cells)
    lines[0] = lines[0].replace("Jumlah JP", "Jumlah JP;Jumlah ASN")
    for k in range(1, len(lines)):
        head, rest = lines[k].split(";", 2)[:2], lines[k].split(";", 2)[2]
        first, others = rest.split(";", 1)
        lines[k] = ";".join([*head, first, "5" if k == 1 else "900", others])
    (study / "training_summary.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    skm = (study / "skm_summary.csv").read_text(encoding="utf-8").splitlines()
    skm[2] = skm[2].rsplit(";", 1)[0] + ";4,5"  # an element mean above 4
    (study / "skm_summary.csv").write_text("\n".join(skm) + "\n", encoding="utf-8")
    report = validate_study(study)
    rules = {(p.file, p.row, p.rule) for p in report.problems}
    assert ("training_summary.csv", 2, "n_reached_le_asn") in rules
    assert ("training_summary.csv", 2, "jp_parts_exceed_total") in rules
    assert ("skm_summary.csv", 3, "nrr_range") in rules
    text = (study / "study.yaml").read_text(encoding="utf-8")
    (study / "study.yaml").write_text(
        text.replace("  training_summary:", "  training: training.csv\n  training_summary:"),
        encoding="utf-8")
    both = validate_study(study)
    assert any(p.rule == "summary_and_records" for p in both.problems)
