"""Monte Carlo check of panel_fe inference on the demo data-generating process.

For 60 and 15 clusters (units) it simulates unit-year panels like the demo study's
(evaluation.demo: unit and year effects, JP per ASN with unit levels, a common year
pattern including the 2020-2021 dip and log-normal unit-year shocks; IKM responding to
last year's JP per ASN with beta = 0.06; IKM noise = a unit-year shock plus SKM survey
sampling noise for 90-420 respondents), estimates ``ikm ~ jp_per_asn_lag1 | unit + year``
and reports, for CR1 cluster-robust and wild cluster restricted bootstrap inference:

- bias of the estimate (true beta = 0.06),
- coverage of the 95% interval (true beta = 0.06),
- rejection rate of H0: beta = 0 at 5% when the true beta is 0.

The unit-year shock follows an AR(1) with rho = 0.4 within units, so that clustering
matters (the demo's own shock is serially independent; this is the harder case).

Usage::

    python benchmarks/montecarlo.py --reps 500 --clusters 60 15 \
        --out benchmarks/results/montecarlo.txt
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from evaluation.demo import _spec as demo  # noqa: E402
from evaluation.estimate import panel_fe  # noqa: E402

BETA = float(demo.TRUE_EFFECTS["beta_jp_lag1"])
YEARS = np.arange(demo.FIRST_YEAR, demo.LAST_YEAR + 1)
RHO = 0.4


def simulate_panel(n_units: int, beta: float, rng: np.random.Generator) -> pd.DataFrame:
    """One synthetic unit-year panel with the demo's structure (see module docstring)."""
    n_years = len(YEARS)
    level = demo._JP_LEVEL_MEAN * rng.uniform(0.7, 1.3, n_units) * np.exp(
        rng.normal(0, 0.2, n_units)
    )
    year_factor = np.array([demo._JP_YEAR[y] for y in YEARS])
    sd = demo._JP_SHOCK_SD
    # one extra year in front: the lag of the first year exists but is not observed
    prev_factor = np.r_[0.85, year_factor]
    jp = level[:, None] * prev_factor[None, :] * np.exp(
        rng.normal(0, sd, (n_units, n_years + 1)) - sd**2 / 2
    )
    alpha = demo._IKM_BASE + 0.08 * (level - demo._JP_LEVEL_MEAN) + rng.normal(0, 2.5, n_units)
    gamma = np.array([demo._GAMMA[y] for y in YEARS])
    shock = np.empty((n_units, n_years))
    shock[:, 0] = rng.normal(0, demo._IKM_SD_U, n_units)
    for t in range(1, n_years):
        shock[:, t] = RHO * shock[:, t - 1] + np.sqrt(1 - RHO**2) * rng.normal(
            0, demo._IKM_SD_U, n_units
        )
    respondents = rng.integers(90, 421, n_units)
    survey = rng.normal(0, 1, (n_units, n_years)) * (8.75 / np.sqrt(respondents))[:, None]
    ikm = alpha[:, None] + gamma[None, :] + beta * jp[:, :-1] + shock + survey
    return pd.DataFrame(
        {
            "unit": np.repeat(np.arange(n_units), n_years),
            "year": np.tile(YEARS, n_units),
            "jp_per_asn": jp[:, 1:].ravel(),
            "ikm": ikm.ravel(),
        }
    )


def one_replication(n_units: int, beta: float, rng, boot_reps: int, seed: int) -> dict:
    panel = simulate_panel(n_units, beta, rng)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wild = panel_fe(panel, "ikm", "jp_per_asn", "unit", "year", lags=[1],
                        inference="wild", reps=boot_reps, seed=seed)
        cr1 = wild.with_inference("cluster")
    term = "jp_per_asn_lag1"
    out = {"estimate": wild.coef(term)}
    for name, res in (("cluster", cr1), ("wild", wild)):
        row = res.table.loc[term]
        out[f"{name}_low"] = row["conf_low"]
        out[f"{name}_high"] = row["conf_high"]
        out[f"{name}_p"] = row["p_value"]
    return out


def run(n_units: int, reps: int, beta: float, boot_reps: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng([seed, n_units, int(round(beta * 1e6))])
    rows = [one_replication(n_units, beta, rng, boot_reps, seed + r) for r in range(reps)]
    return pd.DataFrame(rows)


def summarise(alt: pd.DataFrame, null: pd.DataFrame, n_units: int) -> list[dict]:
    out = []
    for name in ("cluster", "wild"):
        covered = (alt[f"{name}_low"] <= BETA) & (alt[f"{name}_high"] >= BETA)
        out.append(
            {
                "clusters": n_units,
                "inference": "CR1" if name == "cluster" else "wild (WCR)",
                "bias": alt["estimate"].mean() - BETA,
                "bias_mc_se": alt["estimate"].std(ddof=1) / np.sqrt(len(alt)),
                "coverage_95": covered.mean(),
                "rejection_null_5pct": (null[f"{name}_p"] < 0.05).mean(),
                "mean_ci_width": (alt[f"{name}_high"] - alt[f"{name}_low"]).mean(),
            }
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=500)
    parser.add_argument("--clusters", type=int, nargs="+", default=[60, 15])
    parser.add_argument("--boot-reps", type=int, default=999)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    command = "python benchmarks/montecarlo.py " + " ".join(argv if argv is not None else sys.argv[1:])
    lines = [
        f"# command: {command}",
        f"# {args.reps} replications per cell, {args.boot_reps} bootstrap draws, seed {args.seed};"
        f" true beta = {BETA} (coverage, bias) and 0 (rejection); years {YEARS[0]}-{YEARS[-1]},"
        " model ikm ~ jp_per_asn_lag1 | unit + year, clustered by unit",
        "# Monte Carlo standard error of a coverage near 0.95: "
        f"{np.sqrt(0.95 * 0.05 / args.reps):.4f}; of a 5% rejection rate: "
        f"{np.sqrt(0.05 * 0.95 / args.reps):.4f}",
    ]
    results = []
    for g in args.clusters:
        start = time.perf_counter()
        alt = run(g, args.reps, BETA, args.boot_reps, args.seed)
        null = run(g, args.reps, 0.0, args.boot_reps, args.seed)
        results += summarise(alt, null, g)
        lines.append(f"# {g} clusters: {time.perf_counter() - start:.0f} s")
    table = pd.DataFrame(results)
    text = "\n".join(lines) + "\n" + table.to_string(index=False, float_format=lambda v: f"{v:.4f}") + "\n"
    print(text, end="")
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
