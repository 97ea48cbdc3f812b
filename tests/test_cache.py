"""The cache of validated tables and panels: a hit is the same Study as a miss, always.

Checked here: tables, dtypes, attrs, notes and hashes equal with and without the cache;
the analysis gives byte-identical results; the key follows every input file and the
secret; a damaged entry is rebuilt, never used; two processes filling one key both end
with a valid entry; nothing personal (NIP, name, secret) is ever written to the cache;
the batch gives every run the cache and does not count it as an output.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from evaluation import cache as cache_mod
from evaluation import provenance
from evaluation.errors import SyntheticDataWarning
from evaluation.privacy import NIP_PATTERN
from evaluation.study import Study, load_study

ROOT = Path(__file__).resolve().parents[1]
VALID = ROOT / "tests" / "broken" / "_valid"
NIPS = ("198503122010011002", "199001012015011001", "198712052012012003",
        "199203152019031004", "198801202014022005")
NAMES = ("Ani Lestari", "Budi Santoso", "Citra Maharani", "Dedi Kurniawan", "Eka Pratiwi")


@pytest.fixture(autouse=True)
def _quiet_and_stable(monkeypatch):
    # other work on the toolkit's source during a test must not change the key mid-test
    monkeypatch.setattr(provenance, "toolkit_sha256", lambda: "toolkit-under-test")
    monkeypatch.delenv(cache_mod.CACHE_DIR_ENV, raising=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntheticDataWarning)
        yield


def _load(folder, **kw) -> Study:
    return load_study(folder, **kw)


def assert_same_study(a: Study, b: Study) -> None:
    assert list(a.tables) == list(b.tables)
    for name in a.tables:
        x, y = a.tables[name], b.tables[name]
        pd.testing.assert_frame_equal(x, y, check_exact=True, check_index_type=True,
                                      check_column_type=True, check_flags=True)
        assert type(x.index) is type(y.index), name
        assert x.attrs == y.attrs, name
    assert a.config == b.config
    assert dict(a.inputs) == dict(b.inputs)
    assert a.data_sha256 == b.data_sha256
    assert a.notes == b.notes
    assert a.pseudonym_source == b.pseudonym_source


def entries(root: Path, kind: str = "tables") -> list[Path]:
    return sorted(p for p in root.glob(f"{kind}-*") if p.is_dir())


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


# ---- a hit is a miss ------------------------------------------------------------------------


def test_hit_equals_miss_and_no_cache(tmp_path):
    root = tmp_path / "cache"
    plain = _load(VALID, cache_dir=False)
    miss = _load(VALID, cache_dir=root)
    assert len(entries(root)) == 1
    stamp = {p: p.read_bytes() for p in entries(root)[0].iterdir()}
    hit = _load(VALID, cache_dir=root)
    assert {p: p.read_bytes() for p in entries(root)[0].iterdir()} == stamp  # a hit only reads
    assert_same_study(plain, miss)
    assert_same_study(plain, hit)
    assert "SYNTHETIC" in repr(hit)


def test_environment_variable_names_the_cache_and_false_turns_it_off(tmp_path, monkeypatch):
    root = tmp_path / "from-env"
    monkeypatch.setenv(cache_mod.CACHE_DIR_ENV, str(root))
    _load(VALID, cache_dir=False)
    assert not root.exists()
    _load(VALID)
    assert len(entries(root)) == 1
    monkeypatch.setenv(cache_mod.CACHE_DIR_ENV, "")
    assert cache_mod.cache_dir_from_env() is None


def test_hit_replays_the_loaders_warnings(tmp_path):
    root = tmp_path / "cache"
    from evaluation.errors import EvaluationWarning

    seen = []
    for _ in range(2):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            _load(VALID, cache_dir=root).panel()
        seen.append(sorted((w.category.__name__, str(w.message)) for w in caught
                           if issubclass(w.category, EvaluationWarning)))
    assert entries(root, "panel")
    assert seen[0] == seen[1]
    # fixed key used; synthetic study; the panel's data-quality note on nonklasikal credit
    assert [c for c, _ in seen[0]] == ["DataQualityWarning", "SyntheticDataWarning",
                                       "SyntheticDataWarning"]


def test_panel_hit_equals_miss(tmp_path, demo_dir):
    root = tmp_path / "cache"
    plain = _load(demo_dir, cache_dir=False).panel()
    miss = _load(demo_dir, cache_dir=root).panel()
    assert len(entries(root, "panel")) == 1
    hit = _load(demo_dir, cache_dir=root).panel()
    for other in (miss, hit):
        pd.testing.assert_frame_equal(plain, other, check_exact=True, check_index_type=True,
                                      check_column_type=True)
        assert plain.attrs == other.attrs
        assert [type(v) for v in plain.attrs.values()] == [type(v) for v in other.attrs.values()]


def test_panel_of_replaced_tables_is_not_taken_from_the_cache(tmp_path):
    import dataclasses

    root = tmp_path / "cache"
    study = _load(VALID, cache_dir=root)
    tables = dict(study.tables)
    tables["staff"] = tables["staff"].assign(asn_count=tables["staff"]["asn_count"] * 2)
    other = dataclasses.replace(study, tables=tables)
    calls = []
    import evaluation.panel as panel_mod

    real = panel_mod.build_panel

    def spy(config, tbls):
        calls.append(tbls)
        return real(config, tbls)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(panel_mod, "build_panel", spy)
        study.panel()
        other.panel()
    assert calls[-1] is tables  # built from the replaced tables, not read from the cache


@pytest.mark.slow
def test_analysis_results_byte_identical_with_and_without_cache(tmp_path, demo_dir,
                                                                monkeypatch):
    from evaluation.brief.report import analyse

    small = {"year": 2024, "reps": 99, "chain_reps": 19, "mde_reps": 10, "staggered_reps": 19}

    def run() -> str:
        res = analyse(demo_dir, **small)
        return json.dumps(res.results, sort_keys=True, ensure_ascii=False, allow_nan=False)

    plain = run()
    monkeypatch.setenv(cache_mod.CACHE_DIR_ENV, str(tmp_path / "cache"))
    miss = run()
    assert entries(tmp_path / "cache") and entries(tmp_path / "cache", "panel")
    hit = run()
    assert plain == miss == hit


# ---- the key ----------------------------------------------------------------------------------


def test_key_follows_every_input_file_and_study_yaml(tmp_path):
    folder = _copy(VALID, tmp_path / "study")
    root = tmp_path / "cache"
    first = _load(folder, cache_dir=root)
    (folder / "cpi.csv").write_text("tahun;ihk\n2021;106,55\n2022;113,59\n2023;116,57\n",
                                    encoding="utf-8")
    second = _load(folder, cache_dir=root)
    assert len(entries(root)) == 2
    assert second.data_sha256 != first.data_sha256
    assert_same_study(second, _load(folder, cache_dir=False))
    text = (folder / "study.yaml").read_text(encoding="utf-8")
    (folder / "study.yaml").write_text(text + "\n# a comment changes the bytes\n",
                                       encoding="utf-8")
    _load(folder, cache_dir=root)
    assert len(entries(root)) == 3


def test_key_follows_toolkit_and_libraries(tmp_path, monkeypatch):
    root = tmp_path / "cache"
    _load(VALID, cache_dir=root)
    monkeypatch.setattr(provenance, "toolkit_sha256", lambda: "changed toolkit")
    _load(VALID, cache_dir=root)
    assert len(entries(root)) == 2
    real = cache_mod.package_versions
    monkeypatch.setattr(cache_mod, "package_versions", lambda: {**real(), "pandas": "0.0"})
    _load(VALID, cache_dir=root)
    assert len(entries(root)) == 3


def _real_study(tmp_path) -> Path:
    folder = _copy(VALID, tmp_path / "real")
    text = (folder / "study.yaml").read_text(encoding="utf-8")
    text = text.replace("synthetic: true", "synthetic: false")
    text = text.replace('  pseudonym_key: "tiny-synthetic-key"\n', "  secret_env: TINY_SECRET\n")
    (folder / "study.yaml").write_text(text, encoding="utf-8")
    return folder


def test_key_follows_the_secret_and_never_holds_it(tmp_path, monkeypatch):
    folder = _real_study(tmp_path)
    root = tmp_path / "cache"
    secrets = ("first-secret-4f1c9a", "second-secret-77d0e2")
    monkeypatch.setenv("TINY_SECRET", secrets[0])
    one = _load(folder, cache_dir=root)
    monkeypatch.setenv("TINY_SECRET", secrets[1])
    two = _load(folder, cache_dir=root)
    assert len(entries(root)) == 2
    assert set(one.tables["training"]["nip"]).isdisjoint(two.tables["training"]["nip"])
    again = _load(folder, cache_dir=root)  # a hit, with the second secret's pseudonyms
    assert again.tables["training"]["nip"].tolist() == two.tables["training"]["nip"].tolist()
    given = _load(folder, cache_dir=root, secret=secrets[0])
    assert given.tables["training"]["nip"].tolist() == one.tables["training"]["nip"].tolist()
    assert given.notes == _load(folder, cache_dir=False, secret=secrets[0]).notes
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for s in secrets:
                assert s.encode() not in data, path


def test_no_secret_needed_means_no_secret_in_the_key(tmp_path, monkeypatch):
    from evaluation.errors import PrivacyError

    folder = _real_study(tmp_path)
    monkeypatch.delenv("TINY_SECRET", raising=False)
    root = tmp_path / "cache"
    with pytest.raises(PrivacyError):
        _load(folder, cache_dir=root)
    assert entries(root) == []  # nothing stored for a failed load


# ---- damaged entries ------------------------------------------------------------------------


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


DAMAGE = {
    "flipped byte": lambda e: _flip(max(e.glob("*.parquet"), key=lambda p: p.stat().st_size)),
    "truncated": lambda e: (lambda p: p.write_bytes(p.read_bytes()[:100]))(
        sorted(e.glob("*.parquet"))[0]),
    "file missing": lambda e: sorted(e.glob("*.parquet"))[-1].unlink(),
    "entry.json missing": lambda e: (e / "entry.json").unlink(),
    "entry.json garbage": lambda e: (e / "entry.json").write_text("{not json"),
    "entry.json empty": lambda e: (e / "entry.json").write_bytes(b""),
    "hash altered": lambda e: (e / "entry.json").write_text(
        (e / "entry.json").read_text().replace('"sha256": "', '"sha256": "0', 1)),
    "rewritten with other valid data": lambda e: _swap_valid_file(e),
}


def _swap_valid_file(entry: Path) -> None:
    # a well-formed Parquet file with different numbers: only the recorded hash catches it
    files = sorted(entry.glob("*.parquet"))
    df = pd.read_parquet(files[0])
    df.iloc[0, -1] = df.iloc[1, -1]
    df.to_parquet(files[0])


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_entry_is_rebuilt_never_used(tmp_path, damage):
    root = tmp_path / "cache"
    plain = _load(VALID, cache_dir=False)
    _load(VALID, cache_dir=root)
    (entry,) = entries(root)
    DAMAGE[damage](entry)
    again = _load(VALID, cache_dir=root)
    assert_same_study(plain, again)
    (rebuilt,) = entries(root)
    assert cache_mod._read_entry(rebuilt, "tables", rebuilt.name.split("-", 1)[1]) is not None
    assert_same_study(plain, _load(VALID, cache_dir=root))
    assert not [p for p in root.iterdir() if p.name.startswith(".tmp-")]


def test_damaged_panel_entry_is_rebuilt(tmp_path):
    root = tmp_path / "cache"
    study = _load(VALID, cache_dir=root)
    first = study.panel()
    (entry,) = entries(root, "panel")
    _flip(next(entry.glob("*.parquet")))
    again = _load(VALID, cache_dir=root).panel()
    pd.testing.assert_frame_equal(first, again, check_exact=True)


def test_unwritable_cache_is_only_a_missed_shortcut(tmp_path):
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the folder should be")
    assert_same_study(_load(VALID, cache_dir=False), _load(VALID, cache_dir=blocker))


def test_frame_parquet_cannot_hold_exactly_is_not_stored(tmp_path):
    df = pd.DataFrame({"a": [1, 2]})
    df.attrs["when"] = object()
    assert not cache_mod.store(tmp_path, "tables", "k" * 64, {"x": df}, {})
    assert not list(tmp_path.glob("tables-*"))
    df.attrs = {"lags": (0, 1), "base": 2024, "w": 0.1, "m": {"a": [1, None]}}
    assert cache_mod.store(tmp_path, "tables", "k" * 64, {"x": df}, {"n": 1})
    hit = cache_mod.fetch(tmp_path, "tables", "k" * 64)
    assert hit.frames["x"].attrs == df.attrs and type(hit.frames["x"].attrs["lags"]) is tuple


# ---- two processes at once ------------------------------------------------------------------

_RACER = """
import sys, time, warnings
warnings.simplefilter("ignore")
from evaluation import provenance
provenance.toolkit_sha256 = lambda: "toolkit-under-test"
from evaluation.study import load_study
start = float(sys.argv[3])
while time.time() < start:
    time.sleep(0.001)
study = load_study(sys.argv[1], cache_dir=sys.argv[2])
print(study.data_sha256, study.tables["training"]["nip"].iloc[0])
"""


def test_two_processes_filling_the_same_key_both_end_valid(tmp_path):
    root = tmp_path / "cache"
    start = time.time() + 3.0  # both are importing pandas by then
    procs = [subprocess.Popen([sys.executable, "-c", _RACER, str(VALID), str(root), str(start)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              cwd=ROOT) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-500:] for o in outs]
    assert outs[0][0] == outs[1][0]
    (entry,) = entries(root)
    assert cache_mod._read_entry(entry, "tables", entry.name.split("-", 1)[1]) is not None
    assert not [p for p in root.iterdir() if p.name.startswith(".tmp-")]
    assert_same_study(_load(VALID, cache_dir=False), _load(VALID, cache_dir=root))


def test_losing_the_rename_keeps_the_winners_entry(tmp_path):
    df = pd.DataFrame({"a": [1.0, 2.0]})
    assert cache_mod.store(tmp_path, "panel", "a" * 64, {"panel": df}, {"who": "winner"})
    assert cache_mod.store(tmp_path, "panel", "a" * 64, {"panel": df}, {"who": "loser"})
    assert cache_mod.fetch(tmp_path, "panel", "a" * 64).meta == {"who": "winner"}
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".tmp-")] == []


# ---- privacy ----------------------------------------------------------------------------------


def _cache_text(root: Path) -> str:
    """Every value of every cached frame as text, plus every file's raw bytes."""
    parts = []
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        parts.append(path.read_bytes().decode("latin-1"))
        if path.suffix == ".parquet":
            table = pq.read_table(path)
            parts.append(table.to_pandas().astype("str").to_csv(index=False))
            parts.append(json.dumps({k.decode(): v.decode("latin-1")
                                     for k, v in (table.schema.metadata or {}).items()}))
    return "\n".join(parts)


def test_no_nip_or_name_from_the_raw_training_file_in_the_cache(tmp_path):
    root = tmp_path / "cache"
    study = _load(VALID, cache_dir=root)
    study.panel()
    text = _cache_text(root)
    for nip in NIPS:
        assert nip not in text
    for name in NAMES:
        assert name not in text
    assert NIP_PATTERN.findall(text) == []


def test_no_nip_or_name_from_the_demo_training_file_in_the_cache(tmp_path, demo_dir):
    raw = pd.read_parquet(demo_dir / "training.parquet", columns=["nip", "nama"])
    root = tmp_path / "cache"
    _load(demo_dir, cache_dir=root).panel()
    text = _cache_text(root)
    assert NIP_PATTERN.findall(text) == []
    nips = set(raw["nip"].astype("str"))
    assert not nips & set(re.findall(r"\d{18}", text))
    names = set(raw["nama"].astype("str"))
    cached_words = set(re.findall(r"[A-Z][a-z]+ [A-Z][a-z]+", text))
    assert not names & cached_words


# ---- housekeeping -------------------------------------------------------------------------------


def test_prune_removes_stale_temporaries_and_unused_entries_only(tmp_path):
    root = tmp_path / "cache"
    _load(VALID, cache_dir=root)
    (entry,) = entries(root)
    young = root / ".tmp-tables-young"
    old = root / ".tmp-tables-old"
    young.mkdir()
    old.mkdir()
    (old / "000.parquet").write_bytes(b"half")
    past = time.time() - 2 * 3600
    os.utime(old, (past, past))
    removed = cache_mod.prune(root)
    assert removed == [old]
    assert young.is_dir() and entry.is_dir()
    later = time.time() + 31 * 86400
    assert entry in cache_mod.prune(root, now=lambda: later)
    assert not entry.exists()
    assert (root / "README.txt").is_file()


# ---- the batch gives every run the cache; the cache is not an output ---------------------------


def test_runner_environment_points_every_run_at_the_study_cache(tmp_path, monkeypatch):
    from evaluation.batch.runner import RunSpec, _child_env, cache_root

    monkeypatch.setenv(cache_mod.CACHE_DIR_ENV, "/somewhere/else")
    spec = RunSpec(key="2024/estimate", year=2024, stage="estimate", lang=None,
                   notebook="nb.ipynb", parameters={}, study_name="demo",
                   out_root=str(tmp_path / "reports"), outputs=(), executed_name="nb.ipynb")
    env = _child_env(spec)
    assert env[cache_mod.CACHE_DIR_ENV] == str((tmp_path / "reports" / "demo" / ".cache").resolve())
    assert Path(env[cache_mod.CACHE_DIR_ENV]) == cache_root(spec.out_root, "demo").resolve()
    brief = RunSpec(**{**spec.__dict__, "key": "2024/brief.id", "stage": "brief", "lang": "id"})
    assert _child_env(brief)[cache_mod.CACHE_DIR_ENV] == env[cache_mod.CACHE_DIR_ENV]


@pytest.mark.notebooks
def test_batch_keeps_the_cache_out_of_outputs_and_cleans_its_stale_temporaries(tmp_path,
                                                                                demo_dir):
    from evaluation.batch import NotebookSet, batch_lock, run_batch
    from evaluation.errors import LockError

    study = tmp_path / "study"
    study.mkdir()
    shutil.copy(demo_dir / "study.yaml", study / "study.yaml")
    for name in ("units.csv", "staff.csv", "training.parquet", "skm.parquet", "iku.csv",
                 "cpi.csv", "programme.csv"):
        (study / name).write_text(f"toy input {name}\n")
    folder = tmp_path / "reports" / "demo"
    root = folder / ".cache"
    _load(VALID, cache_dir=root)
    (entry,) = entries(root)
    stale = root / ".tmp-tables-killed"
    stale.mkdir()
    past = time.time() - 2 * 3600
    os.utime(stale, (past, past))
    res = run_batch(str(study), years="2024", langs=["id"], jobs=1, out=str(tmp_path / "reports"),
                    notebooks=NotebookSet.from_folder(ROOT / "tests" / "notebooks_fixtures" / "toy"))
    assert res.exit_code == 0, res.summary()
    assert entry.is_dir() and not stale.exists()
    manifest = json.loads((folder / "manifest.json").read_text())
    for rec in manifest["runs"].values():
        assert not any(".cache" in name for name in rec["outputs"])
    assert ".cache" not in (folder / "index.html").read_text()
    with batch_lock(folder), pytest.raises(LockError):
        run_batch(str(study), years="2024", langs=["id"], jobs=1, out=str(tmp_path / "reports"),
                  notebooks=NotebookSet.from_folder(ROOT / "tests" / "notebooks_fixtures" / "toy"))
    shutil.rmtree(root)  # deleting the cache is always safe
    again = run_batch(str(study), years="2024", langs=["id"], jobs=1,
                      out=str(tmp_path / "reports"),
                      notebooks=NotebookSet.from_folder(ROOT / "tests" / "notebooks_fixtures" / "toy"))
    assert again.exit_code == 0 and again.executed == []
