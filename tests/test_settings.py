"""One resolved run: every value checked once, one exception type and one wording per
mistake, study.yaml parsed once per process, and one output folder per study."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest

from evaluation import config as config_mod
from evaluation.cli import main
from evaluation.errors import ParameterError
from evaluation.settings import (
    SOURCE_NAME,
    check_options,
    check_year,
    claim_output_folder,
    parse_years,
    resolve_run,
)


@pytest.fixture
def study(tmp_path: Path, demo_dir: Path) -> Path:
    """The demo's study.yaml (years 2015-2024, language id) in a folder of its own."""
    folder = tmp_path / "study"
    folder.mkdir()
    shutil.copy(demo_dir / "study.yaml", folder / "study.yaml")
    return folder


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# ---- years ------------------------------------------------------------------------------------


def test_years_forms(study):
    cfg = config_mod.read_study_config(study)
    assert parse_years("2016-2018", cfg) == (2016, 2017, 2018)
    assert parse_years("2020, 2022,2020", cfg) == (2020, 2022)
    assert parse_years(2024, cfg) == (2024,)
    assert parse_years([2024, 2023], cfg) == (2023, 2024)
    assert parse_years(None, cfg) == tuple(range(2015, 2025))


@pytest.mark.parametrize(("text", "fragment"), [
    ("2024-2016", "--years 2024-2016: rentangnya terbalik (awalnya sesudah akhirnya); tulis "
                  "2016-2024."),
    ("2016-2024,2022-2020", "tulis 2016-2024,2020-2022"),
    ("", "--years '': tidak ada tahun"),
    ("abc", "--years abc: diharapkan rentang seperti 2015-2024"),
    ("2016-", "--years 2016-: diharapkan rentang"),
    ("2010-2012", "--years 2010-2012: di luar tahun studi 2015-2024"),
])
def test_years_mistakes_say_what_and_how_to_fix(study, text, fragment):
    cfg = config_mod.read_study_config(study)
    with pytest.raises(ParameterError) as err:
        parse_years(text, cfg, spelling="cli")
    assert fragment in str(err.value)


def test_a_year_outside_the_study_has_one_type_and_one_wording_everywhere(study, tmp_path,
                                                                          capsys):
    """The same mistake through the command line, the batch API, a notebook's parameters
    and the analysis API: one exception type, one sentence, naming the value as given."""
    from evaluation.brief.report import analyse
    from evaluation.params import check_parameters

    cfg = config_mod.read_study_config(study)
    sentence = "di luar tahun studi 2015-2024 ('years' di "
    texts = []
    for call in (
        lambda: resolve_run(study, years=2030, spelling="cli", year_name="year"),
        lambda: resolve_run(study, years="2029-2030"),
        lambda: check_parameters("03_brief", {"study": str(study), "year": 2030},
                                 out_root=tmp_path, base=tmp_path),
        lambda: check_year(cfg, 2030),
        lambda: analyse(study, year=2030),
    ):
        with pytest.raises(ParameterError) as err:
            call()
        texts.append(str(err.value))
    assert all(sentence in t for t in texts), texts
    assert "--year 2030:" in texts[0] and "years='2029-2030':" in texts[1]
    assert "year=2030:" in texts[2] and "year=2030:" in texts[3] and "year=2030:" in texts[4]

    code, _, err = cli(capsys, "brief", "--study", str(study), "--year", "2030",
                       "--out", str(tmp_path / "out"))
    assert code == 2
    assert err.startswith("evaluation brief: --year 2030: di luar tahun studi 2015-2024")
    assert "--years" not in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


# ---- options and the command line ------------------------------------------------------------


@pytest.mark.parametrize(("args", "fragment"), [
    (["batch", "--years", "2024-2016"], "--years 2024-2016: rentangnya terbalik"),
    (["batch", "--jobs", "0"], "--jobs 0: diharapkan bilangan bulat paling sedikit 1"),
    (["batch", "--jobs", "-3"], "--jobs -3:"),
    (["batch", "--timeout", "nan"], "--timeout nan: diharapkan jumlah detik lebih dari 0"),
    (["batch", "--timeout", "inf"], "--timeout inf:"),
    (["batch", "--timeout", "0"], "--timeout 0.0:"),
    (["batch", "--retries", "-1"], "--retries -1:"),
    (["batch", "--force", "--resume"], "--force dan --resume tidak dapat dipakai bersama"),
    (["batch", "--lang", "id,fr"], "--lang fr: bahasa tidak dikenal"),
    (["batch", "--seed", "-1"], "--seed -1: diharapkan bilangan bulat dari 0"),
    (["brief", "--year", "2030"], "--year 2030: di luar tahun studi"),
    (["check-reproducible", "--year", "1999"], "--year 1999: di luar tahun studi"),
])
def test_usage_mistakes_exit_2_with_what_and_where(study, tmp_path, capsys, args, fragment):
    out_option = ["--out", str(tmp_path / "o")] if args[0] != "check-reproducible" else []
    code, out, err = cli(capsys, *args, "--study", str(study), *out_option)
    assert code == 2, err
    assert fragment in err
    assert "Traceback" not in err and out == ""
    assert not (tmp_path / "o").exists()


def test_every_mistake_at_once_in_the_runs_language(study, tmp_path, capsys):
    code, _, err = cli(capsys, "batch", "--study", str(study), "--years", "2030",
                       "--lang", "en", "--seed", "-4", "--out", str(tmp_path / "o"))
    assert code == 2
    assert "2 problems" in err
    assert "--years 2030: outside the study's years 2015-2024" in err
    assert "--seed -4: expecting a whole number from 0 to 4294967295" in err


def test_a_missing_study_folder_is_a_usage_mistake(tmp_path, capsys):
    code, _, err = cli(capsys, "brief", "--study", str(tmp_path / "nowhere"), "--lang", "en")
    assert code == 2
    assert f"--study {tmp_path / 'nowhere'}: no study.yaml in" in err


def test_a_broken_study_yaml_is_a_data_problem(study, capsys):
    (study / "study.yaml").write_text("name: x\nyears: [\n", encoding="utf-8")
    code, _, err = cli(capsys, "batch", "--study", str(study))
    assert code == 1
    assert "study.yaml" in err and "not valid YAML" in err and "Traceback" not in err


def test_options_defaults_and_checks():
    opts = check_options(jobs=None, timeout=30)
    assert opts.jobs >= 1 and opts.timeout == 30.0 and opts.mode == "incremental"
    assert check_options(resume=True).mode == "resume"
    for bad in (math.nan, math.inf, -1.0, 0):
        with pytest.raises(ParameterError):
            check_options(timeout=bad)


def test_output_root_from_the_environment(study, tmp_path, monkeypatch):
    monkeypatch.setenv("EVALUATION_OUTPUT_ROOT", str(tmp_path / "elsewhere"))
    assert resolve_run(study).out_root == (tmp_path / "elsewhere").resolve()
    assert resolve_run(study, out=tmp_path / "given").out_root == (tmp_path / "given").resolve()
    monkeypatch.delenv("EVALUATION_OUTPUT_ROOT")
    monkeypatch.chdir(tmp_path)
    assert resolve_run(study).out_root == (tmp_path / "reports").resolve()


def test_settings_carry_what_a_run_needs(study, tmp_path):
    s = resolve_run(study, years="2023-2024", langs="en,id", seed=9, out=tmp_path)
    assert (s.years, s.langs, s.seed, s.first_year) == ((2023, 2024), ("en", "id"), 9, 2015)
    assert s.study_out == tmp_path.resolve() / "demo"
    assert s.for_year(2024).year_dir == tmp_path.resolve() / "demo" / "2024"
    assert resolve_run(study, default_years="last").years == (2024,)
    with pytest.raises(ValueError):
        _ = s.year  # two years: no single year
    with pytest.raises(ParameterError, match="jendela estimasi"):
        resolve_run(study, years=2020, first_year=2021)


# ---- study.yaml read once --------------------------------------------------------------------


def test_study_yaml_is_parsed_once_per_content(study, monkeypatch):
    parses = []
    real = config_mod._parse
    monkeypatch.setattr(config_mod, "_parse", lambda *a: parses.append(a[0]) or real(*a))
    config_mod._PARSED.clear()
    first = config_mod.read_study_config(study)
    for _ in range(5):
        assert config_mod.read_study_config(study) is first
        assert config_mod.read_study_config(study / "study.yaml") is first
    resolve_run(study, years="2020-2024")
    assert len(parses) == 1
    text = (study / "study.yaml").read_text(encoding="utf-8")
    (study / "study.yaml").write_text(text.replace("min_cell_size: 5", "min_cell_size: 6")
                                      if "min_cell_size: 5" in text
                                      else text + "\nmin_cell_size: 6\n", encoding="utf-8")
    changed = config_mod.read_study_config(study)
    assert len(parses) == 2 and changed.min_cell_size == 6
    assert changed.file_sha256 != first.file_sha256


# ---- one output folder, one study -------------------------------------------------------------


def test_an_output_folder_belongs_to_one_study(study, tmp_path):
    cfg = config_mod.read_study_config(study)
    folder = tmp_path / "reports" / "demo"
    marker = claim_output_folder(folder, cfg)
    record = json.loads(marker.read_text())
    assert marker.name == SOURCE_NAME
    assert record == {"name": "demo", "study_dir": str(study.resolve()),
                      "study_yaml_sha256": cfg.file_sha256}
    claim_output_folder(folder, cfg)  # the same study again: fine

    twin = tmp_path / "twin"
    twin.mkdir()
    shutil.copy(study / "study.yaml", twin / "study.yaml")  # kept `name: demo`
    with pytest.raises(ParameterError) as err:
        claim_output_folder(folder, config_mod.read_study_config(twin))
    text = str(err.value)
    assert str(study.resolve()) in text and "ganti nama studi ini" in text and "--out" in text

    # the same folder with an edited study.yaml is the same study
    (study / "study.yaml").write_text((study / "study.yaml").read_text() + "\n# edited\n")
    edited = config_mod.read_study_config(study)
    claim_output_folder(folder, edited)
    assert json.loads(marker.read_text())["study_yaml_sha256"] == edited.file_sha256

    marker.write_text("{not json")
    with pytest.raises(ParameterError, match="tidak dapat dibaca"):
        claim_output_folder(folder, edited)


def test_help_and_messages_come_from_the_catalogue_in_either_language(study, tmp_path, capsys,
                                                                      monkeypatch):
    import importlib

    import evaluation.cli as cli_mod
    import evaluation.commands.batch as batch_cmd

    for lang, word in (("en", "runs at a time"), ("id", "jumlah run sekaligus")):
        monkeypatch.setenv("EVALUATION_LANG", lang)
        importlib.reload(batch_cmd)
        with pytest.raises(SystemExit):
            cli_mod.main(["batch", "--help"])
        assert word in capsys.readouterr().out
    # EVALUATION_LANG also sets the language of the messages, unless --lang says otherwise
    code, _, err = cli(capsys, "batch", "--study", str(study), "--years", "2030")
    assert code == 2 and "di luar tahun studi" in err
    monkeypatch.setenv("EVALUATION_LANG", "en")
    code, _, err = cli(capsys, "batch", "--study", str(study), "--jobs", "0")
    assert code == 2 and "--jobs 0: expecting a whole number of at least 1" in err
    code, _, err = cli(capsys, "batch", "--study", str(study), "--years", "2030")
    assert code == 2 and "--years 2030: outside the study's years" in err
    monkeypatch.delenv("EVALUATION_LANG")
    importlib.reload(batch_cmd)
