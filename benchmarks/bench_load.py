"""Benchmark: loading a study and building its panel, from the demo city to a country.

For each scale K (the demo city K times: ``evaluation demo-data --scale K``) it runs, each
in a fresh process so that peak memory is the run's own:

- ``toolkit``: the loader's stages one after another, as ``load_study`` runs them (read,
  pseudonymise, validate), then the indicators (training intensity, IKM) and the panel;
  time and peak resident memory per stage;
- ``load``: the public calls with the defaults, ``load_study(..., cache_dir=False)`` then
  ``study.panel()`` (the figure the targets are about); the default engine is ``auto``, so
  this is pandas on small studies and DuckDB on large ones (the line says which);
- ``load-pandas``: the same in memory (``engine="pandas"``), whatever the size;
- ``engine``: the same with the out-of-core engine (``load_study(..., engine="duckdb")``);
- two floors over the same files: a plain pandas read plus the core group-bys (JP per
  unit-year, persons reaching 20 JP, IKM element means), and the same in DuckDB.

Ratios are taken within one run. ``--national K`` adds the engine alone on the demo city K
times partitioned by year (1000: about 320 million training records), under
``--memory-limit`` (DuckDB's limit; the process's peak resident memory is printed beside
it). Data are generated once into ``--data`` (default: a folder under the system's
temporary directory) and reused.

Run: ``python benchmarks/bench_load.py --scale 1 10 30 100 [--national 1000] [--save]``.
Prints figures; asserts nothing about time (machines differ).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, Literal

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"
MODES = ("toolkit", "load", "load-pandas", "engine", "pandas", "duckdb")
#: The modes that hold every table in memory (skipped above ``--in-memory-up-to``).
IN_MEMORY = ("toolkit", "load-pandas")


# ---- measuring inside a child process -----------------------------------------------------------


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class Meter:
    """Wall time and peak resident memory of named stages (RSS sampled every 5 ms)."""

    def __init__(self) -> None:
        self.stages: dict[str, dict[str, float]] = {}
        self.info: dict[str, str] = {}
        self.base = _rss()
        self._peak = self.base
        self._stop = threading.Event()
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            self._peak = max(self._peak, _rss())
            time.sleep(0.005)

    def stage(self, name: str, fn: Callable[[], Any]) -> Any:
        self._peak = _rss()
        start = time.perf_counter()
        out = fn()
        seconds = time.perf_counter() - start
        self._peak = max(self._peak, _rss())
        self.stages[name] = {"seconds": seconds, "peak_gb": self._peak / 1e9}
        return out

    def report(self) -> dict[str, Any]:
        self._stop.set()
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        return {"stages": self.stages, "base_gb": self.base / 1e9, "peak_gb": peak / 1e9,
                "info": self.info}


def _files(study: Path) -> dict[str, str]:
    from evaluation.config import read_study_config

    cfg = read_study_config(study)
    return {name: str(cfg.table_path(name)) for name in cfg.tables}


def _parquet_glob(path: str) -> str:
    return str(Path(path) / "**" / "*.parquet") if Path(path).is_dir() else path


def child_toolkit(study: Path, m: Meter) -> None:
    from evaluation import validate
    from evaluation.config import read_study_config
    from evaluation.indicators import ikm, training_intensity
    from evaluation.panel import build_panel
    from evaluation.privacy import resolve_secret

    config = read_study_config(study)
    read, _, _ = m.stage("read", partial(validate.read_study_tables, config))
    key, _ = resolve_secret(config)
    pseudo = m.stage("pseudonymise", partial(validate.pseudonymise_raw, read, key))
    del read  # as in load_study: the raw tables go once pseudonymised
    tables, _, _ = m.stage("validate", partial(validate.validate_tables, config, pseudo))
    del pseudo

    def indicators() -> None:
        training_intensity(tables["training"], tables["staff"], config=config,
                           cpi=tables.get("cpi"))
        ikm(tables["skm"], weighting=config.ikm.weighting)

    m.stage("indicators", indicators)
    m.stage("panel", lambda: build_panel(config, tables))


def child_load(study: Path, m: Meter, engine: Literal["pandas", "duckdb"] | None = None) -> None:
    from evaluation.study import load_study

    # engine None: the study's own setting, by default auto
    s = m.stage("load_study", lambda: load_study(study, cache_dir=False, engine=engine))
    m.stage("panel", s.panel)
    m.info["engine"] = s.notes[-1] if s.notes else s.engine


def child_pandas(study: Path, m: Meter) -> None:
    import pandas as pd

    f = _files(study)

    def read() -> dict[str, pd.DataFrame]:
        out = {n: pd.read_csv(f[n], sep=";", decimal=",") for n in ("units", "staff")}
        out["training"] = pd.read_parquet(f["training"])
        out["skm"] = pd.read_parquet(f["skm"])
        return out

    t = m.stage("read", read)

    def group_bys() -> None:
        tr, skm = t["training"], t["skm"]
        keys = ["kode_opd", "tahun"]
        tr.groupby(keys)["jp"].sum()
        person = tr.groupby([*keys, "nip"])["jp"].sum()
        (person >= 20).groupby(level=[0, 1]).sum()
        skm.groupby(keys)[[f"u{k}" for k in range(1, 10)]].mean()

    m.stage("group_bys", group_bys)


def child_duckdb(study: Path, m: Meter) -> None:
    import duckdb

    f = _files(study)
    con = duckdb.connect()
    tr, skm = _parquet_glob(f["training"]), _parquet_glob(f["skm"])
    means = ", ".join(f"avg(u{k})" for k in range(1, 10))

    def run() -> None:
        for name in ("units", "staff"):
            con.execute(f"SELECT * FROM read_csv('{f[name]}', delim=';', decimal_separator=',')"
                        ).fetchall()
        con.execute(f"SELECT kode_opd, tahun, sum(jp) FROM read_parquet('{tr}') "
                    "GROUP BY ALL").fetchall()
        con.execute(f"SELECT kode_opd, tahun, count(*) FILTER (WHERE s >= 20) FROM "
                    f"(SELECT kode_opd, tahun, nip, sum(jp) AS s FROM read_parquet('{tr}') "
                    "GROUP BY ALL) GROUP BY ALL").fetchall()
        con.execute(f"SELECT kode_opd, tahun, {means} FROM read_parquet('{skm}') "
                    "GROUP BY ALL").fetchall()

    m.stage("read+group_bys", run)


def child(mode: str, study: Path, memory_limit: str | None) -> None:
    warnings.simplefilter("ignore")
    import duckdb  # noqa: F401 - imported before measuring, like pandas
    import pandas  # noqa: F401

    if memory_limit:
        os.environ["EVALUATION_DUCKDB_MEMORY_LIMIT"] = memory_limit
    m = Meter()
    {"toolkit": child_toolkit, "load": child_load, "pandas": child_pandas,
     "duckdb": child_duckdb,
     "load-pandas": lambda s, mm: child_load(s, mm, engine="pandas"),
     "engine": lambda s, mm: child_load(s, mm, engine="duckdb")}[mode](study, m)
    print(json.dumps(m.report()))


# ---- the parent: data, runs, table -------------------------------------------------------------


def ensure_data(folder: Path, scale: int, layout: str = "file") -> Path:
    if scale == 1 and layout == "file":
        return ROOT / "data" / "demo"
    out = folder / (f"demo_x{scale}" + ("_partitioned" if layout == "partitioned" else ""))
    if not (out / "study.yaml").is_file():
        from evaluation.demo.scale import generate_scaled

        start = time.perf_counter()
        generate_scaled(out, scale=scale, layout=layout)  # type: ignore[arg-type]
        print(f"  (generated {out.name} in {time.perf_counter() - start:.0f} s)", flush=True)
    return out


def run_child(mode: str, study: Path, memory_limit: str | None) -> dict[str, Any] | None:
    cmd = [sys.executable, __file__, "--child", mode, str(study)]
    if memory_limit:
        cmd += ["--memory-limit", memory_limit]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        print(f"    {mode}: failed\n" + proc.stderr[-2000:], flush=True)
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def total(res: dict[str, Any] | None) -> float:
    return sum(s["seconds"] for s in res["stages"].values()) if res else float("nan")


def describe(scale: int, results: dict[str, Any]) -> list[str]:
    lines = [f"scale {scale}x"]
    for mode, res in results.items():
        if res is None:
            lines.append(f"  {mode:<11} failed")
            continue
        stages = "  ".join(f"{k} {v['seconds']:.2f} s / {v['peak_gb']:.2f} GB"
                           for k, v in res["stages"].items())
        lines.append(f"  {mode:<11} {total(res):7.2f} s  peak {res['peak_gb']:5.2f} GB  "
                     f"(after imports {res['base_gb']:.2f} GB)  {stages}")
        if mode == "load" and res.get("info", {}).get("engine"):
            lines.append(f"  {'':<11} default {res['info']['engine']}")
    floor = total(results.get("pandas"))
    for mode in ("load", "load-pandas", "engine"):
        # the floors run beside the loaders; a run without them (--national) has no ratio
        if results.get(mode) and results.get("pandas") and results.get("duckdb"):
            lines.append(f"  {mode} / pandas floor: {total(results[mode]) / floor:.2f}x; "
                         f"/ duckdb floor: {total(results[mode]) / total(results.get('duckdb')):.2f}x")
    return lines


def growth_lines(totals: dict[int, dict[str, Any]]) -> list[str]:
    """How the time of each loader grows from 10x to 100x (linear: 10-fold)."""
    labels = {"load": "load_study + panel, defaults", "load-pandas": "in memory (pandas)",
              "engine": "out of core (duckdb)"}
    small, large = totals.get(10, {}), totals.get(100, {})
    out = [f"growth 10x -> 100x ({label}): {total(large[mode]) / total(small[mode]):.1f}-fold"
           for mode, label in labels.items() if small.get(mode) and large.get(mode)]
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scale", type=int, nargs="+", default=[1, 10, 30, 100])
    p.add_argument("--modes", nargs="+", default=list(MODES), choices=MODES)
    p.add_argument("--in-memory-up-to", type=int, default=100, metavar="K",
                   help="run the in-memory loaders (toolkit, load-pandas) only up to this scale: "
                   "above it they may need more memory than the machine has (default 100)")
    p.add_argument("--national", type=int, default=0, metavar="K",
                   help="also run the engine alone on the city K times, partitioned by year")
    p.add_argument("--memory-limit", default="6GB",
                   help="DuckDB memory limit for the engine (default 6GB: under 8 GB in all)")
    p.add_argument("--data", type=Path,
                   default=Path(tempfile.gettempdir()) / "evaluation-bench-data")
    p.add_argument("--save", action="store_true", help="write benchmarks/results/bench_load.txt")
    p.add_argument("--child", nargs=2, metavar=("MODE", "STUDY"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        child(args.child[0], Path(args.child[1]), args.memory_limit)
        return 0
    args.data.mkdir(parents=True, exist_ok=True)
    lines = [f"bench_load.py on {platform.machine()}, {os.cpu_count()} cores, Python "
             f"{platform.python_version()}; {time.strftime('%Y-%m-%d')}"]
    print(lines[0], flush=True)
    totals: dict[int, dict[str, Any]] = {}
    for scale in args.scale:
        study = ensure_data(args.data, scale)
        modes = [m for m in args.modes
                 if scale <= args.in_memory_up_to or m not in IN_MEMORY]
        if len(modes) < len(args.modes):
            lines.append(f"scale {scale}x: in-memory loaders not run (--in-memory-up-to "
                         f"{args.in_memory_up_to})")
        results = {mode: run_child(mode, study, args.memory_limit) for mode in modes}
        totals[scale] = results
        for line in describe(scale, results):
            print(line, flush=True)
            lines.append(line)
    for line in growth_lines(totals):
        print(line)
        lines.append(line)
    if args.national:
        study = ensure_data(args.data, args.national, layout="partitioned")
        res = run_child("engine", study, args.memory_limit)
        for line in describe(args.national, {"engine": res}):
            print(line, flush=True)
            lines.append(line + f"  (memory limit {args.memory_limit}, partitioned by year)")
    if args.save:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "bench_load.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
