"""Benchmark: 10 yearly briefs with `evaluation batch` vs the naive way, and an unchanged re-run.

Naive: per year, one after another, `papermill` CLI on 02_estimate and 03_brief, then
`jupyter nbconvert --to html` of the executed notebook, then a PDF step (WeasyPrint
on that HTML). The naive way runs papermill directly, without EVALUATION_CACHE_DIR, so
every year reads, validates and pseudonymises the inputs and builds the panel again.
Batch: `evaluation batch --years A-B --jobs N` into an empty output folder (so also an empty
table/panel cache), as it runs by default (runs forked from a warm process) and with
`--cold-start` (every run in a fresh interpreter). Then the default batch again, unchanged
(every run skipped as cached). Prints seconds and ratios side by side, all measured in the
same run, and the median duration of the batch's estimation and brief runs.

Run from the project root: python benchmarks/bench_batch.py [--years 2015-2024] [--jobs 2]
Targets on 2 cores: batch <= 0.25x naive; unchanged re-run <= 0.05x naive.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def sh(cmd: list[str], env: dict | None = None) -> None:
    subprocess.run(cmd, cwd=ROOT, check=True, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def naive(years: range, out: Path) -> float:
    env = {**os.environ, "EVALUATION_OUTPUT_ROOT": str(out)}
    env.pop("EVALUATION_CACHE_DIR", None)  # the naive way has no cache
    t0 = time.perf_counter()
    for year in years:
        nb = out / f"{year}"
        nb.mkdir(parents=True, exist_ok=True)
        sh([str(BIN / "papermill"), "notebooks/02_estimate.ipynb", str(nb / "02.ipynb"),
            "-p", "year", str(year), "-p", "out", str(out)], env)
        sh([str(BIN / "papermill"), "notebooks/03_brief.ipynb", str(nb / "03.ipynb"),
            "-p", "year", str(year), "-p", "out", str(out)], env)
        sh([str(BIN / "jupyter"), "nbconvert", "--to", "html", str(nb / "03.ipynb")], env)
        sh([sys.executable, "-c", "import sys, weasyprint; "
            "weasyprint.HTML(sys.argv[1]).write_pdf(sys.argv[2])",
            str(nb / "03.html"), str(nb / "03.pdf")], env)
    return time.perf_counter() - t0


def batch(years: str, out: Path, jobs: int, *extra: str) -> float:
    t0 = time.perf_counter()
    sh([sys.executable, "-m", "evaluation", "batch", "--study", "data/demo", "--years", years,
        "--out", str(out), "--jobs", str(jobs), "--no-progress", *extra])
    return time.perf_counter() - t0


def run_durations(out: Path) -> dict[str, list[float]]:
    """Durations of the batch's runs by stage, in start order (from its manifest)."""
    manifest = json.loads((out / "demo" / "manifest.json").read_text(encoding="utf-8"))
    runs = sorted(manifest["runs"].values(), key=lambda r: (r["start"] or "", r["key"]))
    out_: dict[str, list[float]] = {}
    for rec in runs:
        if rec["status"] == "ok":
            out_.setdefault(rec["stage"], []).append(rec["duration"])
    return out_


def median(xs: list[float]) -> float:
    xs = sorted(xs)
    mid = len(xs) // 2
    return xs[mid] if len(xs) % 2 else (xs[mid - 1] + xs[mid]) / 2


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--years", default="2015-2024")  # 2015-2016: descriptive briefs (no lag yet)
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = p.parse_args()
    first, last = (int(x) for x in args.years.split("-"))
    tmp = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    try:
        t_naive = naive(range(first, last + 1), tmp / "naive")
        t_cold = batch(args.years, tmp / "cold", args.jobs, "--cold-start")
        cold = run_durations(tmp / "cold")
        t_batch = batch(args.years, tmp / "batch", args.jobs)
        warm = run_durations(tmp / "batch")
        t_again = batch(args.years, tmp / "batch", args.jobs)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    n = last - first + 1
    print(f"{n} yearly briefs ({first}-{last}), demo study, {os.cpu_count()} cores, "
          f"--jobs {args.jobs}")
    print(f"{'naive (papermill + nbconvert + PDF, serial)':<46} {t_naive:8.1f} s   1.00x")
    print(f"{'evaluation batch --cold-start':<46} {t_cold:8.1f} s   {t_cold / t_naive:.2f}x naive")
    print(f"{'evaluation batch (warm start, the default)':<46} {t_batch:8.1f} s   "
          f"{t_batch / t_naive:.2f}x naive   (target <= 0.25x)")
    print(f"{'evaluation batch (unchanged re-run)':<46} {t_again:8.1f} s   "
          f"{t_again / t_naive:.3f}x naive, {t_again / t_batch:.3f}x the batch   "
          f"(target <= 0.05x)")
    for label, durations in (("cold start", cold), ("warm start", warm)):
        print(f"runs, median ({label}): estimation {median(durations.get('estimate', [0.0])):.1f} s"
              f", brief {median(durations.get('brief', [0.0])):.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
