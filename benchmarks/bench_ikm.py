"""Benchmark: 10 million SKM answers -> IKM per unit-year, beside the time to read them.

Writes about 1.1 million synthetic questionnaires (9 answers each, 2% skipped) for
60 units x 10 years to a Parquet file in a temporary folder, then times, in the same
run, (1) reading the file with pandas and (2) :func:`evaluation.indicators.ikm` per
unit-year without bootstrap. The IKM step should cost less than the read.

Run: ``python benchmarks/bench_ikm.py [--respondents N] [--repeat R] [--seed S]``.
Prints figures only; it asserts nothing about time (machines differ).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from evaluation.indicators import ikm


def synthetic_skm(n_respondents: int, *, seed: int, n_units: int = 60,
                  years: range = range(2015, 2025), skip_share: float = 0.02) -> pa.Table:
    """Respondent-level SKM answers as an Arrow table (u1..u9 int8, nulls where skipped)."""
    rng = np.random.default_rng(seed)
    units = np.array([f"OPD{i:03d}" for i in range(n_units)])
    unit = units[rng.integers(0, n_units, n_respondents)]
    year = rng.integers(years.start, years.stop, n_respondents).astype(np.int16)
    columns = {
        "kode_opd": pa.array(unit),
        "tahun": pa.array(year),
        "id_responden": pa.array(np.char.add("R", np.arange(n_respondents).astype(str))),
    }
    level = rng.normal(3.1, 0.3, n_respondents)  # respondents differ in overall satisfaction
    for i in range(1, 10):
        x = np.clip(np.rint(level + rng.normal(0, 0.6, n_respondents)), 1, 4).astype(np.int8)
        skipped = rng.random(n_respondents) < skip_share
        columns[f"u{i}"] = pa.array(x, mask=skipped)
    return pa.table(columns)


def best_and_median(fn, repeat: int) -> tuple[float, float, float, object]:
    """Best and median wall time, median CPU time (all threads) of ``repeat`` calls."""
    times, cpu, out = [], [], None
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return min(times), statistics.median(times), statistics.median(cpu), out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--respondents", type=int, default=1_111_112,
                   help="questionnaires (x 9 answers; default 1,111,112 = 10,000,008 answers)")
    p.add_argument("--repeat", type=int, default=5, help="timed repetitions (default 5)")
    p.add_argument("--seed", type=int, default=2026)
    args = p.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-ikm-") as tmp:
        path = Path(tmp) / "skm.parquet"
        t0 = time.perf_counter()
        pq.write_table(synthetic_skm(args.respondents, seed=args.seed), path)
        made = time.perf_counter() - t0
        size_mb = path.stat().st_size / 1e6

        # canonical names, as the study loader would give them
        rename = {"kode_opd": "unit_id", "tahun": "year", "id_responden": "respondent_id"}

        def read():
            return pd.read_parquet(path).rename(columns=rename)

        read_best, read_median, read_cpu, df = best_and_median(read, args.repeat)
        ikm_best, ikm_median, ikm_cpu, res = best_and_median(lambda: ikm(df), args.repeat)

    answers = args.respondents * 9
    print(f"SKM answers:        {answers:,} ({args.respondents:,} respondents x 9 elements)")
    print(f"Parquet file:       {size_mb:.1f} MB (written in {made:.2f} s)")
    print(f"groups (unit-year): {len(res.table):,}")
    print(f"read file:          best {read_best:.3f} s, median {read_median:.3f} s "
          f"(CPU {read_cpu:.3f} s)")
    print(f"IKM per unit-year:  best {ikm_best:.3f} s, median {ikm_median:.3f} s "
          f"(CPU {ikm_cpu:.3f} s; {answers / ikm_best / 1e6:.0f} million answers/s)")
    ratio = ikm_median / read_median
    print(f"IKM / read:         {ratio:.2f} (median wall times; "
          f"CPU time ratio {ikm_cpu / read_cpu:.2f})")
    print("IKM step costs less than reading: " + ("yes" if ratio < 1 else "NO"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
