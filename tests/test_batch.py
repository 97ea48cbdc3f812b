"""The batch runner, on toy notebooks that take the real parameters and write the real files.

Faults are injected through environment variables the toy notebooks read
(see tests/notebooks_fixtures/make_toys.py): a cell that raises, a kernel that kills
itself, a run that sleeps past its timeout, a writer that fails with ENOSPC, a batch
killed with SIGKILL. After each: earlier outputs intact, no half-written file, a
manifest that says what happened, and a resume that completes the rest.
"""

from __future__ import annotations

import errno
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
    """A batch of the toy notebooks; cold (fresh interpreters) unless ``warm_start=True``."""
    kw.setdefault("langs", ["id"])
    kw.setdefault("jobs", 2)
    kw.setdefault("warm_start", False)
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
                         "results.json", "tables.en.xlsx", "tables.id.xlsx"]
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
    assert "tidak ada yang perlu dijalankan: semua 6 run dari cache" in second.summary()
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
    assert "2023/estimate: failed pada sel 4: ValueError: toy failure in 2023" in summary
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
    with pytest.raises(ParameterError, match="di luar tahun studi 2015-2024"):
        batch(study, tmp_path, years="2010-2012")
    with pytest.raises(ParameterError, match=r"lang='fr': bahasa tidak dikenal; pilih dari "
                                              r"\['id', 'en'\]"):
        batch(study, tmp_path, years="2024", langs=["fr"])
    assert not (tmp_path / "reports").exists()


def test_second_batch_on_same_folder_is_refused(study, tmp_path):
    folder = tmp_path / "reports" / "demo"
    with batch_lock(folder):
        with pytest.raises(LockError, match="batch lain sedang menulis"):
            batch(study, tmp_path, years="2024")
        done = subprocess.run(
            [sys.executable, "-m", "evaluation", "batch", "--study", str(study), "--years", "2024",
             "--out", str(tmp_path / "reports"), "--notebooks", str(TOYS), "--no-progress"],
            capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 1
    assert "batch lain sedang menulis" in done.stderr and "Traceback" not in done.stderr


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
    assert "byte-identical" in same.stdout
    noisy = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=300,
                           env={**os.environ, "TOY_FAULT": "random"})
    assert noisy.returncode == 1
    assert "TIDAK dapat direproduksi" in noisy.stderr
    assert "results.json $.headline.scaled.estimate:" in noisy.stderr
    assert "brief.id.html text[1]:" in noisy.stderr


# ---- a full disk ends in a known state ---------------------------------------------------------


class FullDisk:
    """A disk that fills up at one write point: from then on, writes fail with ENOSPC until
    the batch gives back its space reserve."""

    def __init__(self, folder: Path):
        self.reserve = folder / ".space-reserve"
        self.full = False
        self.failed: list[str] = []

    def write(self, path, *, trigger: bool) -> None:
        if trigger:
            self.full = True
        if self.full and self.reserve.exists():
            self.failed.append(str(path))
            raise OSError(errno.ENOSPC, "No space left on device", str(path))


def _inject(monkeypatch, disk: FullDisk, point: str) -> None:
    from evaluation.batch import loop, overview, runner
    from evaluation.batch import manifest as mf

    real_json, real_text = mf.write_json, overview.write_text
    real_copy, real_mkdir = shutil.copy2, Path.mkdir
    saves = {"n": 0}

    def write_json(path, obj):
        saves["n"] += 1
        finished = any(r.get("status") == "ok" for r in obj.get("runs", {}).values())
        disk.write(path, trigger=(point == "manifest_first" and saves["n"] == 1)
                   or (point == "manifest_after_run" and finished))
        return real_json(path, obj)

    def write_text(path, text):
        disk.write(path, trigger=point == "index")
        return real_text(path, text)

    def copy2(src, dst, *a, **k):
        disk.write(dst, trigger=point == "stage_copy")
        return real_copy(src, dst, *a, **k)

    def mkdir(self, *a, **k):
        if self.name.isdigit() and ".staging" not in self.parts:
            disk.write(self, trigger=point == "year_folder")
        return real_mkdir(self, *a, **k)

    monkeypatch.setattr(mf, "write_json", write_json)
    monkeypatch.setattr(overview, "write_text", write_text)
    monkeypatch.setattr(runner.shutil, "copy2", copy2)
    monkeypatch.setattr(Path, "mkdir", mkdir)
    assert loop.mf is mf


def assert_known_state(folder: Path) -> dict:
    """Every run and the batch end in a final status; no file is cut short; no reserve left."""
    data = json.loads((folder / "manifest.json").read_text())
    assert data["batch"]["status"] == "failed"
    statuses = {r["status"] for r in data["runs"].values()}
    assert statuses <= {"ok", "cached", "failed", "skipped"}, statuses
    for path in folder.rglob("*"):
        if ".staging" in path.parts or ".cache" in path.parts or not path.is_file():
            continue
        assert not path.name.startswith(TMP_PREFIX), path
        if path.suffix in (".json", ".ipynb"):
            json.loads(path.read_text())  # whole
    assert not (folder / ".space-reserve").exists()
    return data


@pytest.mark.parametrize("point", ["manifest_first", "manifest_after_run", "stage_copy",
                                   "year_folder", "index", "child_output"])
def test_full_disk_at_each_write_point_ends_in_a_known_state(study, tmp_path, monkeypatch,
                                                             point):
    folder = tmp_path / "reports" / "demo"
    disk = FullDisk(folder)
    if point == "child_output":
        monkeypatch.setenv("TOY_FAULT", "enospc")
        monkeypatch.setenv("TOY_FAULT_YEAR", "2023")
    else:
        _inject(monkeypatch, disk, point)
    result = batch(study, tmp_path, years="2023-2024", jobs=1)
    monkeypatch.undo()
    assert result.exit_code == 1 and result.disk_full is not None
    data = assert_known_state(folder)
    summary = result.summary()
    assert summary.startswith("disk penuh: ") and "--resume" in summary
    if point != "child_output":
        assert disk.failed and disk.failed[0] in summary  # the path that could not be written
        assert data["batch"]["error"]["path"] == disk.failed[0]
    else:
        assert "results.json" in summary, (summary, data["runs"]["2023/estimate"]["error"])
    resumed = batch(study, tmp_path, years="2023-2024", jobs=1, resume=True)
    assert resumed.ok, resumed.summary()
    assert_consistent(tmp_path)


@pytest.mark.parametrize("point", ["reserve", "claim"])
def test_full_disk_before_any_run_changes_nothing(study, tmp_path, monkeypatch, capsys, point):
    from evaluation import settings
    from evaluation.batch import promote
    from evaluation.cli import main

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", "/where/it/failed")

    if point == "reserve":
        monkeypatch.setattr(promote.SpaceReserve, "take", full)
    else:
        monkeypatch.setattr(settings, "write_json", full)
    code = main(["batch", "--study", str(study), "--years", "2024", "--out",
                 str(tmp_path / "reports"), "--notebooks", str(TOYS), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 1
    assert "disk penuh: /where/it/failed tidak dapat ditulis" in err and "Traceback" not in err
    assert not (tmp_path / "reports" / "demo" / "manifest.json").exists()


@pytest.mark.parametrize("point", ["manifest_after_run", "stage_copy", "year_folder", "index",
                                   "child_output"])
def test_full_disk_during_brief_keeps_earlier_outputs_and_leaves_only_whole_files(
        study, tmp_path, monkeypatch, capsys, point):
    """``evaluation brief`` runs through the batch runner: a disk that fills up while it
    writes one year leaves every earlier output as it was, no half-written file, a final
    manifest, and a message naming the path; ``--resume`` then finishes the year."""
    from evaluation.cli import main

    folder = tmp_path / "reports" / "demo"
    args = ["brief", "--study", str(study), "--out", str(tmp_path / "reports"),
            "--notebooks", str(TOYS), "--jobs", "1", "--cold-start", "--no-progress"]
    assert main([*args, "--year", "2023"]) == 0, capsys.readouterr().err
    capsys.readouterr()
    earlier = {p.relative_to(folder / "2023"): p.read_bytes()
               for p in (folder / "2023").rglob("*") if p.is_file()}
    assert {Path("brief.id.pdf"), Path("results.json")} <= set(earlier)
    runs_2023 = {k: r for k, r in manifest(tmp_path)["runs"].items() if k.startswith("2023/")}
    assert runs_2023

    disk = FullDisk(folder)
    if point == "child_output":
        monkeypatch.setenv("TOY_FAULT", "enospc")
        monkeypatch.setenv("TOY_FAULT_YEAR", "2024")
    else:
        _inject(monkeypatch, disk, point)
    code = main([*args, "--year", "2024"])
    err = capsys.readouterr().err
    monkeypatch.undo()
    assert code == 1
    assert "disk penuh: " in err and "--resume" in err and "Traceback" not in err
    if point != "child_output":
        assert disk.failed and disk.failed[0] in err  # the path that could not be written
    data = assert_known_state(folder)
    after = {p.relative_to(folder / "2023"): p.read_bytes()
             for p in (folder / "2023").rglob("*") if p.is_file()}
    assert after == earlier  # the earlier year's outputs untouched, byte for byte
    for key, rec in runs_2023.items():
        assert data["runs"][key]["outputs"] == rec["outputs"], key
    assert [p for p in folder.rglob(TMP_PREFIX + "*") if ".staging" not in p.parts] == []

    assert main([*args, "--year", "2024", "--resume"]) == 0, capsys.readouterr().err
    assert_consistent(tmp_path)
    assert (folder / "2024" / "brief.id.pdf").is_file()


def test_a_failed_notebook_cut_short_is_not_kept(tmp_path):
    from evaluation.batch.promote import promote
    from evaluation.batch.runner import RunOutcome, RunSpec

    staging = tmp_path / "staging" / "demo" / "2024"
    staging.mkdir(parents=True)
    (staging / "notebook.ipynb").write_text('{"cells": [{"cell_type": "code", "sou')
    spec = RunSpec(key="2024/estimate", year=2024, stage="estimate", lang=None, notebook="x",
                   parameters={}, study_name="demo", out_root=str(tmp_path / "out"),
                   outputs=("results.json", "notebook.ipynb"), executed_name="notebook.ipynb")
    outcome = RunOutcome(key=spec.key, status="failed", start="", duration=1.0, attempts=1,
                         staging=str(staging), error={"ename": "OSError", "evalue": "x"})
    done = promote(spec, outcome, lang="en")
    assert done.failed_notebook is None
    assert "cut short" in done.error["note"]
    assert not (tmp_path / "out" / "demo" / "2024" / "notebook.failed.ipynb").exists()
    # an ok run whose results.json is cut short is not moved into place either
    (staging / "notebook.ipynb").write_text('{"cells": []}')
    (staging / "results.json").write_text('{"headline": ')
    ok = RunOutcome(key=spec.key, status="ok", start="", duration=1.0, attempts=1,
                    staging=str(staging))
    done = promote(spec, ok, lang="en")
    assert done.status == "failed" and done.error["ename"] == "IncompleteOutput"
    assert not (tmp_path / "out" / "demo" / "2024" / "results.json").exists()


# ---- one output folder, one study; warm start ----------------------------------------------------


def test_another_study_with_the_same_name_is_refused(study, tmp_path, capsys):
    from evaluation.cli import main

    first = batch(study, tmp_path, years="2024")
    assert first.ok
    twin = tmp_path / "twin"
    shutil.copytree(study, twin)
    (twin / "cpi.csv").write_text("other data\n")
    before = {p: p.read_bytes() for p in (tmp_path / "reports").rglob("*") if p.is_file()}
    code = main(["batch", "--study", str(twin), "--years", "2024", "--out",
                 str(tmp_path / "reports"), "--notebooks", str(TOYS), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2
    assert "memuat keluaran studi lain dengan nama yang sama 'demo'" in err
    assert str(study.resolve()) in err and "--out" in err and "Traceback" not in err
    after = {p: p.read_bytes() for p in (tmp_path / "reports").rglob("*") if p.is_file()}
    assert after == before  # nothing of the first study's outputs touched
    other = run_batch(str(twin), years="2024", langs=["id"], out=str(tmp_path / "other"),
                      notebooks=NotebookSet.from_folder(TOYS), warm_start=False)
    assert other.ok  # another --out is the fix


@pytest.mark.slow
def test_warm_start_gives_the_same_outputs_and_survives_faults(study, tmp_path, monkeypatch):
    cold = run_batch(str(study), years="2023-2024", langs=["id", "en"], jobs=2,
                     out=str(tmp_path / "cold"), notebooks=NotebookSet.from_folder(TOYS),
                     warm_start=False)
    warm = run_batch(str(study), years="2023-2024", langs=["id", "en"], jobs=2,
                     out=str(tmp_path / "warm"), notebooks=NotebookSet.from_folder(TOYS))
    assert cold.ok and warm.ok, warm.summary()
    mc = json.loads((tmp_path / "cold" / "demo" / "manifest.json").read_text())
    mw = json.loads((tmp_path / "warm" / "demo" / "manifest.json").read_text())
    assert mc["batch"]["start"] == "cold" and mw["batch"]["start"] == "warm"
    for key, rec in mc["runs"].items():
        for name in ("results.json", "brief.id.pdf", "brief.en.html"):
            if name in rec["outputs"]:
                assert rec["outputs"][name] == mw["runs"][key]["outputs"][name], (key, name)

    # a kernel that dies, a run past its timeout, a cell that raises: the same records
    monkeypatch.setenv("TOY_FAULT_YEAR", "2024")
    for fault, status, options in (("kill", "killed", {}), ("sleep", "timeout", {"timeout": 15}),
                                   ("raise", "failed", {})):
        monkeypatch.setenv("TOY_FAULT", fault)
        bad = run_batch(str(study), years="2023-2024", langs=["id"], jobs=2, force=True,
                        out=str(tmp_path / "warm"), notebooks=NotebookSet.from_folder(TOYS),
                        **options)
        runs = json.loads((tmp_path / "warm" / "demo" / "manifest.json").read_text())["runs"]
        assert runs["2024/estimate"]["status"] == status, runs["2024/estimate"]
        assert runs["2023/estimate"]["status"] == "ok" and not bad.ok
    assert not _warm_starters_of(os.getpid())  # no warm starter left behind


def _warm_starters_of(parent: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (stat.parent / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == parent and b"evaluation.batch.warm" in cmdline:
            found.append(int(stat.parent.name))
    return found


def test_runs_start_cold_when_the_warm_start_is_refused(study, tmp_path, monkeypatch):
    from evaluation.batch import loop

    monkeypatch.setattr(loop.WarmStarter, "start",
                        classmethod(lambda cls, *a, **k: (None, "threads running: ['x']")))
    result = batch(study, tmp_path, years="2024", warm_start=True)
    assert result.ok, result.summary()
    assert manifest(tmp_path)["batch"]["start"] == "cold (threads running: ['x'])"


def test_fork_is_refused_from_a_process_with_threads():
    import threading

    from evaluation.batch.warm import fork_problem, thread_problem

    before = thread_problem()
    assert before is None or "threads" in before
    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)
    worker.start()
    try:
        assert "threads running after the warm-up" in (thread_problem() or "")
        # the whole check refuses too, whatever else it finds first in this test process
        assert fork_problem() is not None
    finally:
        stop.set()
        worker.join()


@pytest.mark.slow
def test_warm_kernels_show_figures_inline_like_fresh_ones(study, tmp_path):
    """A kernel forked from the warm starter draws figures into the executed notebook with the
    same backend and post-execute hooks as a kernel started fresh."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    kernel = {"kernelspec": {"name": "python3", "display_name": "Python 3",
                             "language": "python"}}
    folder = tmp_path / "nbs"
    folder.mkdir()
    estimate = new_notebook(metadata=kernel, cells=[
        new_code_cell('study = "data/demo"\nyear = 2024\nout = "reports"\nseed = 2026',
                      metadata={"tags": ["parameters"]}),
        new_code_cell("from evaluation.params import setup_notebook\nfrom evaluation import _io\n"
                      "setup = setup_notebook('02_estimate', study=study, year=year, out=out,"
                      " seed=seed)\n_io.write_json(setup.year_dir / 'results.json', {})"),
        new_code_cell("import matplotlib, IPython\nimport matplotlib.pyplot as plt\n"
                      "fig, ax = plt.subplots()\nax.plot([1, 2])\n"
                      "print(matplotlib.get_backend(), sorted(f.__name__ for f in IPython."
                      "get_ipython().events.callbacks['post_execute']))"),
    ])
    brief = new_notebook(metadata=kernel, cells=[new_code_cell(
        'study = "data/demo"\nyear = 2024\nlang = "id"\nout = "reports"',
        metadata={"tags": ["parameters"]})])
    nbformat.write(estimate, folder / "02_estimate.ipynb")
    nbformat.write(brief, folder / "03_brief.ipynb")
    cells = {}
    for label, warm in (("warm", True), ("cold", False)):
        result = run_batch(str(study), years="2024", langs=["id"], out=str(tmp_path / label),
                           notebooks=NotebookSet.from_folder(folder), warm_start=warm)
        assert not any(r["status"] == "failed" and r["stage"] == "estimate"
                       for r in result.runs.values()), result.summary()
        nb = json.loads((tmp_path / label / "demo" / "2024" / "notebook.ipynb").read_text())
        (plot,) = [c for c in nb["cells"] if "plt.subplots" in "".join(c["source"])]
        cells[label] = [(o.get("output_type"), o.get("text") or sorted(o.get("data", {})))
                        for o in plot["outputs"]]
    assert ("display_data", ["image/png", "text/plain"]) in cells["warm"]
    assert cells["warm"] == cells["cold"]
