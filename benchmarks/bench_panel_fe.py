"""Time and peak memory of ``panel_fe`` against pyfixest called directly, on the same data.

Individual-level panels (ASN x year): ``rows`` person-years, 10 years, one fixed effect
per person and per year, clustered by agency (60 agencies, persons nested in them), CR1.
Each measurement runs in its own subprocess that imports the libraries and fits a small
panel once (so imports and numba compilation are not timed), builds the same seeded data
and then fits once; the parent reads the child's peak resident memory with ``os.wait4`` (the
child's own ``rusage``). Reported: wall time of the fit alone, the child's peak RSS and
the RSS growth during the fit (peak minus the RSS after building the data), and the
ratios wrapper / direct.

The machine may be shared and noisy: with ``--repeat N`` the two modes alternate (direct,
wrapper, direct, wrapper, ...) so that load hits both alike, and the table shows medians
over the N runs; the ratio row divides the medians, and ``pairs`` is the median of the
ratios of runs made back to back.

Usage::

    python benchmarks/bench_panel_fe.py --rows 1000000 5000000 20000000 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
N_YEARS, N_AGENCIES = 10, 60


def make_panel(rows: int, seed: int = 2026):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    n_asn = rows // N_YEARS
    asn = np.repeat(np.arange(n_asn, dtype=np.int64), N_YEARS)
    year = np.tile(np.arange(2015, 2015 + N_YEARS, dtype=np.int64), n_asn)
    agency = rng.integers(0, N_AGENCIES, n_asn)[asn]
    person = rng.normal(0, 3, n_asn)[asn]
    jp = np.clip(rng.normal(25, 10, asn.size) + 0.3 * person, 0, None)
    y = 70 + person + 0.5 * (year - 2015) + 0.05 * jp + rng.normal(0, 2, asn.size)
    return pd.DataFrame({"asn": asn, "year": year, "agency": agency, "jp": jp, "score": y})


def child(mode: str, rows: int) -> None:
    import warnings

    warnings.simplefilter("ignore")
    sys.path.insert(0, str(ROOT))
    import pyfixest as pf

    from evaluation.estimate import panel_fe

    def fit_once(data):
        if mode == "wrapper":
            res = panel_fe(data, "score", "jp", "asn", "year", cluster="agency",
                           inference="cluster")
            return res.coef("jp"), res.table.loc["jp", "std_error"]
        fit = pf.feols("score ~ jp | asn + year", data=data, vcov={"CRV1": "agency"})
        return float(fit.coef()["jp"]), float(fit.se()["jp"])

    # imports and numba compilation happen here, outside the timed region, for both modes
    fit_once(make_panel(20_000, seed=1))
    df = make_panel(rows)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    est, se = fit_once(df)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "rss_before_kb": rss_before, "estimate": est, "se": se}))


def measure(mode: str, rows: int) -> dict:
    env = dict(os.environ, PYTHONHASHSEED="0")
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", mode, "--rows", str(rows)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
    )
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise RuntimeError(f"{mode} at {rows} rows failed:\n{err[-2000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    result["peak_rss_mb"] = usage.ru_maxrss / 1024
    result["fit_rss_growth_mb"] = (usage.ru_maxrss - result.pop("rss_before_kb")) / 1024
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 5_000_000, 20_000_000])
    parser.add_argument("--child", choices=["wrapper", "direct"], default=None)
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs per mode, alternating the modes (medians reported)")
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.rows[0])
        return 0
    print(f"# command: python benchmarks/bench_panel_fe.py --rows "
          f"{' '.join(str(r) for r in args.rows)} --repeat {args.repeat}")
    print(f"{'rows':>11} {'mode':>8} {'fit s':>8} {'peak MB':>9} {'fit +MB':>9}   "
          "estimate (se)   [runs: fit s]")
    keys = ("seconds", "peak_rss_mb", "fit_rss_growth_mb")
    for rows in args.rows:
        runs: dict[str, list[dict]] = {"direct": [], "wrapper": []}
        for _ in range(args.repeat):
            for mode in ("direct", "wrapper"):
                runs[mode].append(measure(mode, rows))
        med = {m: {k: statistics.median(r[k] for r in runs[m]) for k in keys} for m in runs}
        for mode in ("direct", "wrapper"):
            first = runs[mode][0]
            times = " ".join(f"{r['seconds']:.2f}" for r in runs[mode])
            print(f"{rows:>11,} {mode:>8} {med[mode]['seconds']:>8.2f} "
                  f"{med[mode]['peak_rss_mb']:>9.0f} {med[mode]['fit_rss_growth_mb']:>9.0f}   "
                  f"{first['estimate']:.6f} ({first['se']:.6f})   [{times}]", flush=True)
        w, d = med["wrapper"], med["direct"]
        same = all(abs(r["estimate"] - runs["direct"][0]["estimate"]) < 1e-10
                   for m in runs for r in runs[m])
        print(f"{'':>11} {'ratio':>8} {w['seconds'] / d['seconds']:>8.3f} "
              f"{w['peak_rss_mb'] / d['peak_rss_mb']:>9.3f} "
              f"{w['fit_rss_growth_mb'] / max(d['fit_rss_growth_mb'], 1):>9.3f}   "
              f"same estimate: {same}", flush=True)
        pairs = [a["seconds"] / b["seconds"] for a, b in zip(runs["wrapper"], runs["direct"], strict=True)]
        print(f"{'':>11} {'pairs':>8} {statistics.median(pairs):>8.3f}   "
              f"(time ratios of back-to-back runs: {' '.join(f'{p:.3f}' for p in pairs)})",
              flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
