"""The batch runner, on toy notebooks that take the real parameters and write the real files.

Faults are injected through environment variables the toy notebooks read
(see tests/notebooks_fixtures/make_toys.py): a cell that raises, a kernel that kills
itself, a run that sleeps past its timeout, a writer that fails with ENOSPC, a batch
killed with SIGKILL. After each: earlier outputs intact, no half-written file, a
manifest that says what happened, and a resume that completes the rest.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from evaluation import provenance
from evaluation._io import TMP_PREFIX, sha256_file
from evaluation.batch import NotebookSet, batch_lock, run_batch
from evaluation.errors import LockError, ParameterError

ROOT = Path(__file__).resolve().parents[1]
TOYS = ROOT / "tests" / "notebooks_fixtures" / "toy"

pytestmark = pytest.mark.notebooks


@pytest.fixture(autouse=True)
def _stable_toolkit_hash(monkeypatch):
    # other work on the toolkit's source during a test must not invalidate the cache
    monkeypatch.setattr(provenance, "toolkit_sha256", lambda: "toolkit-under-test")
    for var in ("TOY_FAULT", "TOY_FAULT_YEAR", "TOY_FAULT_STAGE", "TOY_SLEEP"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def study(tmp_path: Path, demo_dir: Path) -> Path:
    folder = tmp_path / "study"
    folder.mkdir()
    shutil.copy(demo_dir / "study.yaml", folder / "study.yaml")
    for name in ("units.csv", "staff.csv", "training.parquet", "skm.parquet", "iku.csv",
                 "cpi.csv", "programme.csv"):
        (folder / name).write_text(f"toy input {name}\n")
    return folder


def batch(study, tmp_path, **kw):
    kw.setdefault("langs", ["id"])
    kw.setdefault("jobs", 2)
    return run_batch(str(study), out=str(tmp_path / "reports"),
                     notebooks=NotebookSet.from_folder(TOYS), **kw)


def manifest(tmp_path) -> dict:
    return json.loads((tmp_path / "reports" / "demo" / "manifest.json").read_text())


def assert_consistent(tmp_path, *, killed: bool = False):
    """No half-written file; every output the manifest lists has its hash.

    Right after a SIGKILL a temporary file (``.tmp-*``, never a final name) may remain from
    a write that was cut short; the next batch removes it before anything else.
    """
    folder = tmp_path / "reports" / "demo"
    leftovers = [p for p in folder.rglob(TMP_PREFIX + "*") if ".staging" not in p.parts]
    if not killed:
        assert leftovers == []
    for key, rec in manifest(tmp_path)["runs"].items():
        for name, digest in (rec.get("outputs") or {}).items():
            path = folder / str(rec["year"]) / name
            assert path.is_file(), f"{key}: {name} missing"
            assert sha256_file(path) == digest, f"{key}: {name} differs from the manifest"


def test_batch_writes_everything_then_unchanged_rerun_runs_nothing(study, tmp_path):
    first = batch(study, tmp_path, years="2023-2024", langs=["id", "en"])
    assert first.exit_code == 0, first.summary()
    assert first.counts == {"ok": 6}
    for year in (2023, 2024):
        names = sorted(p.name for p in (tmp_path / "reports" / "demo" / str(year)).iterdir())
        assert names == ["brief.en.html", "brief.en.pdf", "brief.id.html", "brief.id.pdf",
                         "notebook.brief.en.ipynb", "notebook.brief.id.ipynb", "notebook.ipynb",
                         "results.json", "tables.xlsx"]
    rec = manifest(tmp_path)["runs"]["2024/estimate"]
    assert rec["status"] == "ok" and rec["parameters"]["year"] == 2024
    assert set(rec["outputs"]) == {"results.json", "notebook.ipynb"}
    assert rec["notebook_sha256"] == sha256_file(TOYS / "02_estimate.ipynb")
    assert len(rec["data_sha256"]) == 64 and rec["packages"]["papermill"]
    assert not (tmp_path / "reports" / "demo" / ".staging").exists() or not any(
        (tmp_path / "reports" / "demo" / ".staging").iterdir())
    index = (tmp_path / "reports" / "demo" / "index.html").read_text()
    assert "2023/brief.en.html" in index and "2024/notebook.ipynb" in index
    assert "http" not in index.replace("http-equiv", "")  # self-contained
    assert_consistent(tmp_path)

    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "reports").rglob("*") if p.is_file()
              and p.name not in ("manifest.json",)}
    second = batch(study, tmp_path, years="2023-2024", langs=["id", "en"])
    assert second.executed == []
    assert second.counts == {"cached": 6}
    assert "nothing to run: all 6 runs cached" in second.summary()
    after = {p: p.stat().st_mtime_ns for p in before}
    assert after == before  # not one output rewritten

    # a changed input invalidates every run of the study
    (study / "cpi.csv").write_text("changed\n")
    third = batch(study, tmp_path, years="2024", langs=["id"])
    assert third.executed == ["2024/estimate", "2024/brief.id"]


def test_failing_year_does_not_stop_the_others(study, tmp_path, monkeypatch):
    monkeypatch.setenv("TOY_FAULT", "raise")
    monkeypatch.setenv("TOY_FAULT_YEAR", "2023")
    result = batch(study, tmp_path, years="2023-2024")
    assert result.exit_code == 1
    runs = manifest(tmp_path)["runs"]
    assert runs["2024/estimate"]["status"] == "ok" and runs["2024/brief.id"]["status"] == "ok"
    err = runs["2023/estimate"]["error"]
    assert runs["2023/estimate"]["status"] == "failed"
    assert err["ename"] == "ValueError" and err["evalue"] == "toy failure in 2023"
    assert err["cell"] == 4 and err["source"] == 'STAGE = "estimate"'
    assert runs["2023/brief.id"]["status"] == "skipped"
    summary = result.summary()
    assert "2023/estimate: failed at cell 4: ValueError: toy failure in 2023" in summary
    kept = tmp_path / "reports" / "demo" / "2023" / "notebook.failed.ipynb"
    assert runs["2023/estimate"]["failed_notebook"] == "notebook.failed.ipynb"
    cells = json.loads(kept.read_text())["cells"]
    assert any(o.get("output_type") == "error" and o["ename"] == "ValueError"
               for c in cells for o in c.get("outputs", []))
    assert not (tmp_path / "reports" / "demo" / "2023" / "results.json").exists()

    monkeypatch.delenv("TOY_FAULT")
    resumed = batch(study, tmp_path, years="2023-2024", resume=True)
    assert resumed.exit_code == 0
    assert sorted(resumed.executed) == ["2023/brief.id", "2023/estimate"]
    assert not kept.exists()
    assert_consistent(tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize(("fault", "status", "options"), [
    ("kill", "killed", {}),
    ("sleep", "timeout", {"timeout": 20}),
    ("enospc", "failed", {}),
])
def test_fault_leaves_earlier_outputs_intact(study, tmp_path, monkeypatch, fault, status, options):
    good = batch(study, tmp_path, years="2024")
    assert good.ok
    year_dir = tmp_path / "reports" / "demo" / "2024"
    before = {p.name: p.read_bytes() for p in year_dir.iterdir()}

    monkeypatch.setenv("TOY_FAULT", fault)
    bad = batch(study, tmp_path, years="2024", force=True, **options)
    assert bad.exit_code == 1
    rec = manifest(tmp_path)["runs"]["2024/estimate"]
    assert rec["status"] == status, rec
    if fault == "enospc":
        assert rec["error"]["ename"] == "OSError" and "No space left" in rec["error"]["evalue"]
    if fault == "sleep":
        assert rec["duration"] < 20 + 15
    for name, data in before.items():  # every earlier output byte-identical
        assert (year_dir / name).read_bytes() == data
    assert_consistent(tmp_path)

    monkeypatch.delenv("TOY_FAULT")
    fixed = batch(study, tmp_path, years="2024", resume=True)
    assert fixed.exit_code == 0 and "2024/estimate" in fixed.executed
    assert_consistent(tmp_path)


def test_dead_kernel_is_retried(study, tmp_path, monkeypatch):
    markers = tmp_path / "markers"
    markers.mkdir()
    monkeypatch.setenv("TOY_FAULT", "kill_once")
    monkeypatch.setenv("TOY_MARKER_DIR", str(markers))
    result = batch(study, tmp_path, years="2024", retries=1)
    assert result.ok, result.summary()
    assert manifest(tmp_path)["runs"]["2024/estimate"]["attempts"] == 2


def test_parameters_refused_before_any_kernel(study, tmp_path):
    with pytest.raises(ParameterError, match="outside the study's data; allowed: 2015 to 2024"):
        batch(study, tmp_path, years="2010-2012")
    with pytest.raises(ParameterError, match=r"expecting one of \['id', 'en'\]"):
        batch(study, tmp_path, years="2024", langs=["fr"])
    assert not (tmp_path / "reports").exists()


def test_second_batch_on_same_folder_is_refused(study, tmp_path):
    folder = tmp_path / "reports" / "demo"
    with batch_lock(folder):
        with pytest.raises(LockError, match="another batch is writing"):
            batch(study, tmp_path, years="2024")
        done = subprocess.run(
            [sys.executable, "-m", "evaluation", "batch", "--study", str(study), "--years", "2024",
             "--out", str(tmp_path / "reports"), "--notebooks", str(TOYS), "--no-progress"],
            capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 1
    assert "another batch is writing" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.slow
def test_sigkilled_batch_then_resume_ends_complete(study, tmp_path):
    env = {**os.environ, "TOY_SLEEP": "2"}
    cmd = [sys.executable, "-m", "evaluation", "batch", "--study", str(study),
           "--years", "2020-2024", "--out", str(tmp_path / "reports"), "--notebooks", str(TOYS),
           "--jobs", "2", "--no-progress"]
    proc = subprocess.Popen(cmd, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    path = tmp_path / "reports" / "demo" / "manifest.json"
    while time.monotonic() < deadline:
        if path.exists():
            statuses = [r["status"] for r in json.loads(path.read_text())["runs"].values()]
            if "ok" in statuses and "running" in statuses:
                break
        time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("the batch never reached the middle")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    runs = json.loads(path.read_text())["runs"]  # the manifest is whole and says what happened
    assert {r["status"] for r in runs.values()} - {"ok", "running", "pending"} == set()
    assert any(r["status"] in ("running", "pending") for r in runs.values())
    assert_consistent(tmp_path, killed=True)

    done = subprocess.run([*cmd, "--resume"], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    runs = json.loads(path.read_text())["runs"]
    assert {r["status"] for r in runs.values()} <= {"ok", "cached"} and len(runs) == 10
    assert_consistent(tmp_path)
    assert not any((tmp_path / "reports" / "demo" / ".staging").glob("*"))


@pytest.mark.slow
def test_dask_local_cluster_gives_identical_outputs(study, tmp_path):
    local = run_batch(str(study), years="2023-2024", langs=["id"], jobs=2,
                      out=str(tmp_path / "a"), notebooks=NotebookSet.from_folder(TOYS))
    dask = run_batch(str(study), years="2023-2024", langs=["id"], jobs=2, scheduler="local",
                     out=str(tmp_path / "b"), notebooks=NotebookSet.from_folder(TOYS))
    assert local.ok and dask.ok, dask.summary()
    for year in (2023, 2024):
        a = tmp_path / "a" / "demo" / str(year)
        b = tmp_path / "b" / "demo" / str(year)
        assert (a / "results.json").read_bytes() == (b / "results.json").read_bytes()
        assert (a / "brief.id.pdf").read_bytes() == (b / "brief.id.pdf").read_bytes()
    ma = json.loads((tmp_path / "a" / "demo" / "manifest.json").read_text())
    mb = json.loads((tmp_path / "b" / "demo" / "manifest.json").read_text())
    assert mb["batch"]["scheduler"] == "local"
    assert {k: r["outputs"]["results.json"] for k, r in ma["runs"].items() if r["stage"] == "estimate"} \
        == {k: r["outputs"]["results.json"] for k, r in mb["runs"].items() if r["stage"] == "estimate"}


def test_check_reproducible_detects_injected_nondeterminism(study, tmp_path):
    cmd = [sys.executable, "-m", "evaluation", "check-reproducible", "--study", str(study),
           "--year", "2024", "--notebooks", str(TOYS)]
    same = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=300,
                          env={k: v for k, v in os.environ.items() if not k.startswith("TOY_")})
    assert same.returncode == 0, same.stderr
    assert "reproducible" in same.stdout
    noisy = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=300,
                           env={**os.environ, "TOY_FAULT": "random"})
    assert noisy.returncode == 1
    assert "NOT reproducible" in noisy.stderr
    assert "results.json $.headline.scaled.estimate:" in noisy.stderr
    assert "brief.id.html text[1]:" in noisy.stderr


def test_index_says_when_a_year_could_not_be_estimated(tmp_path):
    """A descriptive-only year shows why it has no headline; an estimated one its interval,
    and the caption says what the number means."""
    from evaluation.batch import render_index

    for year, head in ((2016, {"status": "not_estimable", "estimate_id": None, "scaled": None}),
                       (2017, {"estimate_id": "headline",
                               "scaled": {"estimate": 0.66, "conf_low": -0.17, "conf_high": 1.61}})):
        (tmp_path / str(year)).mkdir()
        (tmp_path / str(year) / "results.json").write_text(json.dumps({"headline": {
            **head, "scale": 10, "exposure": "jp_per_asn", "outcome": "ikm", "lag": 1}}))
    manifest = {"runs": {f"{y}/{stage}": {"year": y, "stage": stage, "status": "ok",
                                          "lang": "id" if stage == "brief" else None}
                         for y in (2016, 2017) for stage in ("estimate", "brief")}}
    page = render_index(tmp_path, manifest, lang="id", synthetic=True, title="Demo")
    assert "belum dapat ditaksir" in page
    assert "0,66 (-0,17 – 1,61)" in page
    assert "tambahan 10 JP pelatihan per ASN (tahun sebelumnya)" in page
