"""The notebooks in notebooks/: committed clean and thin, and they run on the demo study."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from evaluation.params import SCHEMAS

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_three_notebooks_exist():
    assert [p.stem for p in NOTEBOOKS] == ["01_explore", "02_estimate", "03_brief"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs_and_with_a_kernelspec(path):
    nb = load(path)
    assert nb["metadata"]["kernelspec"]["name"] == "python3"  # else "No language found"
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"{path.name}: outputs committed"
            assert cell["execution_count"] is None, f"{path.name}: execution count committed"
    done = subprocess.run([sys.executable, "-m", "nbstripout", "--verify", str(path)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_thin_with_a_tagged_parameters_cell_matching_the_schema(path):
    import papermill

    nb = load(path)
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            tree = ast.parse("".join(cell["source"]))
            defs = [n for n in ast.walk(tree)
                    if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Lambda))]
            assert not defs, f"{path.name}: move functions and classes into evaluation/"
    declared = {p.name: p for p in SCHEMAS[path.stem]}
    found = papermill.inspect_notebook(str(path))
    assert set(found) == set(declared)
    for name, info in found.items():
        assert ast.literal_eval(info["default"]) == declared[name].default, name


def _run(nb: str, out_nb: Path, cwd: Path, env: dict, **params) -> None:
    import papermill

    old = dict(os.environ)
    os.environ.update(env)
    try:
        papermill.execute_notebook(str(ROOT / "notebooks" / nb), str(out_nb), parameters=params,
                                   cwd=str(cwd), progress_bar=False, kernel_name="python3")
    finally:
        os.environ.clear()
        os.environ.update(old)


@pytest.mark.notebooks
@pytest.mark.slow
def test_by_hand_papermill_gives_the_same_numbers_as_the_cli(tmp_path):
    """`papermill notebooks/0X.ipynb out.ipynb -p year 2023` == `evaluation brief --year 2023`."""
    cli = subprocess.run(
        [sys.executable, "-m", "evaluation", "brief", "--study", "data/demo", "--year", "2023",
         "--out", str(tmp_path / "cli"), "--no-progress"],
        cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert cli.returncode == 0, cli.stderr
    from evaluation.batch.runner import DETERMINISTIC_THREADS, HASH_SEED

    # by hand with the settings the runner uses (see README: reproducibility)
    env = {"EVALUATION_OUTPUT_ROOT": str(tmp_path / "hand"), "PYTHONHASHSEED": HASH_SEED,
           **dict.fromkeys(DETERMINISTIC_THREADS, "1")}
    _run("02_estimate.ipynb", tmp_path / "02.ipynb", ROOT, env, year=2023,
         out=str(tmp_path / "hand"))
    _run("03_brief.ipynb", tmp_path / "03.ipynb", ROOT, env, year=2023,
         out=str(tmp_path / "hand"))
    a = tmp_path / "cli" / "demo" / "2023"
    b = tmp_path / "hand" / "demo" / "2023"
    ra, rb = (json.loads((d / "results.json").read_text()) for d in (a, b))
    # commits made to the checkout between the two runs change only these two fields
    for r in (ra, rb):
        r["provenance"].pop("git_commit")
        r["provenance"].pop("git_dirty")
    # With the runner's settings a by-hand run gives exactly the CLI's numbers.
    assert ra == rb, "by-hand and CLI results differ"
    from evaluation.commands.check_reproducible import html_text

    assert html_text((a / "brief.id.html").read_text()) == html_text((b / "brief.id.html").read_text())
    assert (a / "brief.id.pdf").stat().st_size > 10_000
    executed = load(a / "notebook.ipynb")
    assert any(o.get("output_type") in ("execute_result", "display_data")
               for c in executed["cells"] for o in c.get("outputs", []))
    # figures reach the executed notebook (nothing switched the kernel to a non-inline backend)
    assert any("image/png" in o.get("data", {})
               for c in executed["cells"] for o in c.get("outputs", []))


@pytest.mark.notebooks
@pytest.mark.slow
def test_explore_runs_headless_with_static_figures(tmp_path):
    _run("01_explore.ipynb", tmp_path / "01.ipynb", ROOT, {}, year=2024, lag=1)
    cells = load(tmp_path / "01.ipynb")["cells"]
    images = [o for c in cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert images, "no static figure in the headless run"
