"""Parameter schemas: refused before any kernel starts, or injected as inert literals."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from evaluation.errors import ParameterError
from evaluation.params import SCHEMAS, check_parameters, confine_output, describe, schema_for

FIXTURES = Path(__file__).parent / "notebooks_fixtures"


@pytest.fixture
def study(tmp_path: Path, demo_dir: Path) -> Path:
    """A study whose language is English, so that problems are told in English."""
    folder = tmp_path / "study"
    folder.mkdir()
    text = (demo_dir / "study.yaml").read_text(encoding="utf-8")
    assert "\nlanguage: id" in text
    (folder / "study.yaml").write_text(text.replace("\nlanguage: id", "\nlanguage: en"),
                                       encoding="utf-8")
    return folder


def check(nb, values, tmp_path, **kw):
    return check_parameters(nb, values, out_root=tmp_path / "reports", base=tmp_path, **kw)


def test_defaults_filled_and_values_kept(study, tmp_path):
    got = check("03_brief", {"study": str(study), "year": 2020, "lang": "en"}, tmp_path)
    assert got == {"study": str(study), "year": 2020, "lang": "en", "out": "reports"}


@pytest.mark.parametrize(("values", "fragment"), [
    ({"yaer": 2020}, "unknown parameter(s) ['yaer']; allowed: ['lang', 'out', 'study', 'year']"),
    ({"year": "2020"}, "year='2020': expecting int, got str"),
    ({"year": True}, "expecting int, got bool"),
    ({"year": 2031}, "year=2031: outside the study's years 2015-2024 ('years' in "),
    ({"lang": "fr"}, "lang='fr': unknown language; choose from ['id', 'en']"),
    ({"out": "../elsewhere"}, "'..' is not allowed"),
    ({"out": "reports/../../x"}, "'..' is not allowed"),
    ({"out": "/etc"}, "resolves outside the output folder"),
    ({"study": "no/such/folder", "lang": "en"}, "no study.yaml in"),
    ({"study": "data/demo\nimport os", "lang": "en"}, "control characters"),
])
def test_refused_with_what_is_allowed(study, tmp_path, values, fragment):
    values = {"study": str(study), **values}
    with pytest.raises(ParameterError) as err:
        check("03_brief", values, tmp_path)
    assert fragment in str(err.value)
    assert "evaluation params 03_brief" in str(err.value)


def test_every_problem_listed_at_once(study, tmp_path):
    with pytest.raises(ParameterError) as err:
        check("03_brief", {"study": str(study), "lang": "xx", "out": "/", "colour": 1}, tmp_path)
    text = str(err.value)
    assert "3 parameter problem(s)" in text
    assert "colour" in text and "lang='xx'" in text and "out='/'" in text


def test_problems_are_told_in_the_notebooks_language(study, tmp_path):
    with pytest.raises(ParameterError) as err:
        check("03_brief", {"study": str(study), "year": 2031, "lang": "id"}, tmp_path)
    assert "year=2031: di luar tahun studi 2015-2024" in str(err.value)
    assert "evaluation params 03_brief" in str(err.value)


def test_setup_notebook_returns_the_runs_settings(study, tmp_path, monkeypatch):
    from evaluation.params import setup_notebook
    from evaluation.settings import SOURCE_NAME, RunSettings

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EVALUATION_OUTPUT_ROOT", str(tmp_path / "reports"))
    setup = setup_notebook("02_estimate", study=str(study), year=2023, out="reports", seed=7)
    assert isinstance(setup, RunSettings)
    assert (setup.year, setup.seed, setup.first_year) == (2023, 7, 2015)
    assert setup.year_dir == (tmp_path / "reports" / "demo" / "2023").resolve()
    assert setup.values == {"study": str(study), "year": 2023, "out": "reports", "seed": 7}
    assert setup.config.root == study.resolve()
    # the notebook's outputs folder now belongs to this study
    assert (tmp_path / "reports" / "demo" / SOURCE_NAME).is_file()


def test_symlink_escape_refused(study, tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, reports / "link")
    with pytest.raises(ParameterError, match="resolves outside the output folder"):
        check("02_estimate", {"study": str(study), "out": "reports/link"}, tmp_path)
    # inside, through a plain sub-folder or an absolute path to it, is fine
    check("02_estimate", {"study": str(study), "out": "reports/sub"}, tmp_path)
    check("02_estimate", {"study": str(study), "out": str(reports / "sub")}, tmp_path)
    assert confine_output("reports/link", root="reports", base=tmp_path, raise_error=False)


def test_code_like_strings_are_kept_as_strings(study, tmp_path):
    nasty = "x'); __import__('os').system('touch pwned') #\""
    got = check("01_explore", {"study": str(study), "sector": nasty}, tmp_path)
    assert got["sector"] == nasty


def test_describe_lists_every_parameter():
    for name, schema in SCHEMAS.items():
        text = describe(name)
        for p in schema:
            assert p.name in text
    assert "one of ['id', 'en']" in describe("notebooks/03_brief.ipynb", lang="en")
    assert "salah satu dari ['id', 'en']" in describe("03_brief")
    with pytest.raises(ParameterError, match="known notebooks"):
        schema_for("04_unknown", lang="en")


@pytest.mark.notebooks
@pytest.mark.parametrize("label", [
    "quote ' and \" and \"\"\" triple",
    "new\nline and __import__('os').system('touch pwned')",
    "\"; import os; os.system('touch pwned'); x = \"",
    "trailing backslash \\",
    "../../etc/passwd",
])
def test_papermill_injects_inert_literals(tmp_path, label):
    """Whatever the string, the kernel sees exactly that string, and no code runs."""
    import papermill

    sink = tmp_path / "sink.txt"
    papermill.execute_notebook(str(FIXTURES / "inert.ipynb"), str(tmp_path / "out.ipynb"),
                               parameters={"label": label, "sink": str(sink)},
                               cwd=str(tmp_path), progress_bar=False, kernel_name="python3")
    assert sink.read_text(encoding="utf-8") == repr(label)
    assert not (tmp_path / "pwned").exists()
