"""Parameter schemas: refused before any kernel starts, or injected as inert literals."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from evaluation.errors import ParameterError
from evaluation.params import SCHEMAS, check_parameters, confine_output, describe, schema_for

FIXTURES = Path(__file__).parent / "notebooks_fixtures"


@pytest.fixture
def study(tmp_path: Path, demo_dir: Path) -> Path:
    folder = tmp_path / "study"
    folder.mkdir()
    shutil.copy(demo_dir / "study.yaml", folder / "study.yaml")
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
    ({"year": 2031}, "year=2031: outside the study's data; allowed: 2015 to 2024"),
    ({"lang": "fr"}, "lang='fr': unknown language; allowed: one of ['id', 'en']"),
    ({"out": "../elsewhere"}, "'..' is not allowed"),
    ({"out": "reports/../../x"}, "'..' is not allowed"),
    ({"out": "/etc"}, "resolves outside the output folder"),
    ({"study": "no/such/folder"}, "no study.yaml"),
    ({"study": "data/demo\nimport os"}, "control characters"),
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
    assert "one of ['id', 'en']" in describe("notebooks/03_brief.ipynb")
    with pytest.raises(ParameterError, match="known notebooks"):
        schema_for("04_unknown")


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
